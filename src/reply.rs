//! What the core answers with: a platform-neutral [`Reply`] that each adapter renders
//! (plain text in the shell, embeds on Discord, Block Kit on Slack).

use serde::Serialize;

/// One answer of the bot to one command.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Reply {
    /// The reply as readable text (light markdown: `**bold**`, `- ` bullets).
    pub text: String,
    /// Shown only to the person who asked.
    pub ephemeral: bool,
    /// Buttons offered with the reply.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub choices: Vec<Choice>,
    /// The reply's structure, for adapters and scripts.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub data: Option<Data>,
}

/// A button: `id` is what a click sends back, `label` what people see.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Choice {
    pub id: String,
    pub label: String,
}

impl Choice {
    pub fn new(id: &str, label: &str) -> Self {
        Choice {
            id: id.to_string(),
            label: label.to_string(),
        }
    }
}

/// The structured content of a reply.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Data {
    /// The best match for an `/ask`, or the next one after "not it?".
    Answer {
        query: String,
        rank: usize,
        card: Card,
        /// The answer as shown: whole, or a long one's first paragraphs.
        answer: String,
        /// A cut answer's last line: how to see it whole (`/show ID for the whole answer`).
        #[serde(skip_serializing_if = "Option::is_none")]
        continued: Option<String>,
        score: f32,
        related: Vec<Related>,
        /// Found by words only while matching by meaning is on its way: the
        /// line that says so (see [`crate::meaning::words_only_note`]).
        #[serde(skip_serializing_if = "Option::is_none")]
        words_only: Option<String>,
    },
    /// `/ask` found entries, none confidently enough: the bank has no entry for
    /// the query; the closest ones are offered as suggestions, not as the answer.
    NotInBank {
        query: String,
        confidence: f32,
        suggestions: Vec<Related>,
    },
    /// `/unanswered`: groups of queries the bank had no entry for.
    Unanswered {
        period: String,
        groups: Vec<AskedGroup>,
    },
    /// A vote on an answer was recorded (`changed`: it replaced the person's earlier one).
    Vote {
        entry: String,
        up: bool,
        changed: bool,
    },
    /// `/reports`: entries voted down, most first, and quiz questions
    /// reported as having two right answers.
    Reports {
        entries: Vec<ReportRow>,
        quiz: Vec<QuizReportRow>,
    },
    /// A report that a quiz question had two right answers (`counted`: it
    /// was the person's first on that entry).
    QuizReported {
        entry: String,
        reporters: i64,
        counted: bool,
        out_of_rotation: bool,
    },
    /// A moderator cleared an entry's quiz reports (`cleared` of them).
    QuizReportsCleared {
        entry: String,
        cleared: u64,
    },
    /// `/ask` found nothing.
    NoMatch {
        query: String,
        #[serde(skip_serializing_if = "Option::is_none")]
        note: Option<String>,
    },
    /// A practice card from `/question random`, answer hidden.
    Card {
        card: Card,
    },
    /// The answer of a practice card (as shown, see [`Data::Answer`]).
    CardAnswer {
        card: Card,
        answer: String,
        #[serde(skip_serializing_if = "Option::is_none")]
        continued: Option<String>,
    },
    Topics {
        topics: Vec<TopicCount>,
    },
    /// A personal practice card, answer hidden (`reps`: its reviews so far).
    PracticeCard {
        card: Card,
        reps: i64,
        new: bool,
        /// A new card the learner added (Practise this, a missed quiz question).
        queued: bool,
        progress: PracticeProgress,
    },
    /// The daily practice reminder, a direct message: cards due, streak.
    PracticeReminder {
        cards: i64,
        streak: u32,
    },
    /// The answer of a practice card, with the grade buttons.
    PracticeAnswer {
        card: Card,
        reps: i64,
        answer: String,
        #[serde(skip_serializing_if = "Option::is_none")]
        continued: Option<String>,
    },
    /// A grade was recorded: the card comes back at `due` (RFC 3339).
    PracticeGraded {
        entry: String,
        grade: String,
        due: String,
        same_day: bool,
    },
    /// Nothing is due now.
    PracticeDone {
        #[serde(skip_serializing_if = "Option::is_none")]
        next_due: Option<String>,
        progress: PracticeProgress,
    },
    /// A person's practice at a glance (Slack's App Home): cards due today,
    /// days in a row, cards learned.
    PracticeHome {
        due_today: i64,
        streak: u32,
        learned: i64,
    },
    /// A card joined the learner's practice queue (`added`: it was not there).
    PracticeAdded {
        entry: String,
        added: bool,
    },
    /// A quiz question, open for answers until `closes_at`.
    Question {
        round: String,
        position: i64,
        of: i64,
        id: String,
        topic: String,
        question: String,
        choices: Vec<Choice>,
        closes_at: String,
    },
    /// What happened to a person's answer.
    AnswerAck {
        round: String,
        position: i64,
        choice: String,
        status: AckStatus,
    },
    /// A closed question: the right option, the full answer, who got it right.
    Reveal {
        round: String,
        position: i64,
        id: String,
        correct: String,
        explanation: String,
        winners: Vec<String>,
        answered: usize,
    },
    /// The end of a round.
    Standings {
        round: String,
        stopped: bool,
        rows: Vec<Row>,
    },
    Leaderboard {
        period: String,
        #[serde(skip_serializing_if = "Option::is_none")]
        topic: Option<String>,
        rows: Vec<Row>,
    },
    Stats(Stats),
    /// A schedule just created.
    Schedule(ScheduleInfo),
    /// A scheduled round starts soon.
    Reminder {
        schedule: String,
        starts_at: String,
        #[serde(skip_serializing_if = "Option::is_none")]
        role: Option<String>,
    },
    /// Scheduled runs that did not post a round, and why (`away`, `busy`,
    /// `no_questions`).
    Skipped {
        schedule: String,
        due: String,
        count: i64,
        reason: String,
    },
    /// A channel's schedules.
    Schedules {
        schedules: Vec<ScheduleInfo>,
    },
    Help {
        commands: Vec<CommandHelp>,
    },
    /// Something went wrong with the command; `text` says what.
    Error {
        error: String,
    },
}

