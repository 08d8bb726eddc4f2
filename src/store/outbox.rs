//! The outbox: posts the bot makes by itself (questions, reveals, standings,
//! reminders, scheduled rounds), written in the same transaction as the claim
//! that causes them and marked delivered once a platform took them. A process
//! delivers a post under a lease; a post whose lease ran out (its process died)
//! is delivered by any live process. Within a channel, posts go out in the
//! order they were written: a post waits while an earlier one of its channel
//! is leased or waiting to be retried.
//!
//! Also here: ids of platform requests already handled (interactions), kept
//! until their replay window has passed, so a replay is refused across restarts.

use sqlx::Row;
use sqlx::any::AnyRow;

use super::{Store, StoreError};

/// A post to write with a claim.
#[derive(Debug, Clone, PartialEq)]
pub struct NewPost {
    /// Stable for the same post: delivering it twice can be told apart (Discord's nonce).
    pub id: String,
    pub guild: String,
    pub channel: String,
    /// The instant it was due (Unix ms), which the shell prints as its time.
    pub due_at: i64,
    /// What to post, as JSON the core renders at delivery.
    pub body: String,
}

/// A post leased for delivery.
#[derive(Debug, Clone, PartialEq)]
pub struct PendingPost {
    pub id: String,
    pub guild: String,
    pub channel: String,
    pub due_at: i64,
    pub body: String,
    /// Delivery attempts so far, this one included.
    pub attempts: i64,
    /// The lease this delivery holds; marking needs it.
    pub lease: String,
}

/// How long delivered posts and handled request ids are kept.
const KEEP_DELIVERED_MS: i64 = 7 * 24 * 3600 * 1000;

fn pending_from(row: &AnyRow) -> Result<PendingPost, sqlx::Error> {
    Ok(PendingPost {
        id: row.try_get(0)?,
        guild: row.try_get(1)?,
        channel: row.try_get(2)?,
        due_at: row.try_get(3)?,
        body: row.try_get(4)?,
        attempts: row.try_get(5)?,
        lease: row.try_get(6)?,
    })
}

/// A claim: an UPDATE guarded by the state that was read (`WHERE ... AND
/// last_run_at = $3`), so of two processes only one changes the row.
pub(crate) type Claim<'q> = sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments>;

/// Runs `claim` in `conn` (a transaction): true when it changed the row, false
/// when another process claimed it first.
pub(crate) async fn claimed(
    conn: &mut sqlx::AnyConnection,
    claim: Claim<'_>,
) -> Result<bool, StoreError> {
    Ok(claim.execute(conn).await?.rows_affected() == 1)
}

impl Store {
    /// Runs `claim` and, when it wins, writes `posts` (what the claim causes
    /// the bot to say) to the outbox in the same transaction: the one way
    /// claims post, so a process that dies after a claim loses no post and
    /// two processes never both post. False (nothing written) when another
    /// process claimed first.
    pub(crate) async fn claim_posting(
        &self,
        claim: Claim<'_>,
        posts: &[NewPost],
        now: i64,
    ) -> Result<bool, StoreError> {
        let mut tx = self.pool().begin().await?;
        if !claimed(&mut tx, claim).await? {
            return Ok(false);
        }
        insert_posts(&mut tx, posts, now).await?;
        tx.commit().await?;
        Ok(true)
    }
}

