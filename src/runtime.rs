//! The one runtime loop every adapter runs: [`Bot::run`] claims due work
//! (question closes, scheduled runs, reminders), delivers the outbox through
//! the adapter's [`Sink`], and stops when [`Shutdown`] says so, after the
//! delivery in flight. Adapters only implement the sink.

use std::future::Future;
use std::time::Duration;

use jiff::Timestamp;
use tracing::Instrument as _;

use crate::bot::Bot;
use crate::clock::from_millis;
use crate::metrics::{PostOutcome, metrics};
use crate::outbox::PostKind;
use crate::platform::Platform;
use crate::render::posts::{RenderError, render_post};
use crate::reply::Reply;
use crate::store::{GuildScope, PendingPost, StoreError};

/// A post is leased this long; a process that dies holding it hands it to the
/// next process after at most this.
pub const LEASE: Duration = Duration::from_secs(20);
/// The loop looks for due work at least this often.
const TICK_EVERY: Duration = Duration::from_millis(500);
/// Posts leased at once.
const BATCH: i64 = 20;
/// Old request ids and delivered posts are swept this often.
const SWEEP_EVERY: Duration = Duration::from_secs(60);
/// A post this version cannot read waits this long for one that can.
const UNREADABLE_PAUSE: Duration = Duration::from_secs(3600);
/// After a shutdown, deliveries still due get this long.
const DRAIN_FOR: Duration = Duration::from_secs(4);

/// Why a platform did not take a post.
#[derive(Debug, thiserror::Error)]
pub enum SinkError {
    /// Worth another try later (a rate limit, an outage).
    #[error("{0}")]
    Retry(String),
    /// Will never work (the channel is gone, the bot may not post there).
    #[error("{0}")]
    Permanent(String),
}

/// Where an adapter's posts go: the shell's output, a Discord channel, a
/// Slack conversation.
pub trait Sink: Send + Sync {
    /// Posts `post` in its channel; `Ok` once the platform has taken it.
    fn post(&self, post: &Post) -> impl Future<Output = Result<(), SinkError>> + Send;

    /// Whose posts this sink delivers: a platform's guilds, when several
    /// platforms share one database.
    fn guilds(&self) -> GuildScope {
        GuildScope::All
    }

    /// The platform the posts are read on (how to answer differs; its name
    /// in logs and metrics).
    fn platform(&self) -> Platform {
        Platform::Shell
    }
}

pub use crate::shutdown::{Shutdown, Stopper, shutdown};

/// A post ready for a platform: where, when it was due, and what.
#[derive(Debug, Clone)]
pub struct Post {
    /// Stable across deliveries of the same post.
    pub id: String,
    pub guild: String,
    pub channel: String,
    pub at: Timestamp,
    pub reply: Reply,
}

impl Bot {
    /// Claims what is due now (question closes, scheduled runs, reminders);
    /// their posts land in the outbox.
    pub async fn tick(&self) -> Result<(), StoreError> {
        let now = self.now();
        crate::quiz::tick(self.store(), now).await?;
        crate::schedule::tick(self.store(), &self.entries_everywhere(), now, self.grace()).await?;
        let library = self.library();
        match crate::practice::remind(self.store(), &library.bank, self.practice_rules(), now).await
        {
            Ok(_) => {}
            Err(crate::practice::PracticeError::Store(e)) => return Err(e),
            Err(e) => tracing::error!("practice reminders: {e}"),
        }
        Ok(())
    }

    /// When something next falls due (a question closes, a schedule runs, a
    /// practice reminder is due).
    pub async fn next_due(&self) -> Result<Option<jiff::Timestamp>, StoreError> {
        let rounds = crate::quiz::next_due(self.store()).await?;
        let schedules = crate::schedule::next_due(self.store()).await?;
        let reminders = crate::practice::next_reminder_due(self.store()).await?;
        Ok([rounds, schedules, reminders].into_iter().flatten().min())
    }

    /// Delivers every post that is ready through `sink`, in order per channel;
    /// returns how many were delivered.
    pub async fn deliver<S: Sink>(&self, sink: &S) -> Result<usize, StoreError> {
        self.deliver_while(sink, || true).await
    }

