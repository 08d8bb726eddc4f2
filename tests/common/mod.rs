//! Helpers shared by the integration tests: the shipped bank, a searcher over it in
//! a fresh temporary index, the real binary run with a clean environment, and
//! [`skip`], which makes a test that cannot run here say so out loud.

#![allow(dead_code)]

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use interview_bot::bank::Bank;
use interview_bot::search::{Searcher, Synonyms, analyzer::analyzer};

pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

pub fn shipped_bank() -> Bank {
    let loaded = interview_bot::bank::load(&repo().join("data/bank")).expect("shipped bank loads");
    assert!(
        loaded.errors().next().is_none(),
        "shipped bank has errors: {:?}",
        loaded.errors().collect::<Vec<_>>()
    );
    loaded.bank
}

/// A searcher over `bank` with the shipped synonyms, indexed into `dir`.
pub fn searcher(bank: &Bank, dir: &Path) -> Searcher {
    let synonyms = Synonyms::load(&repo().join("data/synonyms.toml"), &mut analyzer())
        .expect("shipped synonyms load");
    Searcher::open_or_build(bank, dir, synonyms)
        .expect("index builds")
        .0
}

/// The binary, run from the repository with its own index directory and SQLite
/// file (both in `index_dir`), no platform credentials and matching by words
/// only (see [`semantic_bot`]), whatever the caller's environment holds.
pub fn bot(index_dir: &Path) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_interview-bot"));
    command
        .current_dir(repo())
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("INTERVIEW_BOT__INDEX__DIR", index_dir)
        .env(
            "INTERVIEW_BOT__DATABASE__URL",
            format!("sqlite://{}", index_dir.join("bot.db").display()),
        )
        .env("INTERVIEW_BOT__MODEL__ENABLED", "false")
        .env("RUST_LOG", "warn");
    command
}

/// The longest any single run of the binary may take in a test.
pub const RUN_LIMIT: Duration = Duration::from_secs(120);

/// Runs `command` with `input` on stdin; kills it and fails the test if it takes
/// longer than [`RUN_LIMIT`].
pub fn run_with_input(mut command: Command, input: &[u8]) -> Output {
    let mut child = command
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("binary starts");
    let mut stdin = child.stdin.take().expect("stdin");
    let input = input.to_vec();
    let writer = std::thread::spawn(move || {
        let _ = stdin.write_all(&input);
    });
    let stdout = reader(child.stdout.take().expect("stdout"));
    let stderr = reader(child.stderr.take().expect("stderr"));
    let deadline = Instant::now() + RUN_LIMIT;
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait") {
            break status;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("the binary ran longer than {RUN_LIMIT:?}");
        }
        std::thread::sleep(Duration::from_millis(10));
    };
    writer.join().expect("stdin writer");
    Output {
        status,
        stdout: stdout.join().expect("stdout reader"),
        stderr: stderr.join().expect("stderr reader"),
    }
}

/// Runs `command` with nothing on stdin.
pub fn run(command: Command) -> Output {
    run_with_input(command, b"")
}

fn reader(mut pipe: impl Read + Send + 'static) -> std::thread::JoinHandle<Vec<u8>> {
    std::thread::spawn(move || {
        let mut out = Vec::new();
        let _ = pipe.read_to_end(&mut out);
        out
    })
}

/// stdout as JSON values, one per line.
pub fn json_lines(output: &Output) -> Vec<serde_json::Value> {
    String::from_utf8(output.stdout.clone())
        .expect("utf-8 output")
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON ({e}): {l}")))
        .collect()
}

/// Why the PostgreSQL suites skip: for [`skip`].
pub const NO_POSTGRES: &str = "INTERVIEW_BOT_TEST_POSTGRES is not set (CI sets it)";
/// Why the suites that need the embedding model skip: for [`skip`].
pub const NO_MODEL: &str = "no embedding model in INTERVIEW_BOT_TEST_MODEL or index/model/all-MiniLM-L6-v2 (CI installs it)";

/// Records that a test of `suite` returns early because `why` (a setting or a
/// file it needs is missing). Under CI (`CI` set) that is a failure: it panics
/// with the message. Elsewhere it writes `skipped: SUITE: WHY` once per suite
/// per test binary straight to the process's stderr, so the line shows in
/// `cargo test` output: libtest captures only what the `print!` and `eprint!`
/// macros write, not writes to `std::io::stderr()` itself.
pub fn skip(suite: &str, why: &str) {
    let message = format!("skipped: {suite}: {why}");
    if std::env::var_os("CI").is_some() {
        panic!("{message}");
    }
    static SHOWN: std::sync::Mutex<std::collections::BTreeSet<String>> =
        std::sync::Mutex::new(std::collections::BTreeSet::new());
    let first = SHOWN
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .insert(suite.to_string());
    if first {
        let _ = writeln!(std::io::stderr().lock(), "{message}");
    }
}

