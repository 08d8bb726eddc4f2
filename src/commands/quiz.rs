//! `/quiz start|stop` and `/answer`: parsing; the rounds themselves are in
//! [`crate::quiz`].

use super::{Args, Command, ParseError};
use crate::quiz::{
    DEFAULT_QUESTIONS, DEFAULT_SECONDS, MAX_QUESTIONS, MAX_SECONDS, MIN_SECONDS, StartOptions,
};
use crate::schedule::ScheduleOptions;
use crate::schedule::rule::{self, Days};

const START_USAGE: &str = "usage: /quiz start [topic] [questions] [seconds], for example /quiz start topic:docker questions:3 seconds:30";

pub fn parse(rest: &str) -> Result<Command, ParseError> {
    let (sub, rest) = match rest.split_once(char::is_whitespace) {
        Some((sub, rest)) => (sub, rest.trim()),
        None => (rest, ""),
    };
    match sub.to_ascii_lowercase().as_str() {
        "start" => parse_start(rest).map(Command::QuizStart),
        "stop" if rest.is_empty() => Ok(Command::QuizStop),
        "stop" => Err(ParseError("usage: /quiz stop".into())),
        "schedule" => parse_schedule(rest).map(Command::Schedule),
        "unschedule" => {
            let args = Args::parse(rest, &["id"])?;
            let id = args
                .options
                .get("id")
                .cloned()
                .or_else(|| args.words.first().cloned());
            Ok(Command::Unschedule { id })
        }
        "schedules" => Ok(Command::Schedules),
        _ => Err(ParseError(
            "usage: /quiz start, /quiz stop, /quiz schedule, /quiz unschedule or /quiz schedules"
                .into(),
        )),
    }
}

/// Options by name (`topic:docker`) or by position in the documented order.
fn parse_start(rest: &str) -> Result<StartOptions, ParseError> {
    let args = Args::parse(rest, &["topic", "questions", "seconds"])?;
    let mut topic = args.options.get("topic").cloned();
    let mut questions = args.options.get("questions").cloned();
    let mut seconds = args.options.get("seconds").cloned();
    let mut positional = args.words.iter();
    // Positional values fill what is not named, in order; a number cannot be a topic.
    if let Some(first) = positional.next() {
        if first.parse::<i64>().is_ok() {
            questions.get_or_insert_with(|| first.clone());
        } else if topic.is_none() {
            topic = Some(first.to_lowercase());
        } else {
            return Err(ParseError(START_USAGE.into()));
        }
    }
    for word in positional {
        if questions.is_none() {
            questions = Some(word.clone());
        } else if seconds.is_none() {
            seconds = Some(word.clone());
        } else {
            return Err(ParseError(START_USAGE.into()));
        }
    }
    let questions = questions_option(questions)?;
    let seconds = match seconds {
        None => DEFAULT_SECONDS,
        Some(s) => s
            .parse::<i64>()
            .ok()
            .filter(|n| (MIN_SECONDS..=MAX_SECONDS).contains(n))
            .ok_or_else(|| {
                ParseError(format!(
                    "seconds must be a number from {MIN_SECONDS} to {MAX_SECONDS}, not `{}`",
                    super::truncate(&s, 20)
                ))
            })?,
    };
    Ok(StartOptions {
        topic,
        questions,
        seconds,
    })
}

const ANSWER_USAGE: &str = "usage: /answer A, B, C or D (or /answer 2 B for question 2)";

/// `/answer B`, `/answer 2 B` or `/answer question:2 choice:B`.
/// The `questions` option: 1 to [`MAX_QUESTIONS`], [`DEFAULT_QUESTIONS`] when absent.
fn questions_option(value: Option<String>) -> Result<usize, ParseError> {
    let Some(text) = value else {
        return Ok(DEFAULT_QUESTIONS);
    };
    text.parse::<usize>()
        .ok()
        .filter(|n| (1..=MAX_QUESTIONS).contains(n))
        .ok_or_else(|| {
            ParseError(format!(
                "questions must be a number from 1 to {MAX_QUESTIONS}, not `{}`",
                super::truncate(&text, 20)
            ))
        })
}

const SCHEDULE_USAGE: &str = "usage: /quiz schedule <HH:MM> <time zone> [days] [topic] [questions] [open], for example /quiz schedule 09:30 Europe/Berlin weekdays docker 5 8h";

