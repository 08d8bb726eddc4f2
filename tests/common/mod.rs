//! Helpers shared by the integration tests: the shipped bank, a searcher over it in
//! a fresh temporary index, and the real binary run with a clean environment.

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
/// file (both in `index_dir`) and no platform credentials, whatever the caller's
/// environment holds.
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
