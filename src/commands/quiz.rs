//! `/quiz start|stop` and `/answer`: parsing; the rounds themselves are in
//! [`crate::quiz`].

use super::{Args, Command, ParseError};
use crate::quiz::{
    DEFAULT_QUESTIONS, DEFAULT_SECONDS, MAX_QUESTIONS, MAX_SECONDS, MIN_SECONDS, StartOptions,
};

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
        "schedule" | "unschedule" | "schedules" => Ok(Command::Coming {
            name: "quiz schedule",
        }),
        _ => Err(ParseError(
            "usage: /quiz start [topic] [questions] [seconds], or /quiz stop".into(),
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
    let questions = match questions {
        None => DEFAULT_QUESTIONS,
        Some(q) => q
            .parse::<usize>()
            .ok()
            .filter(|n| (1..=MAX_QUESTIONS).contains(n))
            .ok_or_else(|| {
                ParseError(format!(
                    "questions must be a number from 1 to {MAX_QUESTIONS}, not `{}`",
                    super::truncate(&q, 20)
                ))
            })?,
    };
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
    Ok(Command::Answer { choice, question })
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
                question: None
            }
        );
        assert_eq!(
            parse_answer("2 c").unwrap(),
            Command::Answer {
                choice: "C".into(),
                question: Some(2)
            }
        );
        assert_eq!(
            parse_answer("question:3 choice:d").unwrap(),
            Command::Answer {
                choice: "D".into(),
                question: Some(3)
            }
        );
    }
}
