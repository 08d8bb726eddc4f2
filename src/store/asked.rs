//! What people asked and what they thought of the answers: queries `/ask` could
//! not answer (kept per server for a while, the asker only as a one-way hash for
//! counting distinct askers), and 👍/👎 votes on answers, one per person per entry.

use sha2::Digest;
use sqlx::Row;

use super::{Store, StoreError};

/// One query the bank had no entry for.
#[derive(Debug, Clone, PartialEq)]
pub struct UnansweredRow {
    pub guild: String,
    /// Unix ms.
    pub asked_at: i64,
    pub query: String,
    /// A hash of the asker, only to count distinct askers; never shown.
    pub asker: String,
}

/// A vote on an answer: `up` or down, with an optional reason.
#[derive(Debug, Clone, PartialEq)]
pub struct NewVote {
    pub guild: String,
    /// The question id the answer showed.
    pub entry: String,
    pub voter: String,
    /// What was asked when the answer was shown.
    pub query: String,
    pub up: bool,
    pub reason: Option<String>,
    /// With 👍 after "Not it? Next match": the entry shown first for the
    /// query, which this one was wanted instead of.
    pub instead_of: Option<String>,
    /// Unix ms.
    pub at: i64,
}

/// Whether a vote was the person's first on that entry or replaced an earlier one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VoteOutcome {
    Recorded,
    Changed,
}

/// The votes on one entry.
#[derive(Debug, Clone, PartialEq)]
pub struct EntryReport {
    pub entry: String,
    pub down: i64,
    pub up: i64,
    /// The reasons given with 👎, newest first.
    pub reasons: Vec<String>,
    /// Entries people wanted instead of this one (👍 after "Not it? Next
    /// match"), with how many did, most first.
    pub wanted: Vec<(String, i64)>,
}

/// The hash an asker is kept as: it tells askers apart within a server, nothing more.
pub fn asker_hash(guild: &str, user: &str) -> String {
    let digest = sha2::Sha256::digest(format!("{guild}\u{0}{user}").as_bytes());
    digest[..12].iter().map(|b| format!("{b:02x}")).collect()
}

impl Store {
    /// Records a query the bank had no entry for.
    pub async fn record_unanswered(
        &self,
        guild: &str,
        user: &str,
        query: &str,
        at: i64,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO unanswered (id, guild, asked_at, query, asker) VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(format!("{at:013}-{:016x}", fastrand::u64(..)))
        .bind(guild)
        .bind(at)
        .bind(query)
        .bind(asker_hash(guild, user))
        .execute(self.pool())
        .await?;
        Ok(())
    }

