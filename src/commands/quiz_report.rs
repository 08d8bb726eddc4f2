//! "⚠ two right answers?" on quiz questions: a button under every question
//! (`/quiz report [N] [note]` where commands are typed), one report per person
//! per entry. An entry reported by [`OUT_OF_ROTATION`] people leaves quiz
//! rotation (never asked, never a wrong option) until a moderator clears its
//! reports with `/quiz restore ID`.

use super::Command;
use super::spec::{Access, CommandSpec, Kind, Privacy, Surface, at_most, option, required};
use crate::bot::{Bot, Context};
use crate::clock::millis;
use crate::quiz::MAX_QUESTIONS;
use crate::reply::{Data, QuizReportRow, Reply};
use crate::store::StoreError;

pub use crate::quiz::OUT_OF_ROTATION;
/// `/quiz report`: its entry in the command table.
pub static REPORT: CommandSpec = CommandSpec {
    path: &["quiz", "report"],
    aliases: &[],
    summary: "Report that a quiz question has two right answers (a button on the platforms)",
    details: "one report per person per question; at 3 the question leaves quizzes until a moderator clears it",
    example: "/quiz report 2 B and D both answer it",
    options: &[
        option(
            "question",
            Kind::Integer {
                min: 1,
                max: MAX_QUESTIONS as i64,
            },
            "which question of the round here (default: the open one)",
        ),
        at_most(
            option("note", Kind::Text, "which options are right, and why"),
            300,
        ),
    ],
    access: Access::Anyone,
    privacy: Privacy::Personal,
    surface: Surface::Text,
    decode: |inv| {
        Ok(Command::QuizReport {
            question: inv.integer("question"),
            note: inv.string("note"),
            entry: None,
        })
    },
};

/// `/quiz restore`: its entry in the command table.
pub static RESTORE: CommandSpec = CommandSpec {
    path: &["quiz", "restore"],
    aliases: &[],
    summary: "Clear a question's two-right-answers reports, back into quizzes (moderators)",
    details: "/reports lists the reported questions",
    example: "/quiz restore api-012",
    options: &[at_most(
        required(option("id", Kind::Id, "the question's id, like api-012")),
        60,
    )],
    access: Access::Moderator,
    privacy: Privacy::Personal,
    surface: Surface::Everywhere,
    decode: |inv| {
        Ok(Command::QuizRestore {
            id: inv.string("id").unwrap_or_default(),
        })
    },
};

/// Notes longer than this are cut.
const MAX_NOTE: usize = 300;
const NOTES_SHOWN: usize = 5;

/// A report on `entry` (a button), or on question `number` of this channel's
/// running or latest round (typed; the open question when not given).
pub async fn report(
    bot: &Bot,
    ctx: &Context,
    number: Option<i64>,
    note: Option<&str>,
    entry: Option<&str>,
) -> Reply {
    let entry = match entry {
        Some(entry) => entry.to_string(),
        None => match entry_of(bot, ctx, number).await {
            Ok(Ok(entry)) => entry,
            Ok(Err(reply)) => return reply,
            Err(e) => return crate::render::not_done("your report was not recorded", e),
        },
    };
    let bank = bot.entries(&ctx.guild);
    let Some(question) = bank.get(&entry) else {
        return Reply::error(format!(
            "no question has the id `{}`",
            super::truncate(&entry, 40)
        ));
    };
    let note = note
        .map(str::trim)
        .filter(|n| !n.is_empty())
        .map(|n| super::truncate(n, MAX_NOTE));
    let store = bot.store();
    let at = millis(bot.now());
    let recorded = async {
        let counted = store
            .report_quiz_entry(&ctx.guild, &question.id, &ctx.user, note.as_deref(), at)
            .await?;
        let reporters = store.quiz_reporters(&ctx.guild, &question.id).await?;
        Ok::<_, StoreError>((counted, reporters))
    };
    let (counted, reporters) = match recorded.await {
        Ok(done) => done,
        Err(e) => return crate::render::not_done("your report was not recorded", e),
    };
    let out = reporters >= OUT_OF_ROTATION;
    let subject = format!("“{}”", super::truncate(&question.question, 120));
    let mut text = match counted {
        true => format!("Thanks: your report that {subject} has two right answers is recorded."),
        false => format!("You have already reported {subject}; it is counted once."),
    };
    text.push_str(&match out {
        true => format!(
            " {} have reported it, so it is left out of quizzes until a moderator checks it.",
            plural_people(reporters)
        ),
        false => format!(
            " {} reported it so far; at {OUT_OF_ROTATION} it leaves quizzes until a moderator checks it.",
            plural_people(reporters)
        ),
    });
    Reply::private(text).with_data(Data::QuizReported {
        entry: question.id.clone(),
        reporters,
        counted,
        out_of_rotation: out,
    })
}

