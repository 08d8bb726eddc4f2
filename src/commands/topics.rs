//! `/topics`: the bank's topics with question counts.

use super::Command;
use super::spec::{Access, CommandSpec, Privacy, Surface};
use crate::bot::Bot;
use crate::reply::{Data, Reply, TopicCount};

/// `/topics`: its entry in the command table.
pub static TOPICS: CommandSpec = CommandSpec {
    path: &["topics"],
    aliases: &[],
    summary: "Topics with question counts",
    details: "",
    example: "/topics",
    options: &[],
    access: Access::Anyone,
    privacy: Privacy::Public,
    surface: Surface::Everywhere,
    decode: |_| Ok(Command::Topics),
};

pub fn topics(bot: &Bot) -> Reply {
    let topics: Vec<TopicCount> = bot
        .bank()
        .topics()
        .into_iter()
        .map(|(topic, questions)| TopicCount { topic, questions })
        .collect();
    let mut text = format!("{} questions in {} topics:", bot.bank().len(), topics.len());
    for t in &topics {
        text.push_str(&format!("\n- {}: {} questions", t.topic, t.questions));
    }
    Reply::public(text).with_data(Data::Topics { topics })
}

/// The reply to a topic the bank does not have.
pub fn unknown_topic(bot: &Bot, topic: &str) -> Reply {
    crate::render::unknown_topic(&bot.bank(), topic)
}
