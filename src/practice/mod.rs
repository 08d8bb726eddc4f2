//! Personal practice with spaced repetition: which card a learner sees next,
//! what a grade does to it, their day's counts and streak, their settings and
//! reminders. Cards come back by FSRS ([`scheduler`]); a day's reviews are
//! capped (the most forgotten first, so a backlog after a holiday comes back
//! over days), new cards are limited per day, and a card's return day is the
//! least loaded of a small range, away from related cards.
//!
//! A domain service: it takes a [`Store`], the bank, the learner's rules and
//! the time, and returns typed outcomes; `commands::practice` turns them into
//! replies and `render::posts` renders the reminder.

pub mod scheduler;
#[cfg(test)]
mod tests;
mod time;

use fsrs::MemoryState;
use jiff::Timestamp;
use jiff::civil::Time;
use jiff::tz::TimeZone;

use crate::bank::{Bank, Question};
use crate::clock::{from_millis, millis};
use crate::config::PracticeSettings;
use crate::library::Entries;
use crate::outbox::PostKind;
use crate::platform::Platform;
use crate::store::{
    CardRow, GradeOutcome, LearnerRow, NewReview, PracticeCounts, Store, StoreError,
};
use scheduler::{Due, Phase, Scheduler};
pub use time::{Day, next_reminder};

/// How many practice days the streak looks back at most.
const STREAK_DAYS: i64 = 3660;
/// Cards of entries gone from the bank dropped while dealing one card, at most.
const MAX_DROPPED: usize = 20;
/// At most this many reminders are claimed per tick.
const REMINDERS_PER_TICK: i64 = 100;

/// How well a card was remembered, as FSRS numbers it (1 to 4).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Grade {
    Again = 1,
    Hard = 2,
    Good = 3,
    Easy = 4,
}

impl Grade {
    pub const ALL: [Grade; 4] = [Grade::Again, Grade::Hard, Grade::Good, Grade::Easy];

    pub fn name(self) -> &'static str {
        match self {
            Grade::Again => "again",
            Grade::Hard => "hard",
            Grade::Good => "good",
            Grade::Easy => "easy",
        }
    }

    pub fn parse(word: &str) -> Option<Grade> {
        Grade::ALL
            .into_iter()
            .find(|g| g.name().eq_ignore_ascii_case(word))
    }
}

/// Whose practice: a person on a platform. On Discord a person is the same in
/// every server and in direct messages; on Slack within one workspace.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Learner(String);

impl Learner {
    pub fn new(platform: Platform, guild: &str, user: &str) -> Learner {
        Learner(match platform {
            Platform::Discord => format!("discord/{user}"),
            Platform::Slack => format!("slack/{guild}/{user}"),
            Platform::Shell => format!("shell/{user}"),
        })
    }

    pub fn key(&self) -> &str {
        &self.0
    }
}

/// What went wrong, for `render::practice_error`.
#[derive(Debug, thiserror::Error)]
pub enum PracticeError {
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The id is not (or no longer) in the bank.
    #[error("no entry {0}")]
    UnknownEntry(String),
    /// FSRS refused the card's state (a corrupted row).
    #[error("cannot schedule the card: {0}")]
    Scheduler(String),
}

/// Where a learner stands today.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Progress {
    /// Cards still to practise today: same-day steps due, and learned cards
    /// due today up to what the daily cap leaves.
    pub due_today: i64,
    /// New cards the learner may still start today.
    pub new_left: i64,
    /// Days in a row with practice, ending today or yesterday.
    pub streak: u32,
    /// Learned cards due today beyond the daily cap (they wait).
    pub held_back: i64,
    /// Reviews of learned cards the daily cap still allows today.
    pub reviews_left: i64,
}

/// A card dealt to a learner.
#[derive(Debug, Clone, PartialEq)]
pub struct Dealt {
    pub entry: String,
    /// Its reviews so far: a grade names it, so a second grade of the same
    /// showing is told apart.
    pub reps: i64,
    pub new: bool,
    /// A new card the learner added (from `/ask` or a missed quiz question).
    pub queued: bool,
    pub progress: Progress,
}

/// What `/practice` deals.
#[derive(Debug, Clone, PartialEq)]
pub enum Deal {
    Card(Dealt),
    /// Nothing due now: when the next card is, and whether new ones may start.
    Done {
        next_due: Option<Timestamp>,
        progress: Progress,
    },
}

