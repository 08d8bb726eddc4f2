//! Quiz rounds: starting one in a channel, recording answers, closing each question
//! when its time is up (reveal, then the next question or the round's standings),
//! and stopping a round early. Every step is stored before anyone is told about it,
//! and each close is claimed in the database: a restart resumes a round where it
//! was, and a second process never repeats a close. The posts of a close are
//! written to the outbox in the claim's transaction ([`crate::outbox`]), so a
//! process that dies after the claim loses none of them.

pub mod check;
pub mod pick;
pub mod render;

use jiff::Timestamp;

use crate::bot::{Bot, Context};
use crate::clock::{from_millis, millis};
use crate::outbox::PostKind;
use crate::reply::{AckStatus, Data, Reply};
use crate::store::{
    AnswerOutcome, NewAnswer, NewPost, NewRound, Round, RoundQuestion, RoundStatus, StoreError,
};

/// Limits and defaults of `/quiz start`.
pub const DEFAULT_QUESTIONS: usize = 5;
pub const MAX_QUESTIONS: usize = 20;
pub const DEFAULT_SECONDS: i64 = 30;
pub const MIN_SECONDS: i64 = 10;
pub const MAX_SECONDS: i64 = 600;
/// Points for a correct answer, and the most a fast one adds in a live round.
pub const POINTS: i64 = 10;
pub const SPEED_BONUS: i64 = 5;

/// What `/quiz start` asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StartOptions {
    pub topic: Option<String>,
    pub questions: usize,
    pub seconds: i64,
}

/// The reply when the database does not answer.
pub fn unavailable() -> Reply {
    Reply::error("the quiz database is not answering right now: try again shortly")
}

/// The reply to a store failure: busy channel, a database that is not answering
/// (logged as a warning), or anything else (logged as an error).
pub fn store_error(e: StoreError) -> Reply {
    match e {
        StoreError::ChannelBusy => {
            Reply::error("a round is already running here: answer it, or /quiz stop it")
        }
        StoreError::Unavailable(_) => {
            tracing::warn!("{e}");
            unavailable()
        }
        StoreError::Failed(_) => {
            tracing::error!("{e}");
            Reply::error("something went wrong with the quiz database: try again shortly")
        }
    }
}

/// `/quiz start`: a live round in the context's channel; replies with its first question.
pub async fn start(bot: &Bot, ctx: &Context, options: &StartOptions) -> Vec<Reply> {
    match try_start(bot, ctx, options).await {
        Ok(reply) => vec![reply],
        Err(e) => vec![store_error(e)],
    }
}

async fn try_start(bot: &Bot, ctx: &Context, options: &StartOptions) -> Result<Reply, StoreError> {
    if let Some(topic) = &options.topic {
        if !bot.bank().has_topic(topic) {
            return Ok(crate::commands::topics::unknown_topic(bot, topic));
        }
        let seconds = options.seconds;
        if let Some(reply) = too_small(bot, topic, options.questions, |n| {
            format!("/quiz start {topic} {n} {seconds}")
        }) {
            return Ok(reply);
        }
    }
    if bot
        .store()
        .open_round(&ctx.guild, &ctx.channel)
        .await?
        .is_some()
    {
        return Err(StoreError::ChannelBusy);
    }
    // A live round ends at the latest after every question's time.
    let ends =
        bot.now() + jiff::SignedDuration::from_secs(options.seconds * options.questions as i64);
    if let Some((schedule, due)) =
        crate::schedule::due_before(bot, &ctx.guild, &ctx.channel, ends).await?
    {
        let zone = jiff::tz::TimeZone::get(&schedule.zone).unwrap_or(jiff::tz::TimeZone::UTC);
        let fits = (due.duration_since(bot.now()).as_secs() / options.seconds.max(1)).max(0);
        let shorter = match fits {
            0 => "start one after it".to_string(),
            n => format!(
                "start one of at most {} before it",
                schedule_plural(n, "question")
            ),
        };
        return Ok(Reply::error(format!(
            "the daily quiz of schedule {} starts at {}, before this round would end: {shorter}",
            schedule.id,
            render::when(due, &zone, "%H:%M %Z"),
        )));
    }
    let now = millis(bot.now());
    let plan = RoundPlan {
        guild: &ctx.guild,
        channel: &ctx.channel,
        topic: options.topic.as_deref(),
        questions: options.questions,
        starter: &ctx.user,
        kind: "live",
        seconds: options.seconds,
        opens_at: now,
        closes_at: now + options.seconds * 1000,
        zone: None,
    };
    let Some(new) = prepare(bot, &plan).await? else {
        return Ok(Reply::error("the bank has no questions for a round"));
    };
    bot.store().create_round(&new, now).await?;
    let mut reply = render::question(bot, &new.round, &new.questions[0], ctx.platform);
    if let Some(note) = borrowed_note(bot, options.topic.as_deref()) {
        reply.text = format!("{note}\n\n{}", reply.text);
    }
    Ok(reply)
}

