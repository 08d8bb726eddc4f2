//! Quiz rounds: starting one in a channel, recording answers, closing each question
//! when its time is up (reveal, then the next question or the round's standings),
//! and stopping a round early. Every step is stored before anyone is told about it,
//! and each close is claimed in the database: a restart resumes a round where it
//! was, and a second process never repeats a close. The posts of a close are
//! written to the outbox in the claim's transaction ([`crate::outbox`]), so a
//! process that dies after the claim loses none of them.
//!
//! A domain service: it is given a store, the library and the time, and
//! answers with typed outcomes ([`Started`], [`Answered`]) or a [`QuizError`];
//! what people read is written in `crate::render`.

pub mod check;
pub mod pick;

use jiff::Timestamp;

use crate::clock::{from_millis, millis};
use crate::library::Entries;
use crate::outbox::PostKind;
use crate::store::{
    AnswerOutcome, NewAnswer, NewPost, NewRound, Round, RoundQuestion, RoundStatus, Store,
    StoreError,
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

/// Reported by this many people of a server, an entry leaves quiz rotation
/// there: never asked, never a wrong option, until a moderator restores it.
pub const OUT_OF_ROTATION: i64 = 3;

/// Why a quiz step did not happen; nothing was changed.
#[derive(Debug, thiserror::Error)]
pub enum QuizError {
    #[error("no topic `{0}`")]
    UnknownTopic(String),
    /// The topic has `has` questions, fewer than the `asked` of the round.
    #[error("the {topic} topic has only {has} questions, fewer than {asked}")]
    TooSmall {
        topic: String,
        has: usize,
        asked: usize,
    },
    #[error("a round is already running here")]
    Busy,
    #[error("the bank has no questions for a round")]
    EmptyPool,
    #[error("an answer is a letter from A to D")]
    BadLetter,
    #[error("no round is running here")]
    NoRound,
    /// A daily round's questions are all open: an answer names its question.
    #[error("the round has {questions} questions: answer one by number")]
    NeedsNumber { questions: i64 },
    #[error("the round has questions 1 to {questions}")]
    NoSuchQuestion { questions: i64 },
    #[error("only {starter} or a moderator can stop this round")]
    NotStarter { starter: String },
    /// The round closed a question while the step was being taken.
    #[error("the round has just moved on")]
    MovedOn,
    #[error(transparent)]
    Store(StoreError),
}

impl From<StoreError> for QuizError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::ChannelBusy => QuizError::Busy,
            other => QuizError::Store(other),
        }
    }
}

/// A live round that started: the round and its first question; `borrowed`
/// when its topic is too small for wrong options of its own.
#[derive(Debug, Clone)]
pub struct Started {
    pub round: Round,
    pub first: RoundQuestion,
    pub borrowed: bool,
}

/// What became of an answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Answered {
    /// Stored: `choice` counts for question `position` (from 1).
    Recorded {
        round: String,
        position: i64,
        choice: String,
        /// The bank entry the question asks, and whether `choice` was right
        /// (told at the close; practice queues a missed one).
        entry: String,
        correct: bool,
    },
    /// This person had answered already: `first` is the choice that counts.
    AlreadyAnswered {
        round: String,
        position: i64,
        first: String,
    },
    /// The question has closed, or (`not_open_yet`) not opened yet.
    Closed {
        round: String,
        position: i64,
        choice: String,
        not_open_yet: bool,
    },
    /// A button of a round that is no longer running.
    RoundEnded {
        round: String,
        position: i64,
        choice: String,
    },
}

/// How many questions `topic` has, the server's own included.
pub fn topic_size(entries: &Entries, topic: &str) -> usize {
    entries.questions().filter(|q| q.topic == topic).count()
}

/// Whether a round of `asked` questions of `topic` can be given: the topic
/// exists and has that many.
pub fn check_topic(entries: &Entries, topic: &str, asked: usize) -> Result<(), QuizError> {
    if !entries.has_topic(topic) {
        return Err(QuizError::UnknownTopic(topic.to_string()));
    }
    let has = topic_size(entries, topic);
    match has < asked {
        true => Err(QuizError::TooSmall {
            topic: topic.to_string(),
            has,
            asked,
        }),
        false => Ok(()),
    }
}

/// Whether `topic` has too few answers for four options of its own, so wrong
/// options come from the closest topics too.
pub fn borrows_options(entries: &Entries, topic: Option<&str>) -> bool {
    topic.is_some_and(|topic| topic_size(entries, topic) < pick::LETTERS.len())
}

/// The checks before a live round in `channel`: its topic can give the round
/// and no round is running there.
pub async fn check_start(
    store: &Store,
    entries: &Entries,
    guild: &str,
    channel: &str,
    options: &StartOptions,
) -> Result<(), QuizError> {
    if let Some(topic) = &options.topic {
        check_topic(entries, topic, options.questions)?;
    }
    match store.open_round(guild, channel).await? {
        Some(_) => Err(QuizError::Busy),
        None => Ok(()),
    }
}

/// When a live round started at `now` ends at the latest: after every
/// question's time.
pub fn live_round_end(options: &StartOptions, now: Timestamp) -> Timestamp {
    now + jiff::SignedDuration::from_secs(options.seconds * options.questions as i64)
}

