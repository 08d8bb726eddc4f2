//! The answer log: append-only, one row per person per question (the first answer
//! counts; a redelivered click changes nothing), and the standings computed from it.

use sqlx::Row;

use super::{Store, StoreError, built};

/// An answer to record for the open question of a round.
#[derive(Debug, Clone)]
pub struct NewAnswer {
    pub round_id: String,
    pub position: i64,
    pub user_id: String,
    pub user_name: String,
    pub question_id: String,
    pub topic: String,
    pub choice: String,
    pub correct: bool,
    pub points: i64,
    pub answered_at: i64,
}

/// What happened to an answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AnswerOutcome {
    /// Stored durably; it counts.
    Recorded,
    /// This person had already answered this question with `choice`; nothing changed.
    AlreadyAnswered { choice: String },
    /// The question is no longer open; nothing was stored.
    Closed,
}

/// One logged answer, as stats need it.
#[derive(Debug, Clone, PartialEq)]
pub struct AnswerRow {
    pub user_id: String,
    pub user_name: String,
    pub topic: String,
    pub choice: String,
    pub correct: bool,
    pub points: i64,
    pub answered_at: i64,
}

/// A person's totals over some answers.
#[derive(Debug, Clone, PartialEq)]
pub struct Standing {
    pub user_id: String,
    pub user_name: String,
    pub points: i64,
    pub correct: i64,
    pub answered: i64,
    /// When the last correct answer came; earlier wins a tie.
    pub last_correct_at: Option<i64>,
}

/// Which answers a leaderboard counts.
#[derive(Debug, Clone, Default)]
pub struct Period {
    /// Only answers at or after this instant (Unix ms).
    pub since: Option<i64>,
    pub topic: Option<String>,
}

const STANDING_COLUMNS: &str = "user_id, MAX(user_name), CAST(SUM(points) AS BIGINT), CAST(SUM(correct) AS BIGINT), COUNT(*), MAX(CASE WHEN correct = 1 THEN answered_at END)";

impl Store {
    /// Records an answer if its question is still open and the person has not
    /// answered it yet; returns only after the answer is committed.
    pub async fn record_answer(&self, a: &NewAnswer) -> Result<AnswerOutcome, StoreError> {
        let sql = format!(
            "INSERT INTO answers (round_id, position, user_id, user_name, guild, channel, question_id, topic, choice, correct, points, answered_at)
             SELECT r.id, $2, $3, $4, r.guild, r.channel, $5, $6, $7, $8, $9, $10
             FROM rounds r
             WHERE r.id = $1 AND (r.position = $2 OR (r.kind = 'daily' AND $2 >= 0 AND $2 < r.question_count))
               AND r.status = 'open' AND r.closes_at > $10{}
             ON CONFLICT (round_id, position, user_id) DO NOTHING",
            self.lock_round_clause()
        );
        let inserted = sqlx::query(built(sql))
            .bind(&a.round_id)
            .bind(a.position)
            .bind(&a.user_id)
            .bind(&a.user_name)
            .bind(&a.question_id)
            .bind(&a.topic)
            .bind(&a.choice)
            .bind(i64::from(a.correct))
            .bind(a.points)
            .bind(a.answered_at)
            .execute(self.pool())
            .await?;
        if inserted.rows_affected() == 1 {
            crate::metrics::metrics().quiz_answer("recorded");
            return Ok(AnswerOutcome::Recorded);
        }
        let earlier = sqlx::query(
            "SELECT choice FROM answers WHERE round_id = $1 AND position = $2 AND user_id = $3",
        )
        .bind(&a.round_id)
        .bind(a.position)
        .bind(&a.user_id)
        .fetch_optional(self.pool())
        .await?;
        let outcome = match earlier {
            Some(row) => AnswerOutcome::AlreadyAnswered {
                choice: row.try_get(0)?,
            },
            None => AnswerOutcome::Closed,
        };
        crate::metrics::metrics().quiz_answer(match outcome {
            AnswerOutcome::AlreadyAnswered { .. } => "duplicate",
            _ => "closed",
        });
        Ok(outcome)
    }

