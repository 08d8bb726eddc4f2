//! The database schema, as numbered migrations that run at start on both backends.
//! Only SQL that SQLite and PostgreSQL read the same way: `TEXT`, `BIGINT`,
//! `ON CONFLICT`, partial indexes.

use sqlx::Row;

use super::{Backend, Store, StoreError};

/// Each migration runs once, in order; never edit one that has shipped.
const MIGRATIONS: &[&[&str]] = &[
    &[
        "CREATE TABLE rounds (
        id TEXT PRIMARY KEY,
        guild TEXT NOT NULL,
        channel TEXT NOT NULL,
        topic TEXT,
        starter TEXT NOT NULL,
        kind TEXT NOT NULL,
        seconds BIGINT NOT NULL,
        question_count BIGINT NOT NULL,
        position BIGINT NOT NULL,
        opened_at BIGINT NOT NULL,
        closes_at BIGINT NOT NULL,
        status TEXT NOT NULL,
        created_at BIGINT NOT NULL
    )",
        "CREATE UNIQUE INDEX one_open_round_per_channel ON rounds (guild, channel) WHERE status = 'open'",
        "CREATE INDEX rounds_due ON rounds (status, closes_at)",
        "CREATE TABLE round_questions (
        round_id TEXT NOT NULL,
        position BIGINT NOT NULL,
        question_id TEXT NOT NULL,
        topic TEXT NOT NULL,
        choices TEXT NOT NULL,
        correct TEXT NOT NULL,
        PRIMARY KEY (round_id, position)
    )",
        "CREATE TABLE answers (
        round_id TEXT NOT NULL,
        position BIGINT NOT NULL,
        user_id TEXT NOT NULL,
        user_name TEXT NOT NULL,
        guild TEXT NOT NULL,
        channel TEXT NOT NULL,
        question_id TEXT NOT NULL,
        topic TEXT NOT NULL,
        choice TEXT NOT NULL,
        correct BIGINT NOT NULL,
        points BIGINT NOT NULL,
        answered_at BIGINT NOT NULL,
        PRIMARY KEY (round_id, position, user_id)
    )",
        "CREATE INDEX answers_by_guild ON answers (guild, answered_at)",
        "CREATE INDEX answers_by_user ON answers (guild, user_id, answered_at)",
        "CREATE TABLE seen_questions (
        guild TEXT NOT NULL,
        channel TEXT NOT NULL,
        question_id TEXT NOT NULL,
        seen_at BIGINT NOT NULL,
        PRIMARY KEY (guild, channel, question_id)
    )",
    ],
    &[
        "CREATE TABLE schedules (
        id TEXT PRIMARY KEY,
        guild TEXT NOT NULL,
        channel TEXT NOT NULL,
        time TEXT NOT NULL,
        zone TEXT NOT NULL,
        days BIGINT NOT NULL,
        topic TEXT,
        questions BIGINT NOT NULL,
        open_seconds BIGINT NOT NULL,
        reminder_minutes BIGINT,
        role TEXT,
        created_by TEXT NOT NULL,
        created_at BIGINT NOT NULL,
        last_run_at BIGINT NOT NULL,
        last_reminder_at BIGINT NOT NULL
    )",
        "CREATE INDEX schedules_by_channel ON schedules (guild, channel)",
        "ALTER TABLE rounds ADD COLUMN zone TEXT",
    ],
    &[
        "CREATE TABLE outbox (
        id TEXT PRIMARY KEY,
        guild TEXT NOT NULL,
        channel TEXT NOT NULL,
        seq BIGINT NOT NULL,
        due_at BIGINT NOT NULL,
        body TEXT NOT NULL,
        created_at BIGINT NOT NULL,
        lease_owner TEXT,
        lease_until BIGINT NOT NULL,
        attempts BIGINT NOT NULL,
        delivered_at BIGINT
    )",
        "CREATE INDEX outbox_pending ON outbox (seq) WHERE delivered_at IS NULL",
        "CREATE INDEX outbox_by_channel ON outbox (guild, channel, seq)",
        "CREATE TABLE handled_requests (
        id TEXT PRIMARY KEY,
        handled_at BIGINT NOT NULL,
        expires_at BIGINT NOT NULL
    )",
    ],
    &[
        "CREATE TABLE unanswered (
        id TEXT PRIMARY KEY,
        guild TEXT NOT NULL,
        asked_at BIGINT NOT NULL,
        query TEXT NOT NULL,
        asker TEXT NOT NULL
    )",
        "CREATE INDEX unanswered_by_guild ON unanswered (guild, asked_at)",
        "CREATE TABLE feedback (
        guild TEXT NOT NULL,
        entry TEXT NOT NULL,
        voter TEXT NOT NULL,
        query TEXT NOT NULL,
        vote BIGINT NOT NULL,
        reason TEXT,
        voted_at BIGINT NOT NULL,
        PRIMARY KEY (guild, entry, voter)
    )",
    ],
    &[
        "CREATE TABLE quiz_reports (
        guild TEXT NOT NULL,
        entry TEXT NOT NULL,
        reporter TEXT NOT NULL,
        note TEXT,
        reported_at BIGINT NOT NULL,
        PRIMARY KEY (guild, entry, reporter)
    )",
        "ALTER TABLE feedback ADD COLUMN instead_of TEXT",
    ],
    &[
        "CREATE TABLE practice_cards (
        learner TEXT NOT NULL,
        entry TEXT NOT NULL,
        topic TEXT NOT NULL,
        stability DOUBLE PRECISION,
        difficulty DOUBLE PRECISION,
        due_at BIGINT,
        last_review_at BIGINT,
        reps BIGINT NOT NULL,
        lapses BIGINT NOT NULL,
        step BIGINT NOT NULL,
        added_at BIGINT NOT NULL,
        PRIMARY KEY (learner, entry)
    )",
        "CREATE INDEX practice_cards_due ON practice_cards (learner, step, due_at)",
        "CREATE TABLE practice_reviews (
        learner TEXT NOT NULL,
        entry TEXT NOT NULL,
        rep BIGINT NOT NULL,
        grade BIGINT NOT NULL,
        kind TEXT NOT NULL,
        reviewed_at BIGINT NOT NULL,
        day TEXT NOT NULL,
        elapsed_ms BIGINT NOT NULL,
        stability DOUBLE PRECISION,
        difficulty DOUBLE PRECISION,
        due_at BIGINT,
        PRIMARY KEY (learner, entry, rep)
    )",
        "CREATE INDEX practice_reviews_by_day ON practice_reviews (learner, day)",
        "CREATE TABLE practice_learners (
        learner TEXT PRIMARY KEY,
        quiz_cards BIGINT NOT NULL,
        zone TEXT,
        remind_at TEXT,
        next_remind_at BIGINT,
        reminded_at BIGINT,
        guild TEXT NOT NULL,
        user_id TEXT NOT NULL,
        updated_at BIGINT NOT NULL
    )",
        "CREATE INDEX practice_reminders_due ON practice_learners (next_remind_at) WHERE next_remind_at IS NOT NULL",
    ],
    &[
        "CREATE TABLE team_banks (
        server TEXT PRIMARY KEY,
        last_suggestion BIGINT NOT NULL,
        last_entry BIGINT NOT NULL
    )",
        "CREATE TABLE team_suggestions (
        server TEXT NOT NULL,
        number BIGINT NOT NULL,
        suggester TEXT NOT NULL,
        question TEXT NOT NULL,
        answer TEXT NOT NULL,
        topic TEXT NOT NULL,
        source TEXT,
        aliases TEXT NOT NULL,
        suggested_at BIGINT NOT NULL,
        state TEXT NOT NULL,
        reviewer TEXT,
        reviewed_at BIGINT,
        reason TEXT,
        entry_id TEXT,
        PRIMARY KEY (server, number)
    )",
        "CREATE INDEX team_suggestions_pending ON team_suggestions (server, number) WHERE state = 'pending'",
        "CREATE INDEX team_suggestions_by_suggester ON team_suggestions (server, suggester, suggested_at)",
        "CREATE INDEX team_suggestions_approved ON team_suggestions (server, suggester) WHERE state = 'approved'",
        "CREATE TABLE team_entries (
        server TEXT NOT NULL,
        id TEXT NOT NULL,
        number BIGINT NOT NULL,
        question TEXT NOT NULL,
        answer TEXT NOT NULL,
        topic TEXT NOT NULL,
        source TEXT,
        aliases TEXT NOT NULL,
        suggester TEXT,
        suggestion BIGINT,
        created_at BIGINT NOT NULL,
        updated_at BIGINT NOT NULL,
        edited_by TEXT,
        retired_at BIGINT,
        retired_by TEXT,
        PRIMARY KEY (server, id)
    )",
        "CREATE UNIQUE INDEX team_entries_number ON team_entries (server, number)",
        "CREATE INDEX team_entries_live ON team_entries (server, number) WHERE retired_at IS NULL",
    ],
];

