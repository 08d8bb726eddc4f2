//! `/feedback up|down [reason]` and the 👍/👎 buttons of answers: one vote per
//! person per answer, a second vote replacing the first; `/reports`
//! (moderators): the entries voted down, most first, with the reasons given
//! and the entries people wanted instead, then the quiz questions reported as
//! having two right answers. A reason may come after the 👎, from a Discord or
//! Slack modal ([`reason`]).

use super::Command;
use super::spec::{Access, CommandSpec, Kind, Privacy, Surface, at_most, option, required};
use crate::bot::{Bot, Context};
use crate::clock::millis;
use crate::reply::{ButtonId, Choice, Data, QuizReportRow, Reply, ReportRow, WantedRow};
use crate::store::{EntryReport, NewVote, QuizReport, VoteOutcome};

/// A vote, and the words and emoji that mean one.
const VOTES: &[&str] = &["up", "down"];
const VOTE_ALIASES: &[(&str, &str)] = &[
    ("👍", "up"),
    ("👎", "down"),
    ("+1", "up"),
    ("-1", "down"),
    ("yes", "up"),
    ("no", "down"),
];

/// `/feedback`: its entry in the command table.
pub static FEEDBACK: CommandSpec = CommandSpec {
    path: &["feedback"],
    aliases: &[],
    summary: "Vote on the last answer you were shown: up or down, with a reason",
    details: "one vote per person per answer; voting again changes it",
    example: "/feedback down reason:the answer is about Python 2",
    options: &[
        required(option(
            "vote",
            Kind::Choice {
                values: VOTES,
                aliases: VOTE_ALIASES,
            },
            "up (helpful) or down (not helpful)",
        )),
        at_most(
            option("reason", Kind::Text, "what was wrong (with down)"),
            300,
        ),
    ],
    access: Access::Anyone,
    privacy: Privacy::Personal,
    surface: Surface::Everywhere,
    decode: |inv| {
        Ok(Command::Feedback {
            up: inv.text("vote") != Some("down"),
            reason: inv.string("reason"),
            entry: None,
        })
    },
};

/// `/reports`: its entry in the command table.
pub static REPORTS: CommandSpec = CommandSpec {
    path: &["reports"],
    aliases: &[],
    summary: "Answers voted down, most first, with the reasons given (moderators)",
    details: "",
    example: "/reports",
    options: &[],
    access: Access::Moderator,
    privacy: Privacy::Personal,
    surface: Surface::Everywhere,
    decode: |_| Ok(Command::Reports),
};

/// The id of the reason form's text input.
pub const REASON_INPUT: &str = "reason";

/// Reasons longer than this are cut.
pub const MAX_REASON: usize = 300;
/// At most this many entries and reasons each are listed.
const SHOWN: usize = 15;
const REASONS_SHOWN: usize = 5;

/// The 👍 and 👎 buttons of an answer showing `entry`.
pub fn choices(entry: &str) -> [Choice; 2] {
    let vote = |up| ButtonId::Vote {
        up,
        entry: entry.to_string(),
    };
    [vote(true).choice("👍"), vote(false).choice("👎")]
}

/// The id of the reason form for a 👎 on `entry`.
pub fn reason_form_id(entry: &str) -> String {
    ButtonId::VoteReason {
        entry: entry.to_string(),
    }
    .id()
}

/// The entry a reason form's id names.
pub fn parse_reason_form_id(id: &str) -> Option<String> {
    match ButtonId::parse(id)? {
        ButtonId::VoteReason { entry } => Some(entry),
        _ => None,
    }
}

