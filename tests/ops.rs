//! Running the bot for real (issue 14), on the real binary:
//!
//! - with `http.listen` set, `/healthz`, `/readyz` and `/metrics` answer, and
//!   the metrics move as commands run; SIGTERM ends it with exit 0 within 10 s;
//! - `/readyz` names what is not ready (in process: a platform that reports
//!   itself down, a closed database) with a 503;
//! - an edit under the bank directory, or SIGHUP, puts a new question in use
//!   without a restart; a broken edit is logged as `file:line: what` and the
//!   last good bank stays;
//! - `log.format = "json"` writes one JSON object per line with the command's
//!   span fields, and known secrets never appear in the output, even at debug.
//!
//! Every wait is bounded.

mod common;

#[path = "common/fake_discord.rs"]
mod fake;

use std::io::{BufRead, BufReader, Read, Write};
use std::path::Path;
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{Receiver, RecvTimeoutError, channel};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use fake::FakeDiscord;
use serde_json::{Value, json};

/// How long the binary may take to start (it indexes the bank first).
const START_LIMIT: Duration = Duration::from_secs(90);
/// How long one reply, or one reload, may take.
const REPLY_LIMIT: Duration = Duration::from_secs(30);

/// The binary in a shell, its replies read line by line and its log kept.
struct Running {
    child: Child,
    stdin: Option<ChildStdin>,
    replies: Receiver<Value>,
    log: Arc<Mutex<String>>,
}

