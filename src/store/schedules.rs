//! Daily-round schedules of channels. Each run and each reminder is claimed by
//! moving `last_run_at` / `last_reminder_at` forward in the database, so with
//! several processes every run happens once.

use sqlx::Row;
use sqlx::any::AnyRow;

use super::outbox::NewPost;
use super::{Store, StoreError, built};

/// A stored schedule.
#[derive(Debug, Clone, PartialEq)]
pub struct ScheduleRow {
    pub id: String,
    pub guild: String,
    pub channel: String,
    /// `HH:MM`, local to `zone`.
    pub time: String,
    /// IANA name.
    pub zone: String,
    /// Weekday bits, Monday first.
    pub days: i64,
    pub topic: Option<String>,
    pub questions: i64,
    pub open_seconds: i64,
    pub reminder_minutes: Option<i64>,
    pub role: Option<String>,
    pub created_by: String,
    pub created_at: i64,
    /// The scheduled instant of the last run handled (posted or skipped).
    pub last_run_at: i64,
    /// The run instant whose reminder was last sent.
    pub last_reminder_at: i64,
}

const COLUMNS: &str = "id, guild, channel, time, zone, days, topic, questions, open_seconds, reminder_minutes, role, created_by, created_at, last_run_at, last_reminder_at";

fn schedule_from(row: &AnyRow) -> Result<ScheduleRow, sqlx::Error> {
    Ok(ScheduleRow {
        id: row.try_get(0)?,
        guild: row.try_get(1)?,
        channel: row.try_get(2)?,
        time: row.try_get(3)?,
        zone: row.try_get(4)?,
        days: row.try_get(5)?,
        topic: row.try_get(6)?,
        questions: row.try_get(7)?,
        open_seconds: row.try_get(8)?,
        reminder_minutes: row.try_get(9)?,
        role: row.try_get(10)?,
        created_by: row.try_get(11)?,
        created_at: row.try_get(12)?,
        last_run_at: row.try_get(13)?,
        last_reminder_at: row.try_get(14)?,
    })
}

impl Store {
    pub async fn create_schedule(&self, s: &ScheduleRow) -> Result<(), StoreError> {
        sqlx::query(built(format!(
            "INSERT INTO schedules ({COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)"
        )))
        .bind(&s.id)
        .bind(&s.guild)
        .bind(&s.channel)
        .bind(&s.time)
        .bind(&s.zone)
        .bind(s.days)
        .bind(&s.topic)
        .bind(s.questions)
        .bind(s.open_seconds)
        .bind(s.reminder_minutes)
        .bind(&s.role)
        .bind(&s.created_by)
        .bind(s.created_at)
        .bind(s.last_run_at)
        .bind(s.last_reminder_at)
        .execute(self.pool())
        .await?;
        Ok(())
    }

    /// Every schedule, oldest first.
    pub async fn schedules(&self) -> Result<Vec<ScheduleRow>, StoreError> {
        let rows = sqlx::query(built(format!(
            "SELECT {COLUMNS} FROM schedules ORDER BY created_at, id"
        )))
        .fetch_all(self.pool())
        .await?;
        Ok(rows.iter().map(schedule_from).collect::<Result<_, _>>()?)
    }

    /// A channel's schedules, oldest first.
    pub async fn schedules_in(
        &self,
        guild: &str,
        channel: &str,
    ) -> Result<Vec<ScheduleRow>, StoreError> {
        let rows = sqlx::query(built(format!(
            "SELECT {COLUMNS} FROM schedules WHERE guild = $1 AND channel = $2 ORDER BY created_at, id"
        )))
        .bind(guild)
        .bind(channel)
        .fetch_all(self.pool())
        .await?;
        Ok(rows.iter().map(schedule_from).collect::<Result<_, _>>()?)
    }

    /// Removes a channel's schedules (only `id` when given); returns how many.
    pub async fn delete_schedules(
        &self,
        guild: &str,
        channel: &str,
        id: Option<&str>,
    ) -> Result<u64, StoreError> {
        let done = match id {
            Some(id) => {
                sqlx::query("DELETE FROM schedules WHERE guild = $1 AND channel = $2 AND id = $3")
                    .bind(guild)
                    .bind(channel)
                    .bind(id)
                    .execute(self.pool())
                    .await?
            }
            None => {
                sqlx::query("DELETE FROM schedules WHERE guild = $1 AND channel = $2")
                    .bind(guild)
                    .bind(channel)
                    .execute(self.pool())
                    .await?
            }
        };
        Ok(done.rows_affected())
    }

    /// Marks the run at `due` handled without a round (skipped); false if another
    /// process handled it first.
    pub async fn claim_run(&self, id: &str, previous: i64, due: i64) -> Result<bool, StoreError> {
        let claim = super::RunClaim {
            schedule_id: id.to_string(),
            previous,
            due,
        };
        self.claim_run_posting(&claim, &[], due).await
    }

    /// [`Store::claim_run`], writing `posts` (the skip's announcement) to the
    /// outbox in the same transaction when the claim succeeds.
    pub async fn claim_run_posting(
        &self,
        claim: &super::RunClaim,
        posts: &[NewPost],
        now: i64,
    ) -> Result<bool, StoreError> {
        self.claim_posting(claim.query(), posts, now).await
    }

    /// Claims the reminder for the run at `run_at`; false if already sent.
    pub async fn claim_reminder(
        &self,
        id: &str,
        previous: i64,
        run_at: i64,
    ) -> Result<bool, StoreError> {
        self.claim_reminder_posting(id, previous, run_at, &[], run_at)
            .await
    }

    /// [`Store::claim_reminder`], writing `posts` to the outbox in the same
    /// transaction when the claim succeeds.
    pub async fn claim_reminder_posting(
        &self,
        id: &str,
        previous: i64,
        run_at: i64,
        posts: &[NewPost],
        now: i64,
    ) -> Result<bool, StoreError> {
        let claim = sqlx::query(
            "UPDATE schedules SET last_reminder_at = $1 WHERE id = $2 AND last_reminder_at = $3",
        )
        .bind(run_at)
        .bind(id)
        .bind(previous);
        self.claim_posting(claim, posts, now).await
    }
}