/// What a grade did.
#[derive(Debug, Clone, PartialEq)]
pub enum Graded {
    /// The card comes back at `due` (later today, or on a day).
    Recorded { due: Timestamp, same_day: bool },
    /// This showing was graded already; nothing changed.
    AlreadyGraded,
}

/// A learner's practice for `/stats`.
#[derive(Debug, Clone, PartialEq)]
pub struct PracticeStats {
    pub learned: i64,
    pub due_today: i64,
    /// Share of learned cards remembered over the last 30 days, if any came back.
    pub retention: Option<f32>,
    pub reviews_30d: i64,
    pub streak: u32,
}

/// A learner's settings as they are now.
#[derive(Debug, Clone, PartialEq)]
pub struct Settings {
    pub quiz_cards: bool,
    pub zone: TimeZone,
    pub remind_at: Option<Time>,
    pub next_reminder: Option<Timestamp>,
}

/// What a deck needs of the entries where its learner practises.
pub trait Source: Sync {
    /// Entries new cards come from, and cards may be added for.
    fn offered(&self) -> Box<dyn Iterator<Item = &Question> + '_>;
    /// The entry `id` if it is offered here.
    fn offers(&self, id: &str) -> Option<&Question>;
    /// The entry of a card the learner has: an offered one, or (a server's
    /// own entry, see [`Entries::card`]) one they added elsewhere. `None`
    /// when it has left the bank.
    fn card(&self, id: &str) -> Option<&Question>;
}

/// A bank offers its own entries.
impl Source for Bank {
    fn offered(&self) -> Box<dyn Iterator<Item = &Question> + '_> {
        Box::new(self.questions().iter())
    }

    fn offers(&self, id: &str) -> Option<&Question> {
        self.get(id)
    }

    fn card(&self, id: &str) -> Option<&Question> {
        self.get(id)
    }
}

/// A server offers the shipped bank and its own entries.
impl Source for Entries {
    fn offered(&self) -> Box<dyn Iterator<Item = &Question> + '_> {
        Box::new(self.questions())
    }

    fn offers(&self, id: &str) -> Option<&Question> {
        self.get(id)
    }

    fn card(&self, id: &str) -> Option<&Question> {
        Entries::card(self, id)
    }
}

/// One learner's practice, under the bot's rules.
pub struct Deck<'a> {
    pub store: &'a Store,
    pub bank: &'a dyn Source,
    pub rules: PracticeSettings,
    pub learner: &'a Learner,
}

