//! `/quiz start`, `/quiz stop` and `/answer`, and the options of `/quiz
//! start` from a checked [`Invocation`] into the domain's types. The
//! rounds themselves are in [`crate::quiz`], schedules in [`crate::schedule`];
//! this file checks the one against the other and renders the outcomes.

use jiff::tz::TimeZone;

use super::Command;
use super::spec::{
    Access, CommandSpec, Invocation, Kind, Privacy, QUESTIONS, Surface, TOPIC, defaults_to, option,
    required,
};
use crate::bot::{Bot, Context};
use crate::quiz::{
    self, Answered, DEFAULT_QUESTIONS, DEFAULT_SECONDS, MAX_QUESTIONS, MAX_SECONDS, MIN_SECONDS,
    QuizError, StartOptions, Started,
};
use crate::render::{self, plural};
use crate::reply::{AckStatus, Data, Reply};
use crate::schedule as schedules;
use crate::store::ScheduleRow;

/// `/quiz start`: its entry in the command table.
pub static START: CommandSpec = CommandSpec {
    path: &["quiz", "start"],
    aliases: &[],
    summary: "A live quiz round in this channel",
    details: "",
    example: "/quiz start docker 3 30",
    options: &[
        TOPIC,
        QUESTIONS,
        defaults_to(
            option(
                "seconds",
                Kind::Integer {
                    min: MIN_SECONDS,
                    max: MAX_SECONDS,
                },
                "seconds per question",
            ),
            "30",
        ),
    ],
    access: Access::Anyone,
    privacy: Privacy::Public,
    surface: Surface::Everywhere,
    decode: |inv| Ok(Command::QuizStart(start_options(inv))),
};

/// `/quiz stop`: its entry in the command table.
pub static STOP: CommandSpec = CommandSpec {
    path: &["quiz", "stop"],
    aliases: &[],
    summary: "End the running round (its starter or a moderator)",
    details: "",
    example: "/quiz stop",
    options: &[],
    access: Access::Anyone,
    privacy: Privacy::Public,
    surface: Surface::Everywhere,
    decode: |_| Ok(Command::QuizStop),
};

/// `/answer`: its entry in the command table.
pub static ANSWER: CommandSpec = CommandSpec {
    path: &["answer"],
    aliases: &[],
    summary: "Answer the open quiz question, or question N",
    details: "a button click on the platforms",
    example: "/answer 2 B",
    options: &[
        option(
            "question",
            Kind::Integer {
                min: 1,
                max: MAX_QUESTIONS as i64,
            },
            "which question (default: the open one)",
        ),
        required(option("choice", Kind::Letter, "A, B, C or D")),
    ],
    access: Access::Anyone,
    privacy: Privacy::Personal,
    surface: Surface::Text,
    decode: |inv| {
        Ok(Command::Answer {
            choice: inv.string("choice").unwrap_or_default(),
            question: inv.integer("question"),
            round: None,
        })
    },
};

/// What stands in the way of a live round, or the round that started.
enum Start {
    Started(Started),
    /// A scheduled round of the channel is due before this one would end.
    ScheduleDue(ScheduleRow, jiff::Timestamp),
}

/// `/quiz start`: a live round in the context's channel; replies with its
/// first question. Refused when the channel's schedule is due before it
/// would end, saying how many questions would fit.
pub async fn start(bot: &Bot, ctx: &Context, options: &StartOptions) -> Vec<Reply> {
    let entries = bot.entries(&ctx.guild);
    let store = bot.store();
    let now = bot.now();
    let attempt = async {
        quiz::check_start(store, &entries, &ctx.guild, &ctx.channel, options).await?;
        let ends = quiz::live_round_end(options, now);
        if let Some((schedule, due)) =
            schedules::due_before(store, &ctx.guild, &ctx.channel, ends).await?
        {
            return Ok(Start::ScheduleDue(schedule, due));
        }
        let started = quiz::start(
            store,
            &entries,
            &ctx.guild,
            &ctx.channel,
            &ctx.user,
            options,
            now,
        )
        .await?;
        Ok::<_, QuizError>(Start::Started(started))
    };
    let reply = match attempt.await {
        Ok(Start::Started(started)) => {
            let mut reply =
                render::quiz::question(&entries, &started.round, &started.first, ctx.platform);
            if let (true, Some(topic)) = (started.borrowed, &options.topic) {
                reply.text = format!(
                    "(The {topic} topic has too few answers for four options of its own: some wrong options come from the closest topics by meaning.)\n\n{}",
                    reply.text
                );
            }
            reply
        }
        Ok(Start::ScheduleDue(schedule, due)) => {
            let zone = TimeZone::get(&schedule.zone).unwrap_or(TimeZone::UTC);
            let fits = (due.duration_since(now).as_secs() / options.seconds.max(1)).max(0);
            let shorter = match fits {
                0 => "start one after it".to_string(),
                n => format!("start one of at most {} before it", plural(n, "question")),
            };
            Reply::error(format!(
                "the daily quiz of schedule {} starts at {}, before this round would end: {shorter}",
                schedule.id,
                render::quiz::when(due, &zone, "%H:%M %Z"),
            ))
        }
        Err(e) => render::quiz_error(e, entries.bank(), ctx.platform, |n| {
            let topic = options.topic.as_deref().unwrap_or_default();
            ctx.platform
                .command(&format!("quiz start {topic} {n} {}", options.seconds))
        }),
    };
    vec![reply]
}

