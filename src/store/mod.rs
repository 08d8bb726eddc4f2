//! Durable state: quiz rounds, the append-only answer log, which questions each
//! channel has seen, schedules, the outbox of posts and handled request ids,
//! unanswered queries, votes on answers, reports on quiz questions and personal
//! practice (cards, the grade log, settings), and team banks (suggestions, their
//! review, the approved entries of each server), in SQLite (a file, the default) or PostgreSQL, chosen by the
//! URL. Both run the same SQL through sqlx's `Any` driver (basic types only: times
//! are Unix milliseconds, flags are integers) and the same migrations
//! (`schema`). Writes that a person is told about are committed before the
//! function returns.

mod answers;
mod asked;
mod outbox;
mod practice;
mod quiz_reports;
mod rounds;
mod schedules;
mod schema;
mod team;

use std::time::Duration;

use sqlx::any::{AnyPoolOptions, install_default_drivers};
use sqlx::{AnyPool, Executor};

pub use answers::{AnswerOutcome, AnswerRow, NewAnswer, Period, Standing};
pub use asked::{EntryReport, NewVote, UnansweredRow, VoteOutcome, asker_hash};
pub use outbox::{GuildScope, NewPost, PendingPost};
pub use practice::{CardRow, GradeOutcome, LearnerRow, NewReview, PracticeCounts};
pub use quiz_reports::QuizReport;
pub use rounds::{NewRound, Round, RoundQuestion, RoundStatus, RunClaim};
pub use schedules::ScheduleRow;
pub use team::{Draft, Review, SuggestionRow, SuggestionState, TeamEntryRow, team_entry_id};

use crate::config::{redact_password, scrub_password};

/// What a caller can do about a storage failure.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The database is not answering; the same call may work shortly.
    #[error("the database is not answering ({0})")]
    Unavailable(String),
    /// The database answered with an error that retrying will not fix.
    #[error("database error: {0}")]
    Failed(String),
    /// This channel already has a running round.
    #[error("this channel already has a running round")]
    ChannelBusy,
}

impl From<sqlx::Error> for StoreError {
    fn from(error: sqlx::Error) -> Self {
        match &error {
            sqlx::Error::Io(_)
            | sqlx::Error::PoolTimedOut
            | sqlx::Error::PoolClosed
            | sqlx::Error::WorkerCrashed
            | sqlx::Error::Tls(_) => StoreError::Unavailable(error.to_string()),
            sqlx::Error::Database(db) if is_transient(db.code().as_deref()) => {
                StoreError::Unavailable(db.message().to_string())
            }
            _ => StoreError::Failed(error.to_string()),
        }
    }
}

/// SQLite "busy"/"locked" and PostgreSQL connection or shutdown errors.
fn is_transient(code: Option<&str>) -> bool {
    match code {
        Some(code) => {
            matches!(code, "5" | "6" | "517" | "261" | "262")
                || code.starts_with("08")
                || code.starts_with("57P")
        }
        None => false,
    }
}

/// Which database a URL names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// A connection pool with the schema migrated.
#[derive(Clone)]
pub struct Store {
    pool: AnyPool,
    backend: Backend,
}

/// How long a command waits for a PostgreSQL connection before saying "try again".
const ACQUIRE_TIMEOUT: Duration = Duration::from_secs(3);
/// How long `doctor` waits for the database.
const PROBE_TIMEOUT: Duration = Duration::from_secs(5);
/// SQLite connections wait for each other's writes (busy timeout 5 s), so a queue
/// of writers may wait longer for a connection without anything being wrong.
const SQLITE_ACQUIRE_TIMEOUT: Duration = Duration::from_secs(15);

