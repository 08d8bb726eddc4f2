//! `/topics`: the bank's topics with question counts.

use super::Command;
use super::spec::{Access, CommandSpec, Privacy, Surface};
use crate::bot::{Bot, Context};
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

/// The topics `ctx`'s server sees: the shipped bank's and its own entries'.
pub fn topics(bot: &Bot, ctx: &Context) -> Reply {
    let entries = bot.entries(&ctx.guild);
    let topics: Vec<TopicCount> = entries
        .topics()
        .into_iter()
        .map(|(topic, questions)| TopicCount { topic, questions })
        .collect();
    let total: usize = topics.iter().map(|t| t.questions).sum();
    let mut text = format!("{total} questions in {} topics:", topics.len());
    for t in &topics {
        text.push_str(&format!("\n- {}: {} questions", t.topic, t.questions));
    }
    if let Some(team) = entries.team() {
        text.push_str(&format!(
            "\n({} of them this server's own, added with /suggest)",
            team.len()
        ));
    }
    Reply::public(text).with_data(Data::Topics { topics })
}

/// The reply to a topic the bank does not have.
pub fn unknown_topic(bot: &Bot, topic: &str) -> Reply {
    crate::render::unknown_topic(&bot.bank(), topic)
}