    /// Unanswered queries asked at or after `since` (Unix ms), of one server or
    /// of all, newest first, at most `limit`.
    pub async fn unanswered_since(
        &self,
        guild: Option<&str>,
        since: i64,
        limit: i64,
    ) -> Result<Vec<UnansweredRow>, StoreError> {
        let rows = sqlx::query(
            "SELECT guild, asked_at, query, asker FROM unanswered
             WHERE asked_at >= $1 AND ($2 = '' OR guild = $2)
             ORDER BY asked_at DESC, id LIMIT $3",
        )
        .bind(since)
        .bind(guild.unwrap_or(""))
        .bind(limit)
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|row| {
                Ok(UnansweredRow {
                    guild: row.try_get(0)?,
                    asked_at: row.try_get(1)?,
                    query: row.try_get(2)?,
                    asker: row.try_get(3)?,
                })
            })
            .collect::<Result<_, sqlx::Error>>()
            .map_err(StoreError::from)
    }

    /// Forgets unanswered queries asked before `before` (Unix ms); returns how many.
    pub async fn expire_unanswered(&self, before: i64) -> Result<u64, StoreError> {
        let done = sqlx::query("DELETE FROM unanswered WHERE asked_at < $1")
            .bind(before)
            .execute(self.pool())
            .await?;
        Ok(done.rows_affected())
    }

    /// Records a vote; a person's second vote on the same entry replaces the first.
    pub async fn vote(&self, v: &NewVote) -> Result<VoteOutcome, StoreError> {
        // Write first: a SQLite transaction that reads and then writes fails at
        // once ("database is locked", no waiting) when another connection wrote
        // in between; one that starts by writing waits its turn.
        let mut tx = self.pool().begin().await?;
        let changed = with_vote(
            "UPDATE feedback SET query = $4, vote = $5, reason = $6, voted_at = $7, instead_of = $8
             WHERE guild = $1 AND entry = $2 AND voter = $3",
            v,
        )
        .execute(&mut *tx)
        .await?
        .rows_affected()
            > 0;
        if !changed {
            with_vote(
                "INSERT INTO feedback (guild, entry, voter, query, vote, reason, voted_at, instead_of)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
                 ON CONFLICT (guild, entry, voter) DO UPDATE SET
                   query = excluded.query, vote = excluded.vote, reason = excluded.reason,
                   voted_at = excluded.voted_at, instead_of = excluded.instead_of",
                v,
            )
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(match changed {
            true => VoteOutcome::Changed,
            false => VoteOutcome::Recorded,
        })
    }

    /// Adds `reason` to `voter`'s 👎 on `entry` (a reason given after the
    /// vote, in a Discord or Slack modal); a person with no vote there gets a
    /// 👎 with the reason. Returns whether a vote was there before.
    pub async fn vote_reason(&self, v: &NewVote) -> Result<VoteOutcome, StoreError> {
        let done = sqlx::query(
            "UPDATE feedback SET reason = $4, vote = -1, instead_of = NULL, voted_at = $5
             WHERE guild = $1 AND entry = $2 AND voter = $3",
        )
        .bind(&v.guild)
        .bind(&v.entry)
        .bind(&v.voter)
        .bind(&v.reason)
        .bind(v.at)
        .execute(self.pool())
        .await?;
        if done.rows_affected() > 0 {
            return Ok(VoteOutcome::Changed);
        }
        self.vote(v).await
    }

    /// Entries with at least one 👎 or wanted less than another, most 👎
    /// first, of one server or of all.
    pub async fn reports(&self, guild: Option<&str>) -> Result<Vec<EntryReport>, StoreError> {
        let rows = sqlx::query(
            "SELECT entry, vote, reason, instead_of FROM feedback WHERE ($1 = '' OR guild = $1)
             ORDER BY voted_at DESC, entry, voter",
        )
        .bind(guild.unwrap_or(""))
        .fetch_all(self.pool())
        .await?;
        let mut reports: Vec<EntryReport> = Vec::new();
        for row in &rows {
            let entry: String = row.try_get(0)?;
            let vote: i64 = row.try_get(1)?;
            let reason: Option<String> = row.try_get(2)?;
            let instead_of: Option<String> = row.try_get(3)?;
            if let Some(first) = instead_of.filter(|f| vote > 0 && *f != entry) {
                let at = report_of(&mut reports, first);
                let report = &mut reports[at];
                match report.wanted.iter_mut().find(|(e, _)| *e == entry) {
                    Some((_, n)) => *n += 1,
                    None => report.wanted.push((entry.clone(), 1)),
                }
            }
            let at = report_of(&mut reports, entry);
            let report = &mut reports[at];
            if vote > 0 {
                report.up += 1;
            } else {
                report.down += 1;
                report
                    .reasons
                    .extend(reason.filter(|r| !r.trim().is_empty()));
            }
        }
        reports.retain(|r| r.down > 0 || !r.wanted.is_empty());
        for report in &mut reports {
            report
                .wanted
                .sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        }
        let wanted = |r: &EntryReport| r.wanted.iter().map(|(_, n)| n).sum::<i64>();
        reports.sort_by(|a, b| {
            b.down
                .cmp(&a.down)
                .then(wanted(b).cmp(&wanted(a)))
                .then(a.entry.cmp(&b.entry))
        });
        Ok(reports)
    }
}

/// The index of `entry`'s report, added empty if it has none yet.
fn report_of(reports: &mut Vec<EntryReport>, entry: String) -> usize {
    match reports.iter().position(|r| r.entry == entry) {
        Some(at) => at,
        None => {
            reports.push(EntryReport {
                entry,
                down: 0,
                up: 0,
                reasons: Vec::new(),
                wanted: Vec::new(),
            });
            reports.len() - 1
        }
    }
}

/// `sql` with a vote's fields bound as $1..$8: guild, entry, voter, query, vote
/// (1 or -1), reason, time, the entry it was wanted instead of.
fn with_vote<'q>(
    sql: &'static str,
    v: &'q NewVote,
) -> sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments> {
    sqlx::query(sql)
        .bind(&v.guild)
        .bind(&v.entry)
        .bind(&v.voter)
        .bind(&v.query)
        .bind(if v.up { 1i64 } else { -1i64 })
        .bind(&v.reason)
        .bind(v.at)
        .bind(&v.instead_of)
}
