//! Intake: every platform request is handled once. The one guard both
//! adapters use against replays and redeliveries: a request's key (an
//! interaction id, a Slack envelope or signature) is claimed in the store,
//! so a replay is refused across restarts and across processes sharing a
//! database; signed requests too frequent to claim in the store (Discord's
//! PING and autocomplete, on every keystroke) are remembered in the process
//! ([`Recent`]) until their signature goes stale.
//!
//! A claim the store cannot answer in time is [`Seen::Unknown`]; the adapter
//! decides: a request that only reads may go through, a signed HTTP request
//! is refused with "try again".

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Duration;

use sha2::{Digest, Sha256};

use crate::store::Store;

/// How long a handled request is remembered: past the platforms' retries and
/// their 5-minute signature windows, with room to spare.
pub const REMEMBER_FOR: Duration = Duration::from_secs(15 * 60);

/// Whether a request came before.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Seen {
    /// The first time: handle it.
    First,
    /// Handled before (a replay or a redelivery): refuse it, change nothing.
    Again,
    /// The store did not answer within the time given, or failed (why).
    Unknown(String),
}

/// Claims `key` (namespaced by the platform, `discord:123`) at `now_ms` (the
/// wall clock, as the store's sweep uses), waiting at most `within`.
pub async fn claim(store: &Store, key: &str, now_ms: i64, within: Duration) -> Seen {
    let until = now_ms + REMEMBER_FOR.as_millis() as i64;
    match tokio::time::timeout(within, store.claim_request(key, now_ms, until)).await {
        Ok(Ok(true)) => Seen::First,
        Ok(Ok(false)) => Seen::Again,
        Ok(Err(e)) => Seen::Unknown(format!("cannot check {key} for replays: {e}")),
        Err(_) => Seen::Unknown(format!("the replay check of {key} took over {within:?}")),
    }
}

/// Signed requests taken by this process: a digest of what was signed →
/// until when it could be replayed (Unix seconds).
#[derive(Default)]
pub struct Recent {
    taken: Mutex<HashMap<[u8; 32], i64>>,
}

impl Recent {
    /// True the first time the request signed at `signed_at` (Unix seconds)
    /// with `body` comes; false for a replay. Remembered until `signed_at +
    /// window`; entries past theirs are swept as the map grows.
    pub fn first_time(&self, signed_at: i64, body: &[u8], window: Duration, now: i64) -> bool {
        let digest: [u8; 32] = Sha256::new()
            .chain_update(signed_at.to_be_bytes())
            .chain_update(body)
            .finalize()
            .into();
        let mut taken = self.taken.lock().unwrap_or_else(|e| e.into_inner());
        if taken.len() >= 4096 && taken.len().is_power_of_two() {
            taken.retain(|_, until| *until >= now);
        }
        taken
            .insert(digest, signed_at + window.as_secs() as i64)
            .is_none()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_signed_request_is_taken_once_and_forgotten_when_stale() {
        let recent = Recent::default();
        let window = Duration::from_secs(300);
        assert!(recent.first_time(1_000, b"ping", window, 1_000));
        assert!(!recent.first_time(1_000, b"ping", window, 1_001));
        assert!(
            recent.first_time(1_001, b"ping", window, 1_001),
            "signed anew"
        );
        assert!(recent.first_time(1_000, b"pong", window, 1_001));
    }

    #[tokio::test]
    async fn a_key_is_claimed_once_across_stores() {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}", dir.path().join("intake.db").display());
        let one = Store::connect(&url).await.unwrap();
        let two = Store::connect(&url).await.unwrap();
        let within = Duration::from_secs(5);
        assert_eq!(claim(&one, "discord:1", 1_000, within).await, Seen::First);
        assert_eq!(claim(&two, "discord:1", 1_001, within).await, Seen::Again);
        assert_eq!(claim(&two, "discord:2", 1_001, within).await, Seen::First);
        one.close().await;
        assert!(matches!(
            claim(&one, "discord:3", 1_002, within).await,
            Seen::Unknown(_)
        ));
    }
}