/// Records a vote on `entry`, or on the last answer this person was shown here.
pub async fn feedback(
    bot: &Bot,
    ctx: &Context,
    up: bool,
    reason: Option<&str>,
    entry: Option<&str>,
) -> Reply {
    let (entry, query) = match entry {
        Some(entry) => {
            let query = bot
                .last_answer(ctx)
                .filter(|(shown, _)| shown == entry)
                .map(|(_, query)| query)
                .unwrap_or_default();
            (entry.to_string(), query)
        }
        None => match bot.last_answer(ctx) {
            Some(last) => last,
            None => {
                return Reply::error(format!(
                    "nothing to vote on: {} a question first",
                    ctx.platform.command("ask")
                ));
            }
        },
    };
    let bank = bot.entries(&ctx.guild);
    let Some(question) = bank.get(&entry) else {
        return Reply::error(format!(
            "no question has the id `{}`",
            super::truncate(&entry, 40)
        ));
    };
    let reason = reason
        .map(str::trim)
        .filter(|r| !r.is_empty())
        .map(|r| super::truncate(r, MAX_REASON));
    let instead_of = up
        .then(|| bot.shown_first(ctx, &query))
        .flatten()
        .filter(|first| *first != question.id);
    let vote = NewVote {
        guild: ctx.guild.clone(),
        entry: question.id.clone(),
        voter: ctx.user.clone(),
        query,
        up,
        reason: reason.filter(|_| !up),
        instead_of,
        at: millis(bot.now()),
    };
    let changed = match bot.store().vote(&vote).await {
        Ok(outcome) => outcome == VoteOutcome::Changed,
        Err(e) => return crate::render::not_done("your vote was not recorded", e),
    };
    let verdict = if up { "👍" } else { "👎" };
    let text = format!(
        "{} {verdict} on “{}” ({}). Thanks!",
        if changed {
            "Vote changed to"
        } else {
            "Recorded"
        },
        super::truncate(&question.question, 120),
        question.id
    );
    Reply::private(text).with_data(Data::Vote {
        entry: question.id.clone(),
        up,
        changed,
    })
}

/// A reason given after a 👎 on `entry` (the Discord or Slack modal): kept
/// with the person's 👎, which the press already recorded.
pub async fn reason(bot: &Bot, ctx: &Context, entry: &str, reason: Option<&str>) -> Reply {
    let bank = bot.entries(&ctx.guild);
    let Some(question) = bank.get(entry) else {
        return Reply::error(format!(
            "no question has the id `{}`",
            super::truncate(entry, 40)
        ));
    };
    let subject = format!(
        "“{}” ({})",
        super::truncate(&question.question, 120),
        question.id
    );
    let Some(reason) = reason
        .map(str::trim)
        .filter(|r| !r.is_empty())
        .map(|r| super::truncate(r, MAX_REASON))
    else {
        return Reply::private(format!("Your 👎 on {subject} stands, without a reason."));
    };
    let query = bot
        .last_answer(ctx)
        .filter(|(shown, _)| *shown == question.id)
        .map(|(_, query)| query)
        .unwrap_or_default();
    let vote = NewVote {
        guild: ctx.guild.clone(),
        entry: question.id.clone(),
        voter: ctx.user.clone(),
        query,
        up: false,
        reason: Some(reason),
        instead_of: None,
        at: millis(bot.now()),
    };
    let changed = match bot.store().vote_reason(&vote).await {
        Ok(outcome) => outcome == VoteOutcome::Changed,
        Err(e) => return crate::render::not_done("your reason was not recorded", e),
    };
    Reply::private(format!(
        "Thanks: your reason is recorded with your 👎 on {subject}."
    ))
    .with_data(Data::Vote {
        entry: question.id.clone(),
        up: false,
        changed,
    })
}