/// The PostgreSQL server tests may use: an admin URL in
/// `INTERVIEW_BOT_TEST_POSTGRES` (`.ci/run` starts one and sets it). Without it,
/// PostgreSQL tests are skipped locally and fail in CI.
pub fn postgres_admin_url() -> Option<String> {
    match std::env::var("INTERVIEW_BOT_TEST_POSTGRES") {
        Ok(url) if !url.trim().is_empty() => Some(url),
        _ => {
            assert!(
                std::env::var_os("CI").is_none(),
                "CI must set INTERVIEW_BOT_TEST_POSTGRES (see .ci/run)"
            );
            eprintln!("skipped: INTERVIEW_BOT_TEST_POSTGRES is not set");
            None
        }
    }
}

/// A new, empty PostgreSQL database on the test server; returns its URL.
pub async fn fresh_postgres() -> Option<String> {
    use sqlx::Connection;
    let admin = postgres_admin_url()?;
    let name = format!("ib_test_{:016x}", fastrand::u64(..));
    let mut conn = sqlx::PgConnection::connect(&admin)
        .await
        .expect("the test PostgreSQL server answers");
    sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
        .execute(&mut conn)
        .await
        .expect("create a test database");
    let base = admin
        .rsplit_once('/')
        .map_or(admin.as_str(), |(base, _)| base);
    Some(format!("{base}/{name}"))
}

/// A SQLite URL for a new file in `dir`.
pub fn fresh_sqlite(dir: &Path) -> String {
    format!(
        "sqlite://{}",
        dir.join(format!("test-{:016x}.db", fastrand::u64(..)))
            .display()
    )
}

/// Runs `command` with `input`, expects success, and returns its JSON lines.
pub fn json_run(command: Command, input: &str) -> Vec<serde_json::Value> {
    let output = run_with_input(command, input.as_bytes());
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    json_lines(&output)
}

/// The replies whose `data.kind` is `kind`.
pub fn of_kind<'a>(replies: &'a [serde_json::Value], kind: &str) -> Vec<&'a serde_json::Value> {
    replies
        .iter()
        .filter(|r| r["data"]["kind"] == kind)
        .collect()
}

/// The installed embedding model for tests: `INTERVIEW_BOT_TEST_MODEL`, else the
/// default install directory. `None` (the test skips) when it is missing, except
/// under CI, which provisions it (see .ci/run).
pub fn model_dir() -> Option<PathBuf> {
    let dir = std::env::var_os("INTERVIEW_BOT_TEST_MODEL")
        .map(PathBuf::from)
        .unwrap_or_else(|| repo().join("index/model/all-MiniLM-L6-v2"));
    if dir.join("model.safetensors").exists() {
        return Some(dir);
    }
    assert!(
        std::env::var_os("CI").is_none(),
        "CI must provision the model (interview-bot model install, see .ci/run)"
    );
    eprintln!("skipped: no embedding model in {}", dir.display());
    None
}

/// An index directory shared by the tests that use the model, so the shipped
/// bank is embedded once (the vectors are cached there), not once per test.
pub fn semantic_index_dir() -> PathBuf {
    repo().join("target/test-semantic-index")
}

/// Embeds the shipped bank into [`semantic_index_dir`] once per test binary, so
/// tests running in parallel do not all embed it at the same time.
pub fn warm_semantic_index(model: &Path) {
    static WARM: std::sync::Mutex<bool> = std::sync::Mutex::new(false);
    let mut warm = WARM.lock().unwrap_or_else(|e| e.into_inner());
    if !*warm {
        let dir = semantic_index_dir();
        interview_bot::semantic::load(&shipped_bank(), model, Some(&dir))
            .expect("the model loads and embeds the bank");
        *warm = true;
    }
}

/// A searcher over the shipped bank that matches by meaning too; `None` when the
/// model is not installed (see [`model_dir`]).
pub fn semantic_searcher(bank: &Bank) -> Option<Searcher> {
    let model = model_dir()?;
    warm_semantic_index(&model);
    let dir = semantic_index_dir();
    let semantic = interview_bot::semantic::load(bank, &model, Some(&dir));
    assert!(semantic.is_some(), "the model loads");
    Some(searcher(bank, &dir).with_semantic(semantic))
}

/// [`bot`] with the model on, its index and vectors in [`semantic_index_dir`]
/// (the database stays in `dir`); `None` when the model is not installed.
pub fn semantic_bot(dir: &Path) -> Option<Command> {
    let model = model_dir()?;
    warm_semantic_index(&model);
    let mut command = bot(dir);
    command
        .env("INTERVIEW_BOT__INDEX__DIR", semantic_index_dir())
        .env("INTERVIEW_BOT__MODEL__DIR", model)
        .env("INTERVIEW_BOT__MODEL__ENABLED", "true");
    Some(command)
}
