//! Quiz questions the bot posted on a platform, kept up to date as people
//! answer: how many have answered while a question is open, the right option
//! once it closes (a stop reveals it too). The platform adapters only say where
//! a question went (`P`: a Discord channel and message, a Slack channel and
//! timestamp) and how to edit it ([`Editor`]).

use std::collections::HashMap;
use std::future::Future;
use std::sync::{Arc, Mutex};

use crate::reply::{AckStatus, Data, Reply};

/// A posted question and what it shows.
pub struct Posted<P> {
    /// Where it was posted.
    pub place: P,
    /// The question as posted.
    pub reply: Reply,
    answered: usize,
    closed: bool,
}

/// What a posted question is to show now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Change<'a> {
    /// One more answer was recorded: this many people have answered.
    Answered(usize),
    /// The question closed; `correct` is the right option's letter.
    Closed { correct: &'a str, answered: usize },
}

impl Change<'_> {
    /// Whether the question still takes answers (its buttons stay).
    pub fn open(&self) -> bool {
        matches!(self, Change::Answered(_))
    }

    /// The line under the question, the right option's letter set off by `strong`.
    pub fn note(&self, strong: impl Fn(&str) -> String) -> String {
        match *self {
            Change::Answered(1) => "1 person has answered".to_string(),
            Change::Answered(n) => format!("{n} people have answered"),
            Change::Closed { correct, answered } => {
                format!("closed · answer {} · {answered} answered", strong(correct))
            }
        }
    }
}

/// Edits a posted question on its platform (failures are the editor's to log).
pub trait Editor<P> {
    fn edit(&self, posted: &Posted<P>, change: Change<'_>) -> impl Future<Output = ()> + Send;
}

type Slot<P> = Arc<tokio::sync::Mutex<Posted<P>>>;

/// The open questions a platform has posted, by (round, question number). A
/// question's edits go out one at a time (its async lock), and none after the
/// close.
pub struct PostedQuestions<P> {
    slots: Mutex<HashMap<(String, i64), Slot<P>>>,
}

impl<P> Default for PostedQuestions<P> {
    fn default() -> Self {
        PostedQuestions {
            slots: Mutex::default(),
        }
    }
}

impl<P: Send + Sync> PostedQuestions<P> {
    /// Remembers `reply`, posted at `place`, if it is a quiz question.
    pub fn track(&self, place: P, reply: &Reply) {
        if let Some(Data::Question {
            round, position, ..
        }) = &reply.data
        {
            let posted = Posted {
                place,
                reply: reply.clone(),
                answered: 0,
                closed: false,
            };
            self.lock()
                .insert((round.clone(), *position), Arc::new(posted.into()));
        }
    }

    /// Has `editor` show what `replies` changed: one more answer recorded, or
    /// a question closed.
    pub async fn after(&self, replies: &[Reply], editor: &impl Editor<P>) {
        for reply in replies {
            match &reply.data {
                Some(Data::AnswerAck {
                    round,
                    position,
                    status: AckStatus::Recorded,
                    ..
                }) => self.count_answer(round, *position, editor).await,
                Some(Data::Reveal {
                    round,
                    position,
                    correct,
                    ..
                }) => self.close(round, *position, correct, editor).await,
                _ => {}
            }
        }
    }

    async fn count_answer(&self, round: &str, position: i64, editor: &impl Editor<P>) {
        let slot = self.lock().get(&(round.to_string(), position)).cloned();
        let Some(slot) = slot else {
            return;
        };
        let mut posted = slot.lock().await;
        if posted.closed {
            return;
        }
        posted.answered += 1;
        let change = Change::Answered(posted.answered);
        editor.edit(&posted, change).await;
    }

    async fn close(&self, round: &str, position: i64, correct: &str, editor: &impl Editor<P>) {
        let removed = self.lock().remove(&(round.to_string(), position));
        let Some(slot) = removed else {
            return;
        };
        let mut posted = slot.lock().await;
        posted.closed = true;
        let change = Change::Closed {
            correct,
            answered: posted.answered,
        };
        editor.edit(&posted, change).await;
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<(String, i64), Slot<P>>> {
        self.slots.lock().unwrap_or_else(|p| p.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Records every edit as (place, note, open).
    #[derive(Default)]
    struct Recorder(Mutex<Vec<(u32, String, bool)>>);

    impl Editor<u32> for Recorder {
        async fn edit(&self, posted: &Posted<u32>, change: Change<'_>) {
            let note = change.note(|c| format!("*{c}*"));
            self.0
                .lock()
                .unwrap()
                .push((posted.place, note, change.open()));
        }
    }

    fn question(round: &str, position: i64) -> Reply {
        Reply::public("Q?").with_data(Data::Question {
            round: round.to_string(),
            position,
            of: 3,
            id: "t-001".to_string(),
            topic: "t".to_string(),
            question: "Q?".to_string(),
            choices: vec![],
            closes_at: String::new(),
        })
    }

    fn ack(round: &str, position: i64, status: AckStatus) -> Reply {
        Reply::private("ok").with_data(Data::AnswerAck {
            round: round.to_string(),
            position,
            choice: "A".to_string(),
            status,
        })
    }

    fn reveal(round: &str, position: i64) -> Reply {
        Reply::public("B").with_data(Data::Reveal {
            round: round.to_string(),
            position,
            id: "t-001".to_string(),
            correct: "B".to_string(),
            explanation: String::new(),
            winners: vec![],
            answered: 2,
        })
    }

    #[tokio::test]
    async fn answers_are_counted_until_the_close_and_not_after() {
        let posted = PostedQuestions::default();
        let editor = Recorder::default();
        posted.track(7, &question("r1", 1));
        posted.track(8, &Reply::public("not a question"));
        let recorded = ack("r1", 1, AckStatus::Recorded);
        posted
            .after(&[recorded.clone(), recorded.clone()], &editor)
            .await;
        posted
            .after(&[ack("r1", 1, AckStatus::AlreadyAnswered)], &editor)
            .await;
        posted
            .after(&[ack("r2", 1, AckStatus::Recorded)], &editor)
            .await;
        posted.after(&[reveal("r1", 1)], &editor).await;
        posted.after(&[recorded, reveal("r1", 1)], &editor).await;
        let edits = editor.0.into_inner().unwrap();
        assert_eq!(
            edits,
            [
                (7, "1 person has answered".to_string(), true),
                (7, "2 people have answered".to_string(), true),
                (7, "closed · answer *B* · 2 answered".to_string(), false),
            ]
        );
    }
}
