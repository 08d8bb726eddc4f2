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
        answer: String,
        score: f32,
        related: Vec<Related>,
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
    /// The answer of a practice card.
    CardAnswer {
        card: Card,
        answer: String,
    },
    Topics {
        topics: Vec<TopicCount>,
    },
    Help {
        commands: Vec<CommandHelp>,
    },
    /// Something went wrong with the command; `text` says what.
    Error {
        error: String,
    },
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
    pub available: bool,
}

impl Reply {
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
