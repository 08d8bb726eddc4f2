//! The Discord sink: posts the bot makes by itself (reveals, next questions,
//! standings, scheduled rounds, reminders) go to their channel here, delivered
//! from the outbox by [`Bot::run`](crate::bot::Bot). Each post carries a nonce
//! made from its outbox id with `enforce_nonce`, so a post delivered twice
//! (after a crash, or a retried request that had in fact arrived) shows once.

use std::sync::Arc;

use serenity::all::{ChannelId, GuildId, HttpError, Nonce};
use serenity::builder::Builder;

use super::handler::Adapter;
use super::render;
use super::retry::retry;
use crate::runtime::Post;
use crate::runtime::{Sink, SinkError};
use crate::store::GuildScope;

/// Posts into Discord channels through the adapter's REST client.
#[derive(Clone)]
pub struct DiscordSink {
    adapter: Arc<Adapter>,
}

impl DiscordSink {
    pub fn new(adapter: Arc<Adapter>) -> Self {
        DiscordSink { adapter }
    }
}

impl Sink for DiscordSink {
    fn platform(&self) -> crate::platform::Platform {
        crate::platform::Platform::Discord
    }

    /// Sends one post to its channel; a reveal also closes its question's message.
    async fn post(&self, post: &Post) -> Result<(), SinkError> {
        let adapter = &self.adapter;
        let channel = match crate::platform::direct_user(&post.channel) {
            Some(user) => self.direct_channel(user).await?,
            None => snowflake(&post.channel)
                .map(ChannelId::new)
                .ok_or_else(|| {
                    SinkError::Permanent(format!("not a Discord channel id: {}", post.channel))
                })?,
        };
        adapter.after(std::slice::from_ref(&post.reply)).await;
        let guild = snowflake(&post.guild).map(GuildId::new);
        let message = render::message(&post.reply)
            .channel()
            .nonce(Nonce::String(nonce(&post.id)))
            .enforce_nonce(true);
        let sent = retry("post", || {
            message.clone().execute(adapter.http(), (channel, guild))
        })
        .await;
        match sent {
            Ok(message) => {
                adapter.track(channel, message.id, &post.reply);
                Ok(())
            }
            Err(e) if gone(&e) => Err(SinkError::Permanent(format!(
                "channel {channel} cannot be posted in: {e}"
            ))),
            Err(e) => Err(SinkError::Retry(e.to_string())),
        }
    }

    /// Every guild but Slack's workspaces, which share the database when one
    /// process serves both.
    fn guilds(&self) -> GuildScope {
        GuildScope::NotPrefixed(crate::platform::SLACK_GUILD_PREFIX)
    }
}

/// Discord's answer for a channel that is gone or closed to the bot
/// (403 Missing Access or Permissions, 404 Unknown Channel).
fn gone(e: &serenity::Error) -> bool {
    matches!(
        e,
        serenity::Error::Http(HttpError::UnsuccessfulRequest(response))
            if matches!(response.status_code.as_u16(), 403 | 404)
    )
}

/// A Discord id from its text (ids are never 0).
impl DiscordSink {
    /// The direct-message channel with `user` (a mention, `<@123>`), opened
    /// (or found) through Discord.
    async fn direct_channel(&self, user: &str) -> Result<ChannelId, SinkError> {
        let id = snowflake(user.trim_start_matches("<@").trim_end_matches('>'))
            .ok_or_else(|| SinkError::Permanent(format!("not a Discord user: {user}")))?;
        let http = self.adapter.http();
        match retry("open a direct message", || {
            serenity::model::id::UserId::new(id).create_dm_channel(http)
        })
        .await
        {
            Ok(channel) => Ok(channel.id),
            Err(e) if gone(&e) => Err(SinkError::Permanent(format!(
                "cannot message {user} directly: {e}"
            ))),
            Err(e) => Err(SinkError::Retry(e.to_string())),
        }
    }
}

fn snowflake(text: &str) -> Option<u64> {
    text.parse::<u64>().ok().filter(|id| *id != 0)
}

/// The same post always gets the same nonce (at most 25 characters).
fn nonce(post_id: &str) -> String {
    use sha2::Digest;
    let digest = sha2::Sha256::digest(post_id.as_bytes());
    crate::bank::hex(&digest)[..25].to_string()
}
