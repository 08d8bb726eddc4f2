//! Team banks: Q&A entries a server's own members suggest and its moderators
//! approve, searchable in that server only. This module owns three tables:
//!
//! - `team_suggestions`: every suggestion, numbered per server (1, 2, …), with
//!   its review (`state` `pending`, `approved` or `rejected`, the reviewer,
//!   when, the reason of a rejection, the entry an approval made). The row
//!   keeps the draft as suggested; a moderator's edit goes to the entry.
//! - `team_entries`: the approved entries, `<slug>-NNN` per server. A retired
//!   entry stays (with `retired_at`), so history that names it still
//!   resolves; it just is no longer live.
//! - `team_banks`: one row per server with the last suggestion number and
//!   the last entry number given out, advanced in the transaction that uses
//!   the next one, so numbers are handed out once and never reused.
//!
//! A draft's aliases are stored in one `TEXT` column, one alias per line
//! (`aliases` joined with `\n`): an alias is one line (a line break inside one
//! is stored as a space) and empty aliases are dropped.
//!
//! A review is a claim: `UPDATE … WHERE state = 'pending'`, whose row count
//! says who won, in the same transaction as the entry it makes. Of two
//! moderators approving (or rejecting) one suggestion at once, one does it and
//! the other is told it was reviewed already.

use sqlx::Row;
use sqlx::any::AnyRow;

use super::{Store, StoreError, built};

/// What a member suggested (or a moderator's edit of it): the fields of a bank entry.
#[derive(Debug, Clone, PartialEq)]
pub struct Draft {
    pub question: String,
    pub answer: String,
    pub topic: String,
    pub source: Option<String>,
    /// Other ways to ask the question; one line each (see the module doc).
    pub aliases: Vec<String>,
}

/// One suggestion and its review.
#[derive(Debug, Clone, PartialEq)]
pub struct SuggestionRow {
    /// The suggestion's number in its server (1, 2, …), shown to moderators.
    pub number: i64,
    pub server: String,
    /// The user id of the member who suggested it.
    pub suggester: String,
    /// The draft as suggested (a moderator's edit is in the entry).
    pub draft: Draft,
    /// Unix ms.
    pub suggested_at: i64,
    pub state: SuggestionState,
    /// Why it was rejected, if it was.
    pub reason: Option<String>,
    /// The entry its approval made, if approved.
    pub entry_id: Option<String>,
}

/// Where a suggestion is in its review.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SuggestionState {
    Pending,
    Approved,
    Rejected,
}

impl SuggestionState {
    fn parse(text: &str) -> Result<SuggestionState, sqlx::Error> {
        match text {
            "pending" => Ok(SuggestionState::Pending),
            "approved" => Ok(SuggestionState::Approved),
            "rejected" => Ok(SuggestionState::Rejected),
            other => Err(sqlx::Error::Decode(
                format!("unknown suggestion state {other:?}").into(),
            )),
        }
    }
}

/// One entry of a server's team bank.
#[derive(Debug, Clone, PartialEq)]
pub struct TeamEntryRow {
    /// `<slug>-NNN`: the number zero-padded to 3 digits (more past 999).
    pub id: String,
    pub server: String,
    pub draft: Draft,
    /// Who suggested it (None for an entry a moderator added directly).
    pub suggester: Option<String>,
    /// Unix ms.
    pub created_at: i64,
    /// Unix ms: the last edit, or `created_at`.
    pub updated_at: i64,
}

/// What a review did.
// One is made per moderator click, so the size of the unboxed entry costs
// nothing, and callers match on the entry itself.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq)]
pub enum Review {
    /// Approved now: the entry it made.
    Approved(TeamEntryRow),
    /// Rejected now.
    Rejected,
    /// Someone reviewed it first; nothing changed.
    AlreadyReviewed(SuggestionState),
    /// No suggestion with that number in that server.
    NotFound,
}

/// The id of entry `number` of a bank whose slug is `slug`.
pub fn team_entry_id(slug: &str, number: i64) -> String {
    format!("{slug}-{number:03}")
}

/// Aliases as stored: one per line, line breaks inside one made spaces,
/// empty ones dropped.
fn join_aliases(aliases: &[String]) -> String {
    aliases
        .iter()
        .map(|alias| alias.replace(['\r', '\n'], " "))
        .filter(|alias| !alias.is_empty())
        .collect::<Vec<_>>()
        .join("\n")
}