impl Deck<'_> {
    /// The next card: a same-day step due now, else the most forgotten
    /// learned card due today (within the daily cap), else, when `new` is
    /// asked for and today's allowance is not used up, a card added from a
    /// quiz or `/ask`, then one of the bank's not seen yet. `topic` limits
    /// all of them.
    ///
    /// A card whose entry has left the bank is dropped on the way (its grades
    /// stay in the log) and the next one dealt.
    pub async fn deal(
        &self,
        topic: Option<&str>,
        new: bool,
        now: Timestamp,
    ) -> Result<Deal, PracticeError> {
        for _ in 0..MAX_DROPPED {
            let deal = self.deal_once(topic, new, now).await?;
            match &deal {
                Deal::Card(dealt) if self.bank.card(&dealt.entry).is_none() => {
                    tracing::info!(entry = %dealt.entry, "a practice card left the bank: dropped");
                    self.store
                        .practice_drop(self.learner.key(), &dealt.entry)
                        .await?;
                }
                _ => return Ok(deal),
            }
        }
        self.deal_once(topic, new, now).await
    }

    async fn deal_once(
        &self,
        topic: Option<&str>,
        new: bool,
        now: Timestamp,
    ) -> Result<Deal, PracticeError> {
        let key = self.learner.key();
        let (day, progress) = self.progress(now).await?;
        let now_ms = millis(now);
        let mut card = self
            .store
            .practice_next_learning(key, now_ms, topic)
            .await?;
        if card.is_none() && progress.reviews_left > 0 {
            card = self
                .store
                .practice_next_review(key, day.end_ms(), now_ms, topic)
                .await?;
        }
        let mut queued = false;
        if card.is_none() && new && progress.new_left > 0 {
            card = self.store.practice_next_queued(key, topic).await?;
            queued = card.is_some();
            if card.is_none() {
                card = self.unseen(topic).await?;
            }
        }
        Ok(match card {
            Some(card) => Deal::Card(Dealt {
                new: card.reps == 0,
                queued,
                entry: card.entry,
                reps: card.reps,
                progress,
            }),
            None => Deal::Done {
                next_due: self
                    .store
                    .practice_next_due_after(key, now_ms)
                    .await?
                    .map(from_millis),
                progress,
            },
        })
    }

    /// The first entry of the bank (of `topic`) the learner has no card for,
    /// in an order of their own (so two people do not start alike).
    async fn unseen(&self, topic: Option<&str>) -> Result<Option<CardRow>, PracticeError> {
        let key = self.learner.key();
        let have: std::collections::HashSet<String> = self
            .store
            .practice_entries(key)
            .await?
            .into_iter()
            .collect();
        let order = |id: &str| {
            use std::hash::{Hash, Hasher};
            let mut hasher = std::collections::hash_map::DefaultHasher::new();
            (key, id).hash(&mut hasher);
            hasher.finish()
        };
        Ok(self
            .bank
            .offered()
            .filter(|q| topic.is_none_or(|t| q.topic == t) && !have.contains(&q.id))
            .min_by_key(|q| order(&q.id))
            .map(|q| new_card(&q.id, &q.topic, 0)))
    }

    /// Grades the card `entry` as shown after `reps` reviews (`None`: as it
    /// is now). `related` are entries not to come back on the same day.
    pub async fn grade(
        &self,
        entry: &str,
        reps: Option<i64>,
        grade: Grade,
        related: &[String],
        now: Timestamp,
    ) -> Result<Graded, PracticeError> {
        let key = self.learner.key();
        let question = self
            .bank
            .card(entry)
            .ok_or_else(|| PracticeError::UnknownEntry(entry.to_string()))?;
        let card = match self.store.practice_card(key, entry).await? {
            Some(card) => card,
            None => new_card(entry, &question.topic, millis(now)),
        };
        if reps.is_some_and(|shown| shown != card.reps) {
            return Ok(Graded::AlreadyGraded);
        }
        let zone = self.zone().await?;
        let day = Day::of(now, &zone);
        let phase = Phase::of(card.reps, card.lapses, card.step);
        let memory = match (card.stability, card.difficulty) {
            (Some(stability), Some(difficulty)) => Some(MemoryState {
                stability: stability as f32,
                difficulty: difficulty as f32,
            }),
            _ => None,
        };
        let elapsed_days = card
            .last_review_at
            .map(|at| day.days_since(from_millis(at)))
            .unwrap_or(0);
        let plan = Scheduler::new(self.rules.desired_retention)
            .plan(phase, memory, card.lapses, elapsed_days, grade)
            .map_err(|e| PracticeError::Scheduler(e.to_string()))?;
        let (due, same_day) = match plan.due {
            Due::After(step) => (now + step, true),
            Due::Days {
                ideal,
                earliest,
                latest,
            } => {
                let from = day.plus(earliest as i64);
                let to = day.plus(latest as i64 + 1);
                let due = self
                    .store
                    .practice_due_between(key, from.start_ms(), to.start_ms())
                    .await?;
                let offset = |at: i64| day.days_to(from_millis(at));
                let chosen = scheduler::pick_day(
                    ideal,
                    earliest,
                    latest,
                    |d| due.iter().filter(|(_, at)| offset(*at) == d).count(),
                    |d| {
                        due.iter()
                            .any(|(id, at)| offset(*at) == d && related.contains(id))
                    },
                );
                (from_millis(day.plus(chosen as i64).start_ms()), false)
            }
        };
        let after = CardRow {
            stability: Some(f64::from(plan.memory.stability)),
            difficulty: Some(f64::from(plan.memory.difficulty)),
            due_at: Some(millis(due)),
            last_review_at: Some(millis(now)),
            reps: card.reps + 1,
            lapses: plan.lapses,
            step: plan.step,
            ..card.clone()
        };
        let review = NewReview {
            learner: key.to_string(),
            grade: grade as i64,
            kind: phase.kind(),
            reviewed_at: millis(now),
            day: day.name(),
            elapsed_ms: card.last_review_at.map_or(0, |at| millis(now) - at),
            after,
        };
        Ok(match self.store.practice_grade(&review).await? {
            GradeOutcome::Recorded => Graded::Recorded { due, same_day },
            GradeOutcome::AlreadyGraded => Graded::AlreadyGraded,
        })
    }

    /// Adds `entry` to start later (from `/ask` or a missed quiz question);
    /// false when the learner has it already.
    pub async fn add(&self, entry: &str, now: Timestamp) -> Result<bool, PracticeError> {
        let question = self
            .bank
            .offers(entry)
            .ok_or_else(|| PracticeError::UnknownEntry(entry.to_string()))?;
        Ok(self
            .store
            .practice_add(self.learner.key(), entry, &question.topic, millis(now))
            .await?)
    }

    /// Today's counts and streak, in the learner's zone.
    pub async fn progress(&self, now: Timestamp) -> Result<(Day, Progress), PracticeError> {
        let key = self.learner.key();
        let zone = self.zone().await?;
        let day = Day::of(now, &zone);
        let counts = self
            .store
            .practice_counts(key, &day.name(), millis(now), day.end_ms())
            .await?;
        let streak = self.streak(&day).await?;
        Ok((day, progress_of(&counts, &self.rules, streak)))
    }

    async fn streak(&self, day: &Day) -> Result<u32, PracticeError> {
        let days = self
            .store
            .practice_days(self.learner.key(), STREAK_DAYS)
            .await?;
        Ok(time::streak(day, &days))
    }

    /// Cards learned, due today, recall over 30 days and the streak.
    pub async fn stats(&self, now: Timestamp) -> Result<PracticeStats, PracticeError> {
        let (_, progress) = self.progress(now).await?;
        let key = self.learner.key();
        let (learned, _) = self.store.practice_totals(key).await?;
        let since = millis(now - jiff::SignedDuration::from_hours(24 * 30));
        let (reviews, remembered) = self.store.practice_recall(key, since).await?;
        Ok(PracticeStats {
            learned,
            due_today: progress.due_today,
            retention: (reviews > 0).then(|| remembered as f32 / reviews as f32),
            reviews_30d: reviews,
            streak: progress.streak,
        })
    }

    /// The learner's settings (defaults when they changed none).
    pub async fn settings(&self) -> Result<Settings, PracticeError> {
        let row = self.store.practice_learner(self.learner.key()).await?;
        Ok(settings_of(row.as_ref()))
    }

    async fn zone(&self) -> Result<TimeZone, PracticeError> {
        Ok(self.settings().await?.zone)
    }

    /// Questions missed in quizzes join the queue (or stop joining it).
    pub async fn set_quiz_cards(
        &self,
        on: bool,
        guild: &str,
        user: &str,
        now: Timestamp,
    ) -> Result<(), PracticeError> {
        let mut row = self.learner_row(guild, user).await?;
        row.quiz_cards = on;
        Ok(self.store.practice_set_learner(&row, millis(now)).await?)
    }

    /// A daily reminder at `at` in `zone` (a direct message when cards are
    /// due), or none. Returns the next reminder: never on a day a reminder
    /// was already sent, so a reminder set again later the same day waits
    /// for tomorrow.
    pub async fn set_reminder(
        &self,
        at: Option<(Time, TimeZone)>,
        guild: &str,
        user: &str,
        now: Timestamp,
    ) -> Result<Option<Timestamp>, PracticeError> {
        let mut row = self.learner_row(guild, user).await?;
        let next = match &at {
            Some((time, zone)) => {
                row.zone = zone.iana_name().map(str::to_string);
                row.remind_at = Some(time.strftime("%H:%M").to_string());
                let mut next = next_reminder(*time, zone, now);
                if let Some(sent) = row.reminded_at.map(from_millis) {
                    if Day::of(sent, zone) == Day::of(next, zone) {
                        next = next_reminder(*time, zone, next);
                    }
                }
                Some(next)
            }
            None => {
                row.remind_at = None;
                None
            }
        };
        row.next_remind_at = next.map(millis);
        self.store.practice_set_learner(&row, millis(now)).await?;
        Ok(next)
    }

    async fn learner_row(&self, guild: &str, user: &str) -> Result<LearnerRow, PracticeError> {
        let key = self.learner.key();
        Ok(match self.store.practice_learner(key).await? {
            Some(row) => LearnerRow {
                guild: guild.to_string(),
                user: user.to_string(),
                ..row
            },
            None => LearnerRow {
                learner: key.to_string(),
                guild: guild.to_string(),
                user: user.to_string(),
                ..LearnerRow::default()
            },
        })
    }

    /// Deletes every card, grade and setting; how many cards there were.
    pub async fn reset(&self) -> Result<u64, PracticeError> {
        Ok(self.store.practice_reset(self.learner.key()).await?)
    }
}

