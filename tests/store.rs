//! The store (`interview_bot::store`) on both backends: every case below runs once on
//! a SQLite file in a temporary directory and once on a fresh PostgreSQL database on
//! the server named by `INTERVIEW_BOT_TEST_POSTGRES` (skipped locally without it,
//! required in CI). Test names are `<case>::sqlite` and `<case>::postgres`.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::future::Future;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use interview_bot::store::{
    AnswerOutcome, AnswerRow, Backend, CardRow, GradeOutcome, LearnerRow, NewAnswer, NewPost,
    NewReview, NewRound, NewVote, Period, Round, RoundQuestion, RoundStatus, Standing, Store,
    StoreError, VoteOutcome,
};
use tokio::sync::Barrier;

/// The longest one store call (or one group of concurrent calls) may take.
const STEP_LIMIT: Duration = Duration::from_secs(60);
/// The longest a whole case may take.
const CASE_LIMIT: Duration = Duration::from_secs(180);

/// A fixed "now" (Unix ms) and a minute, for readable times.
const T0: i64 = 1_790_000_000_000;
const SECOND: i64 = 1_000;
const MINUTE: i64 = 60_000;

/// The suite named when the PostgreSQL cases skip.
const ON_POSTGRES: &str = "store suite on PostgreSQL";

const LETTERS: [&str; 4] = ["A", "B", "C", "D"];
const TOPICS: [&str; 3] = ["rust", "sql", "docker"];

// ---------------------------------------------------------------------------------
// Running each case on both backends
// ---------------------------------------------------------------------------------

/// One case's database: a URL of a new, empty database (not yet migrated), and the
/// means to make more of the same backend.
struct Db {
    backend: Backend,
    url: String,
    dir: tempfile::TempDir,
}

impl Db {
    fn sqlite() -> Db {
        let dir = tempfile::tempdir().expect("temporary directory");
        Db {
            backend: Backend::Sqlite,
            url: common::fresh_sqlite(dir.path()),
            dir,
        }
    }

    async fn postgres() -> Option<Db> {
        let url = bounded(
            "create a PostgreSQL test database",
            common::fresh_postgres(),
        )
        .await?;
        Some(Db {
            backend: Backend::Postgres,
            url,
            dir: tempfile::tempdir().expect("temporary directory"),
        })
    }

    /// Another new, empty database of the same backend.
    async fn another_url(&self) -> String {
        match self.backend {
            Backend::Sqlite => common::fresh_sqlite(self.dir.path()),
            Backend::Postgres => bounded(
                "create a PostgreSQL test database",
                common::fresh_postgres(),
            )
            .await
            .expect("the PostgreSQL server is configured"),
        }
    }

    /// A store on this database (migrating it on first use).
    async fn connect(&self) -> Store {
        let store = connect(&self.url).await;
        assert_eq!(store.backend(), self.backend, "the URL picks the backend");
        store
    }
}

async fn connect(url: &str) -> Store {
    bounded("Store::connect", Store::connect(url))
        .await
        .unwrap_or_else(|e| panic!("Store::connect failed: {e}"))
}

/// `future`, failing the test if it takes longer than [`STEP_LIMIT`].
async fn bounded<F: Future>(what: &str, future: F) -> F::Output {
    tokio::time::timeout(STEP_LIMIT, future)
        .await
        .unwrap_or_else(|_| panic!("{what} took longer than {STEP_LIMIT:?}"))
}

async fn run_case<F, Fut>(db: Db, case: F)
where
    F: FnOnce(Db) -> Fut,
    Fut: Future<Output = ()>,
{
    tokio::time::timeout(CASE_LIMIT, case(db))
        .await
        .unwrap_or_else(|_| panic!("the case took longer than {CASE_LIMIT:?}"));
}

/// For each `case(db: Db)`, a module with two tests: `sqlite` and `postgres`.
macro_rules! on_both_backends {
    ($($case:ident),* $(,)?) => {$(
        mod $case {
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                super::run_case(super::Db::sqlite(), super::$case).await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                let Some(db) = super::Db::postgres().await else {
                    crate::common::skip(super::ON_POSTGRES, crate::common::NO_POSTGRES);
                    return;
                };
                super::run_case(db, super::$case).await;
            }
        }
    )*};
}

on_both_backends!(
    migrations_are_idempotent,
    racing_connects_both_migrate,
    rounds_read_back_as_stored,
    one_open_round_per_channel,
    racing_round_starts_one_wins,
    advance_round_is_a_claim,
    stale_snapshots_do_not_advance,
    due_rounds_and_next_due,
    first_answer_counts,
    late_or_misdirected_answers_are_closed,
    duplicate_deliveries_count_once,
    answers_racing_the_close_are_never_lost,
    standings_order,
    leaderboard_filters_and_answers_of,
    seen_questions_per_channel,
    data_survives_a_new_store,
    outbox_leases_in_channel_order_and_once,
    outbox_retries_hold_back_their_channel,
    handled_requests_are_claimed_once,
    unanswered_queries_per_server_newest_first_and_expiring,
    a_second_vote_changes_the_first_and_reports_count_downs,
    a_reason_after_the_vote_and_entries_wanted_instead,
    votes_racing_other_writes_are_all_recorded,
    quiz_reports_count_people_once_and_clear,
    practice_grades_racing_are_recorded_once,
    practice_cards_come_most_forgotten_first_and_reset_deletes_all,
    practice_reminders_are_claimed_once_with_their_message,
);

// ---------------------------------------------------------------------------------
// Fixtures
// ---------------------------------------------------------------------------------

/// A question whose choices are out of alphabetical order and need JSON escaping.
fn question(question_id: &str, position: i64) -> RoundQuestion {
    RoundQuestion {
        position,
        question_id: question_id.to_string(),
        topic: topic_of(position).to_string(),
        choices: vec![
            format!("zeta {position}"),
            format!("alpha {position}"),
            format!("Ünïcode — “{position}”"),
            format!("beta, \"quoted\" \\ {position}"),
        ],
        correct: LETTERS[(position as usize * 3 + 1) % 4].to_string(),
    }
}

fn topic_of(position: i64) -> &'static str {
    TOPICS[position as usize % TOPICS.len()]
}

/// A live round of `questions` one-minute questions opened at `opened_at`, whose
/// question ids are `<id>/q<position>`.
fn new_round(
    id: &str,
    guild: &str,
    channel: &str,
    topic: Option<&str>,
    questions: i64,
    opened_at: i64,
) -> NewRound {
    NewRound {
        round: Round {
            id: id.to_string(),
            guild: guild.to_string(),
            channel: channel.to_string(),
            topic: topic.map(str::to_string),
            starter: format!("starter-of-{id}"),
            kind: "live".to_string(),
            seconds: 60,
            question_count: questions,
            position: 0,
            opened_at,
            closes_at: opened_at + MINUTE,
            status: RoundStatus::Open,
            created_at: opened_at,
            zone: None,
        },
        questions: (0..questions)
            .map(|p| question(&format!("{id}/q{p}"), p))
            .collect(),
    }
}

/// The same round with these question ids.
fn with_question_ids(mut new: NewRound, ids: &[&str]) -> NewRound {
    new.questions = ids
        .iter()
        .enumerate()
        .map(|(p, id)| question(id, p as i64))
        .collect();
    new.round.question_count = ids.len() as i64;
    new
}

/// `round` moved on to its next question, opened at `at`.
fn next_question(round: &Round, at: i64) -> Round {
    Round {
        position: round.position + 1,
        opened_at: at,
        closes_at: at + round.seconds * 1000,
        ..round.clone()
    }
}

fn finished(round: &Round) -> Round {
    Round {
        status: RoundStatus::Finished,
        ..round.clone()
    }
}

fn stopped(round: &Round, at: i64) -> Round {
    Round {
        status: RoundStatus::Stopped,
        closes_at: at,
        ..round.clone()
    }
}

fn name_of(user: &str) -> String {
    format!("Name of {user}")
}

/// An answer to `round`'s open question.
fn answer(
    round: &Round,
    user: &str,
    choice: &str,
    correct: bool,
    points: i64,
    at: i64,
) -> NewAnswer {
    answer_at(round, round.position, user, choice, correct, points, at)
}

fn answer_at(
    round: &Round,
    position: i64,
    user: &str,
    choice: &str,
    correct: bool,
    points: i64,
    at: i64,
) -> NewAnswer {
    NewAnswer {
        round_id: round.id.clone(),
        position,
        user_id: user.to_string(),
        user_name: name_of(user),
        question_id: format!("{}/q{position}", round.id),
        topic: topic_of(position).to_string(),
        choice: choice.to_string(),
        correct,
        points,
        answered_at: at,
    }
}

/// How `a` reads back from the log.
fn row_of(a: &NewAnswer) -> AnswerRow {
    AnswerRow {
        user_id: a.user_id.clone(),
        user_name: a.user_name.clone(),
        topic: a.topic.clone(),
        choice: a.choice.clone(),
        correct: a.correct,
        points: a.points,
        answered_at: a.answered_at,
    }
}

fn standing(
    user: &str,
    points: i64,
    correct: i64,
    answered: i64,
    last_correct_at: Option<i64>,
) -> Standing {
    Standing {
        user_id: user.to_string(),
        user_name: name_of(user),
        points,
        correct,
        answered,
        last_correct_at,
    }
}

fn ids(standings: &[Standing]) -> Vec<&str> {
    standings.iter().map(|s| s.user_id.as_str()).collect()
}

async fn create(store: &Store, new: &NewRound, now: i64) {
    bounded("create_round", store.create_round(new, now))
        .await
        .unwrap_or_else(|e| panic!("create_round {}: {e}", new.round.id));
}

async fn advance(store: &Store, from: &Round, to: &Round) -> bool {
    bounded("advance_round", store.advance_round(from, to))
        .await
        .unwrap_or_else(|e| panic!("advance_round {}: {e}", from.id))
}

async fn record(store: &Store, a: &NewAnswer) -> AnswerOutcome {
    bounded("record_answer", store.record_answer(a))
        .await
        .unwrap_or_else(|e| panic!("record_answer {} by {}: {e}", a.round_id, a.user_id))
}

/// Records `a`, which must count.
async fn recorded(store: &Store, a: &NewAnswer) {
    assert_eq!(
        record(store, a).await,
        AnswerOutcome::Recorded,
        "{} answering {}#{} at {}",
        a.user_id,
        a.round_id,
        a.position,
        a.answered_at
    );
}

async fn answer_count(store: &Store) -> i64 {
    bounded("answer_count", store.answer_count())
        .await
        .expect("answer_count")
}

/// The migration versions recorded in the database, read directly.
async fn schema_versions(url: &str) -> Vec<i64> {
    use sqlx::{Connection, Row};
    sqlx::any::install_default_drivers();
    let mut conn = bounded("connect directly", sqlx::AnyConnection::connect(url))
        .await
        .expect("a direct connection");
    let rows = bounded(
        "read schema_version",
        sqlx::query("SELECT version FROM schema_version ORDER BY version").fetch_all(&mut conn),
    )
    .await
    .expect("schema_version is readable");
    let _ = conn.close().await;
    rows.iter().map(|row| row.get::<i64, _>(0)).collect()
}

fn assert_each_migration_once(versions: &[i64]) {
    assert!(!versions.is_empty(), "no migration recorded");
    let expected: Vec<i64> = (1..=versions.len() as i64).collect();
    assert_eq!(
        versions, expected,
        "each migration is recorded exactly once"
    );
}

// ---------------------------------------------------------------------------------
// 1. Migrations
// ---------------------------------------------------------------------------------

async fn migrations_are_idempotent(db: Db) {
    let first = db.connect().await;
    let round = new_round("r1", "g", "c", None, 2, T0);
    create(&first, &round, T0).await;
    first.close().await;
    drop(first);

    for attempt in 0..2 {
        let again = db.connect().await;
        assert_eq!(
            again.round("r1").await.expect("round"),
            Some(round.round.clone()),
            "connect #{} keeps what was stored",
            attempt + 2
        );
        again.close().await;
    }
    assert_each_migration_once(&schema_versions(&db.url).await);
}

