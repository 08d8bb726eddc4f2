//! How quiz events read: question posts with their options, reveals, standings.

use crate::bot::Bot;
use crate::clock::from_millis;
use crate::reply::{Choice, Data, Reply, Row};
use crate::store::{AnswerRow, Round, RoundQuestion, Standing};

use super::pick::LETTERS;

/// The button id of an answer: `quiz:ROUND:POSITION:LETTER`.
pub fn answer_choice_id(round: &str, position: i64, letter: &str) -> String {
    format!("quiz:{round}:{position}:{letter}")
}

/// The round, question number (from 1) and letter an answer's button id
/// names; `None` for any other id.
pub fn parse_answer_choice_id(id: &str) -> Option<(&str, i64, &str)> {
    let mut parts = id.strip_prefix("quiz:")?.rsplitn(3, ':');
    let letter = parts.next().filter(|l| LETTERS.contains(l))?;
    let position = parts.next()?.parse::<i64>().ok().filter(|p| *p >= 1)?;
    let round = parts.next().filter(|r| !r.is_empty())?;
    Some((round, position, letter))
}

pub fn question(bot: &Bot, round: &Round, q: &RoundQuestion) -> Reply {
    let text_of = bot
        .bank()
        .get(&q.question_id)
        .map_or_else(|| q.question_id.clone(), |b| b.question.clone());
    let closes_at = from_millis(round.closes_at);
    let choices: Vec<Choice> = LETTERS
        .iter()
        .zip(&q.choices)
        .map(|(letter, label)| Choice {
            id: answer_choice_id(&round.id, q.position + 1, letter),
            label: format!("{letter}: {label}"),
        })
        .collect();
    let window = if round.kind == super::DAILY {
        format!("open until {closes_at}")
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
    text.push_str(
        "\n\nAnswer with the buttons (/answer A to D in the shell); the first answer counts.",
    );
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
    reply
}

pub fn reveal(bot: &Bot, round: &Round, q: &RoundQuestion, answers: &[AnswerRow]) -> Reply {
    let explanation = bot
        .bank()
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
    let mut text = if stopped {
        "**Round stopped.** Standings:".to_string()
    } else {
        "**Round over.** Standings:".to_string()
    };
    push_rows(&mut text, &rows);
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
            "\n{}. {}: {} points ({} correct)",
            r.rank, r.user, r.points, r.correct
        ));
    }
}
