//! Team banks benchmark (issue 24): how long an approved suggestion takes to
//! be searchable, what `/ask` by meaning costs in a server with its own bank
//! among many, and start-up time and memory with all of them.
//!
//! Build with `cargo test --bench team --no-run`, then run
//! `target/debug/deps/team-* [--servers 1000] [--entries 200] [--model DIR]`
//! (the model from `--model`, `INTERVIEW_BOT_TEST_MODEL` or
//! `index/model/all-MiniLM-L6-v2`; without it only words are measured).
//! It uses the vectors tests keep in `target/test-semantic-index` (copied),
//! embedding the shipped bank there first if they are missing.
//!
//! 1. Approvals: one server's bank grown to `--entries` by suggest + approve
//!    through the real path (SQLite file, store transaction, partition
//!    rebuild, embedding the new entry's texts; filed without the suggestion
//!    checks, which take part in `/suggest`, not approval); each approval timed, and the
//!    entry searched right after.
//! 2. Many servers: `--servers` banks of `--entries` entries each, loaded as
//!    at start-up (time, RSS), their entries' texts those of the shipped bank
//!    under the servers' own ids (so their vectors come from the cache: the
//!    cost of embedding 200,000 new entries is the model's rate times their
//!    texts, measured by the ask bench); then the dev queries' `/ask` p50/p99
//!    with the global bank alone and in one of those servers.
//!
//! Figures go in BENCHMARKS.md.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use interview_bot::bank::{self, Bank};
use interview_bot::library::Library;
use interview_bot::search::{SearchOptions, Searcher, Synonyms, analyzer::analyzer};
use interview_bot::store::{Draft, Store, TeamEntryRow};
use interview_bot::team::{Limits, Team, TeamBanks};

const ROUNDS: usize = 5;

fn main() {
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    let servers = arg("--servers").unwrap_or(1000);
    let entries = arg("--entries").unwrap_or(200);
    let model_dir = model_dir(repo);
    let shipped = bank::load(&repo.join("data/bank")).expect("bank").bank;
    let queries = dev_queries(repo);

    let work = tempfile::tempdir().expect("tempdir");
    let index = work.path().join("index");
    std::fs::create_dir_all(&index).expect("index dir");
    if let Some(model) = &model_dir {
        let warm = repo.join("target/test-semantic-index");
        interview_bot::semantic::load(&shipped, model, Some(&warm)).expect("the bank embeds");
        std::fs::create_dir_all(index.join("team")).expect("team vectors dir");
        for entry in std::fs::read_dir(&warm).expect("vectors").flatten() {
            if entry.file_name().to_string_lossy().starts_with("vectors-") {
                for to in [index.clone(), index.join("team")] {
                    std::fs::copy(entry.path(), to.join(entry.file_name())).expect("copy");
                }
            }
        }
    }
    let rss_start = rss("VmRSS:");
    let library = Arc::new(library(&shipped, repo, &index, model_dir.as_deref()));
    println!(
        "bank: {} entries; matching by meaning: {}; RSS with the bank loaded {rss_start} -> {}\n",
        shipped.len(),
        library.searcher.semantic().is_some(),
        rss("VmRSS:")
    );

    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    runtime.block_on(approvals(&library, work.path(), entries));

    many_servers(&library, &shipped, &index, servers, entries, &queries);
    println!("\nRSS peak {}", rss("VmHWM:"));
}

fn library(bank: &Bank, repo: &Path, index: &Path, model: Option<&Path>) -> Library {
    let synonyms =
        Synonyms::load(&repo.join("data/synonyms.toml"), &mut analyzer()).expect("synonyms");
    let (searcher, _) = Searcher::open_or_build(bank, index, synonyms).expect("index opens");
    let semantic = model.and_then(|m| interview_bot::semantic::load(bank, m, Some(index)));
    Library {
        bank: bank.clone(),
        searcher: searcher.with_semantic(semantic),
    }
}

/// One server's bank grown to `entries` by suggest + approve on a SQLite file.
async fn approvals(library: &Library, dir: &Path, entries: usize) {
    let store = Store::connect(&format!("sqlite://{}", dir.join("bench.db").display()))
        .await
        .expect("store");
    let banks = Arc::new(TeamBanks::default());
    let team = Team {
        store: &store,
        library,
        banks: &banks,
        limits: Limits {
            suggestions_per_window: i64::MAX,
            window_ms: 1,
            max_entries: i64::MAX,
        },
    };
    let mut approve = Vec::new();
    let mut found_first = 0;
    for i in 0..entries {
        let draft = Draft {
            question: format!("How does our service number {i} recover when its queue backs up?"),
            answer: format!(
                "Service {i} drains its queue with the replay job number {i} and pages the owner. It keeps at most one replay running so the database is not flooded."
            ),
            topic: "ops".into(),
            source: None,
            aliases: vec![format!("queue of service {i} is stuck")],
        };
        // Filed without the suggestion checks (these drafts are alike on
        // purpose): approval is what is measured.
        let number = store
            .suggest("bench", "someone", &draft, i as i64)
            .await
            .expect("suggested");
        let started = Instant::now();
        let approved = team
            .approve("bench", number, "moderator", None, i as i64)
            .await
            .expect("approved");
        approve.push(started.elapsed());
        let partition = banks.partition("bench");
        let hits = library
            .searcher
            .search_in(
                &draft.question,
                &SearchOptions::top(1),
                None,
                partition.as_deref(),
            )
            .expect("search")
            .hits;
        if hits.first().is_some_and(|h| h.id == approved.id) {
            found_first += 1;
        }
    }
    println!("| approvals | p50 | p99 | max | found first right after |");
    println!("|---|---:|---:|---:|---:|");
    println!(
        "| {entries} into one server's bank | {} | {} | {} | {found_first} of {entries} |\n",
        millis(percentile(&approve, 0.50)),
        millis(percentile(&approve, 0.99)),
        millis(approve.iter().copied().max().unwrap_or_default()),
    );
    store.close().await;
}

