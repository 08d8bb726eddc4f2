//! Nothing the bot acknowledged or meant to post is lost, and nothing is
//! posted twice, when its process dies or is stopped:
//!
//! - the real binary on Discord (a fake Discord on 127.0.0.1) is killed with
//!   SIGKILL while 100 live rounds close their first question, then started
//!   again on the same SQLite file: every channel sees question 1's reveal and
//!   question 2 exactly once (the outbox, Discord's nonce);
//! - SIGTERM to the binary (Discord gateway mode, and the shell while answers
//!   arrive) ends it with exit 0 within 10 s, and every answer it acknowledged
//!   is in the database afterwards.
//!
//! Every wait is bounded.

mod common;

#[path = "common/fake_discord.rs"]
mod fake;

use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fake::FakeDiscord;
use serde_json::{Value, json};

const ROUNDS: usize = 100;
const ALICE: &str = "500000000000000001";

/// The binary on Discord, talking to `fake`, on the database in `dir`.
fn discord_bot(dir: &Path, fake: &FakeDiscord) -> Child {
    let mut command = common::bot(dir);
    command
        .env("DISCORD_TOKEN", "test-token")
        .env("INTERVIEW_BOT__DISCORD__API_URL", fake.api_url())
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(std::fs::File::create(dir.join(format!("stderr-{}", fastrand::u32(..)))).unwrap());
    command.spawn().expect("the binary starts")
}

fn channel(i: usize) -> String {
    format!("4000000000000{:05}", 10_000 + i)
}

fn body_text(body: &Value) -> String {
    body.to_string()
}