/// A card not graded yet.
fn new_card(entry: &str, topic: &str, added_at: i64) -> CardRow {
    CardRow {
        entry: entry.to_string(),
        topic: topic.to_string(),
        stability: None,
        difficulty: None,
        due_at: None,
        last_review_at: None,
        reps: 0,
        lapses: 0,
        step: 0,
        added_at,
    }
}

fn progress_of(counts: &PracticeCounts, rules: &PracticeSettings, streak: u32) -> Progress {
    let reviews_left = (i64::from(rules.max_reviews_per_day) - counts.reviews_today).max(0);
    let reviews_due = counts.review_due.min(reviews_left);
    Progress {
        due_today: counts.learning_due + reviews_due,
        new_left: (i64::from(rules.new_per_day) - counts.new_today).max(0),
        streak,
        held_back: counts.review_due - reviews_due,
        reviews_left,
    }
}

fn settings_of(row: Option<&LearnerRow>) -> Settings {
    let zone = row
        .and_then(|r| r.zone.as_deref())
        .and_then(|z| TimeZone::get(z).ok())
        .unwrap_or(TimeZone::UTC);
    Settings {
        quiz_cards: row.is_some_and(|r| r.quiz_cards),
        remind_at: row
            .and_then(|r| r.remind_at.as_deref())
            .and_then(|t| t.parse::<Time>().ok()),
        next_reminder: row.and_then(|r| r.next_remind_at).map(from_millis),
        zone,
    }
}

