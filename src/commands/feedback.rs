//! `/feedback up|down [reason]` and the 👍/👎 buttons of answers: one vote per
//! person per answer, a second vote replacing the first; `/reports`
//! (moderators): the entries voted down, most first, with the reasons given.

use crate::bot::{Bot, Context};
use crate::clock::millis;
use crate::reply::{Choice, Data, Reply, ReportRow};
use crate::store::{NewVote, VoteOutcome};

/// A vote button: this prefix, `up:` or `down:`, and the entry's id.
pub const CHOICE_PREFIX: &str = "feedback:";
/// Reasons longer than this are cut.
const MAX_REASON: usize = 300;
/// At most this many entries and reasons each are listed.
const SHOWN: usize = 15;
const REASONS_SHOWN: usize = 5;

/// The 👍 and 👎 buttons of an answer showing `entry`.
pub fn choices(entry: &str) -> [Choice; 2] {
    [
        Choice::new(&format!("{CHOICE_PREFIX}up:{entry}"), "👍"),
        Choice::new(&format!("{CHOICE_PREFIX}down:{entry}"), "👎"),
    ]
}

/// (up, entry) of a vote button's id.
pub fn parse_choice(id: &str) -> Option<(bool, &str)> {
    let rest = id.strip_prefix(CHOICE_PREFIX)?;
    let (vote, entry) = rest.split_once(':')?;
    let up = match vote {
        "up" => true,
        "down" => false,
        _ => return None,
    };
    (!entry.is_empty()).then_some((up, entry))
}

/// Records a vote on `entry`, or on the last answer this person was shown here.
pub async fn feedback(
    bot: &Bot,
    ctx: &Context,
    up: bool,
    reason: Option<&str>,
    entry: Option<&str>,
) -> Reply {
    let (entry, query) = match entry {
        Some(entry) => {
            let query = bot
                .last_answer(ctx)
                .filter(|(shown, _)| shown == entry)
                .map(|(_, query)| query)
                .unwrap_or_default();
            (entry.to_string(), query)
        }
        None => match bot.last_answer(ctx) {
            Some(last) => last,
            None => return Reply::error("nothing to vote on: /ask a question first"),
        },
    };
    let bank = bot.bank();
    let Some(question) = bank.get(&entry) else {
        return Reply::error(format!(
            "no question has the id `{}`",
            super::truncate(&entry, 40)
        ));
    };
    let reason = reason
        .map(str::trim)
        .filter(|r| !r.is_empty())
        .map(|r| super::truncate(r, MAX_REASON));
    let vote = NewVote {
        guild: ctx.guild.clone(),
        entry: question.id.clone(),
        voter: ctx.user.clone(),
        query,
        up,
        reason: reason.filter(|_| !up),
        at: millis(bot.now()),
    };
    let changed = match bot.store().vote(&vote).await {
        Ok(outcome) => outcome == VoteOutcome::Changed,
        Err(e) => return Reply::error(format!("your vote was not recorded: {e}")),
    };
    let verdict = if up { "👍" } else { "👎" };
    let text = format!(
        "{} {verdict} on “{}” ({}). Thanks!",
        if changed {
            "Vote changed to"
        } else {
            "Recorded"
        },
        super::truncate(&question.question, 120),
        question.id
    );
    Reply::private(text).with_data(Data::Vote {
        entry: question.id.clone(),
        up,
        changed,
    })
}

/// `/reports`: this server's entries voted down.
pub async fn reports(bot: &Bot, ctx: &Context) -> Reply {
    let reports = match bot.store().reports(Some(&ctx.guild)).await {
        Ok(reports) => reports,
        Err(e) => return Reply::error(format!("cannot read the votes: {e}")),
    };
    let entries: Vec<ReportRow> = reports
        .into_iter()
        .take(SHOWN)
        .map(|r| ReportRow {
            question: bot.bank().get(&r.entry).map_or_else(
                || "(no longer in the bank)".to_string(),
                |q| q.question.clone(),
            ),
            id: r.entry,
            down: r.down,
            up: r.up,
            reasons: r.reasons,
        })
        .collect();
    let text = if entries.is_empty() {
        "No answer has been voted down.".to_string()
    } else {
        let mut text = "**Answers voted down** (most first):".to_string();
        text.push_str(&render_reports(&entries));
        text
    };
    Reply::private(text).with_data(Data::Reports { entries })
}

/// The lines of a report, for chat and for `bank report`.
pub fn render_reports(entries: &[ReportRow]) -> String {
    let mut text = String::new();
    for (i, e) in entries.iter().enumerate() {
        text.push_str(&format!(
            "\n{}. {} ({}) — 👎 {} · 👍 {}",
            i + 1,
            e.question,
            e.id,
            e.down,
            e.up
        ));
        for reason in e.reasons.iter().take(REASONS_SHOWN) {
            text.push_str(&format!("\n   - “{reason}”"));
        }
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vote_buttons_round_trip() {
        let [up, down] = choices("docker-017");
        assert_eq!(parse_choice(&up.id), Some((true, "docker-017")));
        assert_eq!(parse_choice(&down.id), Some((false, "docker-017")));
        assert_eq!(parse_choice("feedback:sideways:docker-017"), None);
        assert_eq!(parse_choice("feedback:up:"), None);
        assert_eq!(parse_choice("ask:next"), None);
    }
}
