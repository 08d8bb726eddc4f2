//! The Slack sink: posts the bot makes by itself (scheduled rounds, reveals,
//! standings, reminders) go to their conversation with `chat.postMessage`,
//! delivered from the outbox by [`Bot::run`](crate::bot::Bot), which retries
//! transient failures with backoff. The client waits out a 429's
//! `Retry-After` itself. Only Slack workspaces' posts are taken
//! ([`GUILD_PREFIX`]), so Discord and Slack can share a database.

use std::sync::Arc;

use super::handler::{Adapter, CallError};
use super::translate::GUILD_PREFIX;
use crate::runtime::Post;
use crate::runtime::{Sink, SinkError};
use crate::store::GuildScope;

#[derive(Clone)]
pub struct SlackSink {
    adapter: Arc<Adapter>,
}

impl SlackSink {
    pub fn new(adapter: Arc<Adapter>) -> Self {
        SlackSink { adapter }
    }
}

impl Sink for SlackSink {
    /// Sends one post; a reveal also closes its question's message.
    async fn post(&self, post: &Post) -> Result<(), SinkError> {
        let adapter = &self.adapter;
        adapter.after(std::slice::from_ref(&post.reply)).await;
        // A direct message goes to the person's id: Slack posts it in the
        // app's conversation with them.
        let channel = match crate::platform::direct_user(&post.channel) {
            Some(user) => super::translate::user_id(user).to_string(),
            None => post.channel.clone(),
        };
        match adapter.post(&channel, &post.reply).await {
            Ok(ts) => {
                adapter.track(&channel, ts, &post.reply);
                Ok(())
            }
            Err(CallError::Permanent(why)) => Err(SinkError::Permanent(format!(
                "conversation {} cannot be posted in: {why}",
                post.channel
            ))),
            Err(CallError::Transient(why)) => Err(SinkError::Retry(why)),
        }
    }

    fn guilds(&self) -> GuildScope {
        GuildScope::Prefixed(GUILD_PREFIX)
    }

    fn platform(&self) -> crate::platform::Platform {
        crate::platform::Platform::Slack
    }
}