use crate::commands::schedule::plural as schedule_plural;

/// When `topic` has fewer questions than a round of `asked`: a reply saying so
/// that offers the largest round it can give (`command(n)` spells it).
pub fn too_small(
    bot: &Bot,
    topic: &str,
    asked: usize,
    command: impl Fn(usize) -> String,
) -> Option<Reply> {
    let has = bot
        .bank()
        .questions()
        .iter()
        .filter(|q| q.topic == topic)
        .count();
    (has < asked).then(|| {
        Reply::error(format!(
            "the {topic} topic has only {}, fewer than the {asked} asked: {} runs the largest round it can give",
            schedule_plural(has as i64, "question"),
            command(has)
        ))
    })
}

/// A note when `topic` has too few answers for wrong options of its own, so
/// they come from the closest topics too.
pub fn borrowed_note(bot: &Bot, topic: Option<&str>) -> Option<String> {
    let topic = topic?;
    let has = bot
        .bank()
        .questions()
        .iter()
        .filter(|q| q.topic == topic)
        .count();
    (has < pick::LETTERS.len()).then(|| {
        format!(
            "(The {topic} topic has too few answers for four options of its own: some wrong options come from the closest topics by meaning.)"
        )
    })
}

/// What a new round should be.
pub struct RoundPlan<'a> {
    pub guild: &'a str,
    pub channel: &'a str,
    pub topic: Option<&'a str>,
    pub questions: usize,
    pub starter: &'a str,
    pub kind: &'a str,
    pub seconds: i64,
    pub opens_at: i64,
    pub closes_at: i64,
    pub zone: Option<&'a str>,
}

/// Picks a round's questions (unseen in the channel first) and their options;
/// `None` when the pool is empty. Forgets the channel's seen questions when its
/// pool is used up. Entries reported as having two right answers by enough
/// people are neither asked nor options.
pub async fn prepare(bot: &Bot, plan: &RoundPlan<'_>) -> Result<Option<NewRound>, StoreError> {
    let store = bot.store();
    let library = bot.library();
    let left_out: std::collections::HashSet<String> = store
        .reported_out(plan.guild, crate::commands::quiz_report::OUT_OF_ROTATION)
        .await?
        .into_iter()
        .collect();
    let pool: Vec<_> = library
        .bank
        .questions()
        .iter()
        .filter(|q| plan.topic.is_none_or(|t| q.topic == t))
        .filter(|q| !left_out.contains(&q.id))
        .collect();
    if pool.is_empty() {
        return Ok(None);
    }
    let mut rng = fastrand::Rng::new();
    let seen = store.seen_questions(plan.guild, plan.channel).await?;
    let count = plan.questions.min(pool.len());
    let (chosen, forget) = pick::questions(&pool, &seen, count, &mut rng);
    if !forget.is_empty() {
        store.forget_seen(plan.guild, plan.channel, &forget).await?;
    }
    let questions: Vec<RoundQuestion> = chosen
        .iter()
        .enumerate()
        .map(|(i, q)| {
            let options =
                pick::options_without(q, &library.bank, &library.searcher, &left_out, &mut rng);
            RoundQuestion {
                position: i as i64,
                question_id: q.id.clone(),
                topic: q.topic.clone(),
                choices: options.labels,
                correct: options.correct,
            }
        })
        .collect();
    let round = Round {
        id: format!("{:016x}", rng.u64(..)),
        guild: plan.guild.to_string(),
        channel: plan.channel.to_string(),
        topic: plan.topic.map(str::to_string),
        starter: plan.starter.to_string(),
        kind: plan.kind.to_string(),
        seconds: plan.seconds,
        question_count: questions.len() as i64,
        position: 0,
        opened_at: plan.opens_at,
        closes_at: plan.closes_at,
        status: RoundStatus::Open,
        created_at: plan.opens_at,
        zone: plan.zone.map(str::to_string),
    };
    Ok(Some(NewRound { round, questions }))
}