async fn racing_connects_both_migrate(db: Db) {
    for attempt in 0..5 {
        let url = if attempt == 0 {
            db.url.clone()
        } else {
            db.another_url().await
        };
        let (a, b) = bounded("two racing connects", async {
            tokio::join!(Store::connect(&url), Store::connect(&url))
        })
        .await;
        // On PostgreSQL this has been seen to fail: the two concurrent `CREATE TABLE IF
        // NOT EXISTS schema_version` in src/store/schema.rs `migrate` collide (23505 on
        // pg_type_typname_nsp_index, reported as ChannelBusy, or 42P07 "already exists").
        let a = a.unwrap_or_else(|e| {
            panic!(
                "attempt {attempt}: the first of two racing connects to a fresh database failed \
                 ({e:?}); two processes starting at once must both migrate and connect"
            )
        });
        let b = b.unwrap_or_else(|e| {
            panic!(
                "attempt {attempt}: the second of two racing connects to a fresh database failed \
                 ({e:?}); two processes starting at once must both migrate and connect"
            )
        });
        // Both are usable and see the same database.
        let round = new_round(&format!("race-{attempt}"), "g", "c", None, 1, T0);
        create(&a, &round, T0).await;
        assert_eq!(
            b.open_round("g", "c").await.expect("open_round"),
            Some(round.round.clone())
        );
        a.close().await;
        b.close().await;
        assert_each_migration_once(&schema_versions(&url).await);
    }
}

// ---------------------------------------------------------------------------------
// 2. Rounds
// ---------------------------------------------------------------------------------

async fn rounds_read_back_as_stored(db: Db) {
    let store = db.connect().await;
    let with_topic = new_round("round-a", "g1", "c1", Some("rust"), 3, T0);
    let without_topic = new_round("round-b", "g1", "c2", None, 1, T0 + 5);
    create(&store, &with_topic, T0).await;
    create(&store, &without_topic, T0 + 5).await;

    assert_eq!(
        store.open_round("g1", "c1").await.expect("open_round"),
        Some(with_topic.round.clone())
    );
    let b = store
        .open_round("g1", "c2")
        .await
        .expect("open_round")
        .expect("round-b is open");
    assert_eq!(b, without_topic.round);
    assert_eq!(b.topic, None, "no topic reads back as None, not Some(\"\")");
    assert_eq!(
        store.round("round-a").await.expect("round"),
        Some(with_topic.round.clone())
    );
    assert_eq!(
        store
            .round("round-a")
            .await
            .expect("round")
            .unwrap()
            .topic
            .as_deref(),
        Some("rust")
    );

    for q in &with_topic.questions {
        let read = store
            .round_question("round-a", q.position)
            .await
            .expect("round_question");
        assert_eq!(read.as_ref(), Some(q), "question {} of round-a", q.position);
    }
    let q0 = store.round_question("round-a", 0).await.unwrap().unwrap();
    assert_eq!(
        q0.choices,
        [
            "zeta 0",
            "alpha 0",
            "Ünïcode — “0”",
            "beta, \"quoted\" \\ 0"
        ],
        "choices keep their order and text"
    );
    assert_eq!(q0.correct, "B");
    assert_eq!(
        store.round_question("round-b", 0).await.unwrap(),
        Some(without_topic.questions[0].clone())
    );

    assert_eq!(store.round_question("round-a", 3).await.unwrap(), None);
    assert_eq!(store.round_question("round-b", 1).await.unwrap(), None);
    assert_eq!(store.round_question("nope", 0).await.unwrap(), None);
    assert_eq!(store.round("nope").await.unwrap(), None);
    assert_eq!(store.open_round("g1", "c3").await.unwrap(), None);
    assert_eq!(store.open_round("g2", "c1").await.unwrap(), None);
}

async fn one_open_round_per_channel(db: Db) {
    let store = db.connect().await;
    let a = new_round("a", "g1", "c1", None, 2, T0);
    create(&store, &a, T0).await;

    let duplicate = new_round("dup", "g1", "c1", Some("sql"), 2, T0 + 1);
    match store.create_round(&duplicate, T0 + 1).await {
        Err(StoreError::ChannelBusy) => {}
        other => panic!("a second open round in g1/c1 must fail with ChannelBusy, got {other:?}"),
    }
    assert_eq!(
        store.round("dup").await.unwrap(),
        None,
        "nothing of it is stored"
    );
    assert_eq!(store.round_question("dup", 0).await.unwrap(), None);
    assert!(
        !store
            .seen_questions("g1", "c1")
            .await
            .unwrap()
            .iter()
            .any(|q| q.starts_with("dup/")),
        "the refused round's questions are not marked seen"
    );
    assert_eq!(
        store.open_round("g1", "c1").await.unwrap(),
        Some(a.round.clone())
    );

    create(
        &store,
        &new_round("other-channel", "g1", "c2", None, 1, T0),
        T0,
    )
    .await;
    create(
        &store,
        &new_round("other-guild", "g2", "c1", None, 1, T0),
        T0,
    )
    .await;

    // Finishing a round frees its channel.
    assert!(advance(&store, &a.round, &finished(&a.round)).await);
    assert_eq!(store.open_round("g1", "c1").await.unwrap(), None);
    let b = new_round("b", "g1", "c1", None, 1, T0 + MINUTE);
    create(&store, &b, T0 + MINUTE).await;
    assert_eq!(
        store.open_round("g1", "c1").await.unwrap(),
        Some(b.round.clone())
    );

    // So does stopping one.
    assert!(advance(&store, &b.round, &stopped(&b.round, T0 + MINUTE + 1)).await);
    let c = new_round("c", "g1", "c1", None, 1, T0 + 2 * MINUTE);
    create(&store, &c, T0 + 2 * MINUTE).await;

    assert_eq!(
        store.round("a").await.unwrap().map(|r| r.status),
        Some(RoundStatus::Finished)
    );
    assert_eq!(
        store.round("b").await.unwrap().map(|r| r.status),
        Some(RoundStatus::Stopped)
    );
    assert_eq!(
        store.open_round("g1", "c1").await.unwrap(),
        Some(c.round.clone())
    );
}

async fn racing_round_starts_one_wins(db: Db) {
    let one = db.connect().await;
    let two = db.connect().await;
    for attempt in 0..5 {
        let channel = format!("c{attempt}");
        let barrier = Arc::new(Barrier::new(8));
        let tasks: Vec<_> = (0..8)
            .map(|i| {
                let store = if i % 2 == 0 { one.clone() } else { two.clone() };
                let new = new_round(&format!("start-{attempt}-{i}"), "g", &channel, None, 1, T0);
                let barrier = barrier.clone();
                tokio::spawn(async move {
                    barrier.wait().await;
                    store.create_round(&new, T0).await
                })
            })
            .collect();
        let mut created = 0;
        for task in tasks {
            match bounded("create_round task", task).await.expect("task") {
                Ok(()) => created += 1,
                Err(StoreError::ChannelBusy) => {}
                Err(e) => panic!("racing create_round failed with {e:?}, not ChannelBusy"),
            }
        }
        assert_eq!(
            created, 1,
            "exactly one of 8 racing starts in {channel} wins"
        );
        assert!(one.open_round("g", &channel).await.unwrap().is_some());
    }
}

// ---------------------------------------------------------------------------------
// 3. Advancing, due rounds
// ---------------------------------------------------------------------------------

async fn advance_round_is_a_claim(db: Db) {
    let one = db.connect().await;
    let two = db.connect().await;
    let new = new_round("claim", "g", "c", None, 5, T0);
    create(&one, &new, T0).await;

    let mut current = new.round.clone();
    for step in 0..5 {
        let next = if step == 4 {
            finished(&current)
        } else {
            next_question(&current, current.closes_at)
        };
        let barrier = Arc::new(Barrier::new(8));
        let tasks: Vec<_> = (0..8)
            .map(|i| {
                let store = if i % 2 == 0 { one.clone() } else { two.clone() };
                let (snapshot, next, barrier) = (current.clone(), next.clone(), barrier.clone());
                tokio::spawn(async move {
                    barrier.wait().await;
                    store.advance_round(&snapshot, &next).await
                })
            })
            .collect();
        let mut claims = 0;
        for task in tasks {
            if bounded("advance_round task", task)
                .await
                .expect("task")
                .expect("advance_round")
            {
                claims += 1;
            }
        }
        assert_eq!(
            claims, 1,
            "step {step}: exactly one of 8 concurrent advances (two stores) claims the close"
        );
        assert_eq!(one.round("claim").await.unwrap(), Some(next.clone()));
        assert_eq!(two.round("claim").await.unwrap(), Some(next.clone()));
        assert!(
            !advance(&two, &current, &next).await,
            "step {step}: the same snapshot is stale once claimed"
        );
        current = next;
    }
    assert_eq!(current.status, RoundStatus::Finished);
    assert!(
        !advance(&one, &current, &finished(&current)).await,
        "a finished round does not move"
    );
    assert!(
        !advance(&one, &current, &stopped(&current, T0)).await,
        "a finished round cannot be stopped"
    );
    assert_eq!(one.round("claim").await.unwrap(), Some(current));
}

async fn stale_snapshots_do_not_advance(db: Db) {
    let store = db.connect().await;
    let new = new_round("stale", "g", "c", None, 3, T0);
    create(&store, &new, T0).await;
    let r = new.round.clone();
    let next = next_question(&r, r.closes_at);

    let wrong_position = Round {
        position: 1,
        ..r.clone()
    };
    assert!(
        !advance(&store, &wrong_position, &next).await,
        "wrong position"
    );
    let wrong_close = Round {
        closes_at: r.closes_at + 1,
        ..r.clone()
    };
    assert!(
        !advance(&store, &wrong_close, &next).await,
        "wrong closes_at"
    );
    let wrong_id = Round {
        id: "other".to_string(),
        ..r.clone()
    };
    assert!(!advance(&store, &wrong_id, &next).await, "unknown round");
    assert_eq!(
        store.round("stale").await.unwrap(),
        Some(r.clone()),
        "stale snapshots change nothing"
    );

    assert!(
        advance(&store, &r, &next).await,
        "the right snapshot advances"
    );
    assert!(!advance(&store, &r, &next_question(&r, r.closes_at + 7)).await);
    // A stop from the old snapshot comes too late as well.
    assert!(!advance(&store, &r, &stopped(&r, r.closes_at)).await);
    assert_eq!(store.round("stale").await.unwrap(), Some(next.clone()));

    // Stopped: no snapshot moves it any more.
    let stop = stopped(&next, next.opened_at + SECOND);
    assert!(advance(&store, &next, &stop).await);
    assert!(!advance(&store, &stop, &next_question(&stop, stop.closes_at)).await);
    assert_eq!(store.round("stale").await.unwrap(), Some(stop));
}

async fn due_rounds_and_next_due(db: Db) {
    let store = db.connect().await;
    assert_eq!(store.next_due().await.expect("next_due"), None);
    assert_eq!(
        store.due_rounds(i64::MAX).await.expect("due_rounds"),
        vec![]
    );

    // closes_at = opened_at + 1 minute.
    let late = new_round("late", "g", "c1", None, 2, T0 + 2 * MINUTE); // closes T0+3m
    let early = new_round("early", "g", "c2", None, 2, T0); // closes T0+1m
    let mid_b = new_round("mid-b", "g", "c3", None, 1, T0 + MINUTE); // closes T0+2m
    let mid_a = new_round("mid-a", "g2", "c3", None, 1, T0 + MINUTE); // closes T0+2m
    let gone_stopped = new_round("stopped", "g", "c5", None, 1, T0 - 5 * MINUTE);
    let gone_finished = new_round("finished", "g", "c6", None, 1, T0 - 5 * MINUTE);
    for new in [&late, &early, &mid_b, &mid_a, &gone_stopped, &gone_finished] {
        create(&store, new, T0).await;
    }
    assert!(
        advance(
            &store,
            &gone_stopped.round,
            &stopped(&gone_stopped.round, T0 - 4 * MINUTE)
        )
        .await
    );
    assert!(
        advance(
            &store,
            &gone_finished.round,
            &finished(&gone_finished.round)
        )
        .await
    );

    let due_ids = |rounds: Vec<Round>| rounds.into_iter().map(|r| r.id).collect::<Vec<_>>();
    assert_eq!(
        store.next_due().await.unwrap(),
        Some(T0 + MINUTE),
        "the earliest close among open rounds only"
    );
    assert_eq!(
        due_ids(store.due_rounds(T0 + MINUTE - 1).await.unwrap()),
        Vec::<String>::new()
    );
    assert_eq!(
        store.due_rounds(T0 + MINUTE).await.unwrap(),
        vec![early.round.clone()],
        "closes_at == now is due"
    );
    assert_eq!(
        due_ids(store.due_rounds(T0 + 2 * MINUTE).await.unwrap()),
        ["early", "mid-a", "mid-b"],
        "earliest first, ties by id"
    );
    assert_eq!(
        store.due_rounds(T0 + 10 * MINUTE).await.unwrap(),
        vec![
            early.round.clone(),
            mid_a.round.clone(),
            mid_b.round.clone(),
            late.round.clone()
        ]
    );

    let early_next = next_question(&early.round, T0 + 3 * MINUTE); // closes T0+4m
    assert!(advance(&store, &early.round, &early_next).await);
    assert_eq!(store.next_due().await.unwrap(), Some(T0 + 2 * MINUTE));
    assert_eq!(
        due_ids(store.due_rounds(T0 + 3 * MINUTE).await.unwrap()),
        ["mid-a", "mid-b", "late"]
    );
    assert_eq!(
        due_ids(store.due_rounds(T0 + 4 * MINUTE).await.unwrap()),
        ["mid-a", "mid-b", "late", "early"]
    );

    for r in [&mid_a.round, &mid_b.round, &late.round, &early_next] {
        assert!(advance(&store, r, &finished(r)).await);
    }
    assert_eq!(store.next_due().await.unwrap(), None, "no open round");
    assert_eq!(store.due_rounds(i64::MAX).await.unwrap(), vec![]);
}

