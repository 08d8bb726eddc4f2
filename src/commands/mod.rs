//! The command surface, the same on every platform. Each command lives in one
//! file here, which holds its entry of the command table (a
//! [`CommandSpec`](spec::CommandSpec): path, typed options, help, access,
//! privacy, and `decode`, which turns a checked [`Invocation`] into a
//! [`Command`]), its handler and its tests: `ask` (`/ask`, `/next`, `/show`),
//! `question` (`/question random`, `/reveal`), `topics`, `help`, `quiz`
//! (`/quiz start|stop`, `/answer`), `schedule` (`/quiz schedule|unschedule|schedules`),
//! `leaderboard` (`/leaderboard`, `/stats`), `unanswered`, `feedback`
//! (`/feedback`, `/reports`), `quiz_report` (`/quiz report|restore`) and
//! `practice` (`/practice ...`, `/grade`) and `team` (`/suggest`, `/review`,
//! `/bank edit|retire`: the server's own bank).
//!
//! This file wires them: [`COMMANDS`], the one registration list (in `/help`'s
//! order) that the parser, `/help`, Discord's registration and Slack's manifest
//! read; the typed [`Command`] adapters and tests match on; and
//! [`Command::spec`] and [`Command::run`], one arm per variant naming its
//! file. Chat text ([`parse`]) and platform options ([`build`]) become a
//! `Command` through the table ([`spec`] has the parser);
//! [`router`] checks access, measures, and runs it.
//!
//! Adding a command (say `/streak [topic]`): a file `streak.rs` with `pub static
//! STREAK: CommandSpec` (its `decode` builds `Command::Streak`), its handler and
//! tests; here, `pub mod streak;`, the `Streak` variant, its arm in
//! [`Command::spec`] and in [`Command::run`], and `&streak::STREAK` in [`COMMANDS`].
//!
//! Options are typed as `name:value`, like Discord's slash-command input
//! (`/question random topic:docker`); positional values in the documented order work
//! too, told apart by their form.

pub mod ask;
pub mod feedback;
pub mod help;
pub mod leaderboard;
pub mod practice;
pub mod question;
pub mod quiz;
pub mod quiz_report;
pub mod router;
pub mod schedule;
pub mod spec;
pub mod team;
pub mod topics;
pub mod unanswered;

use std::sync::Arc;

use crate::bot::{Bot, Context};
use crate::reply::{ButtonId, Reply};
pub use router::{handle, handle_line};
use spec::{CommandSpec, Invocation};

/// Every command, in the order `/help` lists them: the one registration list.
/// Each entry lives in its command's file.
pub static COMMANDS: &[&CommandSpec] = &[
    &ask::ASK,
    &ask::NEXT,
    &question::RANDOM,
    &question::REVEAL,
    &ask::SHOW,
    &topics::TOPICS,
    &quiz::START,
    &quiz::STOP,
    &quiz::ANSWER,
    &schedule::SCHEDULE,
    &schedule::UNSCHEDULE,
    &schedule::SCHEDULES,
    &leaderboard::LEADERBOARD,
    &leaderboard::STATS,
    &help::HELP,
    &unanswered::UNANSWERED,
    &feedback::FEEDBACK,
    &feedback::REPORTS,
    &quiz_report::REPORT,
    &quiz_report::RESTORE,
    &practice::START,
    &practice::NEW,
    &practice::REVEAL,
    &practice::GRADE,
    &practice::ADD,
    &practice::REMIND,
    &practice::SETTINGS,
    &practice::RESET,
    &team::SUGGEST,
    &team::REVIEW_NEXT,
    &team::REVIEW_APPROVE,
    &team::REVIEW_REJECT,
    &team::BANK_EDIT,
    &team::BANK_RETIRE,
    &team::BANK_IMPORT,
];

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
        /// `A` to `D`.
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
    /// `/unanswered [day|week|month|all]`: what the bank could not answer.
    Unanswered { span: leaderboard::Span },
    /// `/feedback up|down [reason]`, or a 👍/👎 button of an answer (`entry` set).
    Feedback {
        up: bool,
        reason: Option<String>,
        entry: Option<String>,
    },
    /// `/reports`: answers voted down.
    Reports,
    /// The reason for a 👎, from the Discord or Slack modal the 👎 opened.
    FeedbackReason {
        entry: String,
        reason: Option<String>,
    },
    /// "⚠ two right answers?": a button under a quiz question (`entry` set),
    /// or `/quiz report [question] [note]`.
    QuizReport {
        question: Option<i64>,
        note: Option<String>,
        entry: Option<String>,
    },
    /// `/quiz restore ID`: clears an entry's quiz reports (moderators).
    QuizRestore { id: String },
    /// `/practice …`, `/grade`, and the practice buttons: personal practice.
    Practice(practice::Request),
    /// `/suggest`, `/review …`, `/bank edit|retire`: the server's own bank.
    Team(team::Request),
}

