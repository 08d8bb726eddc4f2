//! Quiz rounds: their questions and their progress, one open round per channel.
//! Moving a round on (closing a question) is claimed in the database, so when
//! several processes share it, each close happens exactly once.

use sqlx::Row;
use sqlx::any::AnyRow;

use super::outbox::{NewPost, claimed, insert_posts};
use super::{Backend, Store, StoreError, built};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RoundStatus {
    Open,
    Finished,
    Stopped,
}

impl RoundStatus {
    fn as_str(self) -> &'static str {
        match self {
            RoundStatus::Open => "open",
            RoundStatus::Finished => "finished",
            RoundStatus::Stopped => "stopped",
        }
    }

    /// A stored status; one this version does not know is logged loudly and
    /// read as finished, so the round is never closed or posted again.
    fn parse(s: &str) -> Self {
        match s {
            "open" => RoundStatus::Open,
            "stopped" => RoundStatus::Stopped,
            "finished" => RoundStatus::Finished,
            other => {
                tracing::error!(
                    "a round has the unknown status `{other}`; it is treated as finished"
                );
                RoundStatus::Finished
            }
        }
    }
}

/// A round as stored: `position` is the open question (0-based) while it runs.
#[derive(Debug, Clone, PartialEq)]
pub struct Round {
    pub id: String,
    pub guild: String,
    pub channel: String,
    pub topic: Option<String>,
    pub starter: String,
    pub kind: String,
    pub seconds: i64,
    pub question_count: i64,
    pub position: i64,
    pub opened_at: i64,
    pub closes_at: i64,
    pub status: RoundStatus,
    pub created_at: i64,
    /// The schedule's time zone for a daily round (its day's leaderboard).
    pub zone: Option<String>,
}

/// One question of a round with its four choices.
#[derive(Debug, Clone, PartialEq)]
pub struct RoundQuestion {
    pub position: i64,
    pub question_id: String,
    pub topic: String,
    pub choices: Vec<String>,
    /// "A" to "D".
    pub correct: String,
}

/// A round to create, with its questions.
#[derive(Debug, Clone)]
pub struct NewRound {
    pub round: Round,
    pub questions: Vec<RoundQuestion>,
}

/// A scheduled run to claim together with creating its round: the schedule's
/// `last_run_at` must still be `previous` and becomes `due`.
#[derive(Debug, Clone)]
pub struct RunClaim {
    pub schedule_id: String,
    pub previous: i64,
    pub due: i64,
}

impl RunClaim {
    /// The claim as a guarded update: `last_run_at` moves from `previous` to
    /// `due` only if no other process moved it first.
    pub(crate) fn query(&self) -> super::outbox::Claim<'_> {
        sqlx::query("UPDATE schedules SET last_run_at = $1 WHERE id = $2 AND last_run_at = $3")
            .bind(self.due)
            .bind(&self.schedule_id)
            .bind(self.previous)
    }
}

const ROUND_COLUMNS: &str = "id, guild, channel, topic, starter, kind, seconds, question_count, position, opened_at, closes_at, status, created_at, zone";

fn round_from(row: &AnyRow) -> Result<Round, sqlx::Error> {
    Ok(Round {
        id: row.try_get(0)?,
        guild: row.try_get(1)?,
        channel: row.try_get(2)?,
        topic: row.try_get(3)?,
        starter: row.try_get(4)?,
        kind: row.try_get(5)?,
        seconds: row.try_get(6)?,
        question_count: row.try_get(7)?,
        position: row.try_get(8)?,
        opened_at: row.try_get(9)?,
        closes_at: row.try_get(10)?,
        status: RoundStatus::parse(&row.try_get::<String, _>(11)?),
        created_at: row.try_get(12)?,
        zone: row.try_get(13)?,
    })
}

impl Store {
    /// Stores a new round and marks its questions seen in the channel, atomically.
    /// Fails with [`StoreError::ChannelBusy`] when the channel has an open round.
    pub async fn create_round(&self, new: &NewRound, now: i64) -> Result<(), StoreError> {
        self.create_claimed_round(new, now, None, &[])
            .await
            .map(|_| ())
    }