// ---------------------------------------------------------------------------------
// 4. Answers
// ---------------------------------------------------------------------------------

async fn first_answer_counts(db: Db) {
    let store = db.connect().await;
    let new = new_round("first", "g", "c", None, 2, T0);
    create(&store, &new, T0).await;
    let r = new.round.clone();

    let first = answer(&r, "u1", "B", true, 12, T0 + SECOND);
    assert_eq!(record(&store, &first).await, AnswerOutcome::Recorded);
    let other_choice = answer(&r, "u1", "C", false, 0, T0 + 2 * SECOND);
    assert_eq!(
        record(&store, &other_choice).await,
        AnswerOutcome::AlreadyAnswered {
            choice: "B".to_string()
        },
        "a second answer with another choice reports the first"
    );
    assert_eq!(
        record(&store, &first).await,
        AnswerOutcome::AlreadyAnswered {
            choice: "B".to_string()
        },
        "a redelivered answer reports the first"
    );

    assert_eq!(
        store.answers_to("first", 0).await.unwrap(),
        vec![row_of(&first)]
    );
    assert_eq!(
        store.round_standings("first").await.unwrap(),
        vec![standing("u1", 12, 1, 1, Some(T0 + SECOND))],
        "points unchanged by the repeats"
    );
    assert_eq!(answer_count(&store).await, 1);

    // The same person's answer to the next question counts separately.
    let next = next_question(&r, r.closes_at);
    assert!(advance(&store, &r, &next).await);
    let second = answer(&next, "u1", "A", false, 0, next.opened_at + SECOND);
    recorded(&store, &second).await;
    assert_eq!(
        store.answers_to("first", 1).await.unwrap(),
        vec![row_of(&second)]
    );
    assert_eq!(
        store.answers_to("first", 0).await.unwrap(),
        vec![row_of(&first)]
    );
    assert_eq!(answer_count(&store).await, 2);
}

async fn late_or_misdirected_answers_are_closed(db: Db) {
    let store = db.connect().await;
    let new = new_round("late", "g", "c", None, 3, T0);
    create(&store, &new, T0).await;
    let r = new.round.clone();

    let closed = [
        (
            "at-close",
            answer(&r, "at-close", "A", true, 10, r.closes_at),
        ),
        (
            "after-close",
            answer(&r, "after-close", "A", true, 10, r.closes_at + 1),
        ),
        (
            "next-position",
            answer_at(&r, 1, "next-position", "A", true, 10, T0 + 1),
        ),
        (
            "negative-position",
            answer_at(&r, -1, "negative-position", "A", true, 10, T0 + 1),
        ),
        ("unknown-round", {
            let mut a = answer(&r, "unknown-round", "A", true, 10, T0 + 1);
            a.round_id = "no-such-round".to_string();
            a
        }),
    ];
    for (what, a) in &closed {
        assert_eq!(record(&store, a).await, AnswerOutcome::Closed, "{what}");
    }
    assert_eq!(
        answer_count(&store).await,
        0,
        "closed answers store nothing"
    );

    let just_in_time = answer(&r, "just-in-time", "B", true, 10, r.closes_at - 1);
    recorded(&store, &just_in_time).await;

    // Once the round has moved on, the old question is closed even "in time".
    let next = next_question(&r, r.closes_at);
    assert!(advance(&store, &r, &next).await);
    assert_eq!(
        record(
            &store,
            &answer_at(&r, 0, "old-question", "B", true, 10, T0 + 10)
        )
        .await,
        AnswerOutcome::Closed
    );
    let on_next = answer(&next, "on-next", "C", false, 0, next.opened_at + 1);
    recorded(&store, &on_next).await;

    // A stopped round takes no answers.
    let stop = stopped(&next, next.opened_at + 2);
    assert!(advance(&store, &next, &stop).await);
    assert_eq!(
        record(
            &store,
            &answer_at(&next, 1, "after-stop", "C", true, 10, next.opened_at + 1)
        )
        .await,
        AnswerOutcome::Closed,
        "stopped round"
    );

    // Nor does a finished one, before its closes_at.
    let fin = new_round("fin", "g", "c2", None, 1, T0);
    create(&store, &fin, T0).await;
    assert!(advance(&store, &fin.round, &finished(&fin.round)).await);
    assert_eq!(
        record(
            &store,
            &answer(&fin.round, "after-finish", "A", true, 10, T0 + 1)
        )
        .await,
        AnswerOutcome::Closed,
        "finished round"
    );

    assert_eq!(
        store.answers_to("late", 0).await.unwrap(),
        vec![row_of(&just_in_time)]
    );
    assert_eq!(
        store.answers_to("late", 1).await.unwrap(),
        vec![row_of(&on_next)]
    );
    assert_eq!(store.answers_to("late", -1).await.unwrap(), vec![]);
    assert_eq!(store.answers_to("fin", 0).await.unwrap(), vec![]);
    assert_eq!(store.answers_to("no-such-round", 0).await.unwrap(), vec![]);
    assert_eq!(answer_count(&store).await, 2);
    assert_eq!(
        ids(&store.leaderboard("g", &Period::default()).await.unwrap()),
        ["just-in-time", "on-next"]
    );
}

async fn duplicate_deliveries_count_once(db: Db) {
    const USERS: usize = 50;
    const DELIVERIES: usize = 4;
    let one = db.connect().await;
    let two = db.connect().await;
    let new = new_round("dupes", "g", "c", None, 1, T0);
    create(&one, &new, T0).await;

    let barrier = Arc::new(Barrier::new(USERS * DELIVERIES));
    let mut tasks = Vec::new();
    for user in 0..USERS {
        for (delivery, letter) in LETTERS.iter().enumerate().take(DELIVERIES) {
            let store = if (user + delivery) % 2 == 0 {
                one.clone()
            } else {
                two.clone()
            };
            let a = answer(
                &new.round,
                &format!("user-{user:02}"),
                letter,
                delivery == 0,
                if delivery == 0 { 10 } else { 0 },
                T0 + SECOND + delivery as i64,
            );
            let barrier = barrier.clone();
            tasks.push(tokio::spawn(async move {
                barrier.wait().await;
                let outcome = store.record_answer(&a).await;
                (a, outcome)
            }));
        }
    }

    // user -> (choices that were Recorded, choices reported as the first answer)
    let mut outcomes: BTreeMap<String, (Vec<NewAnswer>, Vec<String>)> = BTreeMap::new();
    for task in tasks {
        let (a, outcome) = bounded("record_answer task", task).await.expect("task");
        let entry = outcomes.entry(a.user_id.clone()).or_default();
        match outcome {
            Ok(AnswerOutcome::Recorded) => entry.0.push(a),
            Ok(AnswerOutcome::AlreadyAnswered { choice }) => entry.1.push(choice),
            Ok(AnswerOutcome::Closed) => {
                panic!("{} was told the open question is closed", a.user_id)
            }
            Err(e) => panic!("record_answer by {} failed: {e:?}", a.user_id),
        }
    }
    assert_eq!(outcomes.len(), USERS);
    let mut expected_rows = Vec::new();
    for (user, (recorded, already)) in &outcomes {
        assert_eq!(
            recorded.len(),
            1,
            "{user}: exactly one of {DELIVERIES} deliveries is Recorded"
        );
        assert_eq!(already.len(), DELIVERIES - 1);
        for choice in already {
            assert_eq!(
                choice, &recorded[0].choice,
                "{user}: AlreadyAnswered names the recorded choice"
            );
        }
        expected_rows.push(row_of(&recorded[0]));
    }
    assert_eq!(answer_count(&one).await, USERS as i64);
    let mut stored = two.answers_to("dupes", 0).await.unwrap();
    stored.sort_by(|a, b| a.user_id.cmp(&b.user_id));
    assert_eq!(
        stored, expected_rows,
        "the log holds exactly the recorded answers"
    );
}

async fn answers_racing_the_close_are_never_lost(db: Db) {
    const QUESTIONS: i64 = 30;
    const ANSWERS: usize = 20;
    let one = db.connect().await;
    let two = db.connect().await;
    let new = new_round("race", "g", "c", None, QUESTIONS, T0);
    create(&one, &new, T0).await;

    let (mut total_recorded, mut total_closed) = (0, 0);
    let mut current = new.round.clone();
    for step in 0..QUESTIONS {
        let next = if step + 1 == QUESTIONS {
            finished(&current)
        } else {
            next_question(&current, current.closes_at)
        };
        // The close waits until this many answers have returned, then races the rest.
        let head_start = fastrand::usize(0..=ANSWERS / 2);
        let done = Arc::new(AtomicUsize::new(0));
        let barrier = Arc::new(Barrier::new(ANSWERS + 1));

        let answers: Vec<_> = (0..ANSWERS)
            .map(|i| {
                let store = if i % 2 == 0 { one.clone() } else { two.clone() };
                let a = answer(
                    &current,
                    &format!("u{i:02}"),
                    LETTERS[i % 4],
                    i % 4 == 1,
                    10,
                    current.opened_at + SECOND,
                );
                let (done, barrier) = (done.clone(), barrier.clone());
                tokio::spawn(async move {
                    barrier.wait().await;
                    let outcome = store.record_answer(&a).await;
                    done.fetch_add(1, Ordering::SeqCst);
                    (a.user_id, outcome)
                })
            })
            .collect();
        let closer = {
            let store = if step % 2 == 0 {
                one.clone()
            } else {
                two.clone()
            };
            let (snapshot, next, done, barrier) =
                (current.clone(), next.clone(), done.clone(), barrier.clone());
            tokio::spawn(async move {
                barrier.wait().await;
                while done.load(Ordering::SeqCst) < head_start {
                    tokio::task::yield_now().await;
                }
                let claimed = store.advance_round(&snapshot, &next).await?;
                // What the reveal of the closed question would show.
                let reveal = store.answers_to(&snapshot.id, snapshot.position).await?;
                Ok::<_, StoreError>((claimed, reveal))
            })
        };

        let mut recorded = BTreeSet::new();
        let mut closed = BTreeSet::new();
        for task in answers {
            let (user, outcome) = bounded("record_answer task", task).await.expect("task");
            match outcome {
                Ok(AnswerOutcome::Recorded) => recorded.insert(user),
                Ok(AnswerOutcome::Closed) => closed.insert(user),
                other => panic!("step {step}: {user} got {other:?}"),
            };
        }
        let (claimed, reveal) = bounded("advance_round task", closer)
            .await
            .expect("task")
            .unwrap_or_else(|e| panic!("step {step}: the close failed: {e:?}"));
        assert!(claimed, "step {step}: the only close claims it");

        let stored: BTreeSet<String> = one
            .answers_to("race", step)
            .await
            .unwrap()
            .into_iter()
            .map(|a| a.user_id)
            .collect();
        let revealed: BTreeSet<String> = reveal.into_iter().map(|a| a.user_id).collect();
        assert_eq!(
            stored, recorded,
            "step {step}: every answer told Recorded is stored, none told Closed is"
        );
        assert_eq!(
            revealed, recorded,
            "step {step}: the answers read right after the close are exactly those told Recorded \
             (an acknowledged answer committed after the close would be missing from the reveal)"
        );
        total_recorded += recorded.len();
        total_closed += closed.len();
        current = next;
    }
    assert_eq!(
        answer_count(&one).await,
        total_recorded as i64,
        "nothing else was stored"
    );
    assert!(
        total_recorded > 0 && total_closed > 0,
        "the race was exercised: {total_recorded} recorded, {total_closed} closed"
    );
}