impl Running {
    /// Starts `shell --json` as `command` says.
    fn shell(mut command: Command) -> Running {
        command
            .args(["shell", "--json"])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let mut child = command.spawn().expect("the binary starts");
        let stdin = child.stdin.take();
        let (tx, replies) = channel();
        let stdout = child.stdout.take().expect("stdout");
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                let value = serde_json::from_str(&line)
                    .unwrap_or_else(|e| panic!("not JSON ({e}): {line}"));
                if tx.send(value).is_err() {
                    break;
                }
            }
        });
        let log = keep_log(child.stderr.take().expect("stderr"));
        Running {
            child,
            stdin,
            replies,
            log,
        }
    }

    /// Types `line` and waits for the first reply that `wanted` accepts.
    fn say(&mut self, line: &str, wanted: impl Fn(&Value) -> bool) -> Value {
        let stdin = self.stdin.as_mut().expect("stdin open");
        writeln!(stdin, "{line}").expect("the shell reads");
        stdin.flush().unwrap();
        let deadline = Instant::now() + REPLY_LIMIT;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.replies.recv_timeout(left) {
                Ok(reply) if wanted(&reply) => return reply,
                Ok(_) => {}
                Err(RecvTimeoutError::Timeout) => {
                    panic!(
                        "no reply to `{line}` within {REPLY_LIMIT:?}; log:\n{}",
                        self.log()
                    )
                }
                Err(RecvTimeoutError::Disconnected) => {
                    panic!(
                        "the shell ended while answering `{line}`; log:\n{}",
                        self.log()
                    )
                }
            }
        }
    }

    fn log(&self) -> String {
        self.log.lock().unwrap().clone()
    }

    /// Waits until the log has a line `found` accepts; returns that line.
    fn wait_log(&self, what: &str, limit: Duration, found: impl Fn(&str) -> bool) -> String {
        wait_log(&self.log, what, limit, found)
    }

    fn signal(&self, signal: &str) {
        let status = Command::new("kill")
            .args([&format!("-{signal}"), &self.child.id().to_string()])
            .status()
            .expect("kill runs");
        assert!(status.success());
    }

    /// Sends SIGTERM; the exit code and how long the exit took.
    fn terminate(mut self) -> (Option<i32>, Duration, String) {
        let sent = Instant::now();
        self.signal("TERM");
        let deadline = sent + Duration::from_secs(20);
        loop {
            if let Some(status) = self.child.try_wait().expect("wait") {
                // The log reader ends with the process.
                std::thread::sleep(Duration::from_millis(100));
                return (status.code(), sent.elapsed(), self.log());
            }
            if Instant::now() > deadline {
                let _ = self.child.kill();
                panic!("the binary did not exit within 20 s of SIGTERM");
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        if self.child.try_wait().ok().flatten().is_none() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

/// Collects what `pipe` says into a shared string, as it arrives.
fn keep_log(mut pipe: impl Read + Send + 'static) -> Arc<Mutex<String>> {
    let log = Arc::new(Mutex::new(String::new()));
    let kept = log.clone();
    std::thread::spawn(move || {
        let mut buffer = [0u8; 4096];
        while let Ok(n) = pipe.read(&mut buffer) {
            if n == 0 {
                break;
            }
            kept.lock()
                .unwrap()
                .push_str(&String::from_utf8_lossy(&buffer[..n]));
        }
    });
    log
}

fn wait_log(
    log: &Mutex<String>,
    what: &str,
    limit: Duration,
    found: impl Fn(&str) -> bool,
) -> String {
    let deadline = Instant::now() + limit;
    loop {
        let text = log.lock().unwrap().clone();
        if let Some(line) = text.lines().find(|l| found(l)) {
            return line.to_string();
        }
        assert!(
            Instant::now() < deadline,
            "{what}: not in the log within {limit:?}:\n{text}"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// The address the HTTP listener logged (`http: listening on ADDR`).
fn http_address(line: &str) -> String {
    let rest = line
        .split("http: listening on ")
        .nth(1)
        .unwrap_or_else(|| panic!("no address in {line}"));
    rest.split([' ', '"']).next().unwrap().to_string()
}

/// The value of the sample `key` (`name{labels}`) in Prometheus text; 0 when absent.
fn sample(metrics: &str, key: &str) -> f64 {
    metrics
        .lines()
        .find_map(|l| l.strip_prefix(key)?.strip_prefix(' '))
        .map_or(0.0, |v| v.trim().parse().expect("a number"))
}

async fn get(address: &str, path: &str) -> (u16, String) {
    let response = reqwest::Client::new()
        .get(format!("http://{address}{path}"))
        .timeout(Duration::from_secs(10))
        .send()
        .await
        .unwrap_or_else(|e| panic!("GET {path}: {e}"));
    let status = response.status().as_u16();
    (status, response.text().await.expect("a body"))
}

fn is_kind(kind: &'static str) -> impl Fn(&Value) -> bool {
    move |reply| reply["data"]["kind"] == kind
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn health_and_metrics_move_as_commands_run_and_sigterm_exits_0() {
    let dir = tempfile::tempdir().unwrap();
    let mut command = common::bot(dir.path());
    command
        .env("INTERVIEW_BOT__HTTP__LISTEN", "127.0.0.1:0")
        .env("RUST_LOG", "warn,interview_bot=info");
    let mut bot = Running::shell(command);
    let line = bot.wait_log("the HTTP listener", START_LIMIT, |l| {
        l.contains("http: listening on")
    });
    let address = http_address(&line);

    assert_eq!(get(&address, "/healthz").await, (200, "ok\n".to_string()));
    let (status, body) = get(&address, "/readyz").await;
    assert_eq!(status, 200, "{body}");
    let ready: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(ready["ready"], true);
    assert_eq!(ready["checks"]["database"], "ok");
    assert_eq!(ready["checks"]["index"], "ok");

    let (status, before) = get(&address, "/metrics").await;
    assert_eq!(status, 200);
    let asked = r#"interview_bot_commands_total{command="ask",outcome="ok"}"#;
    assert_eq!(sample(&before, asked), 0.0, "{before}");
    assert_eq!(
        sample(&before, "interview_bot_db_pool_max_connections"),
        4.0,
        "the SQLite pool's limit: {before}"
    );
    assert!(sample(&before, "interview_bot_bank_questions") > 300.0);

    bot.say("/ask difference between tcp and udp", is_kind("answer"));
    bot.say("/ask zebra giraffe savanna", is_kind("no_match"));
    bot.say("/quiz start questions:1 seconds:30", is_kind("question"));
    bot.say("/answer A", is_kind("answer_ack"));
    bot.say("/quiz stop", |_| true);

    let (_, after) = get(&address, "/metrics").await;
    assert_eq!(sample(&after, asked), 2.0, "{after}");
    assert_eq!(
        sample(&after, "interview_bot_ask_duration_seconds_count"),
        2.0
    );
    assert_eq!(
        sample(
            &after,
            r#"interview_bot_ask_answers_total{result="answered"}"#
        ),
        1.0
    );
    assert_eq!(
        sample(
            &after,
            r#"interview_bot_ask_answers_total{result="refused"}"#
        ),
        1.0
    );
    assert_eq!(sample(&after, "interview_bot_rounds_started_total"), 1.0);
    assert_eq!(
        sample(
            &after,
            r#"interview_bot_quiz_answers_total{result="recorded"}"#
        ),
        1.0
    );
    // The stop's reveal and standings go through the outbox, delivered by the post loop.
    let delivered = r#"interview_bot_outbox_posts_total{outcome="delivered"}"#;
    let deadline = Instant::now() + REPLY_LIMIT;
    let mut after = after;
    while sample(&after, delivered) < 2.0 {
        assert!(Instant::now() < deadline, "posts not delivered: {after}");
        tokio::time::sleep(Duration::from_millis(100)).await;
        after = get(&address, "/metrics").await.1;
    }
    assert_eq!(
        sample(&after, "interview_bot_outbox_delivery_lag_seconds_count"),
        sample(&after, delivered)
    );
    assert_eq!(
        sample(&after, "interview_bot_outbox_pending"),
        0.0,
        "{after}"
    );
    assert_eq!(
        sample(
            &after,
            r#"interview_bot_commands_total{command="quiz start",outcome="ok"}"#
        ),
        1.0
    );

    let (code, took, log) = bot.terminate();
    assert_eq!(code, Some(0), "SIGTERM exits 0; log:\n{log}");
    assert!(took <= Duration::from_secs(10), "exit took {took:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn readyz_names_what_is_not_ready() {
    use interview_bot::bot::Bot;
    use interview_bot::clock::SystemClock;
    use interview_bot::config::Settings;

    let dir = tempfile::tempdir().unwrap();
    let env = vec![
        (
            "INTERVIEW_BOT__INDEX__DIR".to_string(),
            dir.path().join("index").display().to_string(),
        ),
        (
            "INTERVIEW_BOT__DATABASE__URL".to_string(),
            format!("sqlite://{}", dir.path().join("bot.db").display()),
        ),
        (
            "INTERVIEW_BOT__MODEL__ENABLED".to_string(),
            "false".to_string(),
        ),
    ];
    let settings = Settings::load_from(None, env).unwrap();
    let bot = Arc::new(
        Bot::from_settings(&settings, Arc::new(SystemClock))
            .await
            .unwrap(),
    );
    let (stopper, shutdown) = interview_bot::runtime::shutdown();
    let (address, serve) = interview_bot::http::bind(bot.clone(), "127.0.0.1:0", shutdown)
        .await
        .unwrap();
    let served = tokio::spawn(serve);
    let address = address.to_string();

    bot.readiness()
        .not_ready("slack", "connecting to Socket Mode");
    bot.readiness().ready("discord");
    let (status, body) = get(&address, "/readyz").await;
    assert_eq!(status, 503, "{body}");
    let ready: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(ready["ready"], false);
    assert_eq!(ready["failing"], json!(["slack"]));
    assert_eq!(ready["checks"]["slack"], "connecting to Socket Mode");
    assert_eq!(ready["checks"]["discord"], "ok");

    bot.readiness().ready("slack");
    assert_eq!(get(&address, "/readyz").await.0, 200);

    bot.store().close().await;
    let (status, body) = get(&address, "/readyz").await;
    assert_eq!(status, 503, "{body}");
    let ready: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(ready["failing"], json!(["database"]));
    assert!(
        ready["checks"]["database"]
            .as_str()
            .unwrap()
            .contains("database"),
        "{body}"
    );

    stopper.stop();
    tokio::time::timeout(Duration::from_secs(5), served)
        .await
        .expect("the listener stops with the bot")
        .unwrap();
}

/// A copy of the shipped bank in `dir/bank`, and the binary's command using it.
fn bot_on_copied_bank(dir: &Path) -> Command {
    let bank = dir.join("bank");
    std::fs::create_dir_all(&bank).unwrap();
    for entry in std::fs::read_dir(common::repo().join("data/bank")).unwrap() {
        let path = entry.unwrap().path();
        std::fs::copy(&path, bank.join(path.file_name().unwrap())).unwrap();
    }
    let mut command = common::bot(dir);
    command
        .env("INTERVIEW_BOT__BANK__DIR", &bank)
        // Reloading is under test here, not answer confidence: every best
        // match counts as an answer.
        .env("INTERVIEW_BOT__SEARCH__MIN_CONFIDENCE", "0")
        .env("RUST_LOG", "warn,interview_bot=info");
    command
}

const NEW_QUESTION: &str = r#"

[[question]]
id = "api-900"
topic = "api"
question = "What is a zebracorn endpoint?"
answer = "A made-up endpoint that only exists to test reloading the bank."
"#;

fn append(file: &Path, text: &str) {
    let mut f = std::fs::OpenOptions::new().append(true).open(file).unwrap();
    f.write_all(text.as_bytes()).unwrap();
}

fn lines_of(file: &Path) -> usize {
    std::fs::read_to_string(file).unwrap().lines().count()
}

/// Asks for the new question until it is found (bounded).
fn ask_until_found(bot: &mut Running) -> Value {
    let deadline = Instant::now() + REPLY_LIMIT;
    loop {
        let reply = bot.say("/ask zebracorn endpoint", |r| {
            ["answer", "no_match", "not_in_bank"]
                .contains(&r["data"]["kind"].as_str().unwrap_or(""))
        });
        if reply["data"]["card"]["id"] == "api-900" {
            return reply;
        }
        assert!(
            Instant::now() < deadline,
            "the new question was not found within {REPLY_LIMIT:?}: {reply}\n{}",
            bot.log()
        );
        std::thread::sleep(Duration::from_millis(200));
    }
}

#[test]
fn an_edit_to_the_bank_is_used_without_a_restart_and_a_broken_one_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let mut bot = Running::shell(bot_on_copied_bank(dir.path()));
    let first = bot.say("/ask zebracorn endpoint", |_| true);
    assert_ne!(first["data"]["card"]["id"], "api-900", "{first}");

    let file = dir.path().join("bank/api.toml");
    append(&file, NEW_QUESTION);
    let found = ask_until_found(&mut bot);
    assert!(found["text"].as_str().unwrap().contains("zebracorn"));
    // A reload reads the bank files; reading is not an edit, so it does not
    // set off another reload.
    let reloads = |bot: &Running| bot.log().matches("bank reloaded").count();
    // The new bank answers as soon as it is swapped in; its log line may come
    // a moment later.
    let deadline = Instant::now() + REPLY_LIMIT;
    while reloads(&bot) == 0 {
        assert!(
            Instant::now() < deadline,
            "no reload logged:\n{}",
            bot.log()
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    let settled = reloads(&bot);
    std::thread::sleep(Duration::from_secs(2));
    assert_eq!(
        reloads(&bot),
        settled,
        "reloads go on by themselves:\n{}",
        bot.log()
    );
    let topics = bot.say("/topics", is_kind("topics"));
    let total: u64 = topics["data"]["topics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["questions"].as_u64().unwrap())
        .sum();
    assert_eq!(total as usize, common::shipped_bank().len() + 1);

    // An entry without an answer: refused whole, reported where it is.
    let broken_at = lines_of(&file) + 2;
    append(
        &file,
        "\n[[question]]\nid = \"api-901\"\ntopic = \"api\"\nquestion = \"What is half an entry?\"\n",
    );
    let expected = format!("{}:{broken_at}: missing `answer`", file.display());
    bot.wait_log("the broken entry", REPLY_LIMIT, |l| l.contains(&expected));
    bot.wait_log("the refusal", REPLY_LIMIT, |l| {
        l.contains("the last good bank stays in use")
    });
    let still = bot.say("/ask zebracorn endpoint", is_kind("answer"));
    assert_eq!(still["data"]["card"]["id"], "api-900");
    let topics = bot.say("/topics", is_kind("topics"));
    assert_eq!(
        topics["data"]["topics"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t["questions"].as_u64().unwrap())
            .sum::<u64>() as usize,
        common::shipped_bank().len() + 1
    );
    let (code, _, log) = bot.terminate();
    assert_eq!(code, Some(0), "{log}");
}

#[test]
fn sighup_reloads_the_bank_when_edits_are_not_watched() {
    let dir = tempfile::tempdir().unwrap();
    let mut command = bot_on_copied_bank(dir.path());
    command.env("INTERVIEW_BOT__BANK__WATCH", "false");
    let mut bot = Running::shell(command);
    bot.say("/topics", is_kind("topics"));
    append(&dir.path().join("bank/api.toml"), NEW_QUESTION);
    // Not watched: nothing changes until SIGHUP.
    std::thread::sleep(Duration::from_millis(1500));
    let before = bot.say("/ask zebracorn endpoint", |_| true);
    assert_ne!(before["data"]["card"]["id"], "api-900", "{before}");
    bot.signal("HUP");
    bot.wait_log("the reload", REPLY_LIMIT, |l| l.contains("bank reloaded"));
    ask_until_found(&mut bot);
    let (code, _, log) = bot.terminate();
    assert_eq!(code, Some(0), "{log}");
}

const TOKEN: &str = "sekrit-discord-token-7f3a9";
const SIGNING_SECRET: &str = "sekrit-signing-secret-4d1e";
const DB_PASSWORD: &str = "sekrit-db-password-9c2e";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn json_logs_carry_the_command_span_and_never_a_secret() {
    let fake = FakeDiscord::start().await;
    let dir = tempfile::tempdir().unwrap();
    let log_file = dir.path().join("stderr");
    let mut command = common::bot(dir.path());
    command
        .env("DISCORD_TOKEN", TOKEN)
        .env("SLACK_SIGNING_SECRET", SIGNING_SECRET)
        .env("INTERVIEW_BOT__DISCORD__API_URL", fake.api_url())
        .env("INTERVIEW_BOT__LOG__FORMAT", "json")
        .env("INTERVIEW_BOT__HTTP__LISTEN", "127.0.0.1:0")
        // Everything every crate says, to catch a secret anywhere.
        .env("RUST_LOG", "trace")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = command.spawn().expect("the binary starts");
    let log = keep_log(child.stderr.take().unwrap());
    let out = keep_log(child.stdout.take().unwrap());
    fake.wait_for_shards(1).await;
    fake.wait_for("command registration", |r| r.method == "PUT")
        .await;
    let line = wait_log(&log, "the HTTP listener", START_LIMIT, |l| {
        l.contains("http: listening on")
    });
    let address = http_address(&line);
    let options = json!([{"name": "text", "type": 3, "value": "what is a dockerfile"}]);
    let member = fake::member("500000000000000001", "alice", 0, &[]);
    fake.dispatch(
        "INTERACTION_CREATE",
        fake::slash("700000000000000031", "ask", options, member),
    );
    fake.callback("700000000000000031").await;
    let (status, body) = get(&address, "/readyz").await;
    assert_eq!(status, 200, "{body}");
    let ready: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(ready["checks"]["discord"], "ok", "{body}");
    wait_log(&log, "the command's span", REPLY_LIMIT, |l| {
        l.contains("command handled")
    });
    let (_, metrics) = get(&address, "/metrics").await;
    assert_eq!(
        sample(
            &metrics,
            r#"interview_bot_commands_total{command="ask",outcome="ok"}"#
        ),
        1.0,
        "{metrics}"
    );

    Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(20);
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        assert!(Instant::now() < deadline, "no exit after SIGTERM");
        std::thread::sleep(Duration::from_millis(20));
    };
    assert!(status.success());
    std::thread::sleep(Duration::from_millis(100));
    let log = log.lock().unwrap().clone();
    std::fs::write(&log_file, &log).unwrap();
    let output = format!("{log}{}", out.lock().unwrap());
    for secret in [TOKEN, SIGNING_SECRET] {
        assert!(
            !output.contains(secret),
            "a secret was written out (see {})",
            log_file.display()
        );
    }
    let mut handled = None;
    for line in log.lines().filter(|l| !l.trim().is_empty()) {
        let value: Value = serde_json::from_str(line)
            .unwrap_or_else(|e| panic!("not one JSON object ({e}): {line}"));
        assert!(value.is_object(), "{line}");
        if value["message"] == "command handled" {
            handled = Some(value);
        }
    }
    let handled = handled.expect("a command handled line");
    let span = &handled["span"];
    assert_eq!(span["platform"], "discord", "{handled}");
    assert_eq!(span["command"], "ask", "{handled}");
    assert_eq!(span["guild"], fake::GUILD_ID, "{handled}");
    assert_eq!(span["channel"], fake::CHANNEL_ID, "{handled}");
    assert_eq!(handled["outcome"], "Ok", "{handled}");
}

#[test]
fn a_database_password_never_reaches_the_output() {
    let dir = tempfile::tempdir().unwrap();
    let mut command = common::bot(dir.path());
    command
        .env(
            "INTERVIEW_BOT__DATABASE__URL",
            format!("postgres://bot:{DB_PASSWORD}@127.0.0.1:1/quiz"),
        )
        .env("INTERVIEW_BOT__LOG__FORMAT", "json")
        .env("RUST_LOG", "trace");
    let output = common::run(command);
    assert!(!output.status.success());
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(!text.contains(DB_PASSWORD), "{text}");
    assert!(
        text.contains("postgres://bot:***@127.0.0.1:1/quiz"),
        "{text}"
    );
}
