//! The command surface, the same on every platform: chat text is parsed into one
//! [`Command`], and each command group answers it in its own module.
//!
//! Options are typed as `name:value`, like Discord's slash-command input
//! (`/question random topic:docker`); positional values in the documented order work
//! too where they cannot be confused with free text.

pub mod ask;
pub mod help;
pub mod leaderboard;
pub mod question;
pub mod quiz;
pub mod topics;

use std::collections::HashMap;

/// A parsed command.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    /// `/ask <text> [topic:T]`: best match with answer and related questions.
    Ask { text: String, topic: Option<String> },
    /// "Not it?": the next match for the last `/ask` of this person here.
    Next,
    /// `/question random [topic]`: a practice card, answer hidden.
    QuestionRandom { topic: Option<String> },
    /// Reveals the answer of this channel's practice card.
    Reveal,
    /// `/topics`: topics with question counts.
    Topics,
    /// `/help`: what the bot can do.
    Help,
    /// `/quiz start [topic] [questions] [seconds]`: a live round here.
    QuizStart(crate::quiz::StartOptions),
    /// `/quiz stop`: ends the round here (its starter or a moderator).
    QuizStop,
    /// An answer to a question of the round here (a button click; `/answer B` in
    /// the shell answers the open question, `/answer 1 B` question 1).
    Answer {
        choice: String,
        question: Option<i64>,
        /// The round a button belongs to: a click on an older round's button
        /// is "closed", never counted in the round running now.
        round: Option<String>,
    },
    /// One question of the bank with its answer, by id (a related-question
    /// button, or `/show ID`).
    Show { id: String },
    /// `/leaderboard [day|week|month|all] [topic]`.
    Leaderboard {
        span: leaderboard::Span,
        topic: Option<String>,
    },
    /// `/stats [user]`.
    Stats { user: Option<String> },
    /// `/quiz schedule <HH:MM> <time zone> [days] [topic] [questions] [open]`.
    Schedule(crate::schedule::ScheduleOptions),
    /// `/quiz unschedule [id]`.
    Unschedule { id: Option<String> },
    /// `/quiz schedules`.
    Schedules,
}

impl Command {
    /// Whether the reply is for the person who acted only (an answer's
    /// acknowledgement, stats, the schedule list); adapters that must promise
    /// privacy before the reply exists (a deferred Discord response) ask this.
    pub fn is_personal(&self) -> bool {
        matches!(
            self,
            Command::Answer { .. } | Command::Stats { .. } | Command::Schedules
        )
    }
}

/// Why a line is not a command, as a short message for the person who typed it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct ParseError(pub String);

/// Parses one line of chat. Text that does not start with `/` is asked as a question.
pub fn parse(line: &str) -> Result<Command, ParseError> {
    let line = line.trim();
    let Some(body) = line.strip_prefix('/') else {
        return Ok(Command::Ask {
            text: line.to_string(),
            topic: None,
        });
    };
    let (name, rest) = match body.split_once(char::is_whitespace) {
        Some((name, rest)) => (name, rest.trim()),
        None => (body, ""),
    };
    match name.to_ascii_lowercase().as_str() {
        "ask" => ask::parse(rest),
        "next" | "more" => Ok(Command::Next),
        "show" => ask::parse_show(rest),
        "question" => question::parse(rest),
        "reveal" => Ok(Command::Reveal),
        "topics" => Ok(Command::Topics),
        "help" => Ok(Command::Help),
        "quiz" => quiz::parse(rest),
        "answer" => quiz::parse_answer(rest),
        "leaderboard" => leaderboard::parse_leaderboard(rest),
        "stats" => leaderboard::parse_stats(rest),
        "" => Err(ParseError(
            "type a command after `/`, for example /help".to_string(),
        )),
        other => Err(ParseError(format!(
            "unknown command /{}: /help lists what I can do",
            truncate(other, 32)
        ))),
    }
}

/// The command a button sends back, from its choice id: "not it?", reveal,
/// a related question (`ask:show:ID`) or a quiz answer (`quiz:ROUND:POSITION:LETTER`).
pub fn from_choice(id: &str) -> Option<Command> {
    if id == ask::NEXT_CHOICE {
        return Some(Command::Next);
    }
    if id == question::REVEAL_CHOICE {
        return Some(Command::Reveal);
    }
    if let Some(question) = id.strip_prefix(ask::SHOW_CHOICE_PREFIX) {
        return Some(Command::Show {
            id: question.to_string(),
        });
    }
    let (round, position, letter) = crate::quiz::render::parse_answer_choice_id(id)?;
    Some(Command::Answer {
        choice: letter.to_string(),
        question: Some(position),
        round: Some(round.to_string()),
    })
}

/// Words and `name:value` options of a command's arguments.
#[derive(Debug, Default)]
pub struct Args {
    pub words: Vec<String>,
    pub options: HashMap<String, String>,
}