/// Writes `posts` in the transaction `conn` is in, in order after anything
/// already written; a post whose id exists already is left as it is.
pub(crate) async fn insert_posts(
    conn: &mut sqlx::AnyConnection,
    posts: &[NewPost],
    now: i64,
) -> Result<(), StoreError> {
    for post in posts {
        // The channel's next number, from the database: the order of writing,
        // whatever the clocks of the processes that write.
        sqlx::query(
            "INSERT INTO outbox (id, guild, channel, seq, due_at, body, created_at, lease_until, attempts)
             SELECT $1, $2, $3, COALESCE(MAX(seq), 0) + 1, $4, $5, $6, 0, 0
             FROM outbox WHERE guild = $2 AND channel = $3
             ON CONFLICT (id) DO NOTHING",
        )
        .bind(&post.id)
        .bind(&post.guild)
        .bind(&post.channel)
        .bind(post.due_at)
        .bind(&post.body)
        .bind(now)
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

impl Store {
    /// Writes posts that no claim causes (a command's own follow-ups).
    pub async fn enqueue(&self, posts: &[NewPost], now: i64) -> Result<(), StoreError> {
        let mut tx = self.pool().begin().await?;
        insert_posts(&mut tx, posts, now).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Leases up to `limit` posts that are ready, in order, until `now + lease_ms`
    /// under a fresh lease id; each delivery then marks its post.
    pub async fn lease_posts(
        &self,
        now: i64,
        lease_ms: i64,
        limit: i64,
    ) -> Result<Vec<PendingPost>, StoreError> {
        self.lease_posts_in(GuildScope::All, now, lease_ms, limit)
            .await
    }

    /// [`Store::lease_posts`] among the posts of `scope`'s guilds only (one
    /// platform's, when several run on one database).
    pub async fn lease_posts_in(
        &self,
        scope: GuildScope,
        now: i64,
        lease_ms: i64,
        limit: i64,
    ) -> Result<Vec<PendingPost>, StoreError> {
        let lease = format!("{:016x}", fastrand::u64(..));
        let (condition, pattern) = scope.condition("o.guild", 5);
        let leased = sqlx::query(super::built(format!(
            "UPDATE outbox SET lease_owner = $1, lease_until = $2, attempts = attempts + 1
             WHERE delivered_at IS NULL AND lease_until <= $3 AND id IN (
                 SELECT o.id FROM outbox o
                 WHERE o.delivered_at IS NULL AND o.lease_until <= $3 AND {condition}
                   AND NOT EXISTS (
                       SELECT 1 FROM outbox e
                       WHERE e.guild = o.guild AND e.channel = o.channel
                         AND e.delivered_at IS NULL AND e.seq < o.seq AND e.lease_until > $3)
                 ORDER BY o.created_at, o.seq, o.id LIMIT $4)"
        )))
        .bind(&lease)
        .bind(now + lease_ms)
        .bind(now)
        .bind(limit)
        .bind(pattern)
        .execute(self.pool())
        .await?;
        if leased.rows_affected() == 0 {
            return Ok(Vec::new());
        }
        let rows = sqlx::query(
            "SELECT id, guild, channel, due_at, body, attempts, lease_owner FROM outbox
             WHERE lease_owner = $1 AND delivered_at IS NULL ORDER BY created_at, seq, id",
        )
        .bind(&lease)
        .fetch_all(self.pool())
        .await?;
        Ok(rows.iter().map(pending_from).collect::<Result<_, _>>()?)
    }

    /// Marks a leased post delivered; false if its lease had passed to another
    /// process (which will deliver it again: at least once).
    pub async fn mark_delivered(&self, post: &PendingPost, now: i64) -> Result<bool, StoreError> {
        let done = sqlx::query(
            "UPDATE outbox SET delivered_at = $1 WHERE id = $2 AND lease_owner = $3 AND delivered_at IS NULL",
        )
        .bind(now)
        .bind(&post.id)
        .bind(&post.lease)
        .execute(self.pool())
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Extends a leased post's lease to `until` just before it is sent; false
    /// if the lease has passed to another process (which then sends it).
    pub async fn renew_lease(&self, post: &PendingPost, until: i64) -> Result<bool, StoreError> {
        let done = sqlx::query(
            "UPDATE outbox SET lease_until = $1 WHERE id = $2 AND lease_owner = $3 AND delivered_at IS NULL",
        )
        .bind(until)
        .bind(&post.id)
        .bind(&post.lease)
        .execute(self.pool())
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Gives a post back to be tried again at `retry_at` (its channel's later
    /// posts wait for it).
    pub async fn retry_post(&self, post: &PendingPost, retry_at: i64) -> Result<(), StoreError> {
        sqlx::query(
            "UPDATE outbox SET lease_owner = NULL, lease_until = $1
             WHERE id = $2 AND lease_owner = $3 AND delivered_at IS NULL",
        )
        .bind(retry_at)
        .bind(&post.id)
        .bind(&post.lease)
        .execute(self.pool())
        .await?;
        Ok(())
    }

    /// Posts not yet delivered.
    pub async fn pending_posts(&self) -> Result<i64, StoreError> {
        let row = sqlx::query("SELECT COUNT(*) FROM outbox WHERE delivered_at IS NULL")
            .fetch_one(self.pool())
            .await?;
        Ok(row.try_get(0)?)
    }

    /// When the next undelivered post can be leased (now, or when a lease or a
    /// retry pause ends): only each channel's first waiting post counts, as the
    /// others wait for it.
    pub async fn next_post_at(&self) -> Result<Option<i64>, StoreError> {
        self.next_post_at_in(GuildScope::All).await
    }

    /// [`Store::next_post_at`] among the posts of `scope`'s guilds only.
    pub async fn next_post_at_in(&self, scope: GuildScope) -> Result<Option<i64>, StoreError> {
        let (condition, pattern) = scope.condition("o.guild", 1);
        let row = sqlx::query(super::built(format!(
            "SELECT MIN(o.lease_until) FROM outbox o
             WHERE o.delivered_at IS NULL AND {condition} AND NOT EXISTS (
                 SELECT 1 FROM outbox e
                 WHERE e.guild = o.guild AND e.channel = o.channel
                   AND e.delivered_at IS NULL AND e.seq < o.seq)"
        )))
        .bind(pattern)
        .fetch_one(self.pool())
        .await?;
        Ok(row.try_get::<Option<i64>, _>(0)?)
    }

    /// Records a platform request id as handled until `expires_at`; false when
    /// it was handled already (a replay, or a second delivery).
    pub async fn claim_request(
        &self,
        id: &str,
        now: i64,
        expires_at: i64,
    ) -> Result<bool, StoreError> {
        let done = sqlx::query(
            "INSERT INTO handled_requests (id, handled_at, expires_at) VALUES ($1, $2, $3)
             ON CONFLICT (id) DO NOTHING",
        )
        .bind(id)
        .bind(now)
        .bind(expires_at)
        .execute(self.pool())
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Forgets request ids past their window and posts delivered long ago.
    pub async fn sweep(&self, now: i64) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM handled_requests WHERE expires_at < $1")
            .bind(now)
            .execute(self.pool())
            .await?;
        sqlx::query("DELETE FROM outbox WHERE delivered_at IS NOT NULL AND delivered_at < $1")
            .bind(now - KEEP_DELIVERED_MS)
            .execute(self.pool())
            .await?;
        Ok(())
    }
}

/// Whose posts a delivery loop takes: every guild's, or one platform's when
/// several platforms share a database (Slack's guilds are `slack:T…`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GuildScope {
    All,
    /// Guilds whose id starts with this.
    Prefixed(&'static str),
    /// Guilds whose id does not start with this.
    NotPrefixed(&'static str),
}

impl GuildScope {
    /// The SQL condition on `column`, with its `LIKE` pattern bound as `$n`.
    fn condition(self, column: &str, n: usize) -> (String, String) {
        match self {
            GuildScope::All => (format!("{column} LIKE ${n}"), "%".to_string()),
            GuildScope::Prefixed(p) => (format!("{column} LIKE ${n}"), format!("{p}%")),
            GuildScope::NotPrefixed(p) => (format!("{column} NOT LIKE ${n}"), format!("{p}%")),
        }
    }
}
