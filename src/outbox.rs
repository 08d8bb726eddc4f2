//! Posts the bot makes by itself, as durable intents. A claim (a question's
//! close, a scheduled run, a reminder, a stop) writes [`PostKind`]s to the
//! store's outbox in its own transaction; delivery renders each one from the
//! stored state (`crate::render::posts`, the one place posts become text) and
//! hands it to the adapter's sink (`crate::runtime`).
//!
//! Delivery is at least once: a process that dies after a platform took a post
//! but before marking it delivered has it delivered again by the next process.
//! Post ids are stable, so a platform with de-duplication (Discord's nonce)
//! drops the second copy.

use serde::{Deserialize, Serialize};

use crate::store::NewPost;

/// What to post, with just enough to render it from the store at delivery.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum PostKind {
    /// A question of a round (0-based position), open until `closes_at` (Unix ms).
    Question {
        round: String,
        position: i64,
        closes_at: i64,
    },
    /// The close of a question: the right option, the explanation, who got it.
    Reveal { round: String, position: i64 },
    /// A round's standings at its end.
    Standings { round: String, stopped: bool },
    /// The day's leaderboard after a daily round, in its schedule's time zone.
    DayBoard { round: String },
    /// The opening line of a daily round; `due` is when it was due (Unix ms).
    DailyIntro {
        round: String,
        questions: i64,
        closes_at: i64,
        due: i64,
        late: bool,
    },
    /// A scheduled round starts soon; `zone` is its schedule's (older posts
    /// have none and show UTC).
    Reminder {
        schedule: String,
        starts_at: i64,
        minutes: i64,
        role: Option<String>,
        #[serde(default)]
        zone: Option<String>,
    },
    /// `count` runs of a schedule, the first due at `due` (Unix ms), were
    /// skipped, and why.
    Skipped {
        schedule: String,
        due: i64,
        count: i64,
        zone: String,
        reason: SkipReason,
    },
    /// A learner's daily practice reminder, due at `due` (Unix ms): a direct
    /// message saying how many cards were due then, and the streak.
    PracticeReminder {
        learner: String,
        due: i64,
        cards: i64,
        streak: u32,
    },
    /// A direct message to a suggester: suggestion `number` was approved as
    /// `entry`, or rejected for `reason`.
    SuggestionReviewed {
        server: String,
        number: i64,
        question: String,
        entry: Option<String>,
        reason: Option<String>,
    },
}

/// Why a scheduled run did not post its round.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "why", rename_all = "snake_case")]
pub enum SkipReason {
    /// The bot was not running when it was due, for longer than the grace window.
    Away {
        late_seconds: i64,
        grace_seconds: i64,
    },
    /// Another round was still running in the channel.
    Busy,
    /// The bank has no questions for the schedule's topic.
    NoQuestions,
}

impl PostKind {
    /// The round this post belongs to, if any (for logs).
    pub fn round(&self) -> Option<&str> {
        match self {
            PostKind::Question { round, .. }
            | PostKind::Reveal { round, .. }
            | PostKind::Standings { round, .. }
            | PostKind::DayBoard { round }
            | PostKind::DailyIntro { round, .. } => Some(round),
            PostKind::Reminder { .. }
            | PostKind::Skipped { .. }
            | PostKind::PracticeReminder { .. }
            | PostKind::SuggestionReviewed { .. } => None,
        }
    }

    /// The stable id of this post (the same intent always gets the same id).
    fn id(&self) -> String {
        match self {
            PostKind::Question {
                round, position, ..
            } => format!("question:{round}:{position}"),
            PostKind::Reveal { round, position } => format!("reveal:{round}:{position}"),
            PostKind::Standings { round, .. } => format!("standings:{round}"),
            PostKind::DayBoard { round } => format!("day-board:{round}"),
            PostKind::DailyIntro { round, .. } => format!("intro:{round}"),
            PostKind::Reminder {
                schedule,
                starts_at,
                ..
            } => format!("reminder:{schedule}:{starts_at}"),
            PostKind::Skipped { schedule, due, .. } => format!("skipped:{schedule}:{due}"),
            PostKind::PracticeReminder { learner, due, .. } => {
                format!("practice-reminder:{learner}:{due}")
            }
            PostKind::SuggestionReviewed { server, number, .. } => {
                format!("suggestion-reviewed:{server}:{number}")
            }
        }
    }

    /// The outbox row for this post in `guild`/`channel`, due at `due_at` (Unix ms).
    pub fn to_post(&self, guild: &str, channel: &str, due_at: i64) -> NewPost {
        NewPost {
            id: self.id(),
            guild: guild.to_string(),
            channel: channel.to_string(),
            due_at,
            body: serde_json::to_string(self).expect("post kinds serialize"),
        }
    }
}
