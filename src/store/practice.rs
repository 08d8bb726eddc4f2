//! Personal practice: each learner's cards (the FSRS memory state, due time,
//! reps and lapses), the append-only log of every grade (so states can be
//! recomputed with new parameters), and each learner's settings (quiz misses
//! into the queue, reminder time and zone, where to send the reminder).
//!
//! A grade is written once: the log's key is the card's number of reviews
//! before the grade, and the card is only updated if it still has that
//! number, in the same transaction. Two processes handling the same click (or
//! two clicks on one card) record one grade.

use sqlx::Row;
use sqlx::any::AnyRow;

use super::outbox::{Claim, NewPost};
use super::{Store, StoreError, built};

/// One learner's card as stored. A card added but never graded has no
/// memory state and no due time (`reps` 0).
#[derive(Debug, Clone, PartialEq)]
pub struct CardRow {
    pub entry: String,
    pub topic: String,
    pub stability: Option<f64>,
    pub difficulty: Option<f64>,
    pub due_at: Option<i64>,
    pub last_review_at: Option<i64>,
    pub reps: i64,
    pub lapses: i64,
    /// The same-day learning step the card is in, or -1 once it is in review.
    pub step: i64,
    pub added_at: i64,
}

/// A grade to log, with the card's state after it.
#[derive(Debug, Clone, PartialEq)]
pub struct NewReview {
    pub learner: String,
    /// The grade, 1 (again) to 4 (easy), as FSRS numbers them.
    pub grade: i64,
    /// `new`, `learning`, `review` or `relearning`: what the card was before.
    pub kind: &'static str,
    pub reviewed_at: i64,
    /// The learner's local date of the review, `YYYY-MM-DD`.
    pub day: String,
    /// Milliseconds since the card's previous review (0 for a new card).
    pub elapsed_ms: i64,
    /// The card after the grade; its `reps` is one more than before.
    pub after: CardRow,
}

/// What happened to a grade.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GradeOutcome {
    Recorded,
    /// The card was graded already at this point (a second click, another
    /// process); nothing changed.
    AlreadyGraded,
}

/// A learner's counts for one day, in their zone (what `/practice` needs).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PracticeCounts {
    /// Cards in a same-day learning step, due by now.
    pub learning_due: i64,
    /// Learned cards due before the end of the day.
    pub review_due: i64,
    /// Grades of learned cards today (what the daily cap counts).
    pub reviews_today: i64,
    /// Cards seen for the first time today.
    pub new_today: i64,
}

/// A learner's settings.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct LearnerRow {
    pub learner: String,
    /// Questions missed in quizzes join the practice queue.
    pub quiz_cards: bool,
    /// The learner's IANA zone (days and reminders), if set.
    pub zone: Option<String>,
    /// `HH:MM` of the daily reminder, if on.
    pub remind_at: Option<String>,
    /// When the next reminder is due (Unix ms), if on.
    pub next_remind_at: Option<i64>,
    /// When the last reminder message was sent (Unix ms), if ever.
    pub reminded_at: Option<i64>,
    /// Where a reminder goes: the platform's server and the person.
    pub guild: String,
    pub user: String,
}

const CARD_COLUMNS: &str =
    "entry, topic, stability, difficulty, due_at, last_review_at, reps, lapses, step, added_at";

fn card_from(row: &AnyRow) -> Result<CardRow, sqlx::Error> {
    Ok(CardRow {
        entry: row.try_get(0)?,
        topic: row.try_get(1)?,
        stability: row.try_get(2)?,
        difficulty: row.try_get(3)?,
        due_at: row.try_get(4)?,
        last_review_at: row.try_get(5)?,
        reps: row.try_get(6)?,
        lapses: row.try_get(7)?,
        step: row.try_get(8)?,
        added_at: row.try_get(9)?,
    })
}

const LEARNER_COLUMNS: &str =
    "learner, quiz_cards, zone, remind_at, next_remind_at, guild, user_id, reminded_at";