    /// Like [`Store::create_round`], and in the same transaction claims a scheduled
    /// run and writes `posts` to the outbox; returns false (storing nothing) when
    /// another process claimed the run first.
    pub async fn create_claimed_round(
        &self,
        new: &NewRound,
        now: i64,
        claim: Option<&RunClaim>,
        posts: &[NewPost],
    ) -> Result<bool, StoreError> {
        let r = &new.round;
        let mut tx = self.pool().begin().await?;
        if let Some(claim) = claim {
            if !claimed(&mut tx, claim.query()).await? {
                return Ok(false);
            }
        }
        sqlx::query(built(format!(
            "INSERT INTO rounds ({ROUND_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)"
        )))
        .bind(&r.id)
        .bind(&r.guild)
        .bind(&r.channel)
        .bind(&r.topic)
        .bind(&r.starter)
        .bind(&r.kind)
        .bind(r.seconds)
        .bind(r.question_count)
        .bind(r.position)
        .bind(r.opened_at)
        .bind(r.closes_at)
        .bind(r.status.as_str())
        .bind(r.created_at)
        .bind(&r.zone)
        .execute(&mut *tx)
        .await
        .map_err(|e| match &e {
            sqlx::Error::Database(db) if db.is_unique_violation() => StoreError::ChannelBusy,
            _ => StoreError::from(e),
        })?;
        for q in &new.questions {
            let choices =
                serde_json::to_string(&q.choices).map_err(|e| StoreError::Failed(e.to_string()))?;
            sqlx::query(
                "INSERT INTO round_questions (round_id, position, question_id, topic, choices, correct) VALUES ($1, $2, $3, $4, $5, $6)",
            )
            .bind(&r.id)
            .bind(q.position)
            .bind(&q.question_id)
            .bind(&q.topic)
            .bind(choices)
            .bind(&q.correct)
            .execute(&mut *tx)
            .await?;
            sqlx::query(
                "INSERT INTO seen_questions (guild, channel, question_id, seen_at) VALUES ($1, $2, $3, $4)
                 ON CONFLICT (guild, channel, question_id) DO UPDATE SET seen_at = excluded.seen_at",
            )
            .bind(&r.guild)
            .bind(&r.channel)
            .bind(&q.question_id)
            .bind(now)
            .execute(&mut *tx)
            .await?;
        }
        insert_posts(&mut tx, posts, now).await?;
        tx.commit().await?;
        crate::metrics::metrics().round_started();
        Ok(true)
    }

    /// The channel's running round, if any.
    pub async fn open_round(
        &self,
        guild: &str,
        channel: &str,
    ) -> Result<Option<Round>, StoreError> {
        let row = sqlx::query(built(format!(
            "SELECT {ROUND_COLUMNS} FROM rounds WHERE guild = $1 AND channel = $2 AND status = 'open'"
        )))
        .bind(guild)
        .bind(channel)
        .fetch_optional(self.pool())
        .await?;
        Ok(row.as_ref().map(round_from).transpose()?)
    }

    /// The channel's newest round, running or not.
    pub async fn latest_round(
        &self,
        guild: &str,
        channel: &str,
    ) -> Result<Option<Round>, StoreError> {
        let row = sqlx::query(built(format!(
            "SELECT {ROUND_COLUMNS} FROM rounds WHERE guild = $1 AND channel = $2
             ORDER BY created_at DESC, id DESC LIMIT 1"
        )))
        .bind(guild)
        .bind(channel)
        .fetch_optional(self.pool())
        .await?;
        Ok(row.as_ref().map(round_from).transpose()?)
    }

    pub async fn round(&self, id: &str) -> Result<Option<Round>, StoreError> {
        let row = sqlx::query(built(format!(
            "SELECT {ROUND_COLUMNS} FROM rounds WHERE id = $1"
        )))
        .bind(id)
        .fetch_optional(self.pool())
        .await?;
        Ok(row.as_ref().map(round_from).transpose()?)
    }