    /// [`Bot::deliver`], leasing another batch only while `go_on` says so.
    async fn deliver_while<S: Sink>(
        &self,
        sink: &S,
        go_on: impl Fn() -> bool,
    ) -> Result<usize, StoreError> {
        let mut delivered = 0;
        // Bounded: each round leases a batch; a full outbox drains over loop turns.
        for _ in 0..50 {
            if !go_on() {
                break;
            }
            let now = wall_ms();
            let leased = self
                .store()
                .lease_posts_in(sink.guilds(), now, LEASE.as_millis() as i64, BATCH)
                .await?;
            if leased.is_empty() {
                break;
            }
            // A channel whose post failed keeps its later posts back, in order.
            let mut held: Vec<(String, String)> = Vec::new();
            for post in leased {
                let channel = (post.guild.clone(), post.channel.clone());
                if held.contains(&channel) {
                    self.store().retry_post(&post, wall_ms()).await?;
                    continue;
                }
                // A batch can outlast one lease (rate limits, retries): each post
                // renews its own just before it is sent, or leaves it to the
                // process that took it over.
                let until = wall_ms() + LEASE.as_millis() as i64;
                if !self.store().renew_lease(&post, until).await? {
                    continue;
                }
                let kind: Option<PostKind> = serde_json::from_str(&post.body).ok();
                let span = tracing::info_span!(
                    "post",
                    platform = sink.platform().name(),
                    guild = %post.guild,
                    channel = %post.channel,
                    round = kind.as_ref().and_then(PostKind::round),
                    post = %post.id,
                );
                let outcome = self.deliver_one(sink, &post).instrument(span).await?;
                metrics().post(
                    match outcome {
                        Outcome::Delivered => PostOutcome::Delivered,
                        Outcome::Dropped => PostOutcome::Dropped,
                        Outcome::Retrying => PostOutcome::Retried,
                    },
                    (outcome == Outcome::Delivered).then(|| lag_ms(wall_ms() - post.due_at)),
                );
                match outcome {
                    Outcome::Delivered => {
                        delivered += 1;
                        if let Some(PostKind::DailyIntro { due, .. }) = kind {
                            // On the bot's clock, which schedules run on.
                            let late = self.now().as_millisecond() - due;
                            metrics().schedule_lag(lag_ms(late));
                        }
                    }
                    Outcome::Dropped => {}
                    Outcome::Retrying => held.push(channel),
                }
            }
        }
        Ok(delivered)
    }

    async fn deliver_one<S: Sink>(
        &self,
        sink: &S,
        pending: &PendingPost,
    ) -> Result<Outcome, StoreError> {
        let store = self.store();
        let entries = self.entries_everywhere();
        let reply = match render_post(store, &entries, &pending.body, sink.platform()).await {
            Ok(Some(reply)) => reply,
            Ok(None) => {
                store.mark_delivered(pending, wall_ms()).await?;
                return Ok(Outcome::Dropped);
            }
            Err(RenderError::Store(e)) => return Err(e),
            Err(RenderError::Gone(why)) => {
                tracing::error!("post {} dropped: {why}", pending.id);
                store.mark_delivered(pending, wall_ms()).await?;
                return Ok(Outcome::Dropped);
            }
            Err(RenderError::Unreadable(why)) => {
                // Written by a newer version running beside this one: it reads it.
                tracing::error!("post {} left for another version: {why}", pending.id);
                store
                    .retry_post(pending, wall_ms() + UNREADABLE_PAUSE.as_millis() as i64)
                    .await?;
                return Ok(Outcome::Retrying);
            }
        };
        let post = Post {
            id: pending.id.clone(),
            guild: pending.guild.clone(),
            channel: pending.channel.clone(),
            at: from_millis(pending.due_at),
            reply,
        };
        match sink.post(&post).await {
            Ok(()) => {
                if !store.mark_delivered(pending, wall_ms()).await? {
                    tracing::warn!(
                        "post {} was delivered after its lease passed on; it may appear twice",
                        pending.id
                    );
                }
                Ok(Outcome::Delivered)
            }
            Err(SinkError::Permanent(why)) => {
                metrics().platform_error(sink.platform().name(), "post_refused");
                tracing::error!(
                    "post {} to channel {} dropped: {why}",
                    pending.id,
                    pending.channel
                );
                store.mark_delivered(pending, wall_ms()).await?;
                Ok(Outcome::Dropped)
            }
            Err(SinkError::Retry(why)) => {
                metrics().platform_error(sink.platform().name(), "post_failed");
                metrics().platform_retry(sink.platform().name(), "post");
                let pause = retry_pause(pending.attempts);
                tracing::warn!(
                    "post {} to channel {} failed (attempt {}): {why}; retrying in {pause:?}",
                    pending.id,
                    pending.channel,
                    pending.attempts
                );
                let at = wall_ms() + pause.as_millis() as i64;
                store.retry_post(pending, at).await?;
                Ok(Outcome::Retrying)
            }
        }
    }