/// Options by name (`time:09:30 zone:Europe/Berlin days:mon,wed open:8h
/// reminder:15 role:quiz`) or by position, told apart by their form.
fn parse_schedule(rest: &str) -> Result<ScheduleOptions, ParseError> {
    let args = Args::parse(
        rest,
        &[
            "time",
            "zone",
            "tz",
            "days",
            "topic",
            "questions",
            "open",
            "reminder",
            "role",
        ],
    )?;
    let option = |name: &str| args.options.get(name).cloned();
    let mut time = option("time");
    let mut zone = option("zone").or_else(|| option("tz"));
    let mut days = option("days");
    let mut topic = option("topic");
    let mut questions = option("questions");
    let mut open = option("open");
    for word in &args.words {
        if time.is_none() && word.contains(':') {
            time = Some(word.clone());
        } else if zone.is_none() && (word.contains('/') || word.eq_ignore_ascii_case("utc")) {
            zone = Some(word.clone());
        } else if days.is_none() && Days::parse(word).is_ok() {
            days = Some(word.clone());
        } else if questions.is_none() && word.parse::<i64>().is_ok() {
            questions = Some(word.clone());
        } else if open.is_none() && parse_open(word).is_ok() {
            open = Some(word.clone());
        } else if topic.is_none() {
            topic = Some(word.to_lowercase());
        } else {
            return Err(ParseError(SCHEDULE_USAGE.into()));
        }
    }
    let (Some(time), Some(zone)) = (time, zone) else {
        return Err(ParseError(SCHEDULE_USAGE.into()));
    };
    let time_of_day = rule::parse_time(&time).map_err(ParseError)?;
    let zone_name = if zone.eq_ignore_ascii_case("utc") {
        "UTC".to_string()
    } else {
        zone
    };
    rule::parse_zone(&zone_name).map_err(ParseError)?;
    let days = match days {
        Some(d) => Days::parse(&d).map_err(ParseError)?,
        None => Days::DAILY,
    };
    let questions = questions_option(questions)?;
    let open = match open {
        None => crate::schedule::DEFAULT_OPEN,
        Some(o) => parse_open(&o)?,
    };
    let reminder_minutes = option("reminder")
        .map(|r| {
            r.parse::<i64>()
                .ok()
                .filter(|m| (1..=720).contains(m))
                .ok_or_else(|| ParseError("reminder is minutes before the round, 1 to 720".into()))
        })
        .transpose()?;
    Ok(ScheduleOptions {
        time: format!("{:02}:{:02}", time_of_day.hour(), time_of_day.minute()),
        zone: zone_name,
        days,
        topic,
        questions,
        open,
        reminder_minutes,
        role: option("role"),
    })
}

/// How long a daily round stays open: `8h`, `90m`, `1h30m`; 1 minute to 23 hours.
fn parse_open(text: &str) -> Result<jiff::SignedDuration, ParseError> {
    let bad = || {
        ParseError(format!(
            "`{}` is not a duration like 8h or 90m (1m to 23h)",
            super::truncate(text, 20)
        ))
    };
    let span: jiff::Span = text.parse().map_err(|_| bad())?;
    let duration = jiff::SignedDuration::try_from(span).map_err(|_| bad())?;
    if duration < jiff::SignedDuration::from_mins(1) || duration > crate::schedule::MAX_OPEN {
        return Err(bad());
    }
    Ok(duration)
}

pub fn parse_answer(rest: &str) -> Result<Command, ParseError> {
    let args = Args::parse(rest, &["question", "choice"])?;
    let mut choice = args.options.get("choice").cloned();
    let mut question = args.options.get("question").cloned();
    for word in &args.words {
        if word.parse::<i64>().is_ok() && question.is_none() {
            question = Some(word.clone());
        } else if choice.is_none() {
            choice = Some(word.clone());
        } else {
            return Err(ParseError(ANSWER_USAGE.into()));
        }
    }
    let choice = choice
        .map(|c| c.to_ascii_uppercase())
        .filter(|c| crate::quiz::pick::LETTERS.contains(&c.as_str()))
        .ok_or_else(|| ParseError(ANSWER_USAGE.into()))?;
    let question = question
        .map(|q| q.parse::<i64>().ok().filter(|n| *n >= 1))
        .map(|q| q.ok_or_else(|| ParseError(ANSWER_USAGE.into())))
        .transpose()?;
    Ok(Command::Answer {
        choice,
        question,
        round: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn start(text: &str) -> Result<StartOptions, ParseError> {
        match parse(text)? {
            Command::QuizStart(options) => Ok(options),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn options_by_name_or_position() {
        let named = start("start topic:docker questions:3 seconds:45").unwrap();
        assert_eq!(
            named,
            StartOptions {
                topic: Some("docker".into()),
                questions: 3,
                seconds: 45
            }
        );
        assert_eq!(start("start docker 3 45").unwrap(), named);
        assert_eq!(
            start("start 2").unwrap(),
            StartOptions {
                topic: None,
                questions: 2,
                seconds: DEFAULT_SECONDS
            }
        );
        assert_eq!(
            start("start").unwrap(),
            StartOptions {
                topic: None,
                questions: DEFAULT_QUESTIONS,
                seconds: DEFAULT_SECONDS
            }
        );
    }

    #[test]
    fn bad_options_say_what_is_allowed() {
        assert!(
            start("start questions:0")
                .unwrap_err()
                .0
                .contains("1 to 20")
        );
        assert!(
            start("start questions:lots")
                .unwrap_err()
                .0
                .contains("questions")
        );
        assert!(start("start seconds:1").unwrap_err().0.contains("seconds"));
        assert!(start("start docker 3 30 extra").is_err());
        assert!(parse("stop now").is_err());
        assert!(parse("begin").is_err());
        assert!(parse_answer("E").is_err());
        assert!(parse_answer("0 B").is_err());
        assert!(parse_answer("A B").is_err());
        assert_eq!(
            parse_answer(" b ").unwrap(),
            Command::Answer {
                choice: "B".into(),
                question: None,
                round: None
            }
        );
        assert_eq!(
            parse_answer("2 c").unwrap(),
            Command::Answer {
                choice: "C".into(),
                question: Some(2),
                round: None
            }
        );
        assert_eq!(
            parse_answer("question:3 choice:d").unwrap(),
            Command::Answer {
                choice: "D".into(),
                question: Some(3),
                round: None
            }
        );
    }
}