    pub async fn round_question(
        &self,
        round_id: &str,
        position: i64,
    ) -> Result<Option<RoundQuestion>, StoreError> {
        let row = sqlx::query(
            "SELECT position, question_id, topic, choices, correct FROM round_questions WHERE round_id = $1 AND position = $2",
        )
        .bind(round_id)
        .bind(position)
        .fetch_optional(self.pool())
        .await?;
        let Some(row) = row else {
            return Ok(None);
        };
        let choices: String = row.try_get(3)?;
        Ok(Some(RoundQuestion {
            position: row.try_get(0)?,
            question_id: row.try_get(1)?,
            topic: row.try_get(2)?,
            choices: serde_json::from_str(&choices)
                .map_err(|e| StoreError::Failed(format!("round {round_id}: bad choices: {e}")))?,
            correct: row.try_get(4)?,
        }))
    }

    /// Open rounds whose current question closes at or before `now`, earliest first.
    pub async fn due_rounds(&self, now: i64) -> Result<Vec<Round>, StoreError> {
        let rows = sqlx::query(built(format!(
            "SELECT {ROUND_COLUMNS} FROM rounds WHERE status = 'open' AND closes_at <= $1 ORDER BY closes_at, id"
        )))
        .bind(now)
        .fetch_all(self.pool())
        .await?;
        Ok(rows.iter().map(round_from).collect::<Result<_, _>>()?)
    }

    /// When the next open question closes, if any round is open.
    pub async fn next_due(&self) -> Result<Option<i64>, StoreError> {
        let row = sqlx::query("SELECT MIN(closes_at) FROM rounds WHERE status = 'open'")
            .fetch_one(self.pool())
            .await?;
        Ok(row.try_get::<Option<i64>, _>(0)?)
    }

    /// Moves `round` from the state it was read in to `next`; true if this call
    /// made the move, false if another process (or call) already had.
    pub async fn advance_round(&self, round: &Round, next: &Round) -> Result<bool, StoreError> {
        self.advance_round_posting(round, next, &[], next.opened_at)
            .await
    }

    /// [`Store::advance_round`], writing `posts` (the close's reveal, the next
    /// question, standings) to the outbox in the same transaction.
    pub async fn advance_round_posting(
        &self,
        round: &Round,
        next: &Round,
        posts: &[NewPost],
        now: i64,
    ) -> Result<bool, StoreError> {
        let claim = sqlx::query(
            "UPDATE rounds SET position = $1, opened_at = $2, closes_at = $3, status = $4
             WHERE id = $5 AND position = $6 AND closes_at = $7 AND status = 'open'",
        )
        .bind(next.position)
        .bind(next.opened_at)
        .bind(next.closes_at)
        .bind(next.status.as_str())
        .bind(&round.id)
        .bind(round.position)
        .bind(round.closes_at);
        self.claim_posting(claim, posts, now).await
    }

    /// Question ids this channel has been asked, most recent last.
    pub async fn seen_questions(
        &self,
        guild: &str,
        channel: &str,
    ) -> Result<Vec<String>, StoreError> {
        let rows = sqlx::query(
            "SELECT question_id FROM seen_questions WHERE guild = $1 AND channel = $2 ORDER BY seen_at, question_id",
        )
        .bind(guild)
        .bind(channel)
        .fetch_all(self.pool())
        .await?;
        Ok(rows
            .iter()
            .map(|r| r.try_get(0))
            .collect::<Result<_, _>>()?)
    }

    /// Lets the channel see these questions again (its pool was used up).
    pub async fn forget_seen(
        &self,
        guild: &str,
        channel: &str,
        question_ids: &[String],
    ) -> Result<(), StoreError> {
        let mut tx = self.pool().begin().await?;
        for id in question_ids {
            sqlx::query(
                "DELETE FROM seen_questions WHERE guild = $1 AND channel = $2 AND question_id = $3",
            )
            .bind(guild)
            .bind(channel)
            .bind(id)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// The row-lock clause that makes an answer wait for a concurrent close.
    pub(crate) fn lock_round_clause(&self) -> &'static str {
        match self.backend {
            Backend::Postgres => " FOR SHARE",
            Backend::Sqlite => "",
        }
    }
}