/// Any number the processes of this program agree on, naming the migration lock.
const MIGRATION_LOCK: i64 = 0x1b_7e_57_0b;

/// Brings the schema up to date. Processes starting at once take turns: on
/// PostgreSQL behind an advisory lock, on SQLite behind its write lock; each finds
/// the versions already recorded by the others and goes on.
pub async fn migrate(store: &Store) -> Result<(), StoreError> {
    let mut conn = store.pool().acquire().await?;
    if store.backend() == Backend::Postgres {
        sqlx::query("SELECT pg_advisory_lock($1)")
            .bind(MIGRATION_LOCK)
            .execute(&mut *conn)
            .await?;
    }
    let migrated = run_migrations(&mut conn).await;
    if store.backend() == Backend::Postgres {
        sqlx::query("SELECT pg_advisory_unlock($1)")
            .bind(MIGRATION_LOCK)
            .execute(&mut *conn)
            .await?;
    }
    migrated
}

async fn run_migrations(conn: &mut sqlx::AnyConnection) -> Result<(), StoreError> {
    use sqlx::Connection;
    sqlx::query("CREATE TABLE IF NOT EXISTS schema_version (version BIGINT PRIMARY KEY)")
        .execute(&mut *conn)
        .await?;
    for (index, statements) in MIGRATIONS.iter().enumerate() {
        let version = index as i64 + 1;
        let applied: Option<i64> =
            sqlx::query("SELECT version FROM schema_version WHERE version = $1")
                .bind(version)
                .fetch_optional(&mut *conn)
                .await?
                .map(|row| row.get(0));
        if applied.is_some() {
            continue;
        }
        let mut tx = conn.begin().await?;
        let claimed = sqlx::query(
            "INSERT INTO schema_version (version) VALUES ($1) ON CONFLICT (version) DO NOTHING",
        )
        .bind(version)
        .execute(&mut *tx)
        .await?;
        if claimed.rows_affected() == 0 {
            continue;
        }
        for statement in *statements {
            sqlx::query(*statement).execute(&mut *tx).await?;
        }
        tx.commit().await?;
        tracing::info!("database migrated to version {version}");
    }
    Ok(())
}
