//! `/ask` benchmark: in-process search latency (p50/p99), index build rate and
//! resident memory, on the shipped bank and on synthetic banks.
//!
//! Run: `cargo bench --bench ask` (shipped bank and 100,000 questions), or
//! `cargo bench --bench ask -- --sizes 100000,1000000` (`--sizes none`: the
//! shipped bank only). With the embedding model installed (`interview-bot model
//! install`, or `--model DIR`) it also measures the shipped bank matched by
//! meaning and words: embedding rate, /ask latency with the query embedded,
//! queries embedded in batches (per query), and memory with the model loaded.
//! Figures go in BENCHMARKS.md.

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
    let model = model_dir_from_args().unwrap_or_else(|| repo.join("index/model/all-MiniLM-L6-v2"));
    if model.join("model.safetensors").exists() {
        run_semantic(&shipped, repo, &model, &queries);
    } else {
        println!(
            "| (no model in {}: meaning not measured) |",
            model.display()
        );
    }
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

/// The shipped bank with the model: a cold embedding of every text, then /ask.
fn run_semantic(bank: &Bank, repo: &Path, model_dir: &Path, queries: &[String]) {
    let before_model = rss("VmRSS:");
    let model = interview_bot::semantic::Model::load(model_dir).expect("the model loads");
    let cache = tempfile::tempdir().expect("tempdir");
    let (semantic, embedded) =
        interview_bot::semantic::Semantic::build(bank, model, Some(cache.path()))
            .expect("the bank embeds");
    let dir = tempfile::tempdir().expect("tempdir");
    let synonyms =
        Synonyms::load(&repo.join("data/synonyms.toml"), &mut analyzer()).expect("synonyms");
    let (searcher, _) = Searcher::open_or_build(bank, dir.path(), synonyms).expect("index opens");
    let searcher = searcher.with_semantic(Some(semantic));
    let mut all = queries.to_vec();
    all.extend(queries_of(repo, "tests/fixtures/heldout_queries.tsv"));
    let latencies = measure(&searcher, &all);
    let semantic = searcher.semantic().expect("semantic");
    let mut embeds = Vec::new();
    for q in &all {
        let started = Instant::now();
        std::hint::black_box(semantic.model().embed_one(q).expect("embeds"));
        embeds.push(started.elapsed());
    }
    embeds.sort();
    println!(
        "| shipped + meaning | {} | embedded {} texts in {:.1} s | {:.0} texts/s | {} | {} | {} (before the model: {before_model}) |",
        bank.len(),
        embedded.texts,
        embedded.seconds,
        embedded.texts as f64 / embedded.seconds,
        micros(percentile(&latencies, 0.50)),
        micros(percentile(&latencies, 0.99)),
        rss("VmRSS:"),
    );
    println!(
        "| (query embedding alone) | | | | {} | {} | |",
        micros(percentile(&embeds, 0.50)),
        micros(percentile(&embeds, 0.99)),
    );
    // Queries embedded together (a burst of /ask, query_vectors::QueryBatcher):
    // one pass over the weights for the whole batch.
    let texts: Vec<&str> = all.iter().map(String::as_str).collect();
    for size in [1, 8, 32, 64] {
        let started = Instant::now();
        let mut batches = 0;
        for _ in 0..3 {
            for batch in texts.chunks(size) {
                std::hint::black_box(semantic.model().embed_batch(batch));
                batches += 1;
            }
        }
        let per_query = started.elapsed() / (3 * texts.len()) as u32;
        println!(
            "| (queries embedded in batches of {size}) | | | | {} per query | | ({batches} batches) |",
            micros(per_query),
        );
    }
}

fn model_dir_from_args() -> Option<std::path::PathBuf> {
    let args: Vec<String> = std::env::args().collect();
    let i = args.iter().position(|a| a == "--model")?;
    args.get(i + 1).map(std::path::PathBuf::from)
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
    queries_of(repo, "tests/fixtures/dev_queries.tsv")
}

fn queries_of(repo: &Path, file: &str) -> Vec<String> {
    std::fs::read_to_string(repo.join(file))
        .expect("query file")
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
                quiz_option: None,
                not_with: Vec::new(),
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