    /// Runs due work and deliveries through `sink` until `shutdown`; then
    /// delivers what is ready (for at most a few seconds) and returns. Every
    /// adapter runs exactly this loop.
    pub async fn run<S: Sink>(&self, sink: &S, mut shutdown: Shutdown) {
        let mut last_sweep = std::time::Instant::now() - SWEEP_EVERY;
        while !shutdown.is_stopping() {
            if let Err(e) = self.tick().await {
                tracing::warn!("due work: {e}");
            }
            if let Err(e) = self.deliver_while(sink, || !shutdown.is_stopping()).await {
                tracing::warn!("delivering posts: {e}");
            }
            if last_sweep.elapsed() >= SWEEP_EVERY {
                last_sweep = std::time::Instant::now();
                if let Err(e) = self.store().sweep(wall_ms()).await {
                    tracing::warn!("sweeping old records: {e}");
                }
            }
            let wait = self.until_next_work(sink.guilds()).await;
            tokio::select! {
                _ = tokio::time::sleep(wait) => {}
                _ = self.woken() => {}
                _ = shutdown.stopping() => {}
            }
        }
        let drained = tokio::time::timeout(DRAIN_FOR, self.deliver(sink)).await;
        match drained {
            Ok(Ok(_)) => {}
            Ok(Err(e)) => tracing::warn!("delivering posts at shutdown: {e}"),
            Err(_) => tracing::warn!(
                "posts still pending at shutdown; the next start (or another process) delivers them"
            ),
        }
    }

    /// How long the loop may sleep: until the next close, run or post, at most
    /// [`TICK_EVERY`], at least 10 ms.
    async fn until_next_work(&self, guilds: GuildScope) -> Duration {
        let mut wait = TICK_EVERY;
        if let Ok(Some(due)) = self.next_due().await {
            let until = due.duration_since(self.now());
            wait = wait.min(Duration::try_from(until).unwrap_or_default());
        }
        if let Ok(Some(post_at)) = self.store().next_post_at_in(guilds).await {
            let until = (post_at - wall_ms()).max(0) as u64;
            wait = wait.min(Duration::from_millis(until));
        }
        wait.max(Duration::from_millis(10))
    }
}

/// A lag in milliseconds as a duration (none when negative).
fn lag_ms(ms: i64) -> Duration {
    Duration::from_millis(ms.max(0) as u64)
}

/// What became of one leased post.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Outcome {
    Delivered,
    /// It can never be posted (logged); marked so it is not tried again.
    Dropped,
    /// Given back to be tried again after a pause.
    Retrying,
}

/// Leases and retry pauses are about processes, not about the bot's (possibly
/// fake) clock: they run on the wall clock, so processes whose fake clocks
/// differ still agree on who holds a post.
fn wall_ms() -> i64 {
    jiff::Timestamp::now().as_millisecond()
}

/// How long a failed post waits before its next try: 1 s, doubling, at most 5 min.
fn retry_pause(attempts: i64) -> Duration {
    let exponent = attempts.clamp(1, 9) as u32 - 1;
    Duration::from_secs(1 << exponent).min(Duration::from_secs(300))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retries_back_off_to_a_ceiling() {
        assert_eq!(retry_pause(1), Duration::from_secs(1));
        assert_eq!(retry_pause(2), Duration::from_secs(2));
        assert_eq!(retry_pause(9), Duration::from_secs(256));
        assert_eq!(retry_pause(40), Duration::from_secs(256));
    }

    #[tokio::test]
    async fn shutdown_resolves_once_stopped() {
        let (stopper, mut shutdown) = shutdown();
        assert!(!shutdown.is_stopping());
        stopper.stop();
        tokio::time::timeout(Duration::from_secs(1), shutdown.stopping())
            .await
            .expect("resolves");
        assert!(shutdown.is_stopping());
    }
}