// ---------------------------------------------------------------------------------
// 5. Standings, leaderboards, a person's answers
// ---------------------------------------------------------------------------------

/// An answer in a scripted round: user, choice, correct, points, and when (ms after
/// its question opened).
type Scripted<'a> = (&'a str, &'a str, bool, i64, i64);

/// Records `answers[p]` while question `p` is open, then closes it; returns the
/// round as finished.
async fn play(store: &Store, new: &NewRound, answers: &[Vec<Scripted<'_>>]) -> Round {
    let mut current = new.round.clone();
    for (p, at_position) in answers.iter().enumerate() {
        assert_eq!(current.position, p as i64);
        for &(user, choice, correct, points, offset) in at_position {
            recorded(
                store,
                &answer(
                    &current,
                    user,
                    choice,
                    correct,
                    points,
                    current.opened_at + offset,
                ),
            )
            .await;
        }
        let next = if p as i64 + 1 == current.question_count {
            finished(&current)
        } else {
            next_question(&current, current.closes_at)
        };
        assert!(advance(store, &current, &next).await);
        current = next;
    }
    current
}

async fn standings_order(db: Db) {
    let store = db.connect().await;
    let new = new_round("s", "g1", "c1", None, 4, T0);
    create(&store, &new, T0).await;
    play(
        &store,
        &new,
        &[
            vec![
                ("zach", "B", true, 10, 1_000),
                ("amy", "B", true, 20, 2_000),
                ("carol", "B", true, 15, 3_000),
                ("hal", "A", false, 0, 4_000),
            ],
            vec![
                ("zach", "C", true, 10, 1_000),
                ("amy", "A", false, 0, 2_000),
                ("erin", "C", true, 10, 4_000),
            ],
            vec![
                ("zoe", "D", true, 10, 3_000),
                ("yan", "D", true, 10, 3_000),
                ("dave", "D", true, 10, 5_000),
            ],
            vec![
                ("erin", "A", false, 0, 1_000),
                ("ian", "A", false, 0, 2_000),
                ("hal", "C", false, 0, 3_000),
            ],
        ],
    )
    .await;

    let expected = vec![
        // Most points first; at 20 points, two correct beat one.
        standing("zach", 20, 2, 2, Some(T0 + MINUTE + 1_000)),
        standing("amy", 20, 1, 2, Some(T0 + 2_000)),
        standing("carol", 15, 1, 1, Some(T0 + 3_000)),
        // 10 points, 1 correct: the earlier last correct answer first (a later
        // wrong answer does not count), then by user id.
        standing("erin", 10, 1, 2, Some(T0 + MINUTE + 4_000)),
        standing("yan", 10, 1, 1, Some(T0 + 2 * MINUTE + 3_000)),
        standing("zoe", 10, 1, 1, Some(T0 + 2 * MINUTE + 3_000)),
        standing("dave", 10, 1, 1, Some(T0 + 2 * MINUTE + 5_000)),
        // Only wrong answers: listed with 0 points.
        standing("hal", 0, 0, 2, None),
        standing("ian", 0, 0, 1, None),
    ];
    assert_eq!(store.round_standings("s").await.unwrap(), expected);
    assert_eq!(
        store.leaderboard("g1", &Period::default()).await.unwrap(),
        expected
    );
    assert_eq!(
        store.round_standings("no-such-round").await.unwrap(),
        vec![]
    );
}

async fn leaderboard_filters_and_answers_of(db: Db) {
    let store = db.connect().await;
    let a = new_round("A", "g1", "c1", None, 2, T0); // questions: rust, sql
    let b = new_round("B", "g1", "c2", None, 1, T0 + 10 * MINUTE); // rust
    let c = new_round("C", "g2", "c1", None, 1, T0); // rust, another guild
    for new in [&a, &b, &c] {
        create(&store, new, new.round.opened_at).await;
    }
    // Recorded out of time order: B's answers first.
    play(
        &store,
        &b,
        &[vec![
            ("alice", "B", true, 10, 1_000),
            ("carol", "B", true, 12, 500),
        ]],
    )
    .await;
    play(
        &store,
        &a,
        &[
            vec![
                ("alice", "B", true, 10, 1_000),
                ("bob", "A", false, 0, 2_000),
            ],
            vec![
                ("alice", "A", false, 0, 1_000),
                ("bob", "C", true, 10, 2_000),
            ],
        ],
    )
    .await;
    play(
        &store,
        &c,
        &[vec![
            ("alice", "B", true, 10, 1_000),
            ("dan", "A", false, 0, 2_000),
        ]],
    )
    .await;

    let board = |guild: &'static str, since: Option<i64>, topic: Option<&'static str>| {
        let store = store.clone();
        async move {
            store
                .leaderboard(
                    guild,
                    &Period {
                        since,
                        topic: topic.map(str::to_string),
                    },
                )
                .await
                .expect("leaderboard")
        }
    };

    assert_eq!(
        board("g1", None, None).await,
        vec![
            standing("alice", 20, 2, 3, Some(T0 + 10 * MINUTE + 1_000)),
            standing("carol", 12, 1, 1, Some(T0 + 10 * MINUTE + 500)),
            standing("bob", 10, 1, 2, Some(T0 + MINUTE + 2_000)),
        ],
        "g1 counts both of its rounds and nothing of g2"
    );
    assert_eq!(
        board("g2", None, None).await,
        vec![
            standing("alice", 10, 1, 1, Some(T0 + 1_000)),
            standing("dan", 0, 0, 1, None),
        ]
    );
    assert_eq!(board("g3", None, None).await, vec![]);

    // `since` is inclusive.
    assert_eq!(
        board("g1", Some(T0 + 10 * MINUTE + 500), None).await,
        vec![
            standing("carol", 12, 1, 1, Some(T0 + 10 * MINUTE + 500)),
            standing("alice", 10, 1, 1, Some(T0 + 10 * MINUTE + 1_000)),
        ]
    );
    assert_eq!(
        ids(&board("g1", Some(T0 + 10 * MINUTE + 501), None).await),
        ["alice"]
    );
    assert_eq!(
        board("g1", Some(T0 + MINUTE + 2_000), None).await,
        vec![
            standing("carol", 12, 1, 1, Some(T0 + 10 * MINUTE + 500)),
            standing("bob", 10, 1, 1, Some(T0 + MINUTE + 2_000)),
            standing("alice", 10, 1, 1, Some(T0 + 10 * MINUTE + 1_000)),
        ],
        "alice's wrong answer before `since` is not counted; bob's earlier correct answer wins the tie"
    );
    assert_eq!(board("g1", Some(T0 + 11 * MINUTE), None).await, vec![]);

    // By topic.
    assert_eq!(
        board("g1", None, Some("sql")).await,
        vec![
            standing("bob", 10, 1, 1, Some(T0 + MINUTE + 2_000)),
            standing("alice", 0, 0, 1, None),
        ]
    );
    assert_eq!(
        board("g1", Some(T0 + 5 * MINUTE), Some("rust")).await,
        vec![
            standing("carol", 12, 1, 1, Some(T0 + 10 * MINUTE + 500)),
            standing("alice", 10, 1, 1, Some(T0 + 10 * MINUTE + 1_000)),
        ]
    );
    assert_eq!(board("g1", None, Some("docker")).await, vec![]);

    // Per round.
    assert_eq!(
        store.round_standings("A").await.unwrap(),
        vec![
            standing("alice", 10, 1, 2, Some(T0 + 1_000)),
            standing("bob", 10, 1, 2, Some(T0 + MINUTE + 2_000)),
        ],
        "only round A's answers"
    );
    assert_eq!(
        ids(&store.round_standings("B").await.unwrap()),
        ["carol", "alice"]
    );

    // One person's answers in a guild, oldest first.
    let rows = |round: &Round, position: i64, choice: &str, correct: bool, points: i64, at: i64| {
        row_of(&answer_at(
            round, position, "alice", choice, correct, points, at,
        ))
    };
    assert_eq!(
        store.answers_of("g1", "alice").await.unwrap(),
        vec![
            rows(&a.round, 0, "B", true, 10, T0 + 1_000),
            rows(&a.round, 1, "A", false, 0, T0 + MINUTE + 1_000),
            rows(&b.round, 0, "B", true, 10, T0 + 10 * MINUTE + 1_000),
        ]
    );
    assert_eq!(
        store.answers_of("g2", "alice").await.unwrap(),
        vec![rows(&c.round, 0, "B", true, 10, T0 + 1_000)]
    );
    assert_eq!(store.answers_of("g1", "nobody").await.unwrap(), vec![]);
    assert_eq!(store.answers_of("g2", "bob").await.unwrap(), vec![]);
}

// ---------------------------------------------------------------------------------
// 6. Seen questions
// ---------------------------------------------------------------------------------

async fn seen_questions_per_channel(db: Db) {
    let store = db.connect().await;
    let seen = |guild: &'static str, channel: &'static str| {
        let store = store.clone();
        async move {
            store
                .seen_questions(guild, channel)
                .await
                .expect("seen_questions")
        }
    };
    assert_eq!(seen("g1", "c1").await, Vec::<String>::new());

    let r1 = with_question_ids(
        new_round("r1", "g1", "c1", None, 0, T0),
        &["q3", "q1", "q2"],
    );
    create(&store, &r1, T0).await;
    assert_eq!(seen("g1", "c1").await, ["q1", "q2", "q3"]);

    assert!(advance(&store, &r1.round, &finished(&r1.round)).await);
    let r2 = with_question_ids(
        new_round("r2", "g1", "c1", None, 0, T0 + MINUTE),
        &["q4", "q1"],
    );
    create(&store, &r2, T0 + MINUTE).await;
    assert_eq!(
        seen("g1", "c1").await,
        ["q2", "q3", "q1", "q4"],
        "most recently seen last"
    );

    let other_channel = with_question_ids(new_round("r3", "g1", "c2", None, 0, T0), &["q1"]);
    let other_guild = with_question_ids(new_round("r4", "g2", "c1", None, 0, T0), &["q2"]);
    create(&store, &other_channel, T0).await;
    create(&store, &other_guild, T0).await;
    assert_eq!(seen("g1", "c2").await, ["q1"]);
    assert_eq!(seen("g2", "c1").await, ["q2"]);
    assert_eq!(seen("g2", "c2").await, Vec::<String>::new());

    store
        .forget_seen(
            "g1",
            "c1",
            &["q1".to_string(), "q3".to_string(), "never-seen".to_string()],
        )
        .await
        .expect("forget_seen");
    assert_eq!(
        seen("g1", "c1").await,
        ["q2", "q4"],
        "exactly those given are forgotten"
    );
    assert_eq!(seen("g1", "c2").await, ["q1"], "other channels keep theirs");
    assert_eq!(seen("g2", "c1").await, ["q2"], "other guilds keep theirs");

    store
        .forget_seen("g1", "c1", &[])
        .await
        .expect("forget nothing");
    assert_eq!(seen("g1", "c1").await, ["q2", "q4"]);

    // A forgotten question can be asked again, and is seen again.
    assert!(advance(&store, &r2.round, &finished(&r2.round)).await);
    let r5 = with_question_ids(
        new_round("r5", "g1", "c1", None, 0, T0 + 2 * MINUTE),
        &["q1"],
    );
    create(&store, &r5, T0 + 2 * MINUTE).await;
    assert_eq!(seen("g1", "c1").await, ["q2", "q4", "q1"]);
}

// ---------------------------------------------------------------------------------
// 7. Persistence
// ---------------------------------------------------------------------------------

async fn data_survives_a_new_store(db: Db) {
    let first = db.connect().await;
    let new = new_round("keep", "g", "c", Some("sql"), 2, T0);
    create(&first, &new, T0).await;
    let a1 = answer(&new.round, "u1", "B", true, 14, T0 + SECOND);
    recorded(&first, &a1).await;
    let next = next_question(&new.round, new.round.closes_at);
    assert!(advance(&first, &new.round, &next).await);
    let a2 = answer(&next, "u2", "D", false, 0, next.opened_at + SECOND);
    recorded(&first, &a2).await;
    first.close().await;
    drop(first);

    let second = db.connect().await;
    assert_eq!(second.round("keep").await.unwrap(), Some(next.clone()));
    assert_eq!(
        second.open_round("g", "c").await.unwrap(),
        Some(next.clone())
    );
    for q in &new.questions {
        assert_eq!(
            second
                .round_question("keep", q.position)
                .await
                .unwrap()
                .as_ref(),
            Some(q)
        );
    }
    assert_eq!(
        second.answers_to("keep", 0).await.unwrap(),
        vec![row_of(&a1)]
    );
    assert_eq!(
        second.answers_to("keep", 1).await.unwrap(),
        vec![row_of(&a2)]
    );
    assert_eq!(answer_count(&second).await, 2);
    assert_eq!(
        second.round_standings("keep").await.unwrap(),
        vec![
            standing("u1", 14, 1, 1, Some(T0 + SECOND)),
            standing("u2", 0, 0, 1, None)
        ]
    );
    assert_eq!(
        second.seen_questions("g", "c").await.unwrap(),
        ["keep/q0", "keep/q1"]
    );
    assert_eq!(second.next_due().await.unwrap(), Some(next.closes_at));
    assert_eq!(
        record(&second, &a2).await,
        AnswerOutcome::AlreadyAnswered {
            choice: "D".to_string()
        },
        "the reopened log still knows who answered"
    );
    // And it takes new writes.
    assert!(advance(&second, &next, &finished(&next)).await);
    assert_eq!(second.open_round("g", "c").await.unwrap(), None);
    second.close().await;
}

// ---------------------------------------------------------------------------------
// 8. Unavailable databases (no server needed)
// ---------------------------------------------------------------------------------

#[tokio::test]
async fn unreachable_postgres_is_unavailable_without_the_password() {
    let started = Instant::now();
    let result = tokio::time::timeout(
        Duration::from_secs(20),
        Store::connect("postgres://postgres:postgres@127.0.0.1:1/nope"),
    )
    .await
    .expect("connect gives up by itself");
    let elapsed = started.elapsed();
    assert!(
        elapsed < Duration::from_secs(10),
        "giving up took {elapsed:?}"
    );
    let Err(error) = result else {
        panic!("connecting to port 1 succeeded");
    };
    let StoreError::Unavailable(message) = &error else {
        panic!("expected StoreError::Unavailable, got {error:?}");
    };
    for shown in [message.clone(), error.to_string(), format!("{error:?}")] {
        assert!(
            !shown.contains("postgres:postgres@"),
            "the password leaks: {shown}"
        );
    }
    assert!(
        message.contains("127.0.0.1:1"),
        "the message names the server: {message}"
    );
}

#[tokio::test]
async fn sqlite_in_a_missing_directory_is_an_error() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let file = dir.path().join("missing").join("deeper").join("bot.db");
    let url = format!("sqlite://{}", file.display());
    let result = tokio::time::timeout(Duration::from_secs(20), Store::connect(&url))
        .await
        .expect("connect gives up by itself");
    let Err(error) = result else {
        panic!("a database in a missing directory opened");
    };
    let message = error.to_string();
    assert!(
        message.contains(&file.display().to_string()),
        "the error names the file: {message}"
    );
    assert!(!file.parent().unwrap().exists(), "no directory was created");
}

