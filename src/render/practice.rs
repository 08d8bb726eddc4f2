//! How personal practice reads: a card with its day's progress, its answer
//! with the grade buttons, a grade's next date, "nothing due", stats lines,
//! the reminder, and every practice error. Every reply is private.

use jiff::Timestamp;
use jiff::tz::TimeZone;

use super::plural;
use crate::bank::Question;
use crate::platform::Platform;
use crate::practice::{Deal, Dealt, Grade, Graded, PracticeError, PracticeStats, Progress};
use crate::reply::{ButtonId, Card, Data, PracticeProgress, Reply, shown_answer};

fn progress_data(progress: &Progress) -> PracticeProgress {
    PracticeProgress {
        due_today: progress.due_today,
        new_left: progress.new_left,
        streak: progress.streak,
        held_back: progress.held_back,
    }
}

/// "3 due today · streak 4 days".
fn progress_line(progress: &Progress) -> String {
    let mut line = format!("{} due today", progress.due_today);
    if progress.streak > 0 {
        line.push_str(&format!(
            " · streak {}",
            plural(i64::from(progress.streak), "day")
        ));
    }
    line
}

/// A dealt card, answer hidden, with "Show answer".
pub fn card(question: &Question, dealt: &Dealt, platform: Platform) -> Reply {
    let label = match (dealt.new, dealt.queued) {
        (true, true) => "new card you added · ",
        (true, false) => "new card · ",
        (false, _) => "",
    };
    // Discord has no text commands: its button is the way.
    let reveal = match platform.types_text_commands() {
        true => platform.command("reveal"),
        false => "**Show answer**".to_string(),
    };
    Reply::private(format!(
        "**{}**\n_{label}{} · {} · {}_\n\nThink it through (or type your answer), then {reveal} shows the answer.\n_{}_",
        question.question,
        question.topic,
        question.difficulty,
        question.id,
        progress_line(&dealt.progress)
    ))
    .with_choice(
        ButtonId::PracticeReveal {
            entry: question.id.clone(),
            reps: dealt.reps,
        }
        .choice("Show answer"),
    )
    .with_data(Data::PracticeCard {
        card: Card::of(question),
        reps: dealt.reps,
        new: dealt.new,
        queued: dealt.queued,
        progress: progress_data(&dealt.progress),
    })
}

/// A card's answer, with Again / Hard / Good / Easy.
pub fn answer(question: &Question, reps: i64, platform: Platform) -> Reply {
    let (answer, continued) = shown_answer(&question.answer, &question.id, platform);
    let mut text = format!("**{}**\n\n{answer}", question.question);
    if let Some(line) = &continued {
        text.push_str(&format!("\n\n{line}"));
    }
    text.push_str("\n\nHow well did you know it?");
    if platform.types_text_commands() {
        text.push_str(&format!(
            " ({} again|hard|good|easy)",
            platform.command("grade")
        ));
    }
    let mut reply = Reply::private(text);
    for grade in Grade::ALL {
        let label = match grade {
            Grade::Again => "Again",
            Grade::Hard => "Hard",
            Grade::Good => "Good",
            Grade::Easy => "Easy",
        };
        reply = reply.with_choice(
            ButtonId::PracticeGrade {
                entry: question.id.clone(),
                reps,
                grade: grade.name().to_string(),
            }
            .choice(label),
        );
    }
    reply.with_data(Data::PracticeAnswer {
        card: Card::of(question),
        reps,
        answer,
        continued,
    })
}

/// What a grade did: when the card comes back.
pub fn graded(entry: &str, grade: Grade, graded: &Graded, zone: &TimeZone) -> Reply {
    match graded {
        Graded::AlreadyGraded => {
            Reply::error("that card was graded already: your first grade counts")
        }
        Graded::Recorded { due, same_day } => {
            let when = match same_day {
                true => "later today, within the session".to_string(),
                false => format!(
                    "on {}",
                    due.to_zoned_datetime(zone.clone()).strftime("%a %-d %b")
                ),
            };
            Reply::private(format!("{}: back {when}.", capitalised(grade.name()))).with_data(
                Data::PracticeGraded {
                    entry: entry.to_string(),
                    grade: grade.name().to_string(),
                    due: due.to_string(),
                    same_day: *same_day,
                },
            )
        }
    }
}