/// Starts a live round in `channel`, started by `user` at `now` (after
/// [`check_start`]), on what `entries` (the server's) shows.
pub async fn start(
    store: &Store,
    entries: &Entries,
    guild: &str,
    channel: &str,
    user: &str,
    options: &StartOptions,
    now: Timestamp,
) -> Result<Started, QuizError> {
    let now = millis(now);
    let plan = RoundPlan {
        guild,
        channel,
        topic: options.topic.as_deref(),
        questions: options.questions,
        starter: user,
        kind: "live",
        seconds: options.seconds,
        opens_at: now,
        closes_at: now + options.seconds * 1000,
        zone: None,
    };
    let Some(new) = prepare(store, entries, &plan).await? else {
        return Err(QuizError::EmptyPool);
    };
    store.create_round(&new, now).await?;
    let borrowed = borrows_options(entries, options.topic.as_deref());
    let NewRound { round, questions } = new;
    let first = questions.into_iter().next().ok_or(QuizError::EmptyPool)?;
    Ok(Started {
        round,
        first,
        borrowed,
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

/// Picks a round's questions (unseen in the channel first) and their options
/// from what `entries` shows (the shipped bank and the server's own entries);
/// `None` when the pool is empty. Forgets the channel's seen questions when its
/// pool is used up. Entries reported as having two right answers by enough
/// people are neither asked nor options.
pub async fn prepare(
    store: &Store,
    entries: &Entries,
    plan: &RoundPlan<'_>,
) -> Result<Option<NewRound>, StoreError> {
    let left_out: std::collections::HashSet<String> = store
        .reported_out(plan.guild, OUT_OF_ROTATION)
        .await?
        .into_iter()
        .collect();
    let pool: Vec<_> = entries
        .questions()
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
            let options = match entries.is_team(&q.id) {
                true => pick::team_options(q, entries, &left_out, &mut rng),
                false => pick::options_without(
                    q,
                    entries.bank(),
                    entries.searcher(),
                    &left_out,
                    &mut rng,
                ),
            };
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

/// `user`'s answer `choice` to question `number` (from 1; the open one when
/// `None`) of the round running in `channel`; with `round_id` (a button) only
/// that round counts.
#[allow(clippy::too_many_arguments)]
pub async fn answer(
    store: &Store,
    guild: &str,
    channel: &str,
    user: &str,
    choice: &str,
    number: Option<i64>,
    round_id: Option<&str>,
    now: Timestamp,
) -> Result<Answered, QuizError> {
    let choice = choice.trim().to_ascii_uppercase();
    if !pick::LETTERS.contains(&choice.as_str()) {
        return Err(QuizError::BadLetter);
    }
    let open = store.open_round(guild, channel).await?;
    let Some(round) = open.filter(|r| round_id.is_none_or(|id| id == r.id)) else {
        if let (Some(id), Some(position)) = (round_id, number) {
            return Ok(Answered::RoundEnded {
                round: id.to_string(),
                position,
                choice,
            });
        }
        return Err(QuizError::NoRound);
    };
    let now = millis(now);
    let daily = round.kind == DAILY;
    if daily && number.is_none() && round.question_count > 1 {
        return Err(QuizError::NeedsNumber {
            questions: round.question_count,
        });
    }
    let position = number.map_or(round.position, |n| n - 1);
    let Some(question) = store.round_question(&round.id, position).await? else {
        return Err(QuizError::NoSuchQuestion {
            questions: round.question_count,
        });
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
            user_id: user.to_string(),
            user_name: user.to_string(),
            question_id: question.question_id.clone(),
            topic: question.topic.clone(),
            choice: choice.clone(),
            correct,
            points,
            answered_at: now,
        })
        .await?;
    let round_id = round.id.clone();
    let position = position + 1;
    Ok(match outcome {
        AnswerOutcome::Recorded => Answered::Recorded {
            round: round_id,
            position,
            choice,
            entry: question.question_id.clone(),
            correct,
        },
        AnswerOutcome::AlreadyAnswered { choice: first } => Answered::AlreadyAnswered {
            round: round_id,
            position,
            first,
        },
        AnswerOutcome::Closed => Answered::Closed {
            round: round_id,
            not_open_yet: position - 1 > round.position,
            position,
            choice,
        },
    })
}

/// Extra points for answering early: up to [`SPEED_BONUS`], none at the close.
fn speed_bonus(round: &Round, now: i64) -> i64 {
    let total = (round.closes_at - round.opened_at).max(1);
    let left = (round.closes_at - now).clamp(0, total);
    (SPEED_BONUS * left + total / 2) / total
}

/// Ends the round running in `channel` at `now`, for `user` (its starter,
/// or a `moderator`): its reveals and standings go to the outbox.
pub async fn stop(
    store: &Store,
    guild: &str,
    channel: &str,
    user: &str,
    moderator: bool,
    now: Timestamp,
) -> Result<(), QuizError> {
    let Some(round) = store.open_round(guild, channel).await? else {
        return Err(QuizError::NoRound);
    };
    if round.starter != user && !moderator {
        return Err(QuizError::NotStarter {
            starter: round.starter,
        });
    }
    let now = millis(now);
    let stopped = Round {
        status: RoundStatus::Stopped,
        closes_at: now,
        ..round.clone()
    };
    let posts = close_posts(&round, true, None, now);
    match store
        .advance_round_posting(&round, &stopped, &posts, now)
        .await?
    {
        true => Ok(()),
        false => Err(QuizError::MovedOn),
    }
}

/// Closes every question that is due at `now`: each close is claimed in the
/// database together with its posts (reveal, then the next question or the
/// standings), so exactly one process writes them. A live round moves to its
/// next question; a daily round closes all its questions at once. Returns how
/// many closes this call claimed.
pub async fn tick(store: &Store, now: Timestamp) -> Result<usize, StoreError> {
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
pub async fn next_due(store: &Store) -> Result<Option<Timestamp>, StoreError> {
    Ok(store.next_due().await?.map(from_millis))
}

#[cfg(test)]
pub(crate) mod tests;