#[tokio::test]
async fn missing_postgres_database_does_not_leak_the_password() {
    let Some(admin) = common::postgres_admin_url() else {
        common::skip(ON_POSTGRES, common::NO_POSTGRES);
        return;
    };
    let base = admin
        .rsplit_once('/')
        .map_or(admin.as_str(), |(base, _)| base);
    let url = format!("{base}/ib_test_no_such_database");
    let result = tokio::time::timeout(Duration::from_secs(20), Store::connect(&url))
        .await
        .expect("connect gives up by itself");
    let Err(error) = result else {
        panic!("a missing database opened");
    };
    let password_part = admin
        .split_once("://")
        .and_then(|(_, rest)| rest.split_once('@'))
        .map(|(credentials, _)| format!("{credentials}@"));
    if let Some(secret) = password_part.filter(|c| c.contains(':')) {
        for shown in [error.to_string(), format!("{error:?}")] {
            assert!(!shown.contains(&secret), "the password leaks: {shown}");
        }
    }
    assert!(
        error.to_string().contains("ib_test_no_such_database"),
        "the error names the database: {error}"
    );
}

// ---------------------------------------------------------------------------------
// The outbox and handled requests
// ---------------------------------------------------------------------------------

fn post(id: &str, channel: &str) -> NewPost {
    NewPost {
        id: id.to_string(),
        guild: "g".to_string(),
        channel: channel.to_string(),
        due_at: T0,
        body: format!("{{\"post\":\"{id}\"}}"),
    }
}

const LEASE_MS: i64 = 20_000;

/// Posts are leased in the order written, a leased post is not leased again
/// until its lease runs out (then by anyone), marking needs the lease, and a
/// channel's later post waits while an earlier one is leased.
async fn outbox_leases_in_channel_order_and_once(db: Db) {
    let store = db.connect().await;
    let other = db.connect().await;
    store
        .enqueue(&[post("a1", "a"), post("a2", "a")], T0)
        .await
        .unwrap();
    store
        .enqueue(&[post("b1", "b"), post("a1", "a")], T0 + 1)
        .await
        .unwrap();
    assert_eq!(
        store.pending_posts().await.unwrap(),
        3,
        "a repeated id is written once"
    );

    let first = store.lease_posts(T0, LEASE_MS, 1).await.unwrap();
    let ids: Vec<&str> = first.iter().map(|p| p.id.as_str()).collect();
    assert_eq!(ids, ["a1"]);
    let second = other.lease_posts(T0, LEASE_MS, 10).await.unwrap();
    let ids: Vec<&str> = second.iter().map(|p| p.id.as_str()).collect();
    assert_eq!(ids, ["b1"], "a2 waits for a1; a1 is leased");
    assert!(
        other
            .lease_posts(T0 + 1, LEASE_MS, 10)
            .await
            .unwrap()
            .is_empty()
    );

    let mut forged = first[0].clone();
    forged.lease = "not-the-lease".to_string();
    assert!(!store.mark_delivered(&forged, T0).await.unwrap());
    assert!(store.mark_delivered(&first[0], T0).await.unwrap());
    assert!(!store.mark_delivered(&first[0], T0).await.unwrap(), "once");
    let next = store.lease_posts(T0, LEASE_MS, 10).await.unwrap();
    let ids: Vec<&str> = next.iter().map(|p| p.id.as_str()).collect();
    assert_eq!(ids, ["a2"]);

    // b1's holder "died": after its lease, another process takes it over.
    let taken = store
        .lease_posts(T0 + LEASE_MS + 1, LEASE_MS, 10)
        .await
        .unwrap();
    let ids: Vec<&str> = taken.iter().map(|p| p.id.as_str()).collect();
    assert_eq!(ids, ["a2", "b1"]);
    assert_eq!(taken[1].attempts, 2);
    assert!(
        !other.mark_delivered(&second[0], T0).await.unwrap(),
        "the old lease is void"
    );
    for p in &taken {
        assert!(store.mark_delivered(p, T0).await.unwrap());
    }
    assert_eq!(store.pending_posts().await.unwrap(), 0);
    assert_eq!(store.next_post_at().await.unwrap(), None);
}

/// A post given back for a retry is leased again only after its pause, and
/// holds back the later posts of its channel meanwhile; other channels go on.
async fn outbox_retries_hold_back_their_channel(db: Db) {
    let store = db.connect().await;
    store
        .enqueue(&[post("a1", "a"), post("a2", "a"), post("b1", "b")], T0)
        .await
        .unwrap();
    let leased = store.lease_posts(T0, LEASE_MS, 1).await.unwrap();
    assert_eq!(leased[0].id, "a1");
    store.retry_post(&leased[0], T0 + 5_000).await.unwrap();
    assert_eq!(store.next_post_at().await.unwrap(), Some(0), "b1 is ready");
    let ids: Vec<String> = store
        .lease_posts(T0 + 1_000, LEASE_MS, 10)
        .await
        .unwrap()
        .into_iter()
        .map(|p| p.id)
        .collect();
    assert_eq!(ids, ["b1"], "a2 waits behind a1's retry");
    let ids: Vec<String> = store
        .lease_posts(T0 + 5_000, LEASE_MS, 10)
        .await
        .unwrap()
        .into_iter()
        .map(|p| p.id)
        .collect();
    assert_eq!(ids, ["a1", "a2"], "a1 again, a2 in the same batch after it");
}

/// A request id counts once until it expires and is swept.
async fn handled_requests_are_claimed_once(db: Db) {
    let store = db.connect().await;
    let other = db.connect().await;
    assert!(
        store
            .claim_request("discord:1", T0, T0 + 1_000)
            .await
            .unwrap()
    );
    assert!(
        !other
            .claim_request("discord:1", T0 + 10, T0 + 1_010)
            .await
            .unwrap()
    );
    assert!(
        store
            .claim_request("discord:2", T0, T0 + 1_000)
            .await
            .unwrap()
    );
    store.sweep(T0 + 500).await.unwrap();
    assert!(
        !store
            .claim_request("discord:1", T0 + 600, T0 + 1_600)
            .await
            .unwrap()
    );
    store.sweep(T0 + 2_000).await.unwrap();
    assert!(
        store
            .claim_request("discord:1", T0 + 2_000, T0 + 3_000)
            .await
            .unwrap()
    );
}

async fn unanswered_queries_per_server_newest_first_and_expiring(db: Db) {
    let store = db.connect().await;
    store
        .record_unanswered("g1", "alice", "react hooks", T0)
        .await
        .unwrap();
    store
        .record_unanswered("g1", "bob", "react hooks?", T0 + MINUTE)
        .await
        .unwrap();
    store
        .record_unanswered("g2", "alice", "kafka", T0 + 2 * MINUTE)
        .await
        .unwrap();
    let g1 = store.unanswered_since(Some("g1"), T0, 100).await.unwrap();
    let queries: Vec<&str> = g1.iter().map(|r| r.query.as_str()).collect();
    assert_eq!(queries, ["react hooks?", "react hooks"]);
    assert_ne!(g1[0].asker, g1[1].asker, "askers are told apart");
    assert!(
        !g1[0].asker.contains("bob"),
        "the asker is kept as a hash only"
    );
    assert_eq!(
        store.unanswered_since(None, T0, 100).await.unwrap().len(),
        3
    );
    assert_eq!(
        store
            .unanswered_since(None, T0 + MINUTE, 100)
            .await
            .unwrap()
            .len(),
        2
    );
    assert_eq!(store.unanswered_since(None, T0, 1).await.unwrap().len(), 1);
    // The same asker in another server is another hash.
    let g2 = store.unanswered_since(Some("g2"), T0, 100).await.unwrap();
    assert_ne!(g2[0].asker, g1[1].asker);
    assert_eq!(store.expire_unanswered(T0 + MINUTE).await.unwrap(), 1);
    let left = db
        .connect()
        .await
        .unanswered_since(None, 0, 100)
        .await
        .unwrap();
    assert_eq!(
        left.len(),
        2,
        "kept after a reconnect, minus the expired one"
    );
}

fn vote(voter: &str, entry: &str, up: bool, reason: Option<&str>, at: i64) -> NewVote {
    NewVote {
        guild: "g1".to_string(),
        entry: entry.to_string(),
        voter: voter.to_string(),
        query: "how do i x".to_string(),
        up,
        reason: reason.map(str::to_string),
        instead_of: None,
        at,
    }
}