/// `/reports`: this server's entries voted down, and its quiz questions
/// reported as having two right answers.
pub async fn reports(bot: &Bot, ctx: &Context) -> Reply {
    let store = bot.store();
    let votes = match store.reports(Some(&ctx.guild)).await {
        Ok(reports) => reports,
        Err(e) => return crate::render::not_done("cannot read the votes", e),
    };
    let quiz = match store.quiz_reports(Some(&ctx.guild)).await {
        Ok(reports) => reports,
        Err(e) => return crate::render::not_done("cannot read the quiz reports", e),
    };
    let bank = bot.entries(&ctx.guild);
    let question_of = |id: &str| bank.get(id).map(|q| q.question.clone());
    let (entries, quiz) = report_rows(votes, quiz, question_of);
    let text = render_all(&entries, &quiz, ctx.platform.command_prefix());
    Reply::private(text).with_data(Data::Reports { entries, quiz })
}

/// The rows of a report (at most [`SHOWN`] of each kind), the questions
/// looked up with `question_of`.
pub fn report_rows(
    votes: Vec<EntryReport>,
    quiz: Vec<QuizReport>,
    question_of: impl Fn(&str) -> Option<String>,
) -> (Vec<ReportRow>, Vec<QuizReportRow>) {
    let question =
        |id: &str| question_of(id).unwrap_or_else(|| "(no longer in the bank)".to_string());
    let entries = votes
        .into_iter()
        .take(SHOWN)
        .map(|r| ReportRow {
            question: question(&r.entry),
            wanted: r
                .wanted
                .into_iter()
                .map(|(id, count)| WantedRow {
                    question: question(&id),
                    id,
                    count,
                })
                .collect(),
            id: r.entry,
            down: r.down,
            up: r.up,
            reasons: r.reasons,
        })
        .collect();
    let quiz = quiz
        .into_iter()
        .take(SHOWN)
        .map(|r| QuizReportRow {
            question: question(&r.entry),
            out_of_rotation: r.reporters >= super::quiz_report::OUT_OF_ROTATION,
            id: r.entry,
            reporters: r.reporters,
            notes: r.notes,
        })
        .collect();
    (entries, quiz)
}

/// The whole report, for chat and for `bank report` (`prefix` spells the
/// clear command).
pub fn render_all(entries: &[ReportRow], quiz: &[QuizReportRow], prefix: &str) -> String {
    let mut text = if entries.is_empty() {
        "No answer has been voted down.".to_string()
    } else {
        let mut text = "**Answers voted down** (most first):".to_string();
        text.push_str(&render_reports(entries));
        text
    };
    if !quiz.is_empty() {
        text.push_str("\n\n**Quiz questions reported as having two right answers** (most first):");
        text.push_str(&super::quiz_report::render_rows(quiz, prefix));
    }
    text
}

/// The lines of a report, for chat and for `bank report`.
pub fn render_reports(entries: &[ReportRow]) -> String {
    let mut text = String::new();
    for (i, e) in entries.iter().enumerate() {
        text.push_str(&format!(
            "\n{}. {} ({}) — 👎 {} · 👍 {}",
            i + 1,
            e.question,
            e.id,
            e.down,
            e.up
        ));
        for reason in e.reasons.iter().take(REASONS_SHOWN) {
            text.push_str(&format!("\n   - “{reason}”"));
        }
        if !e.wanted.is_empty() {
            let wanted: Vec<String> = e
                .wanted
                .iter()
                .take(REASONS_SHOWN)
                .map(|w| format!("{} ({}) ×{}", w.question, w.id, w.count))
                .collect();
            text.push_str(&format!("\n   wanted instead: {}", wanted.join("; ")));
        }
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vote_buttons_round_trip() {
        let [up, down] = choices("docker-017");
        let vote = |up| {
            Some(crate::commands::Command::Feedback {
                up,
                reason: None,
                entry: Some("docker-017".into()),
            })
        };
        assert_eq!(crate::commands::from_choice(&up.id), vote(true));
        assert_eq!(crate::commands::from_choice(&down.id), vote(false));
        assert_eq!(
            parse_reason_form_id(&reason_form_id("docker-017")).as_deref(),
            Some("docker-017")
        );
        assert_eq!(parse_reason_form_id(&up.id), None);
    }
}