impl Args {
    /// Splits on whitespace; `name:value` counts as an option only for `known` names,
    /// so `title:foo` in a question stays text.
    pub fn parse(text: &str, known: &[&str]) -> Result<Args, ParseError> {
        let mut args = Args::default();
        for word in text.split_whitespace() {
            match word.split_once(':') {
                Some((name, value)) if known.contains(&name.to_ascii_lowercase().as_str()) => {
                    if value.is_empty() {
                        return Err(ParseError(format!("`{name}:` needs a value")));
                    }
                    args.options
                        .insert(name.to_ascii_lowercase(), value.to_lowercase());
                }
                _ => args.words.push(word.to_string()),
            }
        }
        Ok(args)
    }
}

/// At most `max` characters of `text` (a cut one ends with `…`, counted in
/// `max`), for echoing user text back and fitting platform limits.
pub fn truncate(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_string();
    }
    if max == 0 {
        return String::new();
    }
    let mut out: String = text.chars().take(max.saturating_sub(1)).collect();
    out.push('…');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn commands_parse() {
        assert_eq!(
            parse("/ask tcp vs udp topic:networking").unwrap(),
            Command::Ask {
                text: "tcp vs udp".into(),
                topic: Some("networking".into())
            }
        );
        assert_eq!(
            parse("what is docker").unwrap(),
            Command::Ask {
                text: "what is docker".into(),
                topic: None
            }
        );
        assert_eq!(
            parse("/question random docker").unwrap(),
            Command::QuestionRandom {
                topic: Some("docker".into())
            }
        );
        assert_eq!(
            parse("/question random topic:api").unwrap(),
            Command::QuestionRandom {
                topic: Some("api".into())
            }
        );
        assert_eq!(parse("/TOPICS").unwrap(), Command::Topics);
        let Command::Schedule(options) =
            parse("/quiz schedule 09:30 Europe/Berlin weekdays docker 3 2h").unwrap()
        else {
            panic!("not a schedule");
        };
        assert_eq!(options.time, "09:30");
        assert_eq!(options.zone, "Europe/Berlin");
        assert_eq!(options.topic.as_deref(), Some("docker"));
        assert_eq!(options.questions, 3);
        assert_eq!(options.open, jiff::SignedDuration::from_hours(2));
        assert_eq!(parse("/quiz schedules").unwrap(), Command::Schedules);
        assert_eq!(
            parse("/quiz unschedule abc").unwrap(),
            Command::Unschedule {
                id: Some("abc".into())
            }
        );
    }

    #[test]
    fn plain_chat_has_no_options_and_topics_ignore_case() {
        assert_eq!(
            parse("what is topic:docker").unwrap(),
            Command::Ask {
                text: "what is topic:docker".into(),
                topic: None
            }
        );
        assert_eq!(
            parse("/question random topic:Docker").unwrap(),
            Command::QuestionRandom {
                topic: Some("docker".into())
            }
        );
    }

    #[test]
    fn query_syntax_stays_text() {
        assert_eq!(
            parse("/ask title:foo AND (").unwrap(),
            Command::Ask {
                text: "title:foo AND (".into(),
                topic: None
            }
        );
    }

    #[test]
    fn bad_commands_say_why() {
        assert!(parse("/frobnicate").unwrap_err().0.contains("/help"));
        assert!(parse("/ask").unwrap_err().0.contains("/ask"));
        assert!(parse("/ask topic:").unwrap_err().0.contains("topic"));
        assert!(parse("/question").unwrap_err().0.contains("random"));
        assert!(parse("/").is_err());
    }

    #[test]
    fn buttons_map_to_commands() {
        assert_eq!(from_choice("ask:next"), Some(Command::Next));
        assert_eq!(from_choice("question:reveal"), Some(Command::Reveal));
        assert_eq!(
            from_choice("ask:show:docker-017"),
            Some(Command::Show {
                id: "docker-017".into()
            })
        );
        assert_eq!(
            from_choice("quiz:r-1:abc:2:C"),
            Some(Command::Answer {
                choice: "C".into(),
                question: Some(2),
                round: Some("r-1:abc".into()),
            })
        );
        for bad in [
            "quiz:r:0:A",
            "quiz:r:1:E",
            "quiz::1:A",
            "quiz:r:x:A",
            "quiz:1:A",
            "other",
        ] {
            assert_eq!(from_choice(bad), None, "{bad}");
        }
        assert_eq!(
            parse("/show docker-017").unwrap(),
            Command::Show {
                id: "docker-017".into()
            }
        );
        assert!(parse("/show").is_err());
    }

    #[test]
    fn truncate_never_exceeds_its_limit() {
        assert_eq!(truncate("abcdef", 6), "abcdef");
        assert_eq!(truncate("abcdefg", 6), "abcde…");
        assert_eq!(truncate("äöü", 2).chars().count(), 2);
        assert_eq!(truncate("abc", 0), "");
    }
}