async fn a_second_vote_changes_the_first_and_reports_count_downs(db: Db) {
    let store = db.connect().await;
    let first = store
        .vote(&vote("alice", "docker-001", true, None, T0))
        .await
        .unwrap();
    assert_eq!(first, VoteOutcome::Recorded);
    let again = store
        .vote(&vote(
            "alice",
            "docker-001",
            false,
            Some("outdated"),
            T0 + SECOND,
        ))
        .await
        .unwrap();
    assert_eq!(again, VoteOutcome::Changed);
    store
        .vote(&vote("bob", "docker-001", false, None, T0 + 2 * SECOND))
        .await
        .unwrap();
    store
        .vote(&vote("carol", "docker-001", true, None, T0 + 3 * SECOND))
        .await
        .unwrap();
    store
        .vote(&vote("bob", "api-002", false, Some("wrong topic"), T0))
        .await
        .unwrap();
    store
        .vote(&vote("bob", "python-003", true, None, T0))
        .await
        .unwrap();
    let reports = db.connect().await.reports(Some("g1")).await.unwrap();
    assert_eq!(
        reports.len(),
        2,
        "entries without a 👎 are not reported: {reports:?}"
    );
    assert_eq!(reports[0].entry, "docker-001");
    assert_eq!(
        (reports[0].down, reports[0].up),
        (2, 1),
        "alice counted once, as 👎"
    );
    assert_eq!(reports[0].reasons, ["outdated"]);
    assert_eq!(reports[1].entry, "api-002");
    assert_eq!(reports[1].reasons, ["wrong topic"]);
    assert!(store.reports(Some("other")).await.unwrap().is_empty());
}

/// Votes while other connections write (people asking, voting elsewhere): each
/// one is recorded, none fails because another write came first.
async fn votes_racing_other_writes_are_all_recorded(db: Db) {
    const VOTES: i64 = 60;
    let store = db.connect().await;
    let voter = |name: &'static str| {
        let store = store.clone();
        tokio::spawn(async move {
            let mut failed = Vec::new();
            for i in 0..VOTES {
                let entry = format!("docker-{:03}", i % 7);
                let v = vote(name, &entry, false, None, T0 + i);
                if let Err(e) = store.vote(&v).await {
                    failed.push(format!("{name} vote {i}: {e}"));
                }
                let asked = store.record_unanswered("g1", name, "what is kubernetes", T0 + i);
                if let Err(e) = asked.await {
                    failed.push(format!("{name} unanswered {i}: {e}"));
                }
            }
            failed
        })
    };
    let runs = [voter("alice"), voter("bob"), voter("carol")];
    let mut failed = Vec::new();
    for run in runs {
        failed.extend(bounded("racing votes", run).await.unwrap());
    }
    assert!(failed.is_empty(), "{} failed: {failed:#?}", failed.len());
    let reports = store.reports(Some("g1")).await.unwrap();
    let counted: i64 = reports.iter().map(|r| r.up + r.down).sum();
    assert_eq!(
        counted, 21,
        "3 people × 7 entries, one 👎 each: {reports:?}"
    );
}

async fn a_reason_after_the_vote_and_entries_wanted_instead(db: Db) {
    let store = db.connect().await;
    store
        .vote(&vote("alice", "docker-001", false, None, T0))
        .await
        .unwrap();
    let with_reason = NewVote {
        reason: Some("answers another question".to_string()),
        ..vote("alice", "docker-001", false, None, T0 + SECOND)
    };
    assert_eq!(
        store.vote_reason(&with_reason).await.unwrap(),
        VoteOutcome::Changed,
        "the reason joins the vote already there"
    );
    // A reason with no vote before it is a 👎 of its own.
    let fresh = NewVote {
        reason: Some("too short".to_string()),
        ..vote("bob", "api-002", false, None, T0)
    };
    assert_eq!(
        store.vote_reason(&fresh).await.unwrap(),
        VoteOutcome::Recorded
    );
    // 👍 after "Not it? Next match": docker-002 and docker-003 were wanted
    // instead of docker-001.
    for (voter, wanted) in [
        ("bob", "docker-002"),
        ("carol", "docker-002"),
        ("dave", "docker-003"),
    ] {
        let up = NewVote {
            instead_of: Some("docker-001".to_string()),
            ..vote(voter, wanted, true, None, T0 + 2 * SECOND)
        };
        store.vote(&up).await.unwrap();
    }
    // A changed vote drops what it said before.
    let changed = NewVote {
        instead_of: None,
        ..vote("dave", "docker-003", true, None, T0 + 3 * SECOND)
    };
    store.vote(&changed).await.unwrap();
    let reports = db.connect().await.reports(Some("g1")).await.unwrap();
    let docker = reports
        .iter()
        .find(|r| r.entry == "docker-001")
        .expect("docker-001 is reported");
    assert_eq!((docker.down, docker.up), (1, 0), "{docker:?}");
    assert_eq!(docker.reasons, ["answers another question"]);
    assert_eq!(docker.wanted, [("docker-002".to_string(), 2)], "{docker:?}");
    let api = reports.iter().find(|r| r.entry == "api-002").unwrap();
    assert_eq!(api.reasons, ["too short"]);
    assert!(
        reports.iter().all(|r| r.entry != "docker-002"),
        "an entry only voted up is not reported: {reports:?}"
    );
    assert_eq!(reports[0].entry, "docker-001", "{reports:?}");
}

async fn quiz_reports_count_people_once_and_clear(db: Db) {
    let store = db.connect().await;
    let report = |who: &'static str, entry: &'static str, note: Option<&'static str>| {
        let store = store.clone();
        async move {
            store
                .report_quiz_entry("g1", entry, who, note, T0)
                .await
                .unwrap()
        }
    };
    assert!(report("alice", "api-012", Some("B and D")).await);
    assert!(
        !report("alice", "api-012", Some("again")).await,
        "a second report by the same person is not counted"
    );
    assert!(report("bob", "api-012", None).await);
    assert!(report("bob", "docker-001", None).await);
    assert_eq!(store.quiz_reporters("g1", "api-012").await.unwrap(), 2);
    assert!(store.reported_out("g1", 3).await.unwrap().is_empty());
    assert!(report("carol", "api-012", Some("C too")).await);
    store
        .report_quiz_entry("g2", "api-012", "dave", None, T0)
        .await
        .unwrap();
    let store = db.connect().await;
    assert_eq!(store.reported_out("g1", 3).await.unwrap(), ["api-012"]);
    assert!(
        store.reported_out("g2", 3).await.unwrap().is_empty(),
        "each server counts its own reports"
    );
    let reports = store.quiz_reports(Some("g1")).await.unwrap();
    assert_eq!(reports.len(), 2, "{reports:?}");
    assert_eq!(reports[0].entry, "api-012");
    assert_eq!(reports[0].reporters, 3);
    let mut notes = reports[0].notes.clone();
    notes.sort();
    assert_eq!(notes, ["B and D", "C too"]);
    assert_eq!(store.quiz_reports(None).await.unwrap()[0].reporters, 4);
    assert_eq!(store.clear_quiz_reports("g1", "api-012").await.unwrap(), 3);
    assert!(store.reported_out("g1", 3).await.unwrap().is_empty());
    assert_eq!(store.quiz_reporters("g2", "api-012").await.unwrap(), 1);
    assert_eq!(store.clear_quiz_reports("g1", "api-012").await.unwrap(), 0);
}

// ---------------------------------------------------------------------------------
// Practice
// ---------------------------------------------------------------------------------

const DAY: i64 = 86_400_000;

/// A learned card of `entry` reviewed at `last` with `stability`, due at `due`.
fn learned(entry: &str, stability: f64, last: i64, due: i64, reps: i64) -> CardRow {
    CardRow {
        entry: entry.to_string(),
        topic: "docker".to_string(),
        stability: Some(stability),
        difficulty: Some(5.0),
        due_at: Some(due),
        last_review_at: Some(last),
        reps,
        lapses: 0,
        step: -1,
        added_at: T0 - 30 * DAY,
    }
}

fn review_of(learner: &str, after: CardRow, grade: i64, at: i64) -> NewReview {
    NewReview {
        learner: learner.to_string(),
        grade,
        kind: if after.reps == 1 { "new" } else { "review" },
        reviewed_at: at,
        day: "2026-09-21".to_string(),
        elapsed_ms: 0,
        after,
    }
}

async fn practice_grades_racing_are_recorded_once(db: Db) {
    const CLICKS: usize = 8;
    let one = db.connect().await;
    let two = db.connect().await;
    assert!(
        one.practice_add("ann", "docker-001", "docker", T0)
            .await
            .unwrap()
    );
    let barrier = Arc::new(Barrier::new(CLICKS));
    let mut tasks = Vec::new();
    for click in 0..CLICKS {
        let store = if click % 2 == 0 {
            one.clone()
        } else {
            two.clone()
        };
        // The same showing (0 reviews before) graded by every click, with
        // different grades: exactly one counts.
        let after = learned("docker-001", 1.0 + click as f64, T0, T0 + DAY, 1);
        let review = review_of("ann", after, 1 + (click % 4) as i64, T0 + click as i64);
        let barrier = barrier.clone();
        tasks.push(tokio::spawn(async move {
            barrier.wait().await;
            (review.clone(), store.practice_grade(&review).await)
        }));
    }
    let mut recorded = Vec::new();
    for task in tasks {
        let (review, outcome) = bounded("practice_grade task", task).await.expect("task");
        match outcome.unwrap_or_else(|e| panic!("practice_grade failed: {e:?}")) {
            GradeOutcome::Recorded => recorded.push(review),
            GradeOutcome::AlreadyGraded => {}
        }
    }
    assert_eq!(recorded.len(), 1, "one of {CLICKS} racing grades counts");
    let card = one
        .practice_card("ann", "docker-001")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(card.added_at, T0, "when it was added stays");
    let winner = CardRow {
        added_at: T0,
        ..recorded[0].after.clone()
    };
    assert_eq!(card, winner, "the card is the winner's state");
    let (reviews, _) = two.practice_recall("ann", 0).await.unwrap();
    assert_eq!(
        reviews, 0,
        "a first grade is not a review of a learned card"
    );
    assert_eq!(
        two.practice_days("ann", 10).await.unwrap(),
        vec!["2026-09-21".to_string()]
    );
    // The next showing (1 review before) can be graded, once.
    let next = review_of(
        "ann",
        learned("docker-001", 9.0, T0 + DAY, T0 + 10 * DAY, 2),
        3,
        T0 + DAY,
    );
    assert_eq!(
        two.practice_grade(&next).await.unwrap(),
        GradeOutcome::Recorded
    );
    assert_eq!(
        one.practice_grade(&next).await.unwrap(),
        GradeOutcome::AlreadyGraded
    );
    assert_eq!(one.practice_recall("ann", 0).await.unwrap(), (1, 1));
}

