//! Posts the bot makes by itself, rendered at delivery from the outbox's
//! [`PostKind`]s and the store's state: the one place they become text.

use jiff::SignedDuration;
use jiff::tz::TimeZone;

use super::plural;
use super::quiz;
use crate::clock::from_millis;
use crate::leaderboard::{self, Span};
use crate::library::Entries;
use crate::outbox::{PostKind, SkipReason};
use crate::platform::Platform;
use crate::reply::{Data, Reply};
use crate::store::{Round, Store, StoreError};

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

/// Renders one stored post body from the store's state, with the entries
/// its server sees (`entries`, seen from any server: the post's own is
/// picked), as read on `platform`; `None` when there is nothing worth
/// posting (the day's board after a round nobody played).
pub async fn render_post(
    store: &Store,
    entries: &Entries,
    body: &str,
    platform: Platform,
) -> Result<Option<Reply>, RenderError> {
    let kind: PostKind = serde_json::from_str(body)
        .map_err(|e| RenderError::Unreadable(format!("unreadable post ({e}): {body}")))?;
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
            quiz::question(
                &entries.for_server(&as_posted.guild),
                &as_posted,
                &question,
                platform,
            )
        }
        PostKind::Reveal { round, position } => {
            let round = round_of(&round).await?;
            let question = question_of(&round, position).await?;
            let answers = store.answers_to(&round.id, position).await?;
            quiz::reveal(
                &entries.for_server(&round.guild),
                &round,
                &question,
                &answers,
            )
        }
        PostKind::Standings { round, stopped } => {
            let round = round_of(&round).await?;
            let standings = store.round_standings(&round.id).await?;
            quiz::standings(&round, &standings, stopped)
        }
        PostKind::DayBoard { round } => {
            let round = round_of(&round).await?;
            if store.round_standings(&round.id).await?.is_empty() {
                // The round's standings said nobody played; a board would repeat it.
                return Ok(None);
            }
            let zone = quiz::zone_of(&round);
            let at = from_millis(round.closes_at);
            match leaderboard::standings(store, &round.guild, Span::Day, None, &zone, at).await {
                Ok(standings) => super::board(Span::Day, None, &standings),
                Err(e) => super::store_error(e),
            }
        }
        PostKind::DailyIntro {
            round,
            questions,
            closes_at,
            due,
            late,
        } => {
            let round = round_of(&round).await?;
            let zone = quiz::zone_of(&round);
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
                quiz::when(from_millis(closes_at), &zone, "%H:%M %Z")
            );
            if late {
                text.push_str(&format!(
                    "\n(Posted late: the bot was away when it was due at {}.)",
                    quiz::when(from_millis(due), &zone, "%H:%M %Z")
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
                quiz::when(starts, &zone, "%H:%M %Z")
            ))
            .with_data(Data::Reminder {
                schedule,
                starts_at: starts.to_string(),
                role,
            })
        }
        PostKind::PracticeReminder { cards, streak, .. } => {
            super::practice::reminder(cards, streak, platform)
        }
        PostKind::SuggestionReviewed {
            number,
            question,
            entry,
            reason,
            ..
        } => Reply::public(match (entry, reason) {
            (Some(entry), _) => format!(
                "Your suggestion #{number} “{question}” was approved as `{entry}`: it answers /ask in your server now. Thank you!"
            ),
            (None, reason) => format!(
                "Your suggestion #{number} “{question}” was not taken: {}",
                reason.as_deref().unwrap_or("no reason given")
            ),
        }),
        PostKind::Skipped {
            schedule,
            due,
            count,
            zone,
            reason,
        } => {
            let zone = TimeZone::get(&zone).unwrap_or(TimeZone::UTC);
            let at = quiz::when(from_millis(due), &zone, "%a %H:%M %Z");
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
                    format!(
                        "another round was still running here ({} ends one)",
                        platform.command("quiz stop")
                    )
                }
                SkipReason::NoQuestions => {
                    format!(
                        "the bank has no questions for its topic ({} shows it)",
                        platform.command("quiz schedules")
                    )
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
