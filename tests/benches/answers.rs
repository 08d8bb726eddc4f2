//! The answer storm: many rounds open at once and their answers arriving together,
//! on SQLite and on PostgreSQL. Creates `--rounds` open rounds of one question (one
//! channel each), then `--workers` tokio tasks call `Store::record_answer` for
//! `--answers` distinct answers (the same number of users in every round) plus
//! `--duplicates` percent redeliveries of the same answers, in a shuffled order. It
//! measures the rate and the latency of each call (until the answer is committed and
//! acknowledged, pool waits included), then checks the log: one row per (round, user),
//! every acknowledged answer present as it was sent, every redelivery answered
//! `AlreadyAnswered`, and each round's standings summing to what was sent.
//!
//! Run: `cargo bench --bench answers` (50,000 answers, 1,000 rounds, 64 workers, 10%
//! redeliveries; PostgreSQL when `INTERVIEW_BOT_TEST_POSTGRES` names a server), or
//! `cargo bench --bench answers -- --answers 5000 --rounds 100 --backend sqlite`.
//! Figures go in BENCHMARKS.md.

#[path = "../common/mod.rs"]
mod common;
mod flags;

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use interview_bot::store::{
    AnswerOutcome, NewAnswer, NewRound, Period, Round, RoundQuestion, RoundStatus, Store,
};

/// The instant every round opens at (Unix ms); answers come within its first minute.
const OPENED_AT: i64 = 1_795_424_400_000;
const SECONDS: i64 = 600;
const GUILD: &str = "storm";
const LETTERS: [&str; 4] = ["A", "B", "C", "D"];
/// How many times a worker retries a call the store answered with an error.
const RETRIES: usize = 5;

#[derive(Debug, Clone)]
struct Options {
    answers: usize,
    rounds: usize,
    workers: usize,
    duplicates: usize,
    sqlite: bool,
    postgres: bool,
}

fn main() {
    let options = options();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    runtime.block_on(async {
        println!(
            "| backend | rounds | answers | calls (redeliveries) | workers | setup | storm | answers/s | calls/s | p50 | p99 | max | retries | leaderboard | check |"
        );
        println!("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|");
        if options.sqlite {
            let dir = tempfile::tempdir().expect("tempdir");
            storm("SQLite", &common::fresh_sqlite(dir.path()), &options).await;
        }
        if options.postgres {
            match common::fresh_postgres().await {
                Some(url) => {
                    storm("PostgreSQL", &url, &options).await;
                    drop_postgres(&url).await;
                }
                None => println!(
                    "| PostgreSQL | skipped: set INTERVIEW_BOT_TEST_POSTGRES to an admin URL |"
                ),
            }
        }
    });
}

/// One answer as sent, and what came back.
struct Delivery {
    round: usize,
    user: usize,
    answer: NewAnswer,
}

struct Outcome {
    delivery: usize,
    outcome: AnswerOutcome,
    latency: Duration,
    retries: usize,
}

async fn storm(backend: &str, url: &str, options: &Options) {
    let store = Store::connect(url).await.expect("the store connects");
    assert_eq!(store.answer_count().await.expect("count"), 0, "a fresh db");
    let users = options.answers.div_ceil(options.rounds);
    let (rounds, setup) = open_rounds(&store, options.rounds).await;

    let deliveries = Arc::new(deliveries(&rounds, users, options.duplicates));
    let next = Arc::new(AtomicUsize::new(0));
    let started = Instant::now();
    let workers: Vec<_> = (0..options.workers)
        .map(|_| {
            let store = store.clone();
            let deliveries = deliveries.clone();
            let next = next.clone();
            tokio::spawn(async move {
                let mut outcomes = Vec::new();
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(delivery) = deliveries.get(i) else {
                        break;
                    };
                    let sent = Instant::now();
                    let mut retries = 0;
                    let outcome = loop {
                        match store.record_answer(&delivery.answer).await {
                            Ok(outcome) => break outcome,
                            Err(e) if retries < RETRIES => {
                                eprintln!("retrying an answer: {e}");
                                retries += 1;
                            }
                            Err(e) => panic!("an answer failed {RETRIES} retries: {e}"),
                        }
                    };
                    outcomes.push(Outcome {
                        delivery: i,
                        outcome,
                        latency: sent.elapsed(),
                        retries,
                    });
                }
                outcomes
            })
        })
        .collect();
    let mut outcomes = Vec::with_capacity(deliveries.len());
    for worker in workers {
        outcomes.extend(worker.await.expect("a worker"));
    }
    let storm = started.elapsed();

    let mut latencies: Vec<Duration> = outcomes.iter().map(|o| o.latency).collect();
    latencies.sort();
    let retries: usize = outcomes.iter().map(|o| o.retries).sum();
    let distinct = rounds.len() * users;

    let board_started = Instant::now();
    let board = store
        .leaderboard(GUILD, &Period::default())
        .await
        .expect("leaderboard");
    let board_time = board_started.elapsed();
    assert_eq!(board.len(), users, "one leaderboard row per user");

    let checked = check(&store, &rounds, &deliveries, &outcomes, users).await;
    println!(
        "| {backend} | {} | {distinct} | {} ({}) | {} | {:.2} s | {:.2} s | {:.0} | {:.0} | {} | {} | {} | {retries} | {} | {checked} |",
        rounds.len(),
        deliveries.len(),
        deliveries.len() - distinct,
        options.workers,
        setup.as_secs_f64(),
        storm.as_secs_f64(),
        distinct as f64 / storm.as_secs_f64(),
        deliveries.len() as f64 / storm.as_secs_f64(),
        millis(percentile(&latencies, 0.50)),
        millis(percentile(&latencies, 0.99)),
        millis(*latencies.last().expect("some calls")),
        millis(board_time),
    );
    store.close().await;
}