/// `/answer` or an option's button: records the answer to question
/// `question` (the open one when `None`) of the channel's round.
/// A missed quiz question joins the person's practice queue if they opted
/// in; a failure is logged, the answer stands.
async fn queue_missed(bot: &Bot, ctx: &Context, entry: &str) {
    let learner = super::practice::learner(ctx);
    let entries = bot.entries(&ctx.guild);
    let queued =
        crate::practice::quiz_missed(bot.store(), &entries, &learner, entry, bot.now()).await;
    if let Err(e) = queued {
        tracing::warn!("a missed quiz question did not join practice: {e}");
    }
}

pub async fn answer(
    bot: &Bot,
    ctx: &Context,
    choice: &str,
    question: Option<i64>,
    round: Option<&str>,
) -> Reply {
    let answered = quiz::answer(
        bot.store(),
        &ctx.guild,
        &ctx.channel,
        &ctx.user,
        choice,
        question,
        round,
        bot.now(),
    )
    .await;
    let (text, round, position, choice, status) = match answered {
        Ok(Answered::Recorded {
            round,
            position,
            choice,
            entry,
            correct,
        }) => {
            if !correct {
                queue_missed(bot, ctx, &entry).await;
            }
            (
                format!("recorded: {choice} for question {position}"),
                round,
                position,
                choice,
                AckStatus::Recorded,
            )
        }
        Ok(Answered::AlreadyAnswered {
            round,
            position,
            first,
        }) => (
            format!("you already answered {first}; the first answer counts"),
            round,
            position,
            first,
            AckStatus::AlreadyAnswered,
        ),
        Ok(Answered::Closed {
            round,
            position,
            choice,
            not_open_yet,
        }) => (
            match not_open_yet {
                true => format!("question {position} has not opened yet"),
                false => format!("too late: question {position} has closed"),
            },
            round,
            position,
            choice,
            AckStatus::Closed,
        ),
        Ok(Answered::RoundEnded {
            round,
            position,
            choice,
        }) => (
            "too late: that round has ended".to_string(),
            round,
            position,
            choice,
            AckStatus::Closed,
        ),
        Err(e) => return render::quiz_error(e, &bot.bank(), ctx.platform, |n| n.to_string()),
    };
    Reply::private(text).with_data(Data::AnswerAck {
        round,
        position,
        choice,
        status,
    })
}

/// `/quiz stop`: ends the channel's round (its starter or a moderator); the
/// reveals and standings follow as posts.
pub async fn stop(bot: &Bot, ctx: &Context) -> Vec<Reply> {
    let stopped = quiz::stop(
        bot.store(),
        &ctx.guild,
        &ctx.channel,
        &ctx.user,
        ctx.moderator,
        bot.now(),
    )
    .await;
    vec![match stopped {
        Ok(()) => Reply::public(format!(
            "{} stopped the round: the answers and standings follow",
            ctx.user
        )),
        Err(QuizError::NoRound) => Reply::error("no round is running here"),
        Err(e) => render::quiz_error(e, &bot.bank(), ctx.platform, |n| n.to_string()),
    }]
}

/// `/quiz start`: the table checked the limits already.
pub fn start_options(inv: &Invocation) -> StartOptions {
    StartOptions {
        topic: inv.text("topic").map(str::to_string),
        questions: inv
            .integer("questions")
            .map_or(DEFAULT_QUESTIONS, |n| n as usize),
        seconds: inv.integer("seconds").unwrap_or(DEFAULT_SECONDS),
    }
}

#[cfg(test)]
mod tests {
    use crate::commands::{Command, parse};
    use crate::quiz::{DEFAULT_QUESTIONS, DEFAULT_SECONDS, StartOptions};

    fn start(text: &str) -> StartOptions {
        match parse(&format!("/quiz {text}")).unwrap() {
            Command::QuizStart(options) => options,
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn options_by_name_or_position() {
        let named = start("start topic:docker questions:3 seconds:45");
        assert_eq!(
            named,
            StartOptions {
                topic: Some("docker".into()),
                questions: 3,
                seconds: 45
            }
        );
        assert_eq!(start("start docker 3 45"), named);
        assert_eq!(
            start("start 2"),
            StartOptions {
                topic: None,
                questions: 2,
                seconds: DEFAULT_SECONDS
            }
        );
        assert_eq!(
            start("start"),
            StartOptions {
                topic: None,
                questions: DEFAULT_QUESTIONS,
                seconds: DEFAULT_SECONDS
            }
        );
    }

    #[test]
    fn bad_options_say_what_is_allowed() {
        assert!(parse("/quiz stop now").is_err());
        assert!(parse("/quiz begin").is_err());
        assert!(parse("/answer 0 B").is_err());
        assert!(
            parse("/quiz schedule 25:00 UTC")
                .unwrap_err()
                .0
                .contains("25:00")
        );
        assert!(
            parse("/quiz schedule 09:00 Mars/Olympus")
                .unwrap_err()
                .0
                .contains("IANA")
        );
        let berlin = parse("/quiz schedule 09:30 Berlin").unwrap_err().0;
        assert!(berlin.contains("Europe/Berlin"), "{berlin}");
        let cet = parse("/quiz schedule 09:30 CET weekdays").unwrap_err().0;
        assert!(cet.contains("Europe/Paris"), "{cet}");
        assert_eq!(
            parse("/answer 2 c").unwrap(),
            Command::Answer {
                choice: "C".into(),
                question: Some(2),
                round: None
            }
        );
        assert_eq!(
            parse("/answer question:3 choice:d").unwrap(),
            Command::Answer {
                choice: "D".into(),
                question: Some(3),
                round: None
            }
        );
    }
}