fn split_aliases(stored: &str) -> Vec<String> {
    stored
        .split('\n')
        .filter(|alias| !alias.is_empty())
        .map(str::to_string)
        .collect()
}

/// The draft's columns, in the order [`draft_from`] reads them.
const DRAFT_COLUMNS: &str = "question, answer, topic, source, aliases";

fn draft_from(row: &AnyRow, first: usize) -> Result<Draft, sqlx::Error> {
    Ok(Draft {
        question: row.try_get(first)?,
        answer: row.try_get(first + 1)?,
        topic: row.try_get(first + 2)?,
        source: row.try_get(first + 3)?,
        aliases: split_aliases(&row.try_get::<String, _>(first + 4)?),
    })
}

const SUGGESTION_COLUMNS: &str = "number, server, suggester, suggested_at, state, reason, entry_id, question, answer, topic, source, aliases";

fn suggestion_from(row: &AnyRow) -> Result<SuggestionRow, sqlx::Error> {
    Ok(SuggestionRow {
        number: row.try_get(0)?,
        server: row.try_get(1)?,
        suggester: row.try_get(2)?,
        suggested_at: row.try_get(3)?,
        state: SuggestionState::parse(&row.try_get::<String, _>(4)?)?,
        reason: row.try_get(5)?,
        entry_id: row.try_get(6)?,
        draft: draft_from(row, 7)?,
    })
}

const ENTRY_COLUMNS: &str =
    "id, server, suggester, created_at, updated_at, question, answer, topic, source, aliases";

fn entry_from(row: &AnyRow) -> Result<TeamEntryRow, sqlx::Error> {
    Ok(TeamEntryRow {
        id: row.try_get(0)?,
        server: row.try_get(1)?,
        suggester: row.try_get(2)?,
        created_at: row.try_get(3)?,
        updated_at: row.try_get(4)?,
        draft: draft_from(row, 5)?,
    })
}

/// Which number a server's `team_banks` row hands out.
#[derive(Clone, Copy)]
enum Counter {
    Suggestion,
    Entry,
}

/// Takes the next suggestion or entry number of a server (1 for the first),
/// advancing its `team_banks` row (made on first use); the row stays locked
/// until `tx` ends, so numbers go out once, in order.
async fn take_number(
    tx: &mut sqlx::AnyConnection,
    server: &str,
    counter: Counter,
) -> Result<i64, sqlx::Error> {
    let (column, first) = match counter {
        Counter::Suggestion => ("last_suggestion", (1_i64, 0_i64)),
        Counter::Entry => ("last_entry", (0, 1)),
    };
    let row = sqlx::query(built(format!(
        "INSERT INTO team_banks (server, last_suggestion, last_entry) VALUES ($1, $2, $3)
         ON CONFLICT (server) DO UPDATE SET {column} = team_banks.{column} + 1
         RETURNING {column}"
    )))
    .bind(server)
    .bind(first.0)
    .bind(first.1)
    .fetch_one(&mut *tx)
    .await?;
    row.try_get(0)
}

/// Inserts an entry numbered from the server's counter; returns it.
async fn insert_entry(
    tx: &mut sqlx::AnyConnection,
    server: &str,
    slug: &str,
    draft: &Draft,
    suggester: Option<&str>,
    suggestion: Option<i64>,
    now: i64,
) -> Result<TeamEntryRow, sqlx::Error> {
    let number = take_number(&mut *tx, server, Counter::Entry).await?;
    let id = team_entry_id(slug, number);
    sqlx::query(
        "INSERT INTO team_entries (server, id, number, question, answer, topic, source, aliases,
             suggester, suggestion, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $11)",
    )
    .bind(server)
    .bind(&id)
    .bind(number)
    .bind(&draft.question)
    .bind(&draft.answer)
    .bind(&draft.topic)
    .bind(&draft.source)
    .bind(join_aliases(&draft.aliases))
    .bind(suggester)
    .bind(suggestion)
    .bind(now)
    .execute(&mut *tx)
    .await?;
    Ok(TeamEntryRow {
        id,
        server: server.to_string(),
        draft: Draft {
            aliases: split_aliases(&join_aliases(&draft.aliases)),
            ..draft.clone()
        },
        suggester: suggester.map(str::to_string),
        created_at: now,
        updated_at: now,
    })
}