fn learner_from(row: &AnyRow) -> Result<LearnerRow, sqlx::Error> {
    Ok(LearnerRow {
        learner: row.try_get(0)?,
        quiz_cards: row.try_get::<i64, _>(1)? != 0,
        zone: row.try_get(2)?,
        remind_at: row.try_get(3)?,
        next_remind_at: row.try_get(4)?,
        guild: row.try_get(5)?,
        user: row.try_get(6)?,
        reminded_at: row.try_get(7)?,
    })
}

/// `AND topic = $n` when a topic is given (bound as the `n`th parameter).
fn topic_clause(topic: Option<&str>, n: usize) -> String {
    match topic {
        Some(_) => format!(" AND topic = ${n}"),
        None => String::new(),
    }
}

impl Store {
    /// One learner's card, if they have it.
    pub async fn practice_card(
        &self,
        learner: &str,
        entry: &str,
    ) -> Result<Option<CardRow>, StoreError> {
        let row = sqlx::query(built(format!(
            "SELECT {CARD_COLUMNS} FROM practice_cards WHERE learner = $1 AND entry = $2"
        )))
        .bind(learner)
        .bind(entry)
        .fetch_optional(self.pool())
        .await?;
        Ok(row.as_ref().map(card_from).transpose()?)
    }

    /// Adds a card to start later; false if the learner has it already.
    pub async fn practice_add(
        &self,
        learner: &str,
        entry: &str,
        topic: &str,
        now: i64,
    ) -> Result<bool, StoreError> {
        let added = sqlx::query(
            "INSERT INTO practice_cards (learner, entry, topic, reps, lapses, step, added_at)
             VALUES ($1, $2, $3, 0, 0, 0, $4)
             ON CONFLICT (learner, entry) DO NOTHING",
        )
        .bind(learner)
        .bind(entry)
        .bind(topic)
        .bind(now)
        .execute(self.pool())
        .await?;
        Ok(added.rows_affected() == 1)
    }

    /// The card in a same-day learning step due first, if it is due by `by`.
    pub async fn practice_next_learning(
        &self,
        learner: &str,
        by: i64,
        topic: Option<&str>,
    ) -> Result<Option<CardRow>, StoreError> {
        let mut query = sqlx::query(built(format!(
            "SELECT {CARD_COLUMNS} FROM practice_cards
             WHERE learner = $1 AND reps > 0 AND step >= 0 AND due_at <= $2{}
             ORDER BY due_at, entry LIMIT 1",
            topic_clause(topic, 3)
        )))
        .bind(learner)
        .bind(by);
        if let Some(topic) = topic {
            query = query.bind(topic);
        }
        let row = query.fetch_optional(self.pool()).await?;
        Ok(row.as_ref().map(card_from).transpose()?)
    }

    /// The learned card due before `before` that is most forgotten at `now`:
    /// the longest time since its review relative to its stability (the
    /// forgetting curve falls with that ratio alone).
    pub async fn practice_next_review(
        &self,
        learner: &str,
        before: i64,
        now: i64,
        topic: Option<&str>,
    ) -> Result<Option<CardRow>, StoreError> {
        let mut query = sqlx::query(built(format!(
            "SELECT {CARD_COLUMNS} FROM practice_cards
             WHERE learner = $1 AND step = -1 AND due_at < $2{}
             ORDER BY CAST($3 - last_review_at AS DOUBLE PRECISION) / stability DESC, entry
             LIMIT 1",
            topic_clause(topic, 4)
        )))
        .bind(learner)
        .bind(before)
        .bind(now);
        if let Some(topic) = topic {
            query = query.bind(topic);
        }
        let row = query.fetch_optional(self.pool()).await?;
        Ok(row.as_ref().map(card_from).transpose()?)
    }