impl Command {
    /// The command table's entry for this command.
    pub fn spec(&self) -> &'static CommandSpec {
        match self {
            Command::Ask { .. } => &ask::ASK,
            Command::Next => &ask::NEXT,
            Command::Show { .. } => &ask::SHOW,
            Command::QuestionRandom { .. } => &question::RANDOM,
            Command::Reveal => &question::REVEAL,
            Command::Topics => &topics::TOPICS,
            Command::Help => &help::HELP,
            Command::QuizStart(_) => &quiz::START,
            Command::QuizStop => &quiz::STOP,
            Command::Answer { .. } => &quiz::ANSWER,
            Command::Schedule(_) => &schedule::SCHEDULE,
            Command::Unschedule { .. } => &schedule::UNSCHEDULE,
            Command::Schedules => &schedule::SCHEDULES,
            Command::Leaderboard { .. } => &leaderboard::LEADERBOARD,
            Command::Stats { .. } => &leaderboard::STATS,
            Command::Unanswered { .. } => &unanswered::UNANSWERED,
            Command::Feedback { .. } | Command::FeedbackReason { .. } => &feedback::FEEDBACK,
            Command::Reports => &feedback::REPORTS,
            Command::QuizReport { .. } => &quiz_report::REPORT,
            Command::QuizRestore { .. } => &quiz_report::RESTORE,
            Command::Practice(request) => request.spec(),
            Command::Team(request) => request.spec(),
        }
    }

    /// Runs the command: one call into its file. The [`router`] checks who
    /// may run it first, and measures it.
    pub async fn run(self, bot: &Arc<Bot>, ctx: &Context) -> Vec<Reply> {
        match self {
            search @ (Command::Ask { .. } | Command::Next | Command::Show { .. }) => {
                vec![ask::run(bot, ctx, search).await]
            }
            Command::QuestionRandom { topic } => {
                vec![question::random(bot, ctx, topic.as_deref())]
            }
            Command::Reveal => question::reveal(bot, ctx).await,
            Command::Topics => vec![topics::topics(bot, ctx)],
            Command::Help => vec![help::help(ctx.platform, ctx.platform.help_extras())],
            Command::QuizStart(options) => quiz::start(bot, ctx, &options).await,
            Command::QuizStop => quiz::stop(bot, ctx).await,
            Command::Answer {
                choice,
                question,
                round,
            } => vec![quiz::answer(bot, ctx, &choice, question, round.as_deref()).await],
            Command::Schedule(options) => vec![schedule::schedule(bot, ctx, &options).await],
            Command::Unschedule { id } => vec![schedule::unschedule(bot, ctx, id.as_deref()).await],
            Command::Schedules => vec![schedule::list(bot, ctx).await],
            Command::Leaderboard { span, topic } => {
                vec![leaderboard::leaderboard(bot, ctx, span, topic.as_deref()).await]
            }
            Command::Stats { user } => vec![leaderboard::stats(bot, ctx, user.as_deref()).await],
            Command::Unanswered { span } => vec![unanswered::unanswered(bot, ctx, span).await],
            Command::Feedback { up, reason, entry } => {
                vec![feedback::feedback(bot, ctx, up, reason.as_deref(), entry.as_deref()).await]
            }
            Command::FeedbackReason { entry, reason } => {
                vec![feedback::reason(bot, ctx, &entry, reason.as_deref()).await]
            }
            Command::Reports => vec![feedback::reports(bot, ctx).await],
            Command::QuizReport {
                question,
                note,
                entry,
            } => vec![
                quiz_report::report(bot, ctx, question, note.as_deref(), entry.as_deref()).await,
            ],
            Command::QuizRestore { id } => vec![quiz_report::restore(bot, ctx, &id).await],
            Command::Practice(request) => practice::handle(bot, ctx, request).await,
            Command::Team(request) => vec![team::handle(bot, ctx, request).await],
        }
    }

    /// Whether the reply is for the person who acted only (the table's privacy);
    /// adapters that must promise privacy before the reply exists (a deferred
    /// Discord response) ask this.
    pub fn is_personal(&self) -> bool {
        self.spec().privacy == spec::Privacy::Personal
    }
}