/// Waits (at most `limit`) until `done` holds.
async fn until(what: &str, limit: Duration, mut done: impl FnMut() -> bool) {
    let deadline = Instant::now() + limit;
    while !done() {
        assert!(Instant::now() < deadline, "{what}: not within {limit:?}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Sends SIGTERM and returns the exit code and how long the exit took.
fn terminate(child: &mut Child) -> (Option<i32>, Duration) {
    let sent = Instant::now();
    let status = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .expect("kill runs");
    assert!(status.success());
    let deadline = sent + Duration::from_secs(20);
    loop {
        if let Some(status) = child.try_wait().expect("wait") {
            return (status.code(), sent.elapsed());
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("the binary did not exit within 20 s of SIGTERM");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_crash_during_100_closes_loses_no_post_and_posts_none_twice() {
    let fake = FakeDiscord::start().await;
    let dir = tempfile::tempdir().unwrap();
    let mut bot = discord_bot(dir.path(), &fake);
    fake.wait_for_shards(1).await;
    fake.wait_for("command registration", |r| r.method == "PUT")
        .await;
    let member = fake::member(ALICE, "alice", 0, &[]);
    for i in 0..ROUNDS {
        let options = json!([{"type": 1, "name": "start", "options": [
            {"name": "questions", "type": 4, "value": 2},
            {"name": "seconds", "type": 4, "value": 10}
        ]}]);
        let id = format!("7100000000000{:05}", 10_000 + i);
        let interaction = fake::slash(&id, "quiz", options, member.clone());
        fake.dispatch(
            "INTERACTION_CREATE",
            fake::in_channel(interaction, &channel(i)),
        );
    }
    until("every round started", Duration::from_secs(60), || {
        fake.count(|r| r.path.ends_with("/callback")) >= ROUNDS
    })
    .await;
    let reveals = |fake: &FakeDiscord| {
        fake.created_messages()
            .iter()
            .filter(|(_, _, body)| body_text(body).contains("Question 1 closed"))
            .count()
    };
    // The closes fall due 10 s after the starts: kill the process in the middle.
    until("the first reveals", Duration::from_secs(40), || {
        reveals(&fake) >= 10
    })
    .await;
    bot.kill().expect("SIGKILL");
    let _ = bot.wait();
    let before = reveals(&fake);
    assert!(
        before < ROUNDS,
        "the kill came after every reveal ({before})"
    );

    let mut bot = discord_bot(dir.path(), &fake);
    let complete = |fake: &FakeDiscord| {
        let created = fake.created_messages();
        (0..ROUNDS).all(|i| {
            let here: Vec<String> = created
                .iter()
                .filter(|(c, _, _)| *c == channel(i))
                .map(|(_, _, body)| body_text(body))
                .collect();
            here.iter().any(|b| b.contains("Question 1 closed"))
                && here.iter().any(|b| b.contains("Question 2 of 2"))
        })
    };
    // Posts the dead process held are leased for runtime::LEASE (20 s).
    until(
        "every channel's reveal and next question",
        Duration::from_secs(90),
        || complete(&fake),
    )
    .await;
    let created = fake.created_messages();
    for i in 0..ROUNDS {
        let here: Vec<String> = created
            .iter()
            .filter(|(c, _, _)| *c == channel(i))
            .map(|(_, _, body)| body_text(body))
            .collect();
        let count = |needle: &str| here.iter().filter(|b| b.contains(needle)).count();
        assert_eq!(count("Question 1 closed"), 1, "channel {i}: {here:#?}");
        assert_eq!(count("Question 2 of 2"), 1, "channel {i}: {here:#?}");
    }

    let (code, took) = terminate(&mut bot);
    assert_eq!(code, Some(0), "SIGTERM on the gateway exits 0");
    assert!(took <= Duration::from_secs(10), "exit took {took:?}");
}

#[test]
fn sigterm_while_answers_arrive_exits_0_and_loses_no_acknowledged_answer() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("quiz.db");
    let mut command = common::bot(dir.path());
    command
        .args(["shell", "--json", "--db"])
        .arg(&db)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null());
    let mut shell = command.spawn().expect("the shell starts");
    let mut stdin = shell.stdin.take().unwrap();
    let stdout = shell.stdout.take().unwrap();
    let (tx, lines) = std::sync::mpsc::channel::<Value>();
    let reader = std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines() {
            let Ok(line) = line else { break };
            if let Ok(value) = serde_json::from_str(&line) {
                if tx.send(value).is_err() {
                    break;
                }
            }
        }
    });
    let writer = std::thread::spawn(move || {
        let _ = writeln!(stdin, "/quiz start questions:1 seconds:600");
        for i in 0..2_000 {
            let line = format!("/as player{i}\n/answer B\n");
            if stdin.write_all(line.as_bytes()).is_err() {
                break;
            }
            if i % 50 == 0 {
                std::thread::sleep(Duration::from_millis(5));
            }
        }
        stdin
    });
    // Stop while answers are still arriving.
    let mut acks = 0;
    let deadline = Instant::now() + Duration::from_secs(60);
    while acks < 200 {
        let value = lines
            .recv_timeout(deadline.saturating_duration_since(Instant::now()))
            .expect("answers are acknowledged");
        if value["data"]["status"] == "recorded" {
            acks += 1;
        }
    }
    let (code, took) = terminate(&mut shell);
    assert_eq!(code, Some(0), "SIGTERM exits 0");
    assert!(took <= Duration::from_secs(10), "exit took {took:?}");
    drop(writer.join());
    reader.join().unwrap();
    acks += lines
        .try_iter()
        .filter(|v| v["data"]["status"] == "recorded")
        .count();

    let stored = tokio::runtime::Runtime::new().unwrap().block_on(async {
        let store = interview_bot::store::Store::connect(&format!("sqlite://{}", db.display()))
            .await
            .unwrap();
        store.answer_count().await.unwrap()
    });
    assert_eq!(
        stored, acks as i64,
        "every acknowledged answer is stored, and nothing else"
    );
}

/// A sink that refuses chosen posts (once, or for good) and notes the rest.
struct FlakySink {
    posted: std::sync::Mutex<Vec<String>>,
    fail_once: std::sync::Mutex<Vec<String>>,
    refuse: Vec<String>,
}

impl interview_bot::runtime::Sink for FlakySink {
    async fn post(
        &self,
        post: &interview_bot::runtime::Post,
    ) -> Result<(), interview_bot::runtime::SinkError> {
        use interview_bot::runtime::SinkError;
        if self.refuse.contains(&post.id) {
            return Err(SinkError::Permanent("the channel is gone".into()));
        }
        let mut fail_once = self.fail_once.lock().unwrap();
        if let Some(i) = fail_once.iter().position(|id| *id == post.id) {
            fail_once.remove(i);
            return Err(SinkError::Retry("the platform is busy".into()));
        }
        self.posted.lock().unwrap().push(post.id.clone());
        Ok(())
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failed_post_holds_back_its_channel_until_its_retry() {
    use interview_bot::outbox::PostKind;
    let dir = tempfile::tempdir().unwrap();
    let env = [
        (
            "INTERVIEW_BOT__INDEX__DIR",
            dir.path().join("index").display().to_string(),
        ),
        (
            "INTERVIEW_BOT__DATABASE__URL",
            format!("sqlite://{}", dir.path().join("bot.db").display()),
        ),
        ("INTERVIEW_BOT__MODEL__ENABLED", "false".to_string()),
    ]
    .map(|(k, v)| (k.to_string(), v));
    let settings = interview_bot::config::Settings::load_from(None, env).unwrap();
    let bot = interview_bot::bot::Bot::from_settings(
        &settings,
        std::sync::Arc::new(interview_bot::clock::SystemClock),
    )
    .await
    .unwrap();
    let reminder = |channel: &str, minute: i64| {
        PostKind::Reminder {
            schedule: "s".into(),
            starts_at: 1_800_000_000_000 + minute * 60_000,
            minutes: 5,
            role: None,
            zone: None,
        }
        .to_post("g", channel, 1_800_000_000_000)
    };
    let posts = [
        reminder("a", 1),
        reminder("a", 2),
        reminder("b", 3),
        reminder("c", 4),
    ];
    let [a1, a2, b1, c1] = posts.clone().map(|p| p.id);
    bot.store().enqueue(&posts, 1).await.unwrap();
    let sink = FlakySink {
        posted: Default::default(),
        fail_once: std::sync::Mutex::new(vec![a1.clone()]),
        refuse: vec![c1.clone()],
    };
    let delivered = bot.deliver(&sink).await.unwrap();
    assert_eq!(delivered, 1);
    assert_eq!(
        *sink.posted.lock().unwrap(),
        std::slice::from_ref(&b1),
        "a2 waits behind a1"
    );
    assert_eq!(
        bot.store().pending_posts().await.unwrap(),
        2,
        "c1 is dropped, not retried"
    );
    // a1 is tried again after its pause (1 s), then a2 follows it.
    let deadline = Instant::now() + Duration::from_secs(10);
    while sink.posted.lock().unwrap().len() < 3 {
        assert!(Instant::now() < deadline, "a1 was not retried");
        tokio::time::sleep(Duration::from_millis(100)).await;
        bot.deliver(&sink).await.unwrap();
    }
    assert_eq!(*sink.posted.lock().unwrap(), [b1, a1, a2]);
    assert_eq!(bot.store().pending_posts().await.unwrap(), 0);
}