    /// The card added first and not started yet.
    pub async fn practice_next_queued(
        &self,
        learner: &str,
        topic: Option<&str>,
    ) -> Result<Option<CardRow>, StoreError> {
        let mut query = sqlx::query(built(format!(
            "SELECT {CARD_COLUMNS} FROM practice_cards
             WHERE learner = $1 AND reps = 0{}
             ORDER BY added_at, entry LIMIT 1",
            topic_clause(topic, 2)
        )))
        .bind(learner);
        if let Some(topic) = topic {
            query = query.bind(topic);
        }
        let row = query.fetch_optional(self.pool()).await?;
        Ok(row.as_ref().map(card_from).transpose()?)
    }

    /// Drops one card of a learner (its entry left the bank); its grades stay
    /// in the log.
    pub async fn practice_drop(&self, learner: &str, entry: &str) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM practice_cards WHERE learner = $1 AND entry = $2")
            .bind(learner)
            .bind(entry)
            .execute(self.pool())
            .await?;
        Ok(())
    }

    /// The entries a learner has cards for, started or not.
    pub async fn practice_entries(&self, learner: &str) -> Result<Vec<String>, StoreError> {
        let rows = sqlx::query("SELECT entry FROM practice_cards WHERE learner = $1")
            .bind(learner)
            .fetch_all(self.pool())
            .await?;
        Ok(rows
            .iter()
            .map(|r| r.try_get(0))
            .collect::<Result<_, _>>()?)
    }

    /// When the learner's next card in a learning step or in review is due
    /// after `after`, if any.
    pub async fn practice_next_due_after(
        &self,
        learner: &str,
        after: i64,
    ) -> Result<Option<i64>, StoreError> {
        let row = sqlx::query(
            "SELECT MIN(due_at) FROM practice_cards WHERE learner = $1 AND reps > 0 AND due_at > $2",
        )
        .bind(learner)
        .bind(after)
        .fetch_one(self.pool())
        .await?;
        Ok(row.try_get::<Option<i64>, _>(0)?)
    }

    /// The learner's cards due in `[from, to)` (Unix ms): entry and due time,
    /// for spreading new due dates and keeping related cards apart.
    pub async fn practice_due_between(
        &self,
        learner: &str,
        from: i64,
        to: i64,
    ) -> Result<Vec<(String, i64)>, StoreError> {
        let rows = sqlx::query(
            "SELECT entry, due_at FROM practice_cards
             WHERE learner = $1 AND step = -1 AND due_at >= $2 AND due_at < $3",
        )
        .bind(learner)
        .bind(from)
        .bind(to)
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|r| Ok((r.try_get(0)?, r.try_get(1)?)))
            .collect::<Result<_, sqlx::Error>>()
            .map_err(StoreError::from)
    }

    /// The learner's counts for the day `day` (local date) that ends at
    /// `day_end`, at `now`: each a range of an index, so the cost grows with
    /// what is due, not with the size of the deck.
    pub async fn practice_counts(
        &self,
        learner: &str,
        day: &str,
        now: i64,
        day_end: i64,
    ) -> Result<PracticeCounts, StoreError> {
        let row = sqlx::query(
            "SELECT
                 (SELECT COUNT(*) FROM practice_cards
                  WHERE learner = $1 AND step >= 0 AND reps > 0 AND due_at <= $2),
                 (SELECT COUNT(*) FROM practice_cards
                  WHERE learner = $1 AND step = -1 AND due_at < $3),
                 (SELECT COUNT(*) FROM practice_reviews
                  WHERE learner = $1 AND day = $4 AND kind = 'review'),
                 (SELECT COUNT(*) FROM practice_reviews
                  WHERE learner = $1 AND day = $4 AND kind = 'new')",
        )
        .bind(learner)
        .bind(now)
        .bind(day_end)
        .bind(day)
        .fetch_one(self.pool())
        .await?;
        Ok(PracticeCounts {
            learning_due: row.try_get(0)?,
            review_due: row.try_get(1)?,
            reviews_today: row.try_get(2)?,
            new_today: row.try_get(3)?,
        })
    }

    /// How many cards the learner has started, and added but not started.
    pub async fn practice_totals(&self, learner: &str) -> Result<(i64, i64), StoreError> {
        let row = sqlx::query(
            "SELECT
                 (SELECT COUNT(*) FROM practice_cards WHERE learner = $1 AND reps > 0),
                 (SELECT COUNT(*) FROM practice_cards WHERE learner = $1 AND reps = 0)",
        )
        .bind(learner)
        .fetch_one(self.pool())
        .await?;
        Ok((row.try_get(0)?, row.try_get(1)?))
    }

    /// Logs a grade and stores the card's new state, once: false
    /// ([`GradeOutcome::AlreadyGraded`]) when the card was graded at this
    /// point already. Returns after both are committed.
    pub async fn practice_grade(&self, review: &NewReview) -> Result<GradeOutcome, StoreError> {
        let card = &review.after;
        let before = card.reps - 1;
        let mut tx = self.pool().begin().await?;
        let logged = sqlx::query(
            "INSERT INTO practice_reviews (learner, entry, rep, grade, kind, reviewed_at, day, elapsed_ms, stability, difficulty, due_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
             ON CONFLICT (learner, entry, rep) DO NOTHING",
        )
        .bind(&review.learner)
        .bind(&card.entry)
        .bind(before)
        .bind(review.grade)
        .bind(review.kind)
        .bind(review.reviewed_at)
        .bind(&review.day)
        .bind(review.elapsed_ms)
        .bind(card.stability)
        .bind(card.difficulty)
        .bind(card.due_at)
        .execute(&mut *tx)
        .await?;
        if logged.rows_affected() == 0 {
            return Ok(GradeOutcome::AlreadyGraded);
        }
        let stored = sqlx::query(
            "INSERT INTO practice_cards (learner, entry, topic, stability, difficulty, due_at, last_review_at, reps, lapses, step, added_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
             ON CONFLICT (learner, entry) DO UPDATE SET
                 stability = $4, difficulty = $5, due_at = $6, last_review_at = $7,
                 reps = $8, lapses = $9, step = $10
             WHERE practice_cards.reps = $12",
        )
        .bind(&review.learner)
        .bind(&card.entry)
        .bind(&card.topic)
        .bind(card.stability)
        .bind(card.difficulty)
        .bind(card.due_at)
        .bind(card.last_review_at)
        .bind(card.reps)
        .bind(card.lapses)
        .bind(card.step)
        .bind(card.added_at)
        .bind(before)
        .execute(&mut *tx)
        .await?;
        if stored.rows_affected() == 0 {
            return Ok(GradeOutcome::AlreadyGraded);
        }
        tx.commit().await?;
        Ok(GradeOutcome::Recorded)
    }

    /// The distinct local dates the learner practised on, latest first (at
    /// most `limit`), for the streak.
    pub async fn practice_days(
        &self,
        learner: &str,
        limit: i64,
    ) -> Result<Vec<String>, StoreError> {
        let rows = sqlx::query(
            "SELECT DISTINCT day FROM practice_reviews WHERE learner = $1 ORDER BY day DESC LIMIT $2",
        )
        .bind(learner)
        .bind(limit)
        .fetch_all(self.pool())
        .await?;
        Ok(rows
            .iter()
            .map(|r| r.try_get(0))
            .collect::<Result<_, _>>()?)
    }

    /// Grades of learned cards since `since` (Unix ms): (all, remembered).
    pub async fn practice_recall(
        &self,
        learner: &str,
        since: i64,
    ) -> Result<(i64, i64), StoreError> {
        let row = sqlx::query(
            "SELECT COUNT(*), COALESCE(SUM(CASE WHEN grade > 1 THEN 1 ELSE 0 END), 0)
             FROM practice_reviews WHERE learner = $1 AND kind = 'review' AND reviewed_at >= $2",
        )
        .bind(learner)
        .bind(since)
        .fetch_one(self.pool())
        .await?;
        let all: i64 = row.try_get(0)?;
        let remembered = row
            .try_get::<i64, _>(1)
            .or_else(|_| row.try_get::<f64, _>(1).map(|f| f as i64))?;
        Ok((all, remembered))
    }

    /// A learner's settings, if they changed any.
    pub async fn practice_learner(&self, learner: &str) -> Result<Option<LearnerRow>, StoreError> {
        let row = sqlx::query(built(format!(
            "SELECT {LEARNER_COLUMNS} FROM practice_learners WHERE learner = $1"
        )))
        .bind(learner)
        .fetch_optional(self.pool())
        .await?;
        Ok(row.as_ref().map(learner_from).transpose()?)
    }

    /// Stores a learner's settings, replacing the earlier ones.
    pub async fn practice_set_learner(&self, row: &LearnerRow, now: i64) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO practice_learners (learner, quiz_cards, zone, remind_at, next_remind_at, guild, user_id, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
             ON CONFLICT (learner) DO UPDATE SET
                 quiz_cards = $2, zone = $3, remind_at = $4, next_remind_at = $5,
                 guild = $6, user_id = $7, updated_at = $8",
        )
        .bind(&row.learner)
        .bind(i64::from(row.quiz_cards))
        .bind(&row.zone)
        .bind(&row.remind_at)
        .bind(row.next_remind_at)
        .bind(&row.guild)
        .bind(&row.user)
        .bind(now)
        .execute(self.pool())
        .await?;
        Ok(())
    }

    /// Deletes every card, grade and setting of a learner; how many cards went.
    pub async fn practice_reset(&self, learner: &str) -> Result<u64, StoreError> {
        let mut tx = self.pool().begin().await?;
        let cards = sqlx::query("DELETE FROM practice_cards WHERE learner = $1")
            .bind(learner)
            .execute(&mut *tx)
            .await?
            .rows_affected();
        for table in ["practice_reviews", "practice_learners"] {
            sqlx::query(built(format!("DELETE FROM {table} WHERE learner = $1")))
                .bind(learner)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(cards)
    }

    /// Learners whose reminder is due by `now`, earliest first.
    pub async fn practice_due_reminders(
        &self,
        now: i64,
        limit: i64,
    ) -> Result<Vec<LearnerRow>, StoreError> {
        let rows = sqlx::query(built(format!(
            "SELECT {LEARNER_COLUMNS} FROM practice_learners
             WHERE next_remind_at IS NOT NULL AND next_remind_at <= $1
             ORDER BY next_remind_at, learner LIMIT $2"
        )))
        .bind(now)
        .bind(limit)
        .fetch_all(self.pool())
        .await?;
        Ok(rows.iter().map(learner_from).collect::<Result<_, _>>()?)
    }

    /// The earliest reminder due, if any.
    pub async fn practice_next_reminder(&self) -> Result<Option<i64>, StoreError> {
        let row = sqlx::query("SELECT MIN(next_remind_at) FROM practice_learners")
            .fetch_one(self.pool())
            .await?;
        Ok(row.try_get::<Option<i64>, _>(0)?)
    }

    /// Moves a learner's reminder from `due` to `next` (`None`: off) and
    /// writes `posts` (the direct message, if cards are due) in the same
    /// transaction, noting when a message went; false when another process
    /// claimed it first or the reminder was changed.
    pub async fn practice_claim_reminder(
        &self,
        learner: &str,
        due: i64,
        next: Option<i64>,
        posts: &[NewPost],
        now: i64,
    ) -> Result<bool, StoreError> {
        let claim: Claim<'_> = sqlx::query(
            "UPDATE practice_learners SET next_remind_at = $3, reminded_at = COALESCE($4, reminded_at)
             WHERE learner = $1 AND next_remind_at = $2",
        )
        .bind(learner.to_string())
        .bind(due)
        .bind(next)
        .bind((!posts.is_empty()).then_some(now));
        self.claim_posting(claim, posts, now).await
    }
}