/// `count` open rounds of one question each, one channel each; and how long that took.
async fn open_rounds(store: &Store, count: usize) -> (Vec<NewRound>, Duration) {
    let started = Instant::now();
    let mut rounds = Vec::with_capacity(count);
    for r in 0..count {
        let round = Round {
            id: format!("storm-{r:05}"),
            guild: GUILD.to_string(),
            channel: format!("channel-{r:05}"),
            topic: Some("docker".to_string()),
            starter: "starter".to_string(),
            kind: "live".to_string(),
            seconds: SECONDS,
            question_count: 1,
            position: 0,
            opened_at: OPENED_AT,
            closes_at: OPENED_AT + SECONDS * 1000,
            status: RoundStatus::Open,
            created_at: OPENED_AT,
            zone: None,
        };
        let new = NewRound {
            round,
            questions: vec![RoundQuestion {
                position: 0,
                question_id: format!("storm-q{}", r % 359),
                topic: "docker".to_string(),
                choices: LETTERS.iter().map(|l| format!("option {l}")).collect(),
                correct: LETTERS[r % 4].to_string(),
            }],
        };
        store
            .create_round(&new, OPENED_AT)
            .await
            .expect("a round opens");
        rounds.push(new);
    }
    (rounds, started.elapsed())
}

/// Every user of every round answers once; `duplicates` percent of those answers are
/// delivered a second time, unchanged. Shuffled with a fixed seed.
fn deliveries(rounds: &[NewRound], users: usize, duplicates: usize) -> Vec<Delivery> {
    let mut rng = fastrand::Rng::with_seed(7);
    let mut all = Vec::with_capacity(rounds.len() * users * (100 + duplicates) / 100);
    for (r, new) in rounds.iter().enumerate() {
        let q = &new.questions[0];
        for user in 0..users {
            let choice = LETTERS[rng.usize(..4)];
            let answered_at = OPENED_AT + rng.i64(0..60_000);
            let correct = choice == q.correct;
            all.push(Delivery {
                round: r,
                user,
                answer: NewAnswer {
                    round_id: new.round.id.clone(),
                    position: 0,
                    user_id: format!("user-{user:04}"),
                    user_name: format!("User {user}"),
                    question_id: q.question_id.clone(),
                    topic: q.topic.clone(),
                    choice: choice.to_string(),
                    correct,
                    points: if correct { 10 + rng.i64(0..=5) } else { 0 },
                    answered_at,
                },
            });
        }
    }
    let again = all.len() * duplicates / 100;
    let mut picked: Vec<usize> = (0..all.len()).collect();
    rng.shuffle(&mut picked);
    for &i in &picked[..again] {
        let d = &all[i];
        all.push(Delivery {
            round: d.round,
            user: d.user,
            answer: d.answer.clone(),
        });
    }
    rng.shuffle(&mut all);
    all
}

