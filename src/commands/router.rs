//! The router: checks who may run a [`Command`] (the command table says),
//! runs it ([`Command::run`], one call into its file, like mini-redis's
//! `Command::apply`), and measures it. Adapters call [`handle`] or
//! [`handle_line`].

use std::sync::Arc;
use std::time::Instant;

use tracing::Instrument as _;

use super::Command;
use super::spec::Access;
use crate::bot::{Bot, Context};
use crate::metrics::{CommandOutcome, metrics};
use crate::reply::{Data, Reply};

/// Parses a line of chat and answers it.
pub async fn handle_line(bot: &Arc<Bot>, ctx: &Context, line: &str) -> Vec<Reply> {
    match super::parse(line) {
        Ok(command) => handle(bot, ctx, command).await,
        Err(e) => vec![Reply::error(e.0)],
    }
}

/// Answers a command; most give one reply. Who may run it comes from the
/// command table; search and embedding run on the blocking pool. Each
/// command is counted by name and outcome, and logged in a span naming the
/// platform, server, channel, command and round.
pub async fn handle(bot: &Arc<Bot>, ctx: &Context, command: Command) -> Vec<Reply> {
    let name = command.spec().name();
    let round = match &command {
        Command::Answer { round, .. } => round.clone(),
        _ => None,
    };
    let span = tracing::info_span!(
        "command",
        platform = ctx.platform.name(),
        guild = %ctx.guild,
        channel = %ctx.channel,
        command = %name,
        round = round.as_deref(),
    );
    let denied = command.spec().access == Access::Moderator && !ctx.moderator;
    let is_ask = matches!(command, Command::Ask { .. } | Command::Next);
    let started = Instant::now();
    let replies = handle_unmeasured(bot, ctx, command)
        .instrument(span.clone())
        .await;
    let elapsed = started.elapsed();
    let outcome = match denied {
        true => CommandOutcome::Denied,
        false => outcome_of(&replies),
    };
    if is_ask && !denied {
        let answered = replies
            .iter()
            .any(|r| matches!(r.data, Some(Data::Answer { .. })));
        metrics().ask(elapsed, answered);
    }
    metrics().command(name, outcome);
    span.in_scope(|| {
        tracing::debug!(
            outcome = ?outcome,
            elapsed_ms = elapsed.as_secs_f64() * 1000.0,
            "command handled"
        )
    });
    replies
}

async fn handle_unmeasured(bot: &Arc<Bot>, ctx: &Context, command: Command) -> Vec<Reply> {
    if command.spec().access == Access::Moderator && !ctx.moderator {
        return vec![Reply::error(format!(
            "only moderators can use /{} (Manage Server on Discord, workspace admins on Slack, or the configured role)",
            command.spec().name()
        ))];
    }
    let replies = command.run(bot, ctx).await;
    bot.wake();
    replies
}

/// `Error` when any reply is an error message, else `Ok`.
fn outcome_of(replies: &[Reply]) -> CommandOutcome {
    match replies
        .iter()
        .any(|r| matches!(r.data, Some(Data::Error { .. })))
    {
        true => CommandOutcome::Error,
        false => CommandOutcome::Ok,
    }
}