async fn practice_cards_come_most_forgotten_first_and_reset_deletes_all(db: Db) {
    let store = db.connect().await;
    let now = T0 + 40 * DAY;
    // Overdue by the same time, different stabilities: the least stable is
    // the most forgotten. One due later today, one tomorrow.
    let cards = [
        learned("a", 30.0, T0, now - DAY, 3),
        learned("b", 2.0, T0 + 20 * DAY, now - DAY, 3),
        learned("c", 10.0, T0 + 10 * DAY, now - 2 * DAY, 3),
        learned("d", 5.0, now - DAY, now + 3_600_000, 3),
        learned("e", 5.0, now - DAY, now + DAY, 3),
    ];
    for (i, card) in cards.iter().enumerate() {
        store
            .practice_add("ann", &card.entry, "docker", T0)
            .await
            .unwrap();
        // Bring the card to `reps - 1` grades, then grade it into `card`.
        for rep in 1..card.reps {
            let step = CardRow {
                reps: rep,
                ..card.clone()
            };
            let review = review_of("ann", step, 3, T0 + i as i64);
            assert_eq!(
                store.practice_grade(&review).await.unwrap(),
                GradeOutcome::Recorded
            );
        }
        let review = review_of("ann", card.clone(), 3, card.last_review_at.unwrap());
        assert_eq!(
            store.practice_grade(&review).await.unwrap(),
            GradeOutcome::Recorded
        );
    }
    store
        .practice_add("ann", "queued", "python", now)
        .await
        .unwrap();
    store.practice_add("bob", "a", "docker", now).await.unwrap();
    let day_end = now + 2 * 3_600_000;
    let mut order = Vec::new();
    let mut seen = Vec::new();
    while let Some(card) = store
        .practice_next_review("ann", day_end, now, None)
        .await
        .unwrap()
        .filter(|c| !seen.contains(&c.entry))
    {
        seen.push(card.entry.clone());
        order.push(card.entry.clone());
        // Move it past the day, as a grade would.
        let moved = CardRow {
            due_at: Some(now + 5 * DAY),
            reps: card.reps + 1,
            ..card
        };
        let review = review_of("ann", moved, 3, now);
        assert_eq!(
            store.practice_grade(&review).await.unwrap(),
            GradeOutcome::Recorded
        );
    }
    // (now - last) / stability: b 20/2, c 30/10, d 1/5 (due today), a 40/30.
    assert_eq!(order, ["b", "c", "a", "d"]);
    assert_eq!(
        store
            .practice_next_review("ann", day_end, now, Some("python"))
            .await
            .unwrap(),
        None
    );
    let queued = store
        .practice_next_queued("ann", None)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(queued.entry, "queued");
    assert_eq!(queued.reps, 0);
    let counts = store
        .practice_counts("ann", "2026-09-21", now, day_end)
        .await
        .unwrap();
    assert_eq!(counts.review_due, 0, "all moved past the day");
    assert_eq!(store.practice_totals("ann").await.unwrap(), (5, 1));
    assert_eq!(
        store
            .practice_due_between("ann", now + 5 * DAY, now + 6 * DAY)
            .await
            .unwrap()
            .len(),
        4
    );
    assert_eq!(store.practice_reset("ann").await.unwrap(), 6);
    assert_eq!(
        store.practice_entries("ann").await.unwrap(),
        Vec::<String>::new()
    );
    assert_eq!(
        store.practice_days("ann", 10).await.unwrap(),
        Vec::<String>::new()
    );
    assert_eq!(
        store.practice_entries("bob").await.unwrap(),
        vec!["a".to_string()],
        "another learner's cards stay"
    );
}