impl Store {
    /// Records a member's suggestion, pending review; returns its number in
    /// the server. Committed before it returns.
    pub async fn suggest(
        &self,
        server: &str,
        suggester: &str,
        draft: &Draft,
        now: i64,
    ) -> Result<i64, StoreError> {
        let mut tx = self.pool().begin().await?;
        let number = take_number(&mut tx, server, Counter::Suggestion).await?;
        sqlx::query(
            "INSERT INTO team_suggestions (server, number, suggester, question, answer, topic,
                 source, aliases, suggested_at, state)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 'pending')",
        )
        .bind(server)
        .bind(number)
        .bind(suggester)
        .bind(&draft.question)
        .bind(&draft.answer)
        .bind(&draft.topic)
        .bind(&draft.source)
        .bind(join_aliases(&draft.aliases))
        .bind(now)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(number)
    }

    /// How many suggestions `suggester` made in `server` at or after `since`
    /// (Unix ms), whatever became of them: for rate limits.
    pub async fn suggestions_since(
        &self,
        server: &str,
        suggester: &str,
        since: i64,
    ) -> Result<i64, StoreError> {
        let row = sqlx::query(
            "SELECT COUNT(*) FROM team_suggestions
             WHERE server = $1 AND suggester = $2 AND suggested_at >= $3",
        )
        .bind(server)
        .bind(suggester)
        .bind(since)
        .fetch_one(self.pool())
        .await?;
        Ok(row.try_get(0)?)
    }

    /// A server's pending suggestions, oldest first, at most `limit`.
    pub async fn pending_suggestions(
        &self,
        server: &str,
        limit: i64,
    ) -> Result<Vec<SuggestionRow>, StoreError> {
        let rows = sqlx::query(built(format!(
            "SELECT {SUGGESTION_COLUMNS} FROM team_suggestions
             WHERE server = $1 AND state = 'pending' ORDER BY number LIMIT $2"
        )))
        .bind(server)
        .bind(limit)
        .fetch_all(self.pool())
        .await?;
        Ok(rows.iter().map(suggestion_from).collect::<Result<_, _>>()?)
    }

    /// How many suggestions of a server wait for review.
    pub async fn pending_count(&self, server: &str) -> Result<i64, StoreError> {
        let row = sqlx::query(
            "SELECT COUNT(*) FROM team_suggestions WHERE server = $1 AND state = 'pending'",
        )
        .bind(server)
        .fetch_one(self.pool())
        .await?;
        Ok(row.try_get(0)?)
    }

    /// Suggestion `number` of a server, in any state.
    pub async fn suggestion(
        &self,
        server: &str,
        number: i64,
    ) -> Result<Option<SuggestionRow>, StoreError> {
        let row = sqlx::query(built(format!(
            "SELECT {SUGGESTION_COLUMNS} FROM team_suggestions WHERE server = $1 AND number = $2"
        )))
        .bind(server)
        .bind(number)
        .fetch_optional(self.pool())
        .await?;
        Ok(row.as_ref().map(suggestion_from).transpose()?)
    }

    /// What a review that claimed nothing tells: reviewed already, or no such suggestion.
    async fn unclaimed(&self, server: &str, number: i64) -> Result<Review, StoreError> {
        Ok(match self.suggestion(server, number).await? {
            Some(found) => Review::AlreadyReviewed(found.state),
            None => Review::NotFound,
        })
    }

    /// Approves a pending suggestion exactly once (two moderators racing: one
    /// wins, the other gets AlreadyReviewed), optionally with the moderator's
    /// edited draft, giving it the next id `<slug>-NNN` for that server (NNN
    /// zero-padded to 3 digits, growing past 999; numbers never reused, also
    /// after retiring), all in one transaction.
    pub async fn approve_suggestion(
        &self,
        server: &str,
        number: i64,
        reviewer: &str,
        slug: &str,
        edited: Option<&Draft>,
        now: i64,
    ) -> Result<Review, StoreError> {
        let mut tx = self.pool().begin().await?;
        // The claim comes first, so a transaction's first statement writes
        // (SQLite then waits for the write lock instead of failing on a stale
        // snapshot) and a loser changes nothing.
        let claimed = sqlx::query(built(format!(
            "UPDATE team_suggestions SET state = 'approved', reviewer = $3, reviewed_at = $4
             WHERE server = $1 AND number = $2 AND state = 'pending'
             RETURNING suggester, {DRAFT_COLUMNS}"
        )))
        .bind(server)
        .bind(number)
        .bind(reviewer)
        .bind(now)
        .fetch_optional(&mut *tx)
        .await?;
        let Some(claimed) = claimed else {
            tx.rollback().await?;
            return self.unclaimed(server, number).await;
        };
        let suggester: String = claimed.try_get(0)?;
        let draft = match edited {
            Some(edited) => edited.clone(),
            None => draft_from(&claimed, 1)?,
        };
        let entry = insert_entry(
            &mut tx,
            server,
            slug,
            &draft,
            Some(&suggester),
            Some(number),
            now,
        )
        .await?;
        sqlx::query("UPDATE team_suggestions SET entry_id = $3 WHERE server = $1 AND number = $2")
            .bind(server)
            .bind(number)
            .bind(&entry.id)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(Review::Approved(entry))
    }

    /// Rejects a pending suggestion with the moderator's reason, exactly once
    /// (like [`Store::approve_suggestion`]).
    pub async fn reject_suggestion(
        &self,
        server: &str,
        number: i64,
        reviewer: &str,
        reason: &str,
        now: i64,
    ) -> Result<Review, StoreError> {
        let done = sqlx::query(
            "UPDATE team_suggestions SET state = 'rejected', reviewer = $3, reviewed_at = $4, reason = $5
             WHERE server = $1 AND number = $2 AND state = 'pending'",
        )
        .bind(server)
        .bind(number)
        .bind(reviewer)
        .bind(now)
        .bind(reason)
        .execute(self.pool())
        .await?;
        if done.rows_affected() == 0 {
            return self.unclaimed(server, number).await;
        }
        Ok(Review::Rejected)
    }

    /// Adds an entry directly (a moderator's own, no suggestion), with the
    /// next id `<slug>-NNN` of that server, like an approval.
    pub async fn add_team_entry(
        &self,
        server: &str,
        slug: &str,
        draft: &Draft,
        now: i64,
    ) -> Result<TeamEntryRow, StoreError> {
        let mut tx = self.pool().begin().await?;
        let entry = insert_entry(&mut tx, server, slug, draft, None, None, now).await?;
        tx.commit().await?;
        Ok(entry)
    }

    /// Live (not retired) entries: of one server, or of all servers when
    /// `server` is None (loaded at start-up), in id order per server (the
    /// order they were numbered in). Also what `bank export` writes.
    pub async fn team_entries(
        &self,
        server: Option<&str>,
    ) -> Result<Vec<TeamEntryRow>, StoreError> {
        let filter = if server.is_some() {
            " AND server = $1"
        } else {
            ""
        };
        let mut query = sqlx::query(built(format!(
            "SELECT {ENTRY_COLUMNS} FROM team_entries
             WHERE retired_at IS NULL{filter} ORDER BY server, number"
        )));
        if let Some(server) = server {
            query = query.bind(server);
        }
        let rows = query.fetch_all(self.pool()).await?;
        Ok(rows.iter().map(entry_from).collect::<Result<_, _>>()?)
    }

    /// A live entry of a server.
    pub async fn team_entry(
        &self,
        server: &str,
        id: &str,
    ) -> Result<Option<TeamEntryRow>, StoreError> {
        let row = sqlx::query(built(format!(
            "SELECT {ENTRY_COLUMNS} FROM team_entries
             WHERE server = $1 AND id = $2 AND retired_at IS NULL"
        )))
        .bind(server)
        .bind(id)
        .fetch_optional(self.pool())
        .await?;
        Ok(row.as_ref().map(entry_from).transpose()?)
    }

    /// An entry of a server, live or retired, with when it was retired
    /// (None: live): for history that names it.
    pub async fn team_entry_ever(
        &self,
        server: &str,
        id: &str,
    ) -> Result<Option<(TeamEntryRow, Option<i64>)>, StoreError> {
        let row = sqlx::query(built(format!(
            "SELECT {ENTRY_COLUMNS}, retired_at FROM team_entries WHERE server = $1 AND id = $2"
        )))
        .bind(server)
        .bind(id)
        .fetch_optional(self.pool())
        .await?;
        Ok(row
            .as_ref()
            .map(|row| Ok::<_, sqlx::Error>((entry_from(row)?, row.try_get(10)?)))
            .transpose()?)
    }

    /// How many live entries a server has (for the size limit).
    pub async fn team_entry_count(&self, server: &str) -> Result<i64, StoreError> {
        let row = sqlx::query(
            "SELECT COUNT(*) FROM team_entries WHERE server = $1 AND retired_at IS NULL",
        )
        .bind(server)
        .fetch_one(self.pool())
        .await?;
        Ok(row.try_get(0)?)
    }

    /// Replaces a live entry's fields; false when there is no live entry with
    /// that id in that server (another server's id is not found).
    pub async fn edit_team_entry(
        &self,
        server: &str,
        id: &str,
        draft: &Draft,
        editor: &str,
        now: i64,
    ) -> Result<bool, StoreError> {
        let done = sqlx::query(
            "UPDATE team_entries SET question = $3, answer = $4, topic = $5, source = $6,
                 aliases = $7, updated_at = $8, edited_by = $9
             WHERE server = $1 AND id = $2 AND retired_at IS NULL",
        )
        .bind(server)
        .bind(id)
        .bind(&draft.question)
        .bind(&draft.answer)
        .bind(&draft.topic)
        .bind(&draft.source)
        .bind(join_aliases(&draft.aliases))
        .bind(now)
        .bind(editor)
        .execute(self.pool())
        .await?;
        Ok(done.rows_affected() > 0)
    }

    /// Retires a live entry (kept in the table with `retired_at`, so history
    /// that names it still resolves); false when not found or already retired.
    /// Its number is not given out again.
    pub async fn retire_team_entry(
        &self,
        server: &str,
        id: &str,
        by: &str,
        now: i64,
    ) -> Result<bool, StoreError> {
        let done = sqlx::query(
            "UPDATE team_entries SET retired_at = $3, retired_by = $4
             WHERE server = $1 AND id = $2 AND retired_at IS NULL",
        )
        .bind(server)
        .bind(id)
        .bind(now)
        .bind(by)
        .execute(self.pool())
        .await?;
        Ok(done.rows_affected() > 0)
    }

    /// Approved suggestions per suggester in a server, most first (ties by
    /// user id), at most `limit`: the suggester credit shown beside the
    /// leaderboard. An approval counts even if its entry was retired later.
    pub async fn suggester_credits(
        &self,
        server: &str,
        limit: i64,
    ) -> Result<Vec<(String, i64)>, StoreError> {
        let rows = sqlx::query(
            "SELECT suggester, COUNT(*) FROM team_suggestions
             WHERE server = $1 AND state = 'approved'
             GROUP BY suggester ORDER BY COUNT(*) DESC, suggester LIMIT $2",
        )
        .bind(server)
        .bind(limit)
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|row| Ok((row.try_get(0)?, row.try_get(1)?)))
            .collect::<Result<_, sqlx::Error>>()
            .map_err(StoreError::from)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_zero_padded_to_three_digits_and_grow() {
        assert_eq!(team_entry_id("acme", 1), "acme-001");
        assert_eq!(team_entry_id("acme", 42), "acme-042");
        assert_eq!(team_entry_id("acme", 999), "acme-999");
        assert_eq!(team_entry_id("acme", 1000), "acme-1000");
    }

    #[test]
    fn aliases_are_one_per_line() {
        let aliases = vec![
            "what is a borrow".to_string(),
            String::new(),
            "two\nlines".to_string(),
        ];
        let stored = join_aliases(&aliases);
        assert_eq!(stored, "what is a borrow\ntwo lines");
        assert_eq!(
            split_aliases(&stored),
            vec!["what is a borrow".to_string(), "two lines".to_string()]
        );
        assert_eq!(join_aliases(&[]), "");
        assert!(split_aliases("").is_empty());
    }
}
