//! `/question random [topic]`: a practice card with its answer hidden until
//! revealed; `/reveal` shows it (or your practice card, if one is showing).

use std::sync::Arc;

use super::spec::{Access, CommandSpec, Privacy, Surface, TOPIC};
use super::{Command, practice};
use crate::bot::{Bot, Context};
use crate::reply::{ButtonId, Card, Data, Reply, shown_answer};

/// `/question random`: its entry in the command table.
pub static RANDOM: CommandSpec = CommandSpec {
    path: &["question", "random"],
    aliases: &[],
    summary: "A random card to practise with, answer hidden until revealed",
    details: "",
    example: "/question random docker",
    options: &[TOPIC],
    access: Access::Anyone,
    privacy: Privacy::Public,
    surface: Surface::Everywhere,
    decode: |inv| {
        Ok(Command::QuestionRandom {
            topic: inv.string("topic"),
        })
    },
};

/// `/reveal`: its entry in the command table.
pub static REVEAL: CommandSpec = CommandSpec {
    path: &["reveal"],
    aliases: &[],
    summary: "The answer of this channel's practice card",
    details: "",
    example: "/reveal",
    options: &[],
    access: Access::Anyone,
    privacy: Privacy::Public,
    surface: Surface::Text,
    decode: |_| Ok(Command::Reveal),
};

pub fn random(bot: &Bot, ctx: &Context, topic: Option<&str>) -> Reply {
    let bank = bot.entries(&ctx.guild);
    if let Some(topic) = topic {
        if !bank.has_topic(topic) {
            return super::topics::unknown_topic(bot, topic);
        }
    }
    let pool: Vec<_> = bank
        .questions()
        .filter(|q| topic.is_none_or(|t| q.topic == t))
        .collect();
    if pool.is_empty() {
        return Reply::error("the bank is empty: add questions under data/bank");
    }
    let question = pool[fastrand::usize(..pool.len())];
    bot.remember_card(ctx, &question.id);
    let card = Card::of(question);
    Reply::public(format!(
        "**{}**\n_{} · {} · {}_\n\nThink it through, then {} shows the answer.",
        question.question,
        question.topic,
        question.difficulty,
        question.id,
        ctx.platform.command("reveal")
    ))
    .with_choice(ButtonId::Reveal.choice("Reveal answer"))
    .with_data(Data::Card { card })
}

/// `/reveal` (or the Reveal button): the person's practice card if one is
/// showing, else the channel's card.
pub async fn reveal(bot: &Arc<Bot>, ctx: &Context) -> Vec<Reply> {
    match practice::showing(bot, ctx) {
        Some(_) => practice::handle(bot, ctx, practice::Request::Reveal { card: None }).await,
        None => vec![reveal_card(bot, ctx)],
    }
}

fn reveal_card(bot: &Bot, ctx: &Context) -> Reply {
    let bank = bot.entries(&ctx.guild);
    let Some(question) = bot.current_card(ctx).and_then(|id| bank.get(&id)) else {
        return Reply::error(format!(
            "no card to reveal here: {} deals one",
            ctx.platform.command("question random")
        ));
    };
    let (answer, continued) = shown_answer(&question.answer, &question.id, ctx.platform);
    let mut text = format!("**{}**\n\n{answer}", question.question);
    if let Some(line) = &continued {
        text.push_str(&format!("\n\n{line}"));
    }
    Reply::public(text).with_data(Data::CardAnswer {
        card: Card::of(question),
        answer,
        continued,
    })
}
