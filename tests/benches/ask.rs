//! `/ask` benchmark: in-process search latency (p50/p99), index build rate and
//! resident memory, on the shipped bank and on synthetic banks.
//!
//! Run: `cargo bench --bench ask` (shipped bank and 100,000 questions), or
//! `cargo bench --bench ask -- --sizes 100000,1000000`. Figures go in BENCHMARKS.md.

use std::path::Path;
use std::time::{Duration, Instant};

use interview_bot::bank::{self, Bank, Difficulty, Question};
use interview_bot::search::{SearchOptions, Searcher, Synonyms, analyzer::analyzer, build_index};

const ROUNDS: usize = 20;

fn main() {
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    let sizes = sizes_from_args().unwrap_or_else(|| vec![100_000]);
    let shipped = bank::load(&repo.join("data/bank")).expect("bank").bank;
    let queries = dev_queries(repo);

    println!("| bank | questions | index build | build rate | /ask p50 | /ask p99 | RSS after |");
    println!("|---|---:|---:|---:|---:|---:|---:|");
    run("shipped", &shipped, repo, &queries);
    for size in sizes {
        let synthetic = synthetic_bank(&shipped, size);
        run("synthetic", &synthetic, repo, &queries);
    }
    println!(
        "\nqueries: the {} dev queries, {ROUNDS} rounds each, limit 5; RSS peak {}",
        queries.len(),
        rss("VmHWM:")
    );
}

fn run(name: &str, bank: &Bank, repo: &Path, queries: &[String]) {
    let dir = tempfile::tempdir().expect("tempdir");
    let built = build_index(bank, dir.path()).expect("index builds");
    let synonyms =
        Synonyms::load(&repo.join("data/synonyms.toml"), &mut analyzer()).expect("synonyms");
    let (searcher, _) = Searcher::open_or_build(bank, dir.path(), synonyms).expect("index opens");
    let latencies = measure(&searcher, queries);
    println!(
        "| {name} | {} | {:.2} s | {:.0} q/s | {} | {} | {} |",
        bank.len(),
        built.elapsed.as_secs_f64(),
        bank.len() as f64 / built.elapsed.as_secs_f64(),
        micros(percentile(&latencies, 0.50)),
        micros(percentile(&latencies, 0.99)),
        rss("VmRSS:"),
    );
}

fn measure(searcher: &Searcher, queries: &[String]) -> Vec<Duration> {
    let options = SearchOptions::top(5);
    for q in queries {
        searcher.search(q, &options).expect("warm-up");
    }
    let mut latencies = Vec::with_capacity(queries.len() * ROUNDS);
    for _ in 0..ROUNDS {
        for q in queries {
            let started = Instant::now();
            let found = searcher.search(q, &options).expect("search");
            latencies.push(started.elapsed());
            std::hint::black_box(found);
        }
    }
    latencies.sort();
    latencies
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    sorted[((sorted.len() - 1) as f64 * p).round() as usize]
}

fn micros(d: Duration) -> String {
    if d >= Duration::from_millis(1) {
        format!("{:.2} ms", d.as_secs_f64() * 1e3)
    } else {
        format!("{} µs", d.as_micros())
    }
}

/// A line of /proc/self/status, e.g. `VmRSS:` (resident now) or `VmHWM:` (peak).
fn rss(key: &str) -> String {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with(key))
                .and_then(|l| l.split_whitespace().nth(1)?.parse::<f64>().ok())
        })
        .map_or("n/a".to_string(), |kb| format!("{:.0} MiB", kb / 1024.0))
}

fn dev_queries(repo: &Path) -> Vec<String> {
    std::fs::read_to_string(repo.join("tests/fixtures/dev_queries.tsv"))
        .expect("dev queries")
        .lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .filter_map(|l| l.split('\t').next().map(str::to_string))
        .collect()
}

/// `size` questions made by recombining the shipped bank's sentences and words,
/// so term statistics look like a real, much larger bank.
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
            let extra: Vec<&str> = (0..6).map(|_| words[rng.usize(..words.len())]).collect();
            Question {
                id: format!("syn-{i}"),
                topic: a.topic.clone(),
                question: format!("{} {}", a.question, extra[..3].join(" ")),
                answer: format!("{} {} {}", a.answer, b.answer, extra[3..].join(" ")),
                aliases: Vec::new(),
                tags: a.tags.clone(),
                difficulty: Difficulty::Medium,
                source: None,
                distinct_from: Vec::new(),
                origin: Default::default(),
            }
        })
        .collect();
    Bank::new(questions)
}

fn sizes_from_args() -> Option<Vec<usize>> {
    let args: Vec<String> = std::env::args().collect();
    let i = args.iter().position(|a| a == "--sizes")?;
    Some(
        args.get(i + 1)?
            .split(',')
            .filter_map(|s| s.trim().parse().ok())
            .collect(),
    )
}