/// A question missed in a quiz joins the learner's queue if they opted in
/// (`/practice settings quiz:on`); true when it was added.
pub async fn quiz_missed(
    store: &Store,
    bank: &dyn Source,
    learner: &Learner,
    entry: &str,
    now: Timestamp,
) -> Result<bool, PracticeError> {
    let Some(row) = store.practice_learner(learner.key()).await? else {
        return Ok(false);
    };
    if !row.quiz_cards {
        return Ok(false);
    }
    let deck = Deck {
        store,
        bank,
        rules: PracticeSettings::default(),
        learner,
    };
    deck.add(entry, now).await
}

/// Sends the reminders due by `now`: each learner's is moved to the same
/// time the next day and, when cards are due (under `rules`), a direct message
/// saying how many is written to the outbox in the same transaction. One
/// process wins each reminder. Returns how many messages were written.
pub async fn remind(
    store: &Store,
    bank: &dyn Source,
    rules: PracticeSettings,
    now: Timestamp,
) -> Result<usize, PracticeError> {
    let mut sent = 0;
    for row in store
        .practice_due_reminders(millis(now), REMINDERS_PER_TICK)
        .await?
    {
        let Some(due) = row.next_remind_at else {
            continue;
        };
        let settings = settings_of(Some(&row));
        // Once a day: the next one is after the day of this one, even when
        // the process was away for several. A reminder without a readable
        // time is turned off.
        let next = settings
            .remind_at
            .map(|at| millis(next_reminder(at, &settings.zone, now.max(from_millis(due)))));
        let learner = Learner(row.learner.clone());
        let deck = Deck {
            store,
            bank,
            rules,
            learner: &learner,
        };
        let (_, progress) = deck.progress(from_millis(due)).await?;
        let posts: Vec<_> = (progress.due_today > 0 && next.is_some())
            .then(|| {
                PostKind::PracticeReminder {
                    learner: row.learner.clone(),
                    due,
                    cards: progress.due_today,
                    streak: progress.streak,
                }
                .to_post(
                    &row.guild,
                    &crate::platform::direct_channel(&row.user),
                    due,
                )
            })
            .into_iter()
            .collect();
        if store
            .practice_claim_reminder(&row.learner, due, next, &posts, millis(now))
            .await?
        {
            sent += posts.len();
        }
    }
    Ok(sent)
}

/// When the next reminder is due, if any.
pub async fn next_reminder_due(store: &Store) -> Result<Option<Timestamp>, StoreError> {
    Ok(store.practice_next_reminder().await?.map(from_millis))
}
