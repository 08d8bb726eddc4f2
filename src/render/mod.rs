//! How outcomes read: the typed outcomes and errors of the domain services
//! (quiz rounds, schedules, leaderboards, the outbox's posts) become
//! [`Reply`]s here, once, for every platform. Command handlers (`commands/`)
//! and the runtime's delivery ([`posts`]) both render through this module;
//! the domain modules never build replies.

pub mod posts;
pub mod practice;
pub mod quiz;

use crate::bank::Bank;
use crate::leaderboard::Span;
use crate::platform::Platform;
use crate::quiz::QuizError;
use crate::reply::{Data, Reply};
use crate::store::{Standing, StoreError};

/// Rows shown on a leaderboard at most.
const BOARD_ROWS: usize = 10;

/// `1 question`, `2 questions`.
pub fn plural(n: i64, noun: &str) -> String {
    match n {
        1 => format!("1 {noun}"),
        _ => format!("{n} {noun}s"),
    }
}

/// The reply when the database does not answer.
pub fn unavailable() -> Reply {
    Reply::error("the database is not answering right now: try again shortly")
}

/// The reply to a store failure: a database that is not answering (logged as
/// a warning), or anything else (logged as an error). Nothing was changed.
pub fn store_error(e: StoreError) -> Reply {
    match e {
        StoreError::ChannelBusy => Reply::error("a round is already running here"),
        StoreError::Unavailable(_) => {
            tracing::warn!("{e}");
            unavailable()
        }
        StoreError::Failed(_) => {
            tracing::error!("{e}");
            Reply::error("something went wrong with the database: try again shortly")
        }
    }
}

/// The reply when `what` (`your vote was not recorded`) failed in the store:
/// the cause is logged for the operator, the person reads what to do.
pub fn not_done(what: &str, e: StoreError) -> Reply {
    match e {
        StoreError::Unavailable(_) => {
            tracing::warn!("{what}: {e}");
            Reply::error(format!(
                "{what}: the database is not answering right now, try again shortly"
            ))
        }
        _ => {
            tracing::error!("{what}: {e}");
            Reply::error(format!(
                "{what}: something went wrong with the database, try again shortly"
            ))
        }
    }
}

/// The reply to a quiz step that did not happen, in the platform's words.
/// `too_small` spells the command that would run the largest round a topic
/// can give (`/quiz start git 2`), from that size.
pub fn quiz_error(
    e: QuizError,
    bank: &Bank,
    platform: Platform,
    too_small: impl Fn(usize) -> String,
) -> Reply {
    let command = |words: &str| platform.command(words);
    match e {
        QuizError::UnknownTopic(topic) => unknown_topic(bank, &topic),
        QuizError::TooSmall { topic, has, asked } => Reply::error(format!(
            "the {topic} topic has only {}, fewer than the {asked} asked: {} runs the largest round it can give",
            plural(has as i64, "question"),
            too_small(has)
        )),
        QuizError::Busy => Reply::error(format!(
            "a round is already running here: answer it, or {} it",
            command("quiz stop")
        )),
        QuizError::EmptyPool => Reply::error("the bank has no questions for a round"),
        QuizError::BadLetter => Reply::error(format!(
            "answer with a letter from A to D, for example {}",
            command("answer B")
        )),
        QuizError::NoRound => Reply::error(format!(
            "no round is running here: {} begins one",
            command("quiz start")
        )),
        QuizError::NeedsNumber { questions } => Reply::error(format!(
            "today's round has {questions} questions: answer one by number, for example {}",
            command("answer 2 B")
        )),
        QuizError::NoSuchQuestion { questions } => {
            Reply::error(format!("this round has questions 1 to {questions}"))
        }
        QuizError::NotStarter { starter } => Reply::error(format!(
            "only {starter} (who started it) or a moderator can stop this round"
        )),
        QuizError::MovedOn => Reply::error("that round has just moved on: try again"),
        QuizError::Store(e) => store_error(e),
    }
}

/// The reply to a topic the bank does not have: which topics it has.
pub fn unknown_topic(bank: &Bank, topic: &str) -> Reply {
    let names: Vec<String> = bank.topics().into_iter().map(|(t, _)| t).collect();
    Reply::error(format!(
        "no topic `{}`: topics are {}",
        crate::markdown::truncate(topic, 40),
        names.join(", ")
    ))
}

/// The standings of a server or workspace over `span` (best first), as a
/// leaderboard.
/// The suggesters' credit under a leaderboard: how many of each one's
/// suggestions the moderators approved into the server's own bank, apart
/// from quiz points (and over all time, whatever the board's span).
pub fn push_suggesters(text: &mut String, credits: &[(String, i64)]) {
    if credits.is_empty() {
        return;
    }
    let names: Vec<String> = credits
        .iter()
        .map(|(user, approved)| format!("{user} ({approved})"))
        .collect();
    text.push_str(&format!(
        "\n\nAdded to this server's bank (approved /suggest entries, not points): {}",
        names.join(", ")
    ));
}

pub fn board(span: Span, topic: Option<&str>, standings: &[Standing]) -> Reply {
    let rows = quiz::rows(&standings[..standings.len().min(BOARD_ROWS)]);
    let scope = topic.map_or(String::new(), |t| format!(" in {t}"));
    let mut text = format!(
        "**Leaderboard: {}{scope}**",
        match span {
            Span::All => "all time",
            Span::Day => "today",
            other => other.name(),
        }
    );
    quiz::push_rows(&mut text, &rows);
    Reply::public(text).with_data(Data::Leaderboard {
        period: span.name().to_string(),
        topic: topic.map(str::to_string),
        rows,
    })
}