    /// The answers to one question of a round, in the order they came.
    pub async fn answers_to(
        &self,
        round_id: &str,
        position: i64,
    ) -> Result<Vec<AnswerRow>, StoreError> {
        let rows = sqlx::query(
            "SELECT user_id, user_name, topic, choice, correct, points, answered_at FROM answers
             WHERE round_id = $1 AND position = $2 ORDER BY answered_at, user_id",
        )
        .bind(round_id)
        .bind(position)
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(answer_from).collect()
    }

    /// Standings of one round.
    pub async fn round_standings(&self, round_id: &str) -> Result<Vec<Standing>, StoreError> {
        let rows = sqlx::query(built(format!(
            "SELECT {STANDING_COLUMNS} FROM answers WHERE round_id = $1 GROUP BY user_id"
        )))
        .bind(round_id)
        .fetch_all(self.pool())
        .await?;
        ranked(rows.iter().map(standing_from).collect::<Result<_, _>>()?)
    }

    /// Standings of a server or workspace over a period, best first.
    pub async fn leaderboard(
        &self,
        guild: &str,
        period: &Period,
    ) -> Result<Vec<Standing>, StoreError> {
        let mut sql = format!(
            "SELECT {STANDING_COLUMNS} FROM answers WHERE guild = $1 AND answered_at >= $2"
        );
        if period.topic.is_some() {
            sql.push_str(" AND topic = $3");
        }
        sql.push_str(" GROUP BY user_id");
        let mut query = sqlx::query(built(sql))
            .bind(guild)
            .bind(period.since.unwrap_or(i64::MIN));
        if let Some(topic) = &period.topic {
            query = query.bind(topic);
        }
        let rows = query.fetch_all(self.pool()).await?;
        ranked(rows.iter().map(standing_from).collect::<Result<_, _>>()?)
    }

    /// Every answer a person gave in a server or workspace, oldest first.
    pub async fn answers_of(
        &self,
        guild: &str,
        user_id: &str,
    ) -> Result<Vec<AnswerRow>, StoreError> {
        let rows = sqlx::query(
            "SELECT user_id, user_name, topic, choice, correct, points, answered_at FROM answers
             WHERE guild = $1 AND user_id = $2 ORDER BY answered_at, round_id, position",
        )
        .bind(guild)
        .bind(user_id)
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(answer_from).collect()
    }

    /// How many answers are logged in all (for checks and benchmarks).
    pub async fn answer_count(&self) -> Result<i64, StoreError> {
        let row = sqlx::query("SELECT COUNT(*) FROM answers")
            .fetch_one(self.pool())
            .await?;
        Ok(row.try_get(0)?)
    }
}

/// Best first: more points, then more correct answers, then the earlier last
/// correct answer, then by id so the order is stable.
fn ranked(mut standings: Vec<Standing>) -> Result<Vec<Standing>, StoreError> {
    standings.sort_by(|a, b| {
        b.points
            .cmp(&a.points)
            .then(b.correct.cmp(&a.correct))
            .then(
                a.last_correct_at
                    .unwrap_or(i64::MAX)
                    .cmp(&b.last_correct_at.unwrap_or(i64::MAX)),
            )
            .then(a.user_id.cmp(&b.user_id))
    });
    Ok(standings)
}

fn answer_from(row: &sqlx::any::AnyRow) -> Result<AnswerRow, StoreError> {
    Ok(AnswerRow {
        user_id: row.try_get(0)?,
        user_name: row.try_get(1)?,
        topic: row.try_get(2)?,
        choice: row.try_get(3)?,
        correct: row.try_get::<i64, _>(4)? == 1,
        points: row.try_get(5)?,
        answered_at: row.try_get(6)?,
    })
}

fn standing_from(row: &sqlx::any::AnyRow) -> Result<Standing, sqlx::Error> {
    Ok(Standing {
        user_id: row.try_get(0)?,
        user_name: row.try_get(1)?,
        points: row.try_get(2)?,
        correct: row.try_get(3)?,
        answered: row.try_get(4)?,
        last_correct_at: row.try_get(5)?,
    })
}