/// Why a line is not a command, as a short message for the person who typed it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct ParseError(pub String);

/// Parses one line of chat (the shell, and Slack's `/interview` text). Text that
/// does not start with `/` is asked as a question.
pub fn parse(line: &str) -> Result<Command, ParseError> {
    let line = line.trim();
    let Some(body) = line.strip_prefix('/') else {
        return Ok(Command::Ask {
            text: line.to_string(),
            topic: None,
        });
    };
    let words: Vec<&str> = body.split_whitespace().collect();
    let (spec, used) = spec::find(&words, true)?;
    build(spec::parse_words(spec, &words[used..])?)
}

/// The command an invocation stands for, its values parsed into domain types
/// (time of day, time zone, weekdays, durations) once, by its entry's `decode`.
pub fn build(invocation: Invocation) -> Result<Command, ParseError> {
    invocation.decode()
}

/// The command a button sends back, from its id ([`ButtonId`]): "not it?",
/// reveal, a related question, a vote, a quiz report or a quiz answer.
pub fn from_choice(id: &str) -> Option<Command> {
    Some(match ButtonId::parse(id)? {
        ButtonId::Next => Command::Next,
        ButtonId::Reveal => Command::Reveal,
        ButtonId::Show { entry } => Command::Show { id: entry },
        ButtonId::Vote { up, entry } => Command::Feedback {
            up,
            reason: None,
            entry: Some(entry),
        },
        ButtonId::QuizReport { entry } => Command::QuizReport {
            question: None,
            note: None,
            entry: Some(entry),
        },
        ButtonId::Answer {
            round,
            position,
            letter,
        } => Command::Answer {
            choice: letter,
            question: Some(position),
            round: Some(round),
        },
        // A form's id, or a button that opens a form ([`team::Form::of_button`]):
        // the form's submission carries the command.
        ButtonId::VoteReason { .. }
        | ButtonId::ReviewReject { .. }
        | ButtonId::Suggest { .. }
        | ButtonId::SuggestForm
        | ButtonId::ImportForm => return None,
        button @ ButtonId::ReviewApprove { .. } => {
            Command::Team(team::Request::from_button(button)?)
        }
        button @ (ButtonId::PracticeReveal { .. }
        | ButtonId::PracticeGrade { .. }
        | ButtonId::PracticeNext { .. }
        | ButtonId::PracticeAdd { .. }
        | ButtonId::PracticeReset) => Command::Practice(practice::Request::from_button(button)?),
    })
}

/// The command a submitted form stands for (a Discord modal, a Slack view),
/// dispatched on the form's id: the reason for a 👎, a suggestion, the reason
/// for a rejection. `value` gives each text input's text by its id; `None`
/// for a form that is not one of ours.
pub fn from_form(id: &str, value: impl Fn(&str) -> Option<String>) -> Option<Command> {
    if let Some(entry) = feedback::parse_reason_form_id(id) {
        return Some(Command::FeedbackReason {
            entry,
            reason: value(feedback::REASON_INPUT),
        });
    }
    team::Form::submitted(id, value)
}

pub use crate::markdown::truncate;

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
        assert_eq!(options.time, jiff::civil::time(9, 30, 0, 0));
        assert_eq!(options.zone.iana_name(), Some("Europe/Berlin"));
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
        // Malformed ids are ButtonId's to refuse (reply.rs tests them all).
        assert_eq!(from_choice("quiz:r:1:E"), None);
        assert_eq!(
            parse("/show docker-017").unwrap(),
            Command::Show {
                id: "docker-017".into()
            }
        );
        assert!(parse("/show").is_err());
    }
}