/// Queries that asked the same thing (askers are counted, never named).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AskedGroup {
    pub example: String,
    pub asks: usize,
    pub askers: usize,
}

/// An entry's votes.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ReportRow {
    pub id: String,
    pub question: String,
    pub down: i64,
    pub up: i64,
    pub reasons: Vec<String>,
    /// Entries people wanted instead (👍 after "Not it? Next match").
    pub wanted: Vec<WantedRow>,
}

/// An entry wanted instead of another, and by how many.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct WantedRow {
    pub id: String,
    pub question: String,
    pub count: i64,
}

/// A quiz question reported as having two right answers.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct QuizReportRow {
    pub id: String,
    pub question: String,
    pub reporters: i64,
    /// Reported by enough people to be left out of quizzes until cleared.
    pub out_of_rotation: bool,
    pub notes: Vec<String>,
}

/// Whether an answer counted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AckStatus {
    Recorded,
    AlreadyAnswered,
    Closed,
}

/// One line of a ranking.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Row {
    pub rank: usize,
    pub user: String,
    pub points: i64,
    pub correct: i64,
}

pub use crate::leaderboard::{Stats, TopicStats};

/// A daily-round schedule and its next run.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ScheduleInfo {
    pub id: String,
    pub time: String,
    pub zone: String,
    pub days: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub topic: Option<String>,
    pub questions: i64,
    pub open: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reminder_minutes: Option<i64>,
    /// The next run in the schedule's time zone, and in UTC (RFC 3339).
    pub next_local: Option<String>,
    pub next_utc: Option<String>,
}

/// Where a learner stands today (see `practice::Progress`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct PracticeProgress {
    pub due_today: i64,
    pub new_left: i64,
    pub streak: u32,
    pub held_back: i64,
}