fn capitalised(word: &str) -> String {
    let mut chars = word.chars();
    chars
        .next()
        .map(|c| c.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

/// Nothing due now: when the next card is, and new cards if any are left.
pub fn done(
    deal: &Deal,
    topic: Option<&str>,
    zone: &TimeZone,
    now: Timestamp,
    platform: Platform,
) -> Reply {
    let Deal::Done { next_due, progress } = deal else {
        return Reply::error("a card is due: deal it");
    };
    let mut text = String::from("Nothing due now.");
    let mut later_today = false;
    if let Some(due) = next_due {
        let local = due.to_zoned_datetime(zone.clone());
        let same_day = local.date() == now.to_zoned_datetime(zone.clone()).date();
        later_today = same_day;
        let when = match same_day {
            true => local.strftime("today at %H:%M %Z").to_string(),
            false => local.strftime("%a %-d %b").to_string(),
        };
        text.push_str(&format!(" Your next card is due {when}."));
    }
    if progress.held_back > 0 {
        text.push_str(&format!(
            " {} wait for tomorrow: today's reviews are done (practice.max_reviews_per_day).",
            plural(progress.held_back, "more card")
        ));
    }
    let mut reply = match progress.new_left {
        0 => {
            text.push_str(" You have started today's new cards; more tomorrow.");
            Reply::private(text)
        }
        left => {
            text.push_str(&format!(
                " New cards left today: {left} ({}).",
                platform.command("practice new")
            ));
            Reply::private(text).with_choice(
                ButtonId::PracticeNext {
                    new: true,
                    topic: topic.map(str::to_string),
                }
                .choice("Start a new card"),
            )
        }
    };
    if later_today {
        reply = reply.with_choice(
            ButtonId::PracticeNext {
                new: false,
                topic: topic.map(str::to_string),
            }
            .choice("Next due card"),
        );
    }
    if progress.streak > 0 {
        reply.text.push_str(&format!(
            "\n_streak {}_",
            plural(i64::from(progress.streak), "day")
        ));
    }
    reply.with_data(Data::PracticeDone {
        next_due: next_due.map(|d| d.to_string()),
        progress: progress_data(progress),
    })
}

/// The lines `/stats` adds about practice (the person's own only).
pub fn stats_lines(stats: &PracticeStats) -> String {
    let retention = match stats.retention {
        Some(share) => format!(
            "{:.0}% remembered over 30 days ({})",
            share * 100.0,
            plural(stats.reviews_30d, "review")
        ),
        None => "no reviews in 30 days".to_string(),
    };
    format!(
        "**Practice**: {} learned · {} due today · {retention} · streak {}",
        plural(stats.learned, "card"),
        stats.due_today,
        plural(i64::from(stats.streak), "day")
    )
}

/// A person's practice at a glance, for a home screen (Slack's App Home):
/// cards due today, streak, cards learned, and a Start button that answers
/// like `/practice`.
pub fn home(stats: &PracticeStats, platform: Platform) -> Reply {
    let mut text = format!(
        "**Your practice**\n{} due today · streak {} · {} learned",
        plural(stats.due_today, "card"),
        plural(i64::from(stats.streak), "day"),
        plural(stats.learned, "card")
    );
    if let Some(share) = stats.retention {
        text.push_str(&format!(" · {:.0}% remembered over 30 days", share * 100.0));
    }
    text.push_str(&format!(
        "\nStart deals your next card, privately ({} works too).",
        platform.command("practice")
    ));
    Reply::private(text)
        .with_choice(
            ButtonId::PracticeNext {
                new: false,
                topic: None,
            }
            .choice("Start"),
        )
        .with_data(Data::PracticeHome {
            due_today: stats.due_today,
            streak: stats.streak,
            learned: stats.learned,
        })
}

/// The daily reminder: how many cards are due, and how to start.
pub fn reminder(cards: i64, streak: u32, platform: Platform) -> Reply {
    Reply::private(format!(
        "Practice time: {} due today{}. {} starts.",
        plural(cards, "card"),
        match streak {
            0 => String::new(),
            n => format!(" (streak {})", plural(i64::from(n), "day")),
        },
        platform.command("practice")
    ))
    .with_choice(
        ButtonId::PracticeNext {
            new: false,
            topic: None,
        }
        .choice("Start"),
    )
    .with_data(Data::PracticeReminder { cards, streak })
}

/// A practice error as a short message; store failures are logged.
pub fn practice_error(e: PracticeError, platform: Platform) -> Reply {
    match e {
        PracticeError::Store(e) => super::store_error(e),
        PracticeError::UnknownEntry(id) => Reply::error(format!(
            "{} is not in the bank any more: {} deals another card",
            crate::markdown::truncate(&id, 60),
            platform.command("practice")
        )),
        PracticeError::Scheduler(why) => {
            tracing::error!("practice scheduling failed: {why}");
            Reply::error("that card cannot be scheduled right now: try another")
        }
    }
}