/// An answer to question `question` (1-based; the open one when `None`) of the
/// channel's round.
pub async fn answer(
    bot: &Bot,
    ctx: &Context,
    choice: &str,
    question: Option<i64>,
    round: Option<&str>,
) -> Reply {
    match try_answer(bot, ctx, choice, question, round).await {
        Ok(reply) => reply,
        Err(e) => store_error(e),
    }
}

async fn try_answer(
    bot: &Bot,
    ctx: &Context,
    choice: &str,
    number: Option<i64>,
    round_id: Option<&str>,
) -> Result<Reply, StoreError> {
    let choice = choice.trim().to_ascii_uppercase();
    if !pick::LETTERS.contains(&choice.as_str()) {
        return Ok(Reply::error(
            "answer with a letter from A to D, for example /answer B",
        ));
    }
    let store = bot.store();
    let open = store.open_round(&ctx.guild, &ctx.channel).await?;
    let Some(round) = open.filter(|r| round_id.is_none_or(|id| id == r.id)) else {
        if let (Some(id), Some(position)) = (round_id, number) {
            return Ok(Reply::private("too late: that round has ended").with_data(
                Data::AnswerAck {
                    round: id.to_string(),
                    position,
                    choice,
                    status: AckStatus::Closed,
                },
            ));
        }
        return Ok(Reply::error(
            "no round is running here: /quiz start begins one",
        ));
    };
    let now = millis(bot.now());
    let daily = round.kind == DAILY;
    if daily && number.is_none() && round.question_count > 1 {
        return Ok(Reply::error(format!(
            "today's round has {} questions: answer one by number, for example /answer 2 B",
            round.question_count
        )));
    }
    let position = number.map_or(round.position, |n| n - 1);
    let Some(question) = store.round_question(&round.id, position).await? else {
        return Ok(Reply::error(format!(
            "this round has questions 1 to {}",
            round.question_count
        )));
    };
    let correct = question.correct == choice;
    let points = match (correct, daily) {
        (false, _) => 0,
        (true, true) => POINTS,
        (true, false) => POINTS + speed_bonus(&round, now),
    };
    let outcome = store
        .record_answer(&NewAnswer {
            round_id: round.id.clone(),
            position,
            user_id: ctx.user.clone(),
            user_name: ctx.user.clone(),
            question_id: question.question_id.clone(),
            topic: question.topic.clone(),
            choice: choice.clone(),
            correct,
            points,
            answered_at: now,
        })
        .await?;
    let (status, text) = match &outcome {
        AnswerOutcome::Recorded => (
            AckStatus::Recorded,
            format!("recorded: {choice} for question {}", position + 1),
        ),
        AnswerOutcome::AlreadyAnswered { choice: first } => (
            AckStatus::AlreadyAnswered,
            format!("you already answered {first}; the first answer counts"),
        ),
        AnswerOutcome::Closed => (
            AckStatus::Closed,
            if position > round.position {
                format!("question {} has not opened yet", position + 1)
            } else {
                format!("too late: question {} has closed", position + 1)
            },
        ),
    };
    // The choice that counts: the first one when this was a repeat.
    let counted = match outcome {
        AnswerOutcome::AlreadyAnswered { choice: first } => first,
        _ => choice,
    };
    Ok(Reply::private(text).with_data(Data::AnswerAck {
        round: round.id,
        position: position + 1,
        choice: counted,
        status,
    }))
}

