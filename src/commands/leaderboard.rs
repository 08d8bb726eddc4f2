//! `/leaderboard [day|week|month|all] [topic]` and `/stats [user]`, computed from
//! the answer log. Periods start at midnight (weeks on Monday) in the channel's
//! time zone, UTC until schedules set one.

use super::Command;
use super::spec::{
    Access, CommandSpec, Kind, PERIOD_ALIASES, PERIODS, Privacy, Surface, TOPIC, defaults_to,
    option,
};
use crate::bot::{Bot, Context};
pub use crate::leaderboard::Span;
use crate::leaderboard::{channel_zone, standings, summarize};
use crate::reply::{Data, Reply};
use crate::store::Period;

/// `/leaderboard`: its entry in the command table.
pub static LEADERBOARD: CommandSpec = CommandSpec {
    path: &["leaderboard"],
    aliases: &[],
    summary: "Standings for this server or workspace",
    details: "",
    example: "/leaderboard month docker",
    options: &[
        defaults_to(
            option(
                "period",
                Kind::Choice {
                    values: PERIODS,
                    aliases: PERIOD_ALIASES,
                },
                "day, week, month or all time",
            ),
            "week",
        ),
        TOPIC,
    ],
    access: Access::Anyone,
    privacy: Privacy::Public,
    surface: Surface::Everywhere,
    decode: |inv| {
        Ok(Command::Leaderboard {
            span: inv
                .text("period")
                .and_then(Span::from_name)
                .unwrap_or(Span::Week),
            topic: inv.string("topic"),
        })
    },
};

/// `/stats`: its entry in the command table.
pub static STATS: CommandSpec = CommandSpec {
    path: &["stats"],
    aliases: &[],
    summary: "Points, accuracy by topic, streak and rank: yours, or someone else's",
    details: "",
    example: "/stats",
    options: &[option("user", Kind::User, "whose stats (default: yours)")],
    access: Access::Anyone,
    privacy: Privacy::Personal,
    surface: Surface::Everywhere,
    decode: |inv| {
        Ok(Command::Stats {
            user: inv.string("user"),
        })
    },
};

pub async fn leaderboard(bot: &Bot, ctx: &Context, span: Span, topic: Option<&str>) -> Reply {
    if let Some(topic) = topic {
        if !bot.entries(&ctx.guild).has_topic(topic) {
            return super::topics::unknown_topic(bot, topic);
        }
    }
    let store = bot.store();
    let found = async {
        let zone = channel_zone(store, &ctx.guild, &ctx.channel).await?;
        standings(store, &ctx.guild, span, topic, &zone, bot.now()).await
    };
    let standings = match found.await {
        Ok(standings) => standings,
        Err(e) => return crate::render::store_error(e),
    };
    let mut reply = crate::render::board(span, topic, &standings);
    if topic.is_none() {
        match store.suggester_credits(&ctx.guild, SUGGESTERS).await {
            Ok(credits) => crate::render::push_suggesters(&mut reply.text, &credits),
            Err(e) => tracing::warn!("the suggesters' credit was not read: {e}"),
        }
    }
    reply
}

/// Suggesters shown under the leaderboard, at most.
const SUGGESTERS: i64 = 5;

pub async fn stats(bot: &Bot, ctx: &Context, user: Option<&str>) -> Reply {
    stats_of(bot, ctx, user, true).await
}

/// Your own `/stats` without its practice line, for a home screen that shows
/// practice on its own (Slack's App Home, see [`super::practice::home`]).
pub async fn quiz_stats(bot: &Bot, ctx: &Context) -> Reply {
    stats_of(bot, ctx, None, false).await
}

async fn stats_of(bot: &Bot, ctx: &Context, user: Option<&str>, with_practice: bool) -> Reply {
    let user = user.unwrap_or(&ctx.user);
    let store = bot.store();
    let all_time = Period::default();
    let (answers, board) = match tokio::try_join!(
        store.answers_of(&ctx.guild, user),
        store.leaderboard(&ctx.guild, &all_time)
    ) {
        Ok(found) => found,
        Err(e) => return crate::render::store_error(e),
    };
    // Practice is private: only your own /stats shows it.
    let practice = match with_practice && user == ctx.user {
        true => practice_lines(bot, ctx).await,
        false => None,
    };
    if answers.is_empty() {
        let mut text = format!("{user} has not answered any quiz question here yet");
        if let Some(lines) = practice {
            text.push_str(&format!("\n{lines}"));
        }
        return Reply::private(text);
    }
    let rank = board.iter().position(|s| s.user_id == user).map(|i| i + 1);
    let stats = summarize(user, &answers, rank);
    let mut text = format!(
        "**{}**: {} points, {}/{} correct ({:.0}%), streak {} (best {}){}",
        stats.user,
        stats.points,
        stats.correct,
        stats.answered,
        stats.accuracy * 100.0,
        stats.streak,
        stats.best_streak,
        stats.rank.map_or(String::new(), |r| format!(", rank {r}"))
    );
    for t in &stats.topics {
        text.push_str(&format!(
            "\n- {}: {}/{} ({:.0}%)",
            t.topic,
            t.correct,
            t.answered,
            t.accuracy * 100.0
        ));
    }
    if let Some(lines) = practice {
        text.push_str(&format!("\n{lines}"));
    }
    Reply::private(text).with_data(Data::Stats(stats))
}

/// The practice line of your own `/stats`, when you have practised.
async fn practice_lines(bot: &Bot, ctx: &Context) -> Option<String> {
    let library = bot.library();
    let learner = super::practice::learner(ctx);
    let deck = crate::practice::Deck {
        store: bot.store(),
        bank: &library.bank,
        rules: bot.practice_rules(),
        learner: &learner,
    };
    match deck.stats(bot.now()).await {
        Ok(stats) if stats.learned > 0 => Some(crate::render::practice::stats_lines(&stats)),
        Ok(_) => None,
        Err(e) => {
            tracing::warn!("practice stats are not available: {e}");
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn leaderboard_options() {
        use crate::commands::{Command, parse};
        assert_eq!(
            parse("/leaderboard month docker").unwrap(),
            Command::Leaderboard {
                span: Span::Month,
                topic: Some("docker".into())
            }
        );
        assert_eq!(
            parse("/leaderboard").unwrap(),
            Command::Leaderboard {
                span: Span::Week,
                topic: None
            }
        );
        assert!(parse("/leaderboard year docker python").is_err());
        assert_eq!(
            parse("/stats @alice").unwrap(),
            Command::Stats {
                user: Some("alice".into())
            }
        );
    }
}