async fn practice_reminders_are_claimed_once_with_their_message(db: Db) {
    let one = db.connect().await;
    let two = db.connect().await;
    let learner = LearnerRow {
        learner: "discord/<@1>".to_string(),
        quiz_cards: false,
        zone: Some("Europe/Berlin".to_string()),
        remind_at: Some("08:00".to_string()),
        next_remind_at: Some(T0),
        reminded_at: None,
        guild: "g".to_string(),
        user: "<@1>".to_string(),
    };
    one.practice_set_learner(&learner, T0 - DAY).await.unwrap();
    assert_eq!(one.practice_next_reminder().await.unwrap(), Some(T0));
    assert!(
        one.practice_due_reminders(T0 - 1, 10)
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(
        one.practice_due_reminders(T0, 10).await.unwrap(),
        vec![learner.clone()]
    );
    let message = |id: &str| NewPost {
        id: id.to_string(),
        guild: "g".to_string(),
        channel: "direct:<@1>".to_string(),
        due_at: T0,
        body: "{}".to_string(),
    };
    let (first, second) = ([message("r1")], [message("r2")]);
    let (a, b) = tokio::join!(
        one.practice_claim_reminder(&learner.learner, T0, Some(T0 + DAY), &first, T0),
        two.practice_claim_reminder(&learner.learner, T0, Some(T0 + DAY), &second, T0),
    );
    assert!(a.unwrap() ^ b.unwrap(), "exactly one claims it");
    let posts = one.lease_posts(T0, 60_000, 10).await.unwrap();
    assert_eq!(posts.len(), 1, "one message: {posts:?}");
    assert_eq!(posts[0].channel, "direct:<@1>");
    assert_eq!(one.practice_next_reminder().await.unwrap(), Some(T0 + DAY));
    let noted = one.practice_learner(&learner.learner).await.unwrap();
    assert_eq!(
        noted.and_then(|row| row.reminded_at),
        Some(T0),
        "when the message went is noted"
    );
    // Turned off: nothing is due any more.
    let off = LearnerRow {
        remind_at: None,
        next_remind_at: None,
        ..learner
    };
    two.practice_set_learner(&off, T0).await.unwrap();
    assert_eq!(one.practice_next_reminder().await.unwrap(), None);
    assert!(
        one.practice_due_reminders(T0 + 2 * DAY, 10)
            .await
            .unwrap()
            .is_empty()
    );
}

// ---------------------------------------------------------------------------------
// Team banks: suggestions, their review, each server's entries
// ---------------------------------------------------------------------------------

use interview_bot::store::{Draft, Review, SuggestionState, TeamEntryRow};

const HOUR: i64 = 60 * MINUTE;

on_both_backends!(
    team_suggestions_are_approved_into_numbered_entries,
    team_approvals_racing_are_done_once,
    team_rejections_keep_their_reason,
    team_entries_are_edited_and_retired_without_reusing_numbers,
    team_banks_are_separate_per_server,
    team_suggestions_are_counted_for_rate_limits,
    team_suggesters_are_credited_for_approvals,
);

/// A draft whose fields all say `what`, with two aliases and a source.
fn draft(what: &str) -> Draft {
    Draft {
        question: format!("What is {what}?"),
        answer: format!("{what} is — “quoted”, with a\nsecond line."),
        topic: "rust".to_string(),
        source: Some(format!("https://example.com/{what}")),
        aliases: vec![format!("define {what}"), format!("{what} meaning")],
    }
}

async fn suggest(store: &Store, server: &str, suggester: &str, what: &str, at: i64) -> i64 {
    bounded(
        "suggest",
        store.suggest(server, suggester, &draft(what), at),
    )
    .await
    .unwrap_or_else(|e| panic!("suggest failed: {e:?}"))
}

async fn approve(store: &Store, server: &str, number: i64, slug: &str, at: i64) -> Review {
    bounded(
        "approve_suggestion",
        store.approve_suggestion(server, number, "mod", slug, None, at),
    )
    .await
    .unwrap_or_else(|e| panic!("approve_suggestion failed: {e:?}"))
}

/// The entry an approval made; fails the test if it was not approved.
async fn approved(store: &Store, server: &str, number: i64, slug: &str, at: i64) -> TeamEntryRow {
    match approve(store, server, number, slug, at).await {
        Review::Approved(entry) => entry,
        other => panic!("suggestion {number} in {server} was not approved: {other:?}"),
    }
}

fn entry_ids(entries: &[TeamEntryRow]) -> Vec<&str> {
    entries.iter().map(|e| e.id.as_str()).collect()
}

async fn team_suggestions_are_approved_into_numbered_entries(db: Db) {
    let store = db.connect().await;
    let mut no_source = draft("ownership");
    no_source.source = None;
    no_source.aliases.clear();
    let first = bounded("suggest", store.suggest("g", "ann", &no_source, T0))
        .await
        .unwrap();
    let second = suggest(&store, "g", "bob", "borrowing", T0 + MINUTE).await;
    assert_eq!((first, second), (1, 2), "numbered per server from 1");
    assert_eq!(store.pending_count("g").await.unwrap(), 2);
    let pending = store.pending_suggestions("g", 10).await.unwrap();
    assert_eq!(
        pending.iter().map(|s| s.number).collect::<Vec<_>>(),
        vec![1, 2],
        "oldest first"
    );
    assert_eq!(
        pending[0],
        interview_bot::store::SuggestionRow {
            number: 1,
            server: "g".to_string(),
            suggester: "ann".to_string(),
            draft: no_source.clone(),
            suggested_at: T0,
            state: SuggestionState::Pending,
            reason: None,
            entry_id: None,
        }
    );
    assert_eq!(
        pending[1].draft,
        draft("borrowing"),
        "aliases and text round-trip"
    );
    assert_eq!(store.pending_suggestions("g", 1).await.unwrap().len(), 1);

    let one = approved(&store, "g", 1, "acme", T0 + 2 * MINUTE).await;
    assert_eq!(
        one,
        TeamEntryRow {
            id: "acme-001".to_string(),
            server: "g".to_string(),
            draft: no_source.clone(),
            suggester: Some("ann".to_string()),
            created_at: T0 + 2 * MINUTE,
            updated_at: T0 + 2 * MINUTE,
        }
    );
    // A moderator's edit becomes the entry; the suggestion keeps what was suggested.
    let edited = Draft {
        answer: "Edited by a moderator.".to_string(),
        ..draft("borrowing")
    };
    let two = match store
        .approve_suggestion("g", 2, "mod", "acme", Some(&edited), T0 + 3 * MINUTE)
        .await
        .unwrap()
    {
        Review::Approved(entry) => entry,
        other => panic!("not approved: {other:?}"),
    };
    assert_eq!(two.id, "acme-002");
    assert_eq!(two.draft, edited);
    assert_eq!(two.suggester.as_deref(), Some("bob"));
    let reviewed = store.suggestion("g", 2).await.unwrap().unwrap();
    assert_eq!(reviewed.state, SuggestionState::Approved);
    assert_eq!(reviewed.entry_id.as_deref(), Some("acme-002"));
    assert_eq!(reviewed.draft, draft("borrowing"));

    assert_eq!(store.pending_count("g").await.unwrap(), 0);
    assert!(store.pending_suggestions("g", 10).await.unwrap().is_empty());
    assert_eq!(
        approve(&store, "g", 1, "acme", T0 + 4 * MINUTE).await,
        Review::AlreadyReviewed(SuggestionState::Approved)
    );
    assert_eq!(approve(&store, "g", 99, "acme", T0).await, Review::NotFound);
    assert_eq!(store.suggestion("g", 99).await.unwrap(), None);
    assert_eq!(
        store.team_entries(Some("g")).await.unwrap(),
        vec![one.clone(), two.clone()]
    );
    assert_eq!(store.team_entry("g", "acme-002").await.unwrap(), Some(two));
    assert_eq!(store.team_entry_count("g").await.unwrap(), 2);

    // Read back by a new store on the same database.
    store.close().await;
    let again = db.connect().await;
    assert_eq!(again.team_entry("g", "acme-001").await.unwrap(), Some(one));
    assert_eq!(suggest(&again, "g", "ann", "traits", T0 + DAY).await, 3);
    assert_eq!(
        approved(&again, "g", 3, "acme", T0 + DAY).await.id,
        "acme-003"
    );
}

async fn team_approvals_racing_are_done_once(db: Db) {
    const MODERATORS: usize = 8;
    let one = db.connect().await;
    let two = db.connect().await;
    for attempt in 0..4_i64 {
        let server = format!("g{attempt}");
        let number = suggest(&one, &server, "ann", "racing", T0).await;
        let barrier = Arc::new(Barrier::new(MODERATORS));
        let tasks: Vec<_> = (0..MODERATORS)
            .map(|i| {
                let store = if i % 2 == 0 { one.clone() } else { two.clone() };
                let (barrier, server) = (barrier.clone(), server.clone());
                tokio::spawn(async move {
                    barrier.wait().await;
                    let moderator = format!("mod{i}");
                    store
                        .approve_suggestion(&server, number, &moderator, "acme", None, T0 + 1)
                        .await
                })
            })
            .collect();
        let mut approvals = Vec::new();
        for task in tasks {
            match bounded("approve task", task).await.expect("task") {
                Ok(Review::Approved(entry)) => approvals.push(entry),
                Ok(Review::AlreadyReviewed(SuggestionState::Approved)) => {}
                other => panic!("a racing approval gave {other:?}"),
            }
        }
        assert_eq!(
            approvals.len(),
            1,
            "attempt {attempt}: exactly one of {MODERATORS} racing approvals wins"
        );
        assert_eq!(approvals[0].id, "acme-001");
        assert_eq!(
            two.team_entries(Some(&server)).await.unwrap(),
            approvals,
            "one entry made"
        );

        // Approvals of different suggestions at once get different numbers.
        let mut numbers = Vec::new();
        for i in 0..6 {
            numbers.push(suggest(&two, &server, "bob", &format!("n{i}"), T0 + i).await);
        }
        let barrier = Arc::new(Barrier::new(numbers.len()));
        let tasks: Vec<_> = numbers
            .iter()
            .enumerate()
            .map(|(i, &number)| {
                let store = if i % 2 == 0 { one.clone() } else { two.clone() };
                let (barrier, server) = (barrier.clone(), server.clone());
                tokio::spawn(async move {
                    barrier.wait().await;
                    store
                        .approve_suggestion(&server, number, "mod", "acme", None, T0 + 2)
                        .await
                })
            })
            .collect();
        let mut ids = BTreeSet::new();
        for task in tasks {
            match bounded("approve task", task).await.expect("task") {
                Ok(Review::Approved(entry)) => assert!(ids.insert(entry.id)),
                other => panic!("an approval gave {other:?}"),
            }
        }
        let expected: BTreeSet<String> = (2..=7).map(|n| format!("acme-{n:03}")).collect();
        assert_eq!(ids, expected, "numbers 2 to 7, each once");

        // An approval racing a rejection: one of them.
        let number = suggest(&one, &server, "cat", "contested", T0 + 3).await;
        let (a, r) = tokio::join!(
            one.approve_suggestion(&server, number, "mod1", "acme", None, T0 + 4),
            two.reject_suggestion(&server, number, "mod2", "duplicate", T0 + 4),
        );
        let (a, r) = (a.unwrap(), r.unwrap());
        let state = one
            .suggestion(&server, number)
            .await
            .unwrap()
            .unwrap()
            .state;
        match (&a, &r) {
            (Review::Approved(_), Review::AlreadyReviewed(SuggestionState::Approved)) => {
                assert_eq!(state, SuggestionState::Approved)
            }
            (Review::AlreadyReviewed(SuggestionState::Rejected), Review::Rejected) => {
                assert_eq!(state, SuggestionState::Rejected)
            }
            other => panic!("approve and reject racing gave {other:?}"),
        }
        let made = if matches!(a, Review::Approved(_)) {
            8
        } else {
            7
        };
        assert_eq!(one.team_entry_count(&server).await.unwrap(), made);
    }
}

async fn team_rejections_keep_their_reason(db: Db) {
    let store = db.connect().await;
    let number = suggest(&store, "g", "ann", "spam", T0).await;
    let kept = suggest(&store, "g", "bob", "kept", T0 + 1).await;
    assert_eq!(
        store
            .reject_suggestion("g", number, "mod", "not about interviews", T0 + MINUTE)
            .await
            .unwrap(),
        Review::Rejected
    );
    let rejected = store.suggestion("g", number).await.unwrap().unwrap();
    assert_eq!(rejected.state, SuggestionState::Rejected);
    assert_eq!(rejected.reason.as_deref(), Some("not about interviews"));
    assert_eq!(rejected.entry_id, None);
    assert_eq!(rejected.draft, draft("spam"));
    assert_eq!(
        store
            .reject_suggestion("g", number, "mod2", "again", T0 + 2 * MINUTE)
            .await
            .unwrap(),
        Review::AlreadyReviewed(SuggestionState::Rejected)
    );
    assert_eq!(
        store
            .suggestion("g", number)
            .await
            .unwrap()
            .unwrap()
            .reason
            .as_deref(),
        Some("not about interviews"),
        "the first reason stands"
    );
    assert_eq!(
        approve(&store, "g", number, "acme", T0 + 3 * MINUTE).await,
        Review::AlreadyReviewed(SuggestionState::Rejected)
    );
    assert_eq!(
        store
            .reject_suggestion("g", 42, "mod", "no such", T0)
            .await
            .unwrap(),
        Review::NotFound
    );
    assert_eq!(
        store
            .pending_suggestions("g", 10)
            .await
            .unwrap()
            .iter()
            .map(|s| s.number)
            .collect::<Vec<_>>(),
        vec![kept]
    );
    assert_eq!(
        store.team_entry_count("g").await.unwrap(),
        0,
        "no entry made"
    );
    assert_eq!(approved(&store, "g", kept, "acme", T0).await.id, "acme-001");
}

async fn team_entries_are_edited_and_retired_without_reusing_numbers(db: Db) {
    let store = db.connect().await;
    for what in ["one", "two", "three"] {
        let number = suggest(&store, "g", "ann", what, T0).await;
        approved(&store, "g", number, "acme", T0 + SECOND).await;
    }
    let new_text = Draft {
        question: "What is two, really?".to_string(),
        answer: "Edited.".to_string(),
        topic: "sql".to_string(),
        source: None,
        aliases: vec!["2".to_string()],
    };
    assert!(
        store
            .edit_team_entry("g", "acme-002", &new_text, "mod", T0 + MINUTE)
            .await
            .unwrap()
    );
    let two = store.team_entry("g", "acme-002").await.unwrap().unwrap();
    assert_eq!(two.draft, new_text);
    assert_eq!((two.created_at, two.updated_at), (T0 + SECOND, T0 + MINUTE));
    assert_eq!(two.suggester.as_deref(), Some("ann"), "credit stays");
    assert!(
        !store
            .edit_team_entry("g", "acme-009", &new_text, "mod", T0)
            .await
            .unwrap(),
        "no such entry"
    );

    // Retiring the last one: gone from the live bank, kept for history.
    assert!(
        store
            .retire_team_entry("g", "acme-003", "mod", T0 + 2 * MINUTE)
            .await
            .unwrap()
    );
    assert_eq!(
        entry_ids(&store.team_entries(Some("g")).await.unwrap()),
        vec!["acme-001", "acme-002"]
    );
    assert_eq!(store.team_entry("g", "acme-003").await.unwrap(), None);
    assert_eq!(store.team_entry_count("g").await.unwrap(), 2);
    let (retired, at) = store
        .team_entry_ever("g", "acme-003")
        .await
        .unwrap()
        .expect("a retired entry still resolves");
    assert_eq!((retired.draft, at), (draft("three"), Some(T0 + 2 * MINUTE)));
    assert_eq!(
        store
            .team_entry_ever("g", "acme-002")
            .await
            .unwrap()
            .map(|(_, at)| at),
        Some(None),
        "live"
    );
    assert!(
        !store
            .retire_team_entry("g", "acme-003", "mod", T0 + 3 * MINUTE)
            .await
            .unwrap(),
        "already retired"
    );
    assert!(
        !store
            .edit_team_entry("g", "acme-003", &new_text, "mod", T0 + 3 * MINUTE)
            .await
            .unwrap(),
        "a retired entry is not edited"
    );

    // The next entry gets a new number, not the retired one's.
    let number = suggest(&store, "g", "bob", "four", T0 + HOUR).await;
    assert_eq!(
        approved(&store, "g", number, "acme", T0 + HOUR).await.id,
        "acme-004"
    );
    let added = store
        .add_team_entry("g", "acme", &draft("five"), T0 + HOUR)
        .await
        .unwrap();
    assert_eq!((added.id.as_str(), added.suggester), ("acme-005", None));
    assert_eq!(
        entry_ids(&store.team_entries(Some("g")).await.unwrap()),
        vec!["acme-001", "acme-002", "acme-004", "acme-005"]
    );
    assert_eq!(store.team_entry_count("g").await.unwrap(), 4);
}

async fn team_banks_are_separate_per_server(db: Db) {
    let store = db.connect().await;
    let number = suggest(&store, "g1", "ann", "mine", T0).await;
    let mine = approved(&store, "g1", number, "one", T0).await;
    assert_eq!(mine.id, "one-001");

    // Another server sees nothing of g1's bank and cannot change it.
    assert_eq!(store.team_entry("g2", "one-001").await.unwrap(), None);
    assert_eq!(store.team_entry_ever("g2", "one-001").await.unwrap(), None);
    assert!(store.team_entries(Some("g2")).await.unwrap().is_empty());
    assert_eq!(store.team_entry_count("g2").await.unwrap(), 0);
    assert!(
        !store
            .edit_team_entry("g2", "one-001", &draft("theirs"), "mod", T0 + 1)
            .await
            .unwrap()
    );
    assert!(
        !store
            .retire_team_entry("g2", "one-001", "mod", T0 + 1)
            .await
            .unwrap()
    );
    assert_eq!(
        store.team_entry("g1", "one-001").await.unwrap(),
        Some(mine.clone()),
        "unchanged"
    );
    // Nor review its suggestions: g2 has no suggestion 1.
    let pending = suggest(&store, "g1", "ann", "pending", T0).await;
    assert_eq!(
        approve(&store, "g2", pending, "two", T0).await,
        Review::NotFound
    );
    assert_eq!(
        store
            .reject_suggestion("g2", pending, "mod", "no", T0)
            .await
            .unwrap(),
        Review::NotFound
    );
    assert_eq!(store.suggestion("g2", pending).await.unwrap(), None);
    assert_eq!(store.pending_count("g1").await.unwrap(), 1);
    assert_eq!(store.pending_count("g2").await.unwrap(), 0);

    // g2's own suggestions and entries are numbered on their own.
    let theirs = suggest(&store, "g2", "bob", "theirs", T0).await;
    assert_eq!(theirs, 1);
    let same_id = approved(&store, "g2", theirs, "one", T0).await;
    assert_eq!(same_id.id, "one-001", "the same id in another server");
    assert_eq!(
        store.team_entry("g1", "one-001").await.unwrap(),
        Some(mine.clone())
    );
    assert_eq!(
        store.team_entries(None).await.unwrap(),
        vec![mine, same_id],
        "all servers at start-up, by server"
    );
}

async fn team_suggestions_are_counted_for_rate_limits(db: Db) {
    let store = db.connect().await;
    for i in 0..3 {
        suggest(&store, "g", "ann", &format!("a{i}"), T0 + i * MINUTE).await;
    }
    suggest(&store, "g", "bob", "b", T0 + MINUTE).await;
    suggest(&store, "other", "ann", "elsewhere", T0 + MINUTE).await;
    assert_eq!(store.suggestions_since("g", "ann", T0).await.unwrap(), 3);
    assert_eq!(
        store
            .suggestions_since("g", "ann", T0 + MINUTE)
            .await
            .unwrap(),
        2,
        "from `since` on"
    );
    assert_eq!(
        store
            .suggestions_since("g", "ann", T0 + HOUR)
            .await
            .unwrap(),
        0
    );
    assert_eq!(store.suggestions_since("g", "bob", T0).await.unwrap(), 1);
    assert_eq!(store.suggestions_since("g", "cat", T0).await.unwrap(), 0);
    // Reviewed suggestions still count.
    store
        .reject_suggestion("g", 1, "mod", "no", T0 + HOUR)
        .await
        .unwrap();
    approve(&store, "g", 2, "acme", T0 + HOUR).await;
    assert_eq!(store.suggestions_since("g", "ann", T0).await.unwrap(), 3);
}

async fn team_suggesters_are_credited_for_approvals(db: Db) {
    let store = db.connect().await;
    let mut numbers = BTreeMap::new();
    for (who, what) in [
        ("bob", "b1"),
        ("ann", "a1"),
        ("ann", "a2"),
        ("cat", "c1"),
        ("dan", "d1"),
        ("ann", "a3"),
        ("bob", "b2"),
    ] {
        numbers.insert(what, suggest(&store, "g", who, what, T0).await);
    }
    for what in ["a1", "a2", "b1", "a3"] {
        approved(&store, "g", numbers[what], "acme", T0 + MINUTE).await;
    }
    store
        .reject_suggestion("g", numbers["c1"], "mod", "no", T0 + MINUTE)
        .await
        .unwrap();
    // An approval in another server is credited there only.
    let elsewhere = suggest(&store, "other", "cat", "x", T0).await;
    approved(&store, "other", elsewhere, "x", T0).await;

    let credits = |limit| {
        let store = store.clone();
        async move { store.suggester_credits("g", limit).await.unwrap() }
    };
    assert_eq!(
        credits(10).await,
        vec![("ann".to_string(), 3), ("bob".to_string(), 1)],
        "approved only (not rejected or pending), most first"
    );
    assert_eq!(credits(1).await, vec![("ann".to_string(), 3)]);
    // Retiring the entry does not take the credit back.
    let entry = store.suggestion("g", numbers["b1"]).await.unwrap().unwrap();
    assert!(
        store
            .retire_team_entry("g", entry.entry_id.as_deref().unwrap(), "mod", T0 + HOUR)
            .await
            .unwrap()
    );
    approved(&store, "g", numbers["b2"], "acme", T0 + HOUR).await;
    assert_eq!(
        credits(10).await,
        vec![("ann".to_string(), 3), ("bob".to_string(), 2)]
    );
    assert_eq!(
        store.suggester_credits("other", 10).await.unwrap(),
        vec![("cat".to_string(), 1)]
    );
    assert!(
        store
            .suggester_credits("none", 10)
            .await
            .unwrap()
            .is_empty()
    );
}
