//! Reports that a quiz question had two right answers: one per person per
//! entry and server, with an optional note. Entries reported by enough people
//! leave quiz rotation until a moderator clears their reports.

use sqlx::Row;

use super::{Store, StoreError};

/// The reports on one entry.
#[derive(Debug, Clone, PartialEq)]
pub struct QuizReport {
    pub entry: String,
    /// Distinct people who reported it.
    pub reporters: i64,
    /// The notes given, newest first.
    pub notes: Vec<String>,
}

impl Store {
    /// Records `reporter`'s report on `entry`; false when they had reported it
    /// before (the first report stands, counted once).
    pub async fn report_quiz_entry(
        &self,
        guild: &str,
        entry: &str,
        reporter: &str,
        note: Option<&str>,
        at: i64,
    ) -> Result<bool, StoreError> {
        let done = sqlx::query(
            "INSERT INTO quiz_reports (guild, entry, reporter, note, reported_at)
             VALUES ($1, $2, $3, $4, $5)
             ON CONFLICT (guild, entry, reporter) DO NOTHING",
        )
        .bind(guild)
        .bind(entry)
        .bind(reporter)
        .bind(note)
        .bind(at)
        .execute(self.pool())
        .await?;
        Ok(done.rows_affected() > 0)
    }

    /// Entries reported, of one server or of all, most reporters first.
    pub async fn quiz_reports(&self, guild: Option<&str>) -> Result<Vec<QuizReport>, StoreError> {
        let rows = sqlx::query(
            "SELECT entry, note FROM quiz_reports WHERE ($1 = '' OR guild = $1)
             ORDER BY reported_at DESC, entry, reporter",
        )
        .bind(guild.unwrap_or(""))
        .fetch_all(self.pool())
        .await?;
        let mut reports: Vec<QuizReport> = Vec::new();
        for row in &rows {
            let entry: String = row.try_get(0)?;
            let note: Option<String> = row.try_get(1)?;
            let at = match reports.iter().position(|r| r.entry == entry) {
                Some(at) => at,
                None => {
                    reports.push(QuizReport {
                        entry,
                        reporters: 0,
                        notes: Vec::new(),
                    });
                    reports.len() - 1
                }
            };
            let report = &mut reports[at];
            report.reporters += 1;
            report.notes.extend(note.filter(|n| !n.trim().is_empty()));
        }
        reports.sort_by(|a, b| b.reporters.cmp(&a.reporters).then(a.entry.cmp(&b.entry)));
        Ok(reports)
    }

    /// How many people in `guild` reported `entry`.
    pub async fn quiz_reporters(&self, guild: &str, entry: &str) -> Result<i64, StoreError> {
        let row = sqlx::query("SELECT COUNT(*) FROM quiz_reports WHERE guild = $1 AND entry = $2")
            .bind(guild)
            .bind(entry)
            .fetch_one(self.pool())
            .await?;
        Ok(row.try_get(0)?)
    }

    /// The entries of `guild` reported by at least `reporters` people.
    pub async fn reported_out(
        &self,
        guild: &str,
        reporters: i64,
    ) -> Result<Vec<String>, StoreError> {
        let rows = sqlx::query(
            "SELECT entry FROM quiz_reports WHERE guild = $1
             GROUP BY entry HAVING COUNT(*) >= $2 ORDER BY entry",
        )
        .bind(guild)
        .bind(reporters)
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|row| row.try_get(0))
            .collect::<Result<_, sqlx::Error>>()
            .map_err(StoreError::from)
    }

    /// Forgets every report on `entry` in `guild`; returns how many there were.
    pub async fn clear_quiz_reports(&self, guild: &str, entry: &str) -> Result<u64, StoreError> {
        let done = sqlx::query("DELETE FROM quiz_reports WHERE guild = $1 AND entry = $2")
            .bind(guild)
            .bind(entry)
            .execute(self.pool())
            .await?;
        Ok(done.rows_affected())
    }
}
