//! `/unanswered [period]` (moderators): what people in this server asked that the
//! bank has no entry for, near-duplicates grouped by meaning, most asked first.

use std::sync::Arc;

use super::Command;
use super::leaderboard::Span;
use super::spec::{
    Access, CommandSpec, Kind, PERIOD_ALIASES, PERIODS, Privacy, Surface, defaults_to, option,
};
use crate::bot::{Bot, Context};
use crate::clock::millis;
use crate::reply::{AskedGroup, Data, Reply};
use crate::unanswered::{self, MAX_QUERIES};

/// `/unanswered`: its entry in the command table.
pub static UNANSWERED: CommandSpec = CommandSpec {
    path: &["unanswered"],
    aliases: &[],
    summary: "What people asked that the bank has no entry for, most asked first (moderators)",
    details: "near-duplicates grouped by meaning, with how many asked",
    example: "/unanswered week",
    options: &[defaults_to(
        option(
            "period",
            Kind::Choice {
                values: PERIODS,
                aliases: PERIOD_ALIASES,
            },
            "the last day, week, month (30 days) or all kept",
        ),
        "month",
    )],
    access: Access::Moderator,
    privacy: Privacy::Personal,
    surface: Surface::Everywhere,
    decode: |inv| {
        Ok(Command::Unanswered {
            span: inv
                .text("period")
                .and_then(Span::from_name)
                .unwrap_or(Span::Month),
        })
    },
};

/// At most this many groups are listed in chat.
const SHOWN: usize = 15;
const DAY_MS: i64 = 86_400_000;

pub async fn unanswered(bot: &Arc<Bot>, ctx: &Context, span: Span) -> Reply {
    let now = millis(bot.now());
    let keep = bot.keep_unanswered_ms();
    if let Err(e) = bot.store().expire_unanswered(now - keep).await {
        tracing::warn!("cannot expire old unanswered questions: {e}");
    }
    let since = now
        - match span {
            Span::Day => DAY_MS,
            Span::Week => 7 * DAY_MS,
            Span::Month => 30 * DAY_MS,
            Span::All => keep,
        };
    let rows = match bot
        .store()
        .unanswered_since(Some(&ctx.guild), since, MAX_QUERIES)
        .await
    {
        Ok(rows) => rows,
        Err(e) => return crate::render::not_done("cannot read unanswered questions", e),
    };
    let grouper = bot.clone();
    let groups = bot
        .cpu()
        .run(move || {
            let searcher = grouper.searcher();
            let model = searcher.semantic().map(|s| s.model());
            unanswered::group(&rows, model)
        })
        .await;
    let groups = match groups {
        Ok(groups) => groups,
        Err(e) => return Reply::error(format!("cannot group unanswered questions: {e}")),
    };
    let period = match span {
        Span::Day => "the last day",
        Span::Week => "the last week",
        Span::Month => "the last 30 days",
        Span::All => "all kept",
    };
    let shown: Vec<AskedGroup> = groups
        .iter()
        .take(SHOWN)
        .map(|g| AskedGroup {
            example: g.example.clone(),
            asks: g.asks,
            askers: g.askers,
        })
        .collect();
    let text = if shown.is_empty() {
        format!("Nothing asked in {period} went unanswered.")
    } else {
        let mut text = format!("**Asked and not in the bank** ({period}, most asked first):");
        for (i, g) in shown.iter().enumerate() {
            text.push_str(&format!(
                "\n{}. “{}” — asked {} time{} by {} {}",
                i + 1,
                super::truncate(&g.example, 200),
                g.asks,
                if g.asks == 1 { "" } else { "s" },
                g.askers,
                if g.askers == 1 { "person" } else { "people" }
            ));
        }
        if groups.len() > SHOWN {
            text.push_str(&format!("\n…and {} more", groups.len() - SHOWN));
        }
        text
    };
    Reply::private(text).with_data(Data::Unanswered {
        period: span.name().to_string(),
        groups: shown,
    })
}
