//! Practice benchmark (issue 23): how long choosing the next card takes for a
//! learner with many card states on SQLite (`Deck::deal`: the day's counts,
//! the streak, then the due same-day step or the most forgotten learned card;
//! and with `new`, the next card not seen yet), p50/p99/max, and how long a
//! grade takes (FSRS, spreading the due day, the log and the card in one
//! transaction).
//!
//! Run: `cargo bench --bench practice` (5,000 cards), or
//! `cargo bench --bench practice -- --cards 20000 --deals 4000`.
//! Figures go in BENCHMARKS.md.

mod flags;

use std::path::Path;
use std::time::{Duration, Instant};

use interview_bot::bank;
use interview_bot::config::PracticeSettings;
use interview_bot::platform::Platform;
use interview_bot::practice::{Deal, Deck, Grade, Learner};
use interview_bot::store::{CardRow, NewReview, Store};
use jiff::Timestamp;

const DAY: i64 = 86_400_000;

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let flags = flags::Flags::from_env();
    let cards = flags.number("--cards", 5_000usize);
    let deals = flags.number("--deals", 2_000usize);
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    let shipped = bank::load(&repo.join("data/bank")).expect("bank").bank;
    let bank = bench_bank(&shipped, cards);
    let dir = tempfile::tempdir().expect("temporary directory");
    let url = format!("sqlite://{}", dir.path().join("bench.db").display());
    let store = Store::connect(&url).await.expect("store");
    let now: Timestamp = "2026-12-07T09:00:00Z".parse().unwrap();
    let now_ms = now.as_millisecond();
    let learner = Learner::new(Platform::Discord, "g", "<@1>");

    let started = Instant::now();
    fill(&store, learner.key(), cards, now_ms).await;
    // Others' cards share the tables.
    for other in 0..3 {
        let other = Learner::new(Platform::Discord, "g", &format!("<@{}>", 100 + other));
        fill(&store, other.key(), cards, now_ms).await;
    }
    println!(
        "{} CPUs, load average {}; {cards} cards for the learner (and 3 others) written in {:.1} s",
        std::thread::available_parallelism().map_or(0, |n| n.get()),
        load_average(),
        started.elapsed().as_secs_f64()
    );

    let deck = Deck {
        store: &store,
        bank: &bank,
        rules: PracticeSettings {
            max_reviews_per_day: 10_000,
            ..PracticeSettings::default()
        },
        learner: &learner,
    };
    println!("| what | calls | p50 | p99 | max |");
    println!("|---|---:|---:|---:|---:|");
    let mut times = Vec::with_capacity(deals);
    for _ in 0..deals {
        let at = Instant::now();
        let deal = deck.deal(None, false, now).await.expect("deal");
        times.push(at.elapsed());
        assert!(matches!(deal, Deal::Card(_)), "cards are due");
    }
    report("next due card (`/practice`)", &mut times);
    for _ in 0..deals / 4 {
        let at = Instant::now();
        deck.deal(Some("docker"), true, now).await.expect("deal");
        times.push(at.elapsed());
    }
    report("next card of a topic, new allowed", &mut times);
    for i in 0..deals / 4 {
        let entry = &bank.questions()[i % bank.len()].id;
        let at = Instant::now();
        deck.grade(
            entry,
            None,
            Grade::Good,
            &[],
            now + jiff::SignedDuration::from_secs(i as i64),
        )
        .await
        .expect("grade");
        times.push(at.elapsed());
    }
    report("a grade (FSRS, due day spread, log + card)", &mut times);
}

/// The shipped bank's entries again as `bench-NNNNN` (the ids `fill`
/// gives cards), so every card is in the bank and none is dropped as gone.
fn bench_bank(shipped: &bank::Bank, cards: usize) -> bank::Bank {
    let base = shipped.questions();
    let questions = (0..cards)
        .map(|i| bank::Question {
            id: format!("bench-{i:05}"),
            topic: ["docker", "python", "api", "http", "networking"][i % 5].to_string(),
            ..base[i % base.len()].clone()
        })
        .collect();
    bank::Bank::new(questions)
}

/// `cards` learned cards for `learner`: most due within ±60 days (a tenth
/// overdue), a few in same-day steps, each with one logged review.
async fn fill(store: &Store, learner: &str, cards: usize, now: i64) {
    for i in 0..cards {
        let entry = format!("bench-{i:05}");
        let spread = (i as i64 * 7919) % 120 - 12;
        let learning = i % 50 == 0;
        let after = CardRow {
            entry: entry.clone(),
            topic: ["docker", "python", "api", "http", "networking"][i % 5].to_string(),
            stability: Some(1.0 + (i % 97) as f64),
            difficulty: Some(5.0),
            due_at: Some(now + spread * DAY),
            last_review_at: Some(now - (i as i64 % 30) * DAY),
            reps: 1,
            lapses: 0,
            step: if learning { 0 } else { -1 },
            added_at: now - 90 * DAY,
        };
        let review = NewReview {
            learner: learner.to_string(),
            grade: 3,
            kind: "new",
            reviewed_at: now - (i as i64 % 30) * DAY,
            day: format!("2026-11-{:02}", 1 + i % 30),
            elapsed_ms: 0,
            after,
        };
        store.practice_grade(&review).await.expect("grade");
    }
}

fn report(what: &str, times: &mut Vec<Duration>) {
    times.sort();
    let at = |q: f64| times[((times.len() - 1) as f64 * q) as usize];
    let ms = |d: Duration| format!("{:.2} ms", d.as_secs_f64() * 1000.0);
    println!(
        "| {what} | {} | {} | {} | {} |",
        times.len(),
        ms(at(0.5)),
        ms(at(0.99)),
        ms(*times.last().unwrap())
    );
    times.clear();
}

fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .ok()
        .map(|s| s.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|| "n/a".to_string())
}
