//! The router: turns a [`Command`] into a call of its handler (like
//! mini-redis's `Command::apply`), after the command table's permission check,
//! and measures it. Search commands run on the bot's CPU pool, never on the
//! async runtime's threads. Adapters call [`handle`] or [`handle_line`].

use std::sync::Arc;
use std::time::Instant;

use tracing::Instrument as _;

use super::spec::Access;
use super::{
    Command, ask, feedback, help, leaderboard, practice, question, quiz, quiz_report, schedule,
    topics, unanswered,
};
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
    let replies = match command {
        Command::Ask { .. } | Command::Next | Command::Show { .. } => {
            let asked = matches!(command, Command::Ask { .. });
            let reply = on_cpu(bot, ctx, command).await;
            after_search(bot, ctx, &reply, asked).await;
            vec![reply]
        }
        Command::Unanswered { span } => vec![unanswered::unanswered(bot, ctx, span).await],
        Command::Feedback { up, reason, entry } => {
            vec![feedback::feedback(bot, ctx, up, reason.as_deref(), entry.as_deref()).await]
        }
        Command::Reports => vec![feedback::reports(bot, ctx).await],
        Command::FeedbackReason { entry, reason } => {
            vec![feedback::reason(bot, ctx, &entry, reason.as_deref()).await]
        }
        Command::QuizReport {
            question,
            note,
            entry,
        } => vec![quiz_report::report(bot, ctx, question, note.as_deref(), entry.as_deref()).await],
        Command::QuizRestore { id } => vec![quiz_report::restore(bot, ctx, &id).await],
        Command::QuestionRandom { topic } => {
            vec![question::random(bot, ctx, topic.as_deref())]
        }
        // Your practice card if one is showing, else the channel's card.
        Command::Reveal => match practice::showing(bot, ctx) {
            Some(_) => practice::handle(bot, ctx, practice::Request::Reveal { card: None }).await,
            None => vec![question::reveal(bot, ctx)],
        },
        Command::Practice(request) => practice::handle(bot, ctx, request).await,
        Command::Topics => vec![topics::topics(bot)],
        Command::Help => vec![help::help(ctx.platform, ctx.platform.help_extras())],
        Command::QuizStart(options) => quiz::start(bot, ctx, &options).await,
        Command::QuizStop => quiz::stop(bot, ctx).await,
        Command::Answer {
            choice,
            question,
            round,
        } => vec![quiz::answer(bot, ctx, &choice, question, round.as_deref()).await],
        Command::Leaderboard { span, topic } => {
            vec![leaderboard::leaderboard(bot, ctx, span, topic.as_deref()).await]
        }
        Command::Stats { user } => vec![leaderboard::stats(bot, ctx, user.as_deref()).await],
        Command::Schedule(options) => vec![schedule::schedule(bot, ctx, &options).await],
        Command::Unschedule { id } => {
            vec![schedule::unschedule(bot, ctx, id.as_deref()).await]
        }
        Command::Schedules => vec![schedule::list(bot, ctx).await],
    };
    bot.wake();
    replies
}

/// Remembers the answer shown (for `/feedback`), or records a query the
/// bank had no entry for (for `/unanswered`), expiring old ones. An
/// `/ask` (`asked`) also sets which entry was shown first for its query.
async fn after_search(bot: &Bot, ctx: &Context, reply: &Reply, asked: bool) {
    if asked {
        bot.forget_first(ctx);
    }
    match &reply.data {
        Some(Data::Answer { card, query, .. }) => bot.remember_answer(ctx, &card.id, query, asked),
        Some(Data::NotInBank { query, .. }) => {
            let now = crate::clock::millis(bot.now());
            let store = bot.store();
            let recorded = store
                .record_unanswered(&ctx.guild, &ctx.user, query, now)
                .await;
            if let Err(e) = recorded {
                tracing::error!("an unanswered question was not recorded: {e}");
            }
            if let Err(e) = store
                .expire_unanswered(now - bot.keep_unanswered_ms())
                .await
            {
                tracing::warn!("cannot expire old unanswered questions: {e}");
            }
        }
        _ => {}
    }
}

/// Runs a search command on the CPU pool, never on the runtime's threads. Its
/// query is embedded first, in a batch with the other searches' waiting
/// ([`ask::query_vector`]), and the search job takes the vector.
async fn on_cpu(bot: &Arc<Bot>, ctx: &Context, command: Command) -> Reply {
    let vector = ask::query_vector(bot, ctx, &command).await;
    let pool = bot.cpu();
    let bot = bot.clone();
    let ctx = ctx.clone();
    let work = pool.run(move || match command {
        Command::Ask { text, topic } => {
            ask::ask(&bot, &ctx, &text, topic.as_deref(), vector.as_ref())
        }
        Command::Next => ask::next(&bot, &ctx, vector.as_ref()),
        Command::Show { id } => ask::show(&bot, &id),
        other => Reply::error(format!("/{} is not a search", other.spec().name())),
    });
    match work.await {
        Ok(reply) => reply,
        Err(e) => {
            tracing::error!("a search failed: {e}");
            Reply::error("search is not available right now: try again shortly")
        }
    }
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
