//! How quiz events read: question posts with their options, reveals, standings.

use jiff::Timestamp;
use jiff::tz::TimeZone;

use super::plural;
use crate::clock::from_millis;
use crate::library::Entries;
use crate::platform::Platform;
use crate::quiz::DAILY;
use crate::quiz::pick::LETTERS;
use crate::reply::{ButtonId, Choice, Data, Reply, Row};
use crate::store::{AnswerRow, Round, RoundQuestion, Standing};

/// The label of the report button under every quiz question.
pub const REPORT_LABEL: &str = "⚠ two right answers?";

/// The time zone a round's times are shown in: its schedule's, else UTC.
pub fn zone_of(round: &Round) -> TimeZone {
    round
        .zone
        .as_deref()
        .and_then(|z| TimeZone::get(z).ok())
        .unwrap_or(TimeZone::UTC)
}

/// An instant as people read it: local time with its zone, and the UTC time
/// when the zone is not UTC (`17:30 CET (16:30 UTC)`); `format` is strftime's.
pub fn when(at: Timestamp, zone: &TimeZone, format: &str) -> String {
    let utc = at
        .to_zoned_datetime(TimeZone::UTC)
        .strftime(format)
        .to_string();
    if zone == &TimeZone::UTC {
        return utc;
    }
    let local = at
        .to_zoned_datetime(zone.clone())
        .strftime(format)
        .to_string();
    if local.replace(|c: char| c.is_alphabetic(), "")
        == utc.replace(|c: char| c.is_alphabetic(), "")
    {
        return local;
    }
    format!("{local} ({utc})")
}

/// How to answer a question there: buttons on Discord, the typed command
/// elsewhere (a daily round's questions are all open, so by number).
fn how_to_answer(platform: Platform, round: &Round, number: i64) -> String {
    let daily = round.kind == DAILY && round.question_count > 1;
    if !platform.types_text_commands() {
        return "Answer with the buttons below; the first answer counts.".to_string();
    }
    let prefix = platform.command_prefix();
    match daily {
        true => format!(
            "Answer with {prefix}answer {number} LETTER (for example {prefix}answer {number} B); the first answer counts."
        ),
        false => format!(
            "Answer with {prefix}answer LETTER (for example {prefix}answer B); the first answer counts."
        ),
    }
}

pub fn question(entries: &Entries, round: &Round, q: &RoundQuestion, platform: Platform) -> Reply {
    let text_of = entries
        .get(&q.question_id)
        .map_or_else(|| q.question_id.clone(), |b| b.question.clone());
    let closes_at = from_millis(round.closes_at);
    let choices: Vec<Choice> = LETTERS
        .iter()
        .zip(&q.choices)
        .map(|(letter, label)| Choice {
            id: ButtonId::Answer {
                round: round.id.clone(),
                position: q.position + 1,
                letter: letter.to_string(),
            }
            .id(),
            label: format!("{letter}: {label}"),
        })
        .collect();
    let window = if round.kind == DAILY {
        format!(
            "open until {}",
            when(closes_at, &zone_of(round), "%H:%M %Z")
        )
    } else {
        format!("{}s", round.seconds)
    };
    let mut text = format!(
        "**Question {} of {}** ({}, {window})\n{}\n",
        q.position + 1,
        round.question_count,
        q.topic,
        text_of
    );
    for choice in &choices {
        text.push_str(&format!("\n{}", choice.label));
    }
    text.push_str("\n\n");
    text.push_str(&how_to_answer(platform, round, q.position + 1));
    let data = Data::Question {
        round: round.id.clone(),
        position: q.position + 1,
        of: round.question_count,
        id: q.question_id.clone(),
        topic: q.topic.clone(),
        question: text_of,
        choices: LETTERS
            .iter()
            .zip(&q.choices)
            .map(|(letter, label)| Choice::new(letter, label))
            .collect(),
        closes_at: closes_at.to_string(),
    };
    let mut reply = Reply::public(text).with_data(data);
    reply.choices = choices;
    reply.choices.push(
        ButtonId::QuizReport {
            entry: q.question_id.clone(),
        }
        .choice(REPORT_LABEL),
    );
    reply
}

pub fn reveal(entries: &Entries, round: &Round, q: &RoundQuestion, answers: &[AnswerRow]) -> Reply {
    let explanation = entries
        .get(&q.question_id)
        .map_or_else(String::new, |b| b.answer.clone());
    let winners: Vec<String> = answers
        .iter()
        .filter(|a| a.correct)
        .map(|a| a.user_name.clone())
        .collect();
    let right_label = LETTERS
        .iter()
        .position(|l| *l == q.correct)
        .and_then(|i| q.choices.get(i))
        .cloned()
        .unwrap_or_default();
    let who = if winners.is_empty() {
        "nobody got it".to_string()
    } else {
        format!("right: {}", winners.join(", "))
    };
    let text = format!(
        "**Question {} closed.** The answer was **{}: {}**\n\n{}\n\n{} ({} answered)",
        q.position + 1,
        q.correct,
        right_label,
        explanation,
        who,
        answers.len()
    );
    Reply::public(text).with_data(Data::Reveal {
        round: round.id.clone(),
        position: q.position + 1,
        id: q.question_id.clone(),
        correct: q.correct.clone(),
        explanation,
        winners,
        answered: answers.len(),
    })
}

pub fn standings(round: &Round, standings: &[Standing], stopped: bool) -> Reply {
    let rows = rows(standings);
    let head = if stopped {
        "**Round stopped.**"
    } else {
        "**Round over.**"
    };
    let mut text = match (rows.is_empty(), round.kind == DAILY) {
        (true, true) => format!("{head} Nobody played today."),
        (true, false) => format!("{head} Nobody answered."),
        (false, _) => format!("{head} Standings:"),
    };
    if !rows.is_empty() {
        push_rows(&mut text, &rows);
    }
    Reply::public(text).with_data(Data::Standings {
        round: round.id.clone(),
        stopped,
        rows,
    })
}

/// Ranked rows from standings that are already in order.
pub fn rows(standings: &[Standing]) -> Vec<Row> {
    standings
        .iter()
        .enumerate()
        .map(|(i, s)| Row {
            rank: i + 1,
            user: s.user_name.clone(),
            points: s.points,
            correct: s.correct,
        })
        .collect()
}

/// Appends one line per row, or a note that nobody played.
pub fn push_rows(text: &mut String, rows: &[Row]) {
    if rows.is_empty() {
        text.push_str("\nnobody has answered yet");
    }
    for r in rows {
        text.push_str(&format!(
            "\n{}. {}: {} ({} correct)",
            r.rank,
            r.user,
            plural(r.points, "point"),
            r.correct
        ));
    }
}