/// Checks the log against what was sent and acknowledged; panics on any difference.
async fn check(
    store: &Store,
    rounds: &[NewRound],
    deliveries: &[Delivery],
    outcomes: &[Outcome],
    users: usize,
) -> String {
    assert_eq!(outcomes.len(), deliveries.len(), "every call came back");
    // Per (round, user): how many deliveries, how many came back Recorded.
    let mut per_key: HashMap<(usize, usize), (usize, usize)> = HashMap::new();
    let mut redelivered = 0;
    for o in outcomes {
        let d = &deliveries[o.delivery];
        let entry = per_key.entry((d.round, d.user)).or_default();
        entry.0 += 1;
        match &o.outcome {
            AnswerOutcome::Recorded => entry.1 += 1,
            AnswerOutcome::AlreadyAnswered { choice } => {
                assert_eq!(choice, &d.answer.choice, "the first answer is reported");
                redelivered += 1;
            }
            AnswerOutcome::Closed => panic!("an open question said closed: {:?}", d.answer),
        }
    }
    assert_eq!(per_key.len(), rounds.len() * users);
    for (key, (sent, recorded)) in &per_key {
        assert_eq!(
            *recorded, 1,
            "{key:?}: {sent} deliveries, {recorded} recorded"
        );
    }
    assert_eq!(redelivered, deliveries.len() - per_key.len());

    let count = store.answer_count().await.expect("count");
    assert_eq!(count as usize, per_key.len(), "one row per (round, user)");

    // What was sent, per round and user (redeliveries are identical).
    let mut sent: Vec<BTreeMap<String, &NewAnswer>> = vec![BTreeMap::new(); rounds.len()];
    for d in deliveries {
        sent[d.round].insert(d.answer.user_id.clone(), &d.answer);
    }
    for (r, new) in rounds.iter().enumerate() {
        let logged = store
            .answers_to(&new.round.id, 0)
            .await
            .expect("answers to a round");
        assert_eq!(logged.len(), users, "round {r}: rows");
        let mut seen = BTreeSet::new();
        for row in &logged {
            let answer = sent[r]
                .get(&row.user_id)
                .unwrap_or_else(|| panic!("round {r}: an answer nobody sent: {row:?}"));
            assert!(
                seen.insert(row.user_id.clone()),
                "round {r}: {} twice",
                row.user_id
            );
            assert_eq!(row.choice, answer.choice);
            assert_eq!(row.correct, answer.correct);
            assert_eq!(row.points, answer.points);
            assert_eq!(row.answered_at, answer.answered_at);
        }
        let standings = store
            .round_standings(&new.round.id)
            .await
            .expect("standings");
        assert_eq!(standings.len(), users, "round {r}: standings rows");
        let points: i64 = standings.iter().map(|s| s.points).sum();
        let correct: i64 = standings.iter().map(|s| s.correct).sum();
        let answered: i64 = standings.iter().map(|s| s.answered).sum();
        assert_eq!(points, sent[r].values().map(|a| a.points).sum::<i64>());
        assert_eq!(
            correct,
            sent[r].values().filter(|a| a.correct).count() as i64
        );
        assert_eq!(answered, users as i64);
    }
    "ok".to_string()
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    sorted[((sorted.len() - 1) as f64 * p).round() as usize]
}

fn millis(d: Duration) -> String {
    if d >= Duration::from_millis(100) {
        format!("{:.0} ms", d.as_secs_f64() * 1e3)
    } else {
        format!("{:.2} ms", d.as_secs_f64() * 1e3)
    }
}

/// Drops the benchmark's PostgreSQL database.
async fn drop_postgres(url: &str) {
    use sqlx::Connection;
    let (Some(admin), Some((_, name))) = (common::postgres_admin_url(), url.rsplit_once('/'))
    else {
        return;
    };
    let Ok(mut conn) = sqlx::PgConnection::connect(&admin).await else {
        return;
    };
    let drop = format!("DROP DATABASE IF EXISTS {name}");
    if let Err(e) = sqlx::query(sqlx::AssertSqlSafe(drop))
        .execute(&mut conn)
        .await
    {
        eprintln!("could not drop the benchmark database {name}: {e}");
    }
}

fn options() -> Options {
    let flags = flags::Flags::from_env();
    let value = |name: &str| flags.value(name);
    let number = |name: &str, default: usize| flags.number(name, default);
    let backend = value("--backend").unwrap_or_else(|| "both".to_string());
    let options = Options {
        answers: number("--answers", 50_000),
        rounds: number("--rounds", 1_000),
        workers: number("--workers", 64),
        duplicates: number("--duplicates", 10),
        sqlite: matches!(backend.as_str(), "both" | "sqlite"),
        postgres: matches!(backend.as_str(), "both" | "postgres" | "postgresql"),
    };
    assert!(
        options.rounds > 0 && options.workers > 0 && options.answers >= options.rounds,
        "need --rounds >= 1, --workers >= 1 and --answers >= --rounds"
    );
    assert!(
        options.sqlite || options.postgres,
        "--backend is sqlite, postgres or both"
    );
    options
}
