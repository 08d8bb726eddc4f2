//! Autocomplete benchmark (issue 26): in-process latency of
//! `search::suggest::Suggestions::rows` (p50/p99/max) for what people type
//! while typing (held-out chat queries and rephrased bank questions cut off
//! mid-word, a fifth with a topic), on the shipped bank and on synthetic banks,
//! and how long building the suggestion index takes.
//!
//! Run: `cargo bench --bench suggest` (shipped bank and 100,000 questions), or
//! `cargo bench --bench suggest -- --sizes 100000,300000 --queries 20000`.
//! Figures go in BENCHMARKS.md.

mod flags;

use std::path::Path;
use std::time::{Duration, Instant};

use interview_bot::bank::{self, Bank, Difficulty, Question};
use interview_bot::search::suggest::Suggestions;

fn main() {
    let flags = flags::Flags::from_env();
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    let shipped = bank::load(&repo.join("data/bank")).expect("bank").bank;
    let sizes: Vec<usize> = flags
        .value("--sizes")
        .map(|s| s.split(',').filter_map(|n| n.trim().parse().ok()).collect())
        .unwrap_or_else(|| vec![100_000]);
    let count = flags.number("--queries", 10_000usize);
    let typed = typed_texts(repo, &shipped, count);
    println!(
        "{} CPUs, load average {}; {} typed texts",
        std::thread::available_parallelism().map_or(0, |n| n.get()),
        load_average(),
        typed.len()
    );
    println!("| bank | questions | index build | p50 | p99 | max | empty |");
    println!("|---|---:|---:|---:|---:|---:|---:|");
    run("shipped", &shipped, &typed);
    for size in sizes {
        run(
            &format!("synthetic {size}"),
            &synthetic_bank(&shipped, size),
            &typed,
        );
    }
}

fn run(name: &str, bank: &Bank, typed: &[(String, Option<String>)]) {
    let started = Instant::now();
    let suggestions = Suggestions::new(bank);
    let build = started.elapsed();
    // Warm up (page in, caches).
    for (text, topic) in typed.iter().take(200) {
        std::hint::black_box(suggestions.rows(text, topic.as_deref(), 25));
    }
    let mut times: Vec<Duration> = Vec::with_capacity(typed.len());
    let mut empty = 0;
    for (text, topic) in typed {
        let at = Instant::now();
        let rows = suggestions.rows(text, topic.as_deref(), 25);
        times.push(at.elapsed());
        empty += usize::from(rows.is_empty());
        std::hint::black_box(rows);
    }
    times.sort();
    let pct = |p: f64| times[((times.len() - 1) as f64 * p).round() as usize];
    println!(
        "| {name} | {} | {} | {} | {} | {} | {:.1}% |",
        bank.len(),
        ms(build),
        us(pct(0.5)),
        us(pct(0.99)),
        us(*times.last().unwrap()),
        100.0 * empty as f64 / typed.len() as f64
    );
}

fn ms(d: Duration) -> String {
    format!("{:.0} ms", d.as_secs_f64() * 1e3)
}

fn us(d: Duration) -> String {
    format!("{:.0} µs", d.as_secs_f64() * 1e6)
}

/// `count` texts as typed so far: held-out queries and bank questions, cut
/// after 1 to all of their characters (usually mid-word), a fifth with the
/// entry's topic.
fn typed_texts(repo: &Path, bank: &Bank, count: usize) -> Vec<(String, Option<String>)> {
    let mut rng = fastrand::Rng::with_seed(26);
    let mut sources: Vec<(String, Option<String>)> =
        std::fs::read_to_string(repo.join("tests/fixtures/heldout_queries.tsv"))
            .expect("held-out queries")
            .lines()
            .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
            .filter_map(|l| l.split('\t').next())
            .map(|q| (q.to_string(), None))
            .collect();
    for q in bank.questions() {
        let topic = (rng.usize(..5) == 0).then(|| q.topic.clone());
        sources.push((q.question.to_lowercase(), topic));
    }
    (0..count)
        .map(|_| {
            let (text, topic) = &sources[rng.usize(..sources.len())];
            let chars: Vec<char> = text.chars().collect();
            let end = rng.usize(1..=chars.len().max(1));
            (chars[..end].iter().collect(), topic.clone())
        })
        .collect()
}

/// `size` questions made from the shipped ones: each a shipped question with
/// three words of other answers added, another question as its alias.
fn synthetic_bank(shipped: &Bank, size: usize) -> Bank {
    let mut rng = fastrand::Rng::with_seed(42);
    let base = shipped.questions();
    let words: Vec<&str> = base
        .iter()
        .flat_map(|q| q.answer.split_whitespace())
        .collect();
    let questions = (0..size)
        .map(|i| {
            let a = &base[rng.usize(..base.len())];
            let b = &base[rng.usize(..base.len())];
            let extra: Vec<&str> = (0..3).map(|_| words[rng.usize(..words.len())]).collect();
            Question {
                id: format!("syn-{i}"),
                topic: a.topic.clone(),
                question: format!("{} {}", a.question, extra.join(" ")),
                answer: a.answer.clone(),
                aliases: vec![b.question.clone()],
                tags: a.tags.clone(),
                difficulty: Difficulty::Medium,
                source: None,
                distinct_from: Vec::new(),
                quiz_option: None,
                not_with: Vec::new(),
                origin: Default::default(),
            }
        })
        .collect();
    Bank::new(questions)
}

fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .ok()
        .map(|s| s.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|| "n/a".to_string())
}