/// A question without its answer.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Card {
    pub id: String,
    pub topic: String,
    pub question: String,
    pub difficulty: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Related {
    pub id: String,
    pub question: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TopicCount {
    pub topic: String,
    pub questions: usize,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CommandHelp {
    pub usage: String,
    pub description: String,
}

/// A button as every platform shows it. `primary`: one of the reply's own
/// choices, shown prominently; otherwise set apart (the quiz report button,
/// related questions).
#[derive(Debug, Clone, PartialEq)]
pub struct Button {
    pub id: String,
    pub label: String,
    pub primary: bool,
}

impl Reply {
    /// The reply's buttons in order: its choices (a quiz question's labelled
    /// by their letters, its options being in the text), then one per related
    /// question of an answer.
    pub fn buttons(&self) -> Vec<Button> {
        let letters = match &self.data {
            Some(Data::Question { choices, .. }) => Some(choices),
            _ => None,
        };
        let mut buttons: Vec<Button> = self
            .choices
            .iter()
            .enumerate()
            .map(|(i, c)| Button {
                id: c.id.clone(),
                label: letters
                    .and_then(|l| l.get(i))
                    .map_or(&c.label, |l| &l.id)
                    .clone(),
                // The quiz report button is not an option: it looks apart.
                primary: !matches!(ButtonId::parse(&c.id), Some(ButtonId::QuizReport { .. })),
            })
            .collect();
        if let Some(Data::Answer { related, .. }) = &self.data {
            buttons.extend(related.iter().map(|r| {
                Button {
                    id: ButtonId::Show {
                        entry: r.id.clone(),
                    }
                    .id(),
                    label: r.question.clone(),
                    primary: false,
                }
            }));
        }
        buttons
    }

    pub fn public(text: impl Into<String>) -> Self {
        Reply {
            text: text.into(),
            ephemeral: false,
            choices: Vec::new(),
            data: None,
        }
    }

    pub fn private(text: impl Into<String>) -> Self {
        Reply {
            ephemeral: true,
            ..Reply::public(text)
        }
    }

    /// A short message saying what was wrong; it changes nothing.
    pub fn error(text: impl Into<String>) -> Self {
        let text = text.into();
        Reply::private(text.clone()).with_data(Data::Error { error: text })
    }

    pub fn with_data(mut self, data: Data) -> Self {
        self.data = Some(data);
        self
    }

    pub fn with_choice(mut self, choice: Choice) -> Self {
        self.choices.push(choice);
        self
    }
}

/// What a button does when pressed, and the one place its id is written and
/// read: every button id the bot sends is one of these, and a click comes back
/// as the same value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ButtonId {
    /// "Not it? Next match" under an answer.
    Next,
    /// "Reveal answer" under a practice card.
    Reveal,
    /// A related or suggested question, shown whole.
    Show { entry: String },
    /// 👍 or 👎 under an answer.
    Vote { up: bool, entry: String },
    /// The reason form a 👎 opens (a Discord or Slack modal).
    VoteReason { entry: String },
    /// "⚠ two right answers?" under a quiz question.
    QuizReport { entry: String },
    /// An option of a quiz question: round, question number (from 1), letter.
    Answer {
        round: String,
        position: i64,
        letter: String,
    },
    /// "Show answer" under a practice card dealt after `reps` reviews.
    PracticeReveal { entry: String, reps: i64 },
    /// Again / Hard / Good / Easy under a practice card's answer.
    PracticeGrade {
        entry: String,
        reps: i64,
        grade: String,
    },
    /// "Next card" or "New cards" (`new`), in `topic` if set.
    PracticeNext { new: bool, topic: Option<String> },
    /// "Practise this" under an answer.
    PracticeAdd { entry: String },
    /// "Delete my practice history", the confirmation of `/practice reset`.
    PracticeReset,
    /// "Approve" under a suggestion a moderator reviews.
    ReviewApprove { number: i64 },
    /// "Reject…" under a suggestion: the form asking why (a Discord or Slack
    /// modal), whose submission rejects it. The form's id is the button's.
    ReviewReject { number: i64 },
    /// "Suggest an answer" under a refused `/ask`: opens the suggest form with
    /// `query` (cut to fit an id, see [`ButtonId::suggest`]) as its question.
    Suggest { query: String },
    /// The suggest form (a Discord or Slack modal), whose submission files a
    /// suggestion.
    SuggestForm,
    /// The import form (a Discord or Slack modal), whose submission files a
    /// pasted file's records as suggestions.
    ImportForm,
}

/// The longest id a button may carry: Discord's limit for a custom id
/// (Slack's for an action id is 255).
pub const MAX_ID: usize = 100;

/// The grades of a practice card, as button ids carry them.
const GRADES: [&str; 4] = ["again", "hard", "good", "easy"];

/// The letters of a quiz question's options.
const ANSWER_LETTERS: [&str; 4] = ["A", "B", "C", "D"];

impl ButtonId {
    /// The "Suggest an answer" button for `query`: the query is carried in
    /// the id, cut at a character boundary so the id stays within
    /// [`MAX_ID`] bytes (a question longer than that arrives cut in the form,
    /// where the person can finish it).
    pub fn suggest(query: &str) -> ButtonId {
        let room = MAX_ID - "suggest:".len();
        let mut end = query.len().min(room);
        while !query.is_char_boundary(end) {
            end -= 1;
        }
        ButtonId::Suggest {
            query: query[..end].trim_end().to_string(),
        }
    }

    /// The id a platform carries for this button.
    pub fn id(&self) -> String {
        match self {
            ButtonId::Next => "ask:next".to_string(),
            ButtonId::Reveal => "question:reveal".to_string(),
            ButtonId::Show { entry } => format!("ask:show:{entry}"),
            ButtonId::Vote { up, entry } => {
                format!("feedback:{}:{entry}", if *up { "up" } else { "down" })
            }
            ButtonId::VoteReason { entry } => format!("feedback-reason:{entry}"),
            ButtonId::QuizReport { entry } => format!("quiz-report:{entry}"),
            ButtonId::Answer {
                round,
                position,
                letter,
            } => format!("quiz:{round}:{position}:{letter}"),
            ButtonId::PracticeReveal { entry, reps } => format!("practice:reveal:{reps}:{entry}"),
            ButtonId::PracticeGrade { entry, reps, grade } => {
                format!("practice:grade:{grade}:{reps}:{entry}")
            }
            ButtonId::PracticeNext { new, topic } => format!(
                "practice:{}:{}",
                if *new { "new" } else { "next" },
                topic.as_deref().unwrap_or("")
            ),
            ButtonId::PracticeAdd { entry } => format!("practice:add:{entry}"),
            ButtonId::PracticeReset => "practice:reset".to_string(),
            ButtonId::ReviewApprove { number } => format!("review:approve:{number}"),
            ButtonId::ReviewReject { number } => format!("review:reject:{number}"),
            ButtonId::Suggest { query } => format!("suggest:{query}"),
            ButtonId::SuggestForm => "suggest-form".to_string(),
            ButtonId::ImportForm => "import-form".to_string(),
        }
    }

    /// The button an id names; `None` for any other text.
    pub fn parse(id: &str) -> Option<ButtonId> {
        let entry = |rest: &str| (!rest.is_empty()).then(|| rest.to_string());
        match id {
            "ask:next" => return Some(ButtonId::Next),
            "question:reveal" => return Some(ButtonId::Reveal),
            "practice:reset" => return Some(ButtonId::PracticeReset),
            "suggest-form" => return Some(ButtonId::SuggestForm),
            "import-form" => return Some(ButtonId::ImportForm),
            _ => {}
        }
        if let Some(rest) = id.strip_prefix("suggest:") {
            return entry(rest).map(|query| ButtonId::Suggest { query });
        }
        if let Some(rest) = id.strip_prefix("practice:") {
            return Self::parse_practice(rest);
        }
        if let Some(rest) = id.strip_prefix("review:") {
            let (what, number) = rest.split_once(':')?;
            let number = number.parse::<i64>().ok().filter(|n| *n >= 1)?;
            return match what {
                "approve" => Some(ButtonId::ReviewApprove { number }),
                "reject" => Some(ButtonId::ReviewReject { number }),
                _ => None,
            };
        }
        if let Some(rest) = id.strip_prefix("ask:show:") {
            return entry(rest).map(|entry| ButtonId::Show { entry });
        }
        if let Some(rest) = id.strip_prefix("feedback-reason:") {
            return entry(rest).map(|entry| ButtonId::VoteReason { entry });
        }
        if let Some(rest) = id.strip_prefix("feedback:") {
            let (vote, rest) = rest.split_once(':')?;
            let up = match vote {
                "up" => true,
                "down" => false,
                _ => return None,
            };
            return entry(rest).map(|entry| ButtonId::Vote { up, entry });
        }
        if let Some(rest) = id.strip_prefix("quiz-report:") {
            return entry(rest).map(|entry| ButtonId::QuizReport { entry });
        }
        let mut parts = id.strip_prefix("quiz:")?.rsplitn(3, ':');
        let letter = parts.next().filter(|l| ANSWER_LETTERS.contains(l))?;
        let position = parts.next()?.parse::<i64>().ok().filter(|p| *p >= 1)?;
        let round = parts.next().filter(|r| !r.is_empty())?;
        Some(ButtonId::Answer {
            round: round.to_string(),
            position,
            letter: letter.to_string(),
        })
    }

    /// The practice buttons, from what follows `practice:`.
    fn parse_practice(rest: &str) -> Option<ButtonId> {
        let (what, rest) = rest.split_once(':')?;
        let reps_and_entry = |rest: &str| {
            let (reps, entry) = rest.split_once(':')?;
            let reps = reps.parse::<i64>().ok().filter(|r| *r >= 0)?;
            (!entry.is_empty()).then(|| (reps, entry.to_string()))
        };
        match what {
            "reveal" => {
                let (reps, entry) = reps_and_entry(rest)?;
                Some(ButtonId::PracticeReveal { entry, reps })
            }
            "grade" => {
                let (grade, rest) = rest.split_once(':')?;
                let grade = GRADES.iter().find(|g| **g == grade)?;
                let (reps, entry) = reps_and_entry(rest)?;
                Some(ButtonId::PracticeGrade {
                    entry,
                    reps,
                    grade: grade.to_string(),
                })
            }
            "next" | "new" => Some(ButtonId::PracticeNext {
                new: what == "new",
                topic: (!rest.is_empty()).then(|| rest.to_string()),
            }),
            "add" => (!rest.is_empty()).then(|| ButtonId::PracticeAdd {
                entry: rest.to_string(),
            }),
            _ => None,
        }
    }

    /// A button of this id labelled `label`.
    pub fn choice(&self, label: &str) -> Choice {
        Choice::new(&self.id(), label)
    }
}

/// How much of a long answer a chat reply shows on `platform` (characters)
/// before "/show ID for the whole answer". About a dozen lines read well as a
/// chat answer, far inside Discord's 4,096 per embed and Slack's 3,000 per
/// section; a terminal scrolls and has no limit, so the shell shows more.
pub fn preview_chars(platform: crate::platform::Platform) -> usize {
    use crate::platform::Platform;
    match platform {
        Platform::Discord | Platform::Slack => 1200,
        Platform::Shell => 2000,
    }
}

/// An answer as a chat reply on `platform` shows it: whole, or when longer
/// than [`preview_chars`] its first paragraphs (see
/// [`crate::markdown::preview`]) and a last line saying how to see it whole.
pub fn shown_answer(
    answer: &str,
    id: &str,
    platform: crate::platform::Platform,
) -> (String, Option<String>) {
    match crate::markdown::preview(answer, preview_chars(platform)) {
        Some(cut) => (
            cut,
            Some(format!(
                "{}show {id} for the whole answer",
                platform.command_prefix()
            )),
        ),
        None => (answer.to_string(), None),
    }
}

impl Card {
    pub fn of(q: &crate::bank::Question) -> Self {
        Card {
            id: q.id.clone(),
            topic: q.topic.clone(),
            question: q.question.clone(),
            difficulty: q.difficulty.to_string(),
            source: q.source.clone(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn button_ids_read_back_as_written() {
        let buttons = [
            ButtonId::Next,
            ButtonId::Reveal,
            ButtonId::Show {
                entry: "docker-017".into(),
            },
            ButtonId::Vote {
                up: false,
                entry: "api-001".into(),
            },
            ButtonId::VoteReason {
                entry: "api-001".into(),
            },
            ButtonId::QuizReport {
                entry: "http-002".into(),
            },
            ButtonId::Answer {
                round: "r-1:abc".into(),
                position: 2,
                letter: "C".into(),
            },
            ButtonId::PracticeReveal {
                entry: "docker-017".into(),
                reps: 3,
            },
            ButtonId::PracticeGrade {
                entry: "api-001".into(),
                reps: 0,
                grade: "hard".into(),
            },
            ButtonId::PracticeNext {
                new: true,
                topic: Some("docker".into()),
            },
            ButtonId::PracticeNext {
                new: false,
                topic: None,
            },
            ButtonId::PracticeAdd {
                entry: "http-002".into(),
            },
            ButtonId::PracticeReset,
            ButtonId::ReviewApprove { number: 3 },
            ButtonId::ReviewReject { number: 12 },
            ButtonId::Suggest {
                query: "how do we: roll back?".into(),
            },
            ButtonId::SuggestForm,
            ButtonId::ImportForm,
        ];
        for button in buttons {
            assert_eq!(
                ButtonId::parse(&button.id()),
                Some(button.clone()),
                "{button:?}"
            );
        }
        for bad in [
            "quiz:r:0:A",
            "quiz:r:1:E",
            "quiz::1:A",
            "quiz:r:x:A",
            "quiz:1:A",
            "ask:show:",
            "feedback:sideways:x",
            "practice:grade:meh:1:x",
            "practice:grade:good:-1:x",
            "practice:reveal:1:",
            "practice:add:",
            "practice:other:x",
            "review:approve:0",
            "review:other:1",
            "suggest:",
            "other",
        ] {
            assert_eq!(ButtonId::parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn a_suggest_button_fits_discords_limit() {
        let long = "é".repeat(200);
        let id = ButtonId::suggest(&long).id();
        assert!(id.len() <= MAX_ID, "{} bytes", id.len());
        assert!(matches!(
            ButtonId::parse(&id),
            Some(ButtonId::Suggest { .. })
        ));
        assert_eq!(
            ButtonId::suggest("short one").id(),
            "suggest:short one".to_string()
        );
    }
}