impl Store {
    /// Connects (creating a SQLite file on first start) and runs the migrations.
    /// A connection error names the URL with its password hidden, and any copy of
    /// the password in the driver's message is hidden too.
    pub async fn connect(url: &str) -> Result<Store, StoreError> {
        install_default_drivers();
        let (backend, url) = if url.starts_with("sqlite:") {
            (Backend::Sqlite, sqlite_url(url))
        } else {
            (Backend::Postgres, url.to_string())
        };
        let options = match backend {
            Backend::Sqlite => AnyPoolOptions::new()
                .acquire_timeout(SQLITE_ACQUIRE_TIMEOUT)
                .max_connections(4),
            Backend::Postgres => AnyPoolOptions::new()
                .acquire_timeout(ACQUIRE_TIMEOUT)
                .max_connections(10),
        };
        let options = match backend {
            Backend::Sqlite => options.after_connect(|conn, _| {
                Box::pin(async move {
                    conn.execute(
                        "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; PRAGMA busy_timeout = 5000;",
                    )
                    .await?;
                    Ok(())
                })
            }),
            Backend::Postgres => options,
        };
        let pool = options
            .connect(&url)
            .await
            .map_err(|e| match StoreError::from(e) {
                StoreError::Failed(message) | StoreError::Unavailable(message) => {
                    StoreError::Unavailable(format!(
                        "{}: {}",
                        redact_password(&url),
                        scrub_password(&message, &url)
                    ))
                }
                other => other,
            })?;
        let store = Store { pool, backend };
        schema::migrate(&store).await?;
        Ok(store)
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    pub(crate) fn pool(&self) -> &AnyPool {
        &self.pool
    }

    /// Whether the database answers now (for `/readyz`); `SELECT 1`.
    pub async fn ping(&self) -> Result<(), StoreError> {
        sqlx::query("SELECT 1").execute(&self.pool).await?;
        Ok(())
    }

    /// How many pool connections are open, idle and allowed (for `/metrics`).
    pub fn pool_use(&self) -> crate::metrics::PoolUse {
        crate::metrics::PoolUse {
            size: self.pool.size(),
            idle: u32::try_from(self.pool.num_idle()).unwrap_or(u32::MAX),
            max: self.pool.options().get_max_connections(),
        }
    }

    /// Closes every connection (used before a process exits).
    pub async fn close(&self) {
        self.pool.close().await;
    }
}

/// SQL assembled in this module from constant pieces (column lists, a backend's
/// lock clause), never from input: values always go in as bound parameters.
fn built(sql: String) -> sqlx::AssertSqlSafe<String> {
    sqlx::AssertSqlSafe(sql)
}

/// Checks that the database at `url` can be reached, changing nothing: a SQLite
/// file that does not exist yet only needs a writable directory. Says what it found;
/// like [`Store::connect`], never the password.
pub async fn probe(url: &str) -> Result<String, StoreError> {
    install_default_drivers();
    let sqlite_path = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"));
    if let Some(path) = sqlite_path.filter(|p| !p.contains(":memory:")) {
        let path = std::path::Path::new(path.split('?').next().unwrap_or(path));
        if !path.exists() {
            let dir = path
                .parent()
                .filter(|d| !d.as_os_str().is_empty())
                .unwrap_or(std::path::Path::new("."));
            return if crate::files::is_writable_dir(dir) {
                Ok(format!(
                    "{} will be created at the first start",
                    path.display()
                ))
            } else {
                Err(StoreError::Unavailable(format!(
                    "{}: the directory cannot be written",
                    dir.display()
                )))
            };
        }
    }
    let backend = if sqlite_path.is_some() {
        "the SQLite database".to_string()
    } else {
        format!("the PostgreSQL server at {}", redact_password(url))
    };
    let unreachable = |e: sqlx::Error| {
        StoreError::Unavailable(format!(
            "{backend}: {}",
            scrub_password(&e.to_string(), url)
        ))
    };
    let pool = AnyPoolOptions::new()
        .acquire_timeout(PROBE_TIMEOUT)
        .max_connections(1)
        .connect(url)
        .await
        .map_err(unreachable)?;
    let reached = sqlx::query("SELECT 1").execute(&pool).await;
    pool.close().await;
    reached
        .map(|_| format!("{backend} answers"))
        .map_err(unreachable)
}

/// `sqlite://file` with `mode=rwc`, so the file is created on first start.
fn sqlite_url(url: &str) -> String {
    if url.contains('?') || url.contains(":memory:") {
        url.to_string()
    } else {
        format!("{url}?mode=rwc")
    }
}
