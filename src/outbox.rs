//! Posts the bot makes by itself, as durable intents. A claim (a question's
//! close, a scheduled run, a reminder, a stop) writes [`PostKind`]s to the
//! store's outbox in its own transaction; delivery renders each one from the
//! stored state into a [`Reply`] (here, the one place posts become text) and
//! hands it to the adapter's sink ([`crate::runtime`]).
//!
//! Delivery is at least once: a process that dies after a platform took a post
//! but before marking it delivered has it delivered again by the next process.
//! Post ids are stable, so a platform with de-duplication (Discord's nonce)
//! drops the second copy.

use jiff::tz::TimeZone;
use jiff::{SignedDuration, Timestamp};
use serde::{Deserialize, Serialize};

use crate::bot::Bot;
use crate::platform::Platform;
use crate::clock::from_millis;
use crate::commands::leaderboard::{self, Span};
use crate::commands::schedule::plural;
use crate::quiz::render;
use crate::reply::{Data, Reply};
use crate::store::{NewPost, Round, StoreError};

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
            PostKind::Reminder { .. } | PostKind::Skipped { .. } => None,
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

/// Why a stored post cannot be rendered.
#[derive(Debug, thiserror::Error)]
pub enum RenderError {
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The post names something that no longer exists; it is dropped with
    /// this reason logged.
    #[error("{0}")]
    Gone(String),
    /// A body this version cannot read (a newer version wrote it); it is left
    /// for a process that can.
    #[error("{0}")]
    Unreadable(String),
}

/// Renders one stored post body from the store's state, as read on
/// `platform`; `None` when there is nothing worth posting (the day's board
/// after a round nobody played).
pub async fn render_post(
    bot: &Bot,
    body: &str,
    platform: Platform,
) -> Result<Option<Reply>, RenderError> {
    let kind: PostKind = serde_json::from_str(body)
        .map_err(|e| RenderError::Unreadable(format!("unreadable post ({e}): {body}")))?;
    let store = bot.store();
    let round_of = |id: &str| {
        let id = id.to_string();
        async move {
            store
                .round(&id)
                .await?
                .ok_or_else(|| RenderError::Gone(format!("round {id} is gone")))
        }
    };
    let question_of = |round: &Round, position: i64| {
        let id = round.id.clone();
        async move {
            store
                .round_question(&id, position)
                .await?
                .ok_or_else(|| RenderError::Gone(format!("round {id} has no question {position}")))
        }
    };
    Ok(Some(match kind {
        PostKind::Question {
            round,
            position,
            closes_at,
        } => {
            let round = round_of(&round).await?;
            let question = question_of(&round, position).await?;
            let as_posted = Round {
                position,
                closes_at,
                ..round
            };
            render::question(bot, &as_posted, &question, platform)
        }
        PostKind::Reveal { round, position } => {
            let round = round_of(&round).await?;
            let question = question_of(&round, position).await?;
            let answers = store.answers_to(&round.id, position).await?;
            render::reveal(bot, &round, &question, &answers)
        }
        PostKind::Standings { round, stopped } => {
            let round = round_of(&round).await?;
            let standings = store.round_standings(&round.id).await?;
            render::standings(&round, &standings, stopped)
        }
        PostKind::DayBoard { round } => {
            let round = round_of(&round).await?;
            if store.round_standings(&round.id).await?.is_empty() {
                // The round's standings said nobody played; a board would repeat it.
                return Ok(None);
            }
            let zone = render::zone_of(&round);
            let at = from_millis(round.closes_at);
            leaderboard::board(bot, &round.guild, Span::Day, None, &zone, at).await
        }
        PostKind::DailyIntro {
            round,
            questions,
            closes_at,
            due,
            late,
        } => {
            let round = round_of(&round).await?;
            let zone = render::zone_of(&round);
            let how = match platform.types_text_commands() {
                true => format!(
                    "answer each with {}answer NUMBER LETTER",
                    platform.command_prefix()
                ),
                false => "answer each with its buttons".to_string(),
            };
            let mut text = format!(
                "**Daily quiz**: {}, open until {}: {how}.",
                plural(questions, "question"),
                render::when(from_millis(closes_at), &zone, "%H:%M %Z")
            );
            if late {
                text.push_str(&format!(
                    "\n(Posted late: the bot was away when it was due at {}.)",
                    render::when(from_millis(due), &zone, "%H:%M %Z")
                ));
            }
            Reply::public(text)
        }
        PostKind::Reminder {
            schedule,
            starts_at,
            minutes,
            role,
            zone,
        } => {
            let mention = role
                .as_deref()
                .map_or(String::new(), |r| match r.starts_with("<@") {
                    // Already a platform mention (a Discord role option).
                    true => format!("{r} "),
                    false => format!("@{r} "),
                });
            let starts = from_millis(starts_at);
            let zone = zone
                .as_deref()
                .and_then(|z| TimeZone::get(z).ok())
                .unwrap_or(TimeZone::UTC);
            Reply::public(format!(
                "{mention}the daily quiz starts in {}, at {}",
                plural(minutes, "minute"),
                render::when(starts, &zone, "%H:%M %Z")
            ))
            .with_data(Data::Reminder {
                schedule,
                starts_at: starts.to_string(),
                role,
            })
        }
        PostKind::Skipped {
            schedule,
            due,
            count,
            zone,
            reason,
        } => {
            let zone = TimeZone::get(&zone).unwrap_or(TimeZone::UTC);
            let at = render::when(from_millis(due), &zone, "%a %H:%M %Z");
            let what = match count {
                1 => format!("The daily quiz due at {at} was skipped"),
                n => format!("{n} daily quizzes, the first due at {at}, were skipped"),
            };
            let why = match &reason {
                SkipReason::Away {
                    late_seconds,
                    grace_seconds,
                } => format!(
                    "the bot was away (back {:#} after it was due, more than the {:#} it may start late)",
                    SignedDuration::from_secs(*late_seconds),
                    SignedDuration::from_secs(*grace_seconds)
                ),
                SkipReason::Busy => {
                    "another round was still running here (/quiz stop ends one)".to_string()
                }
                SkipReason::NoQuestions => {
                    "the bank has no questions for its topic (/quiz schedules shows it)".to_string()
                }
            };
            Reply::public(format!(
                "{what}: {why}. Schedule {schedule} runs again as usual."
            ))
            .with_data(Data::Skipped {
                schedule,
                due: from_millis(due).to_string(),
                count,
                reason: match reason {
                    SkipReason::Away { .. } => "away",
                    SkipReason::Busy => "busy",
                    SkipReason::NoQuestions => "no_questions",
                }
                .to_string(),
            })
        }
    }))
}
