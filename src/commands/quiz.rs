//! `/quiz start|schedule` options, from a checked [`Invocation`] into the
//! domain's types; the rounds themselves are in [`crate::quiz`], schedules in
//! [`crate::schedule`].

use super::ParseError;
use super::spec::Invocation;
use crate::quiz::{DEFAULT_QUESTIONS, DEFAULT_SECONDS, StartOptions};
use crate::schedule::rule::{self, Days};
use crate::schedule::{DEFAULT_OPEN, ScheduleOptions, parse_open};

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

/// `/quiz schedule`: time of day, zone, weekdays and window parsed once.
pub fn schedule_options(inv: &Invocation) -> Result<ScheduleOptions, ParseError> {
    let time = rule::parse_time(inv.text("time").unwrap_or_default()).map_err(ParseError)?;
    let zone = rule::resolve_zone(inv.text("zone").unwrap_or_default()).map_err(ParseError)?;
    let days = match inv.text("days") {
        Some(days) => Days::parse(days).map_err(ParseError)?,
        None => Days::DAILY,
    };
    let open = match inv.text("open") {
        Some(open) => parse_open(open).map_err(ParseError)?,
        None => DEFAULT_OPEN,
    };
    Ok(ScheduleOptions {
        time,
        zone: zone.zone,
        zone_name: zone.name,
        days,
        topic: inv.text("topic").map(str::to_string),
        questions: inv
            .integer("questions")
            .map_or(DEFAULT_QUESTIONS, |n| n as usize),
        open,
        reminder_minutes: inv.integer("reminder"),
        role: inv.text("role").map(str::to_string),
    })
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