/// The entry of question `number` (1-based; the open one when `None`) of the
/// channel's running round, else of its latest one.
async fn entry_of(
    bot: &Bot,
    ctx: &Context,
    number: Option<i64>,
) -> Result<Result<String, Reply>, StoreError> {
    let store = bot.store();
    let round = match store.open_round(&ctx.guild, &ctx.channel).await? {
        Some(round) => Some(round),
        None => store.latest_round(&ctx.guild, &ctx.channel).await?,
    };
    let Some(round) = round else {
        return Ok(Err(Reply::error(
            "no quiz round has run here: nothing to report",
        )));
    };
    let open = round.status == crate::store::RoundStatus::Open;
    let number = match number {
        Some(n) => n,
        None if round.question_count == 1 => 1,
        None if open && round.kind != crate::quiz::DAILY => round.position + 1,
        None => {
            return Ok(Err(Reply::error(format!(
                "which question? The round here has {}: for example {} B and D both answer it",
                crate::render::plural(round.question_count, "question"),
                ctx.platform.command("quiz report 2")
            ))));
        }
    };
    if number < 1 || number > round.question_count {
        return Ok(Err(Reply::error(format!(
            "the round here has {}: {} to {} names one",
            crate::render::plural(round.question_count, "question"),
            ctx.platform.command("quiz report 1"),
            round.question_count
        ))));
    }
    if open && round.kind != crate::quiz::DAILY && number > round.position + 1 {
        return Ok(Err(Reply::error(format!(
            "question {number} has not been asked yet"
        ))));
    }
    Ok(match store.round_question(&round.id, number - 1).await? {
        Some(q) => Ok(q.question_id),
        None => Err(Reply::error(format!(
            "question {number} of the round here is not stored"
        ))),
    })
}

/// `/quiz restore ID` (moderators): clears an entry's reports, back into quizzes.
pub async fn restore(bot: &Bot, ctx: &Context, id: &str) -> Reply {
    let bank = bot.entries(&ctx.guild);
    let id = bank
        .get(id)
        .map_or_else(|| id.to_string(), |q| q.id.clone());
    let cleared = match bot.store().clear_quiz_reports(&ctx.guild, &id).await {
        Ok(cleared) => cleared,
        Err(e) => return crate::render::not_done("the reports were not cleared", e),
    };
    if cleared == 0 {
        return Reply::error(format!(
            "no quiz reports on `{}` here: {} lists the reported questions",
            super::truncate(&id, 40),
            ctx.platform.command("reports")
        ));
    }
    let what = bank.get(&id).map_or_else(String::new, |q| {
        format!(" on “{}”", super::truncate(&q.question, 120))
    });
    Reply::private(format!(
        "Cleared {}{what} ({id}): it is back in quiz rotation.",
        crate::render::plural(cleared as i64, "report")
    ))
    .with_data(Data::QuizReportsCleared { entry: id, cleared })
}

/// The lines of the reported quiz questions, for `/reports` and `bank report`.
pub fn render_rows(rows: &[QuizReportRow], prefix: &str) -> String {
    let mut text = String::new();
    for (i, r) in rows.iter().enumerate() {
        text.push_str(&format!(
            "\n{}. {} ({}) — ⚠ {}",
            i + 1,
            r.question,
            r.id,
            plural_people(r.reporters)
        ));
        if r.out_of_rotation {
            text.push_str(&format!(
                " · out of quizzes until cleared ({prefix}quiz restore {})",
                r.id
            ));
        }
        for note in r.notes.iter().take(NOTES_SHOWN) {
            text.push_str(&format!("\n   - “{note}”"));
        }
    }
    text
}

fn plural_people(n: i64) -> String {
    match n {
        1 => "1 person".to_string(),
        n => format!("{n} people"),
    }
}