/// Extra points for answering early: up to [`SPEED_BONUS`], none at the close.
fn speed_bonus(round: &Round, now: i64) -> i64 {
    let total = (round.closes_at - round.opened_at).max(1);
    let left = (round.closes_at - now).clamp(0, total);
    (SPEED_BONUS * left + total / 2) / total
}

/// `/quiz stop`: ends the channel's round (its starter or a moderator).
pub async fn stop(bot: &Bot, ctx: &Context) -> Vec<Reply> {
    match try_stop(bot, ctx).await {
        Ok(replies) => replies,
        Err(e) => vec![store_error(e)],
    }
}

async fn try_stop(bot: &Bot, ctx: &Context) -> Result<Vec<Reply>, StoreError> {
    let store = bot.store();
    let Some(round) = store.open_round(&ctx.guild, &ctx.channel).await? else {
        return Ok(vec![Reply::error("no round is running here")]);
    };
    if round.starter != ctx.user && !ctx.moderator {
        return Ok(vec![Reply::error(format!(
            "only {} (who started it) or a moderator can stop this round",
            round.starter
        ))]);
    }
    let now = millis(bot.now());
    let stopped = Round {
        status: RoundStatus::Stopped,
        closes_at: now,
        ..round.clone()
    };
    let posts = close_posts(&round, true, None, now);
    if !store
        .advance_round_posting(&round, &stopped, &posts, now)
        .await?
    {
        return Ok(vec![Reply::error(
            "that round has just moved on: try again",
        )]);
    }
    Ok(vec![Reply::public(format!(
        "{} stopped the round: the answers and standings follow",
        ctx.user
    ))])
}

/// Closes every question that is due at `now`: each close is claimed in the
/// database together with its posts (reveal, then the next question or the
/// standings), so exactly one process writes them. A live round moves to its
/// next question; a daily round closes all its questions at once. Returns how
/// many closes this call claimed.
pub async fn tick(bot: &Bot, now: Timestamp) -> Result<usize, StoreError> {
    let store = bot.store();
    let at = millis(now);
    let mut claimed = 0;
    for round in store.due_rounds(at).await? {
        let daily = round.kind == DAILY;
        let last = daily || round.position + 1 >= round.question_count;
        let next = if last {
            Round {
                status: RoundStatus::Finished,
                ..round.clone()
            }
        } else {
            Round {
                position: round.position + 1,
                opened_at: at,
                closes_at: at + round.seconds * 1000,
                ..round.clone()
            }
        };
        let posts = close_posts(&round, false, (!last).then_some(&next), at);
        if store
            .advance_round_posting(&round, &next, &posts, at)
            .await?
        {
            claimed += 1;
        }
    }
    Ok(claimed)
}

/// The kind of a round posted by a schedule, all questions at once.
pub const DAILY: &str = "daily";

/// The posts of a close: reveals of the round's open questions, the next
/// question if the round goes on, else the standings (and for a daily round
/// the day's leaderboard).
fn close_posts(round: &Round, stopped: bool, next: Option<&Round>, at: i64) -> Vec<NewPost> {
    let daily = round.kind == DAILY;
    let positions = if daily {
        0..round.question_count
    } else {
        round.position..round.position + 1
    };
    let mut kinds: Vec<PostKind> = positions
        .map(|position| PostKind::Reveal {
            round: round.id.clone(),
            position,
        })
        .collect();
    match next {
        Some(next) => kinds.push(PostKind::Question {
            round: next.id.clone(),
            position: next.position,
            closes_at: next.closes_at,
        }),
        None => {
            kinds.push(PostKind::Standings {
                round: round.id.clone(),
                stopped,
            });
            if daily {
                kinds.push(PostKind::DayBoard {
                    round: round.id.clone(),
                });
            }
        }
    }
    kinds
        .iter()
        .map(|kind| kind.to_post(&round.guild, &round.channel, at))
        .collect()
}

/// When the next question closes, for the scheduler's sleep.
pub async fn next_due(bot: &Bot) -> Result<Option<Timestamp>, StoreError> {
    Ok(bot.store().next_due().await?.map(from_millis))
}
