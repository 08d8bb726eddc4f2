//! Posts the bot makes by itself on Discord: closing quiz questions (reveal,
//! next question, standings) and starting scheduled rounds, when they fall due.
//! Every process ticks; the store's claims make sure each post goes out once.

use std::sync::Arc;
use std::time::Duration;

use serenity::all::{ChannelId, GuildId, Nonce};
use serenity::builder::Builder;
use tokio::sync::watch;

use super::handler::Adapter;
use super::render;
use super::retry::retry;
use crate::quiz::Post;

/// The ticker looks for due work at least this often.
const TICK_EVERY: Duration = Duration::from_secs(1);

/// Ticks until `shutdown` turns true.
pub async fn run(adapter: Arc<Adapter>, mut shutdown: watch::Receiver<bool>) {
    loop {
        match adapter.bot().tick().await {
            Ok(posts) => {
                for post in posts {
                    send(&adapter, post).await;
                }
            }
            Err(e) => tracing::warn!("discord: quiz tick failed: {e}"),
        }
        let wait = match adapter.bot().next_due().await {
            Ok(Some(due)) => {
                let ms = due.as_millisecond() - adapter.bot().now().as_millisecond();
                Duration::from_millis(ms.clamp(10, TICK_EVERY.as_millis() as i64) as u64)
            }
            _ => TICK_EVERY,
        };
        tokio::select! {
            _ = tokio::time::sleep(wait) => {}
            _ = shutdown.changed() => return,
        }
    }
}

/// Sends one post to its channel; a reveal also closes its question's message.
pub async fn send(adapter: &Adapter, post: Post) {
    let Some(channel) = snowflake(&post.channel).map(ChannelId::new) else {
        tracing::warn!("discord: not a channel id: {}", post.channel);
        return;
    };
    adapter.after(std::slice::from_ref(&post.reply)).await;
    let guild = snowflake(&post.guild).map(GuildId::new);
    // The nonce lets Discord drop a retried post that had in fact arrived.
    let message = render::message(&post.reply)
        .channel()
        .nonce(Nonce::String(nonce(&post)))
        .enforce_nonce(true);
    let sent = retry("post", || {
        message.clone().execute(adapter.http(), (channel, guild))
    })
    .await;
    match sent {
        Ok(message) => adapter.track(channel, message.id, &post.reply),
        Err(e) => tracing::error!("discord: could not post in channel {channel}: {e}"),
    }
}

/// A Discord id from its text (ids are never 0).
fn snowflake(text: &str) -> Option<u64> {
    text.parse::<u64>().ok().filter(|id| *id != 0)
}

/// The same post always gets the same nonce (at most 25 characters).
fn nonce(post: &Post) -> String {
    use sha2::Digest;
    let mut hasher = sha2::Sha256::new();
    hasher.update(post.channel.as_bytes());
    hasher.update(post.at.to_string().as_bytes());
    hasher.update(post.reply.text.as_bytes());
    crate::bank::hex(&hasher.finalize())[..25].to_string()
}