/// `servers` banks of `entries` each, loaded as at start-up, then `/ask`.
fn many_servers(
    library: &Library,
    shipped: &Bank,
    index: &Path,
    servers: usize,
    entries: usize,
    queries: &[String],
) {
    let questions = shipped.questions();
    let rows: Vec<TeamEntryRow> = (0..servers)
        .flat_map(|s| {
            (0..entries).map(move |i| {
                let q = &questions[(s * entries + i) % questions.len()];
                TeamEntryRow {
                    id: format!("{s}-{:03}", i + 1),
                    server: s.to_string(),
                    draft: Draft {
                        question: q.question.clone(),
                        answer: q.answer.clone(),
                        topic: q.topic.clone(),
                        source: q.source.clone(),
                        aliases: q.aliases.clone(),
                    },
                    suggester: None,
                    created_at: 0,
                    updated_at: 0,
                }
            })
        })
        .collect();
    let banks = TeamBanks::default();
    let model = library.searcher.semantic().map(|s| s.shared_model());
    let before = rss("VmRSS:");
    let started = Instant::now();
    banks
        .load_all(rows, 0, model, Some(&index.join("team")))
        .expect("loaded");
    let (loaded_servers, loaded_entries) = banks.totals();
    println!(
        "start-up: {loaded_entries} entries of {loaded_servers} servers indexed and tabled in {:.1} s; RSS {before} -> {}\n",
        started.elapsed().as_secs_f64(),
        rss("VmRSS:")
    );
    let vectors: Vec<_> = match library.searcher.semantic() {
        Some(semantic) => {
            let texts: Vec<String> = queries
                .iter()
                .filter_map(|q| library.searcher.meaning_text(q))
                .collect();
            let texts: Vec<&str> = texts.iter().map(String::as_str).collect();
            semantic
                .query_vectors(&texts)
                .into_iter()
                .map(Result::ok)
                .collect()
        }
        None => vec![None; queries.len()],
    };
    let partition = banks.partition(&(servers / 2).to_string());
    println!("| /ask (query embedded before) | p50 | p99 |");
    println!("|---|---:|---:|");
    for (name, team) in [
        ("global bank alone", None),
        ("in a server with its own bank", partition.as_deref()),
    ] {
        let mut latencies = Vec::new();
        for _ in 0..ROUNDS {
            for (query, vector) in queries.iter().zip(&vectors) {
                let started = Instant::now();
                let _ = library
                    .searcher
                    .search_in(query, &SearchOptions::top(5), vector.as_ref(), team)
                    .expect("search");
                latencies.push(started.elapsed());
            }
        }
        println!(
            "| {name} | {} | {} |",
            millis(percentile(&latencies, 0.50)),
            millis(percentile(&latencies, 0.99))
        );
    }
}

fn model_dir(repo: &Path) -> Option<PathBuf> {
    let args: Vec<String> = std::env::args().collect();
    let given = args
        .iter()
        .position(|a| a == "--model")
        .and_then(|i| args.get(i + 1))
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("INTERVIEW_BOT_TEST_MODEL").map(PathBuf::from))
        .unwrap_or_else(|| repo.join("index/model/all-MiniLM-L6-v2"));
    match given.join("model.safetensors").exists() {
        true => Some(given),
        false => {
            println!("(no model in {}: words only)", given.display());
            None
        }
    }
}

fn arg(name: &str) -> Option<usize> {
    let args: Vec<String> = std::env::args().collect();
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1))
        .and_then(|v| v.parse().ok())
}

fn dev_queries(repo: &Path) -> Vec<String> {
    std::fs::read_to_string(repo.join("tests/fixtures/dev_queries.tsv"))
        .expect("dev queries")
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .filter_map(|l| l.split('\t').next())
        .map(str::to_string)
        .collect()
}

fn percentile(samples: &[Duration], p: f64) -> Duration {
    let mut sorted = samples.to_vec();
    sorted.sort();
    sorted
        .get(((sorted.len() as f64 - 1.0) * p).round() as usize)
        .copied()
        .unwrap_or_default()
}

fn millis(d: Duration) -> String {
    format!("{:.2} ms", d.as_secs_f64() * 1000.0)
}

fn rss(field: &str) -> String {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with(field))
                .map(|l| l[field.len()..].trim().to_string())
        })
        .unwrap_or_else(|| "?".into())
}
