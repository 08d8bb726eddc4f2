//! Nothing acknowledged is lost: the real binary (`shell --json --fake-clock`) on a
//! SQLite file is killed with SIGKILL while it waits for input, right after its
//! acknowledgements were read, and started again on the same file. Every answer whose
//! `recorded` acknowledgement was read counts exactly once after the restart, the
//! round goes on where it was, and a question that fell due while the process was
//! down is revealed once at the next start, never again.

mod common;

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Stdio};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use serde_json::Value;

/// The longest the test waits for any one line of output.
const WAIT: Duration = Duration::from_secs(60);
const START: &str = "2026-11-23T09:00:00Z";
/// Points for a right answer to a 60 s question: 10, plus a speed bonus of 5 at the
/// open and 3 with 30 s left (`quiz::speed_bonus`).
const AT_OPEN: i64 = 15;
const HALF_WAY: i64 = 13;

/// One run of `interview-bot shell --json` with stdin kept open: commands go in line
/// by line and replies are read as they come, each wait bounded by [`WAIT`].
struct Shell {
    child: Child,
    stdin: Option<ChildStdin>,
    lines: Receiver<String>,
    stderr: Option<JoinHandle<String>>,
}

impl Shell {
    fn start(dir: &Path, clock: &str) -> Shell {
        let mut command = common::bot(dir);
        command
            .args(["shell", "--json", "--fake-clock", clock, "--db"])
            .arg(db(dir))
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let mut child = command.spawn().expect("the binary starts");
        let stdin = child.stdin.take();
        let stdout = child.stdout.take().expect("stdout");
        let mut stderr = child.stderr.take().expect("stderr");
        let (tx, lines) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        let stderr = std::thread::spawn(move || {
            let mut text = String::new();
            let _ = stderr.read_to_string(&mut text);
            text
        });
        Shell {
            child,
            stdin,
            lines,
            stderr: Some(stderr),
        }
    }

    fn send(&mut self, line: &str) {
        let stdin = self.stdin.as_mut().expect("stdin is open");
        if let Err(e) = writeln!(stdin, "{line}").and_then(|()| stdin.flush()) {
            self.fail(&format!("cannot write `{line}`: {e}"));
        }
    }

    /// The next line of output, as JSON.
    fn next(&mut self) -> Value {
        let started = Instant::now();
        match self.lines.recv_timeout(WAIT) {
            Ok(line) => serde_json::from_str(&line)
                .unwrap_or_else(|e| self.fail(&format!("not JSON ({e}): {line}"))),
            Err(RecvTimeoutError::Timeout) => {
                self.fail(&format!("no output for {:?}", started.elapsed()))
            }
            Err(RecvTimeoutError::Disconnected) => self.fail("the binary closed its output"),
        }
    }

    /// Sends a command and reads up to its reply (the first line with a `user`):
    /// returns the bot's own posts printed before it, and the reply.
    fn command(&mut self, line: &str) -> (Vec<Value>, Value) {
        self.send(line);
        let mut posts = Vec::new();
        loop {
            let value = self.next();
            if value.get("user").is_some() {
                return (posts, value);
            }
            posts.push(value);
        }
    }

    /// A command whose only output is its reply.
    fn reply(&mut self, line: &str) -> Value {
        let (posts, reply) = self.command(line);
        assert!(
            posts.is_empty(),
            "unexpected posts before `{line}`: {posts:?}"
        );
        reply
    }

    /// `/as USER` then `/answer CHOICE`: the acknowledgement, read from stdout.
    fn answer(&mut self, user: &str, choice: &str) -> Value {
        let switched = self.reply(&format!("/as {user}"));
        assert_eq!(switched["user"], user, "{switched}");
        let ack = self.reply(&format!("/answer {choice}"));
        assert_eq!(ack["data"]["kind"], "answer_ack", "{ack}");
        assert_eq!(ack["user"], user, "{ack}");
        ack
    }

    /// SIGKILL, with stdin still open and the process waiting for its next line.
    fn kill(mut self) {
        self.child.kill().expect("SIGKILL");
        let status = self.child.wait().expect("wait");
        assert!(!status.success(), "killed, not exited: {status}");
    }

    /// `/quit`, and a clean exit.
    fn quit(mut self) {
        self.send("/quit");
        drop(self.stdin.take());
        let deadline = Instant::now() + WAIT;
        let status = loop {
            if let Some(status) = self.child.try_wait().expect("wait") {
                break status;
            }
            if Instant::now() > deadline {
                self.fail("the binary did not exit after /quit");
            }
            std::thread::sleep(Duration::from_millis(10));
        };
        if let Ok(extra) = self.lines.recv_timeout(Duration::from_secs(1)) {
            panic!("output after /quit: {extra}");
        }
        let stderr = self.stderr.take().map(|h| h.join().unwrap_or_default());
        assert!(status.success(), "{status}: {}", stderr.unwrap_or_default());
    }

    /// Kills the process and fails the test with what it wrote to stderr.
    fn fail(&mut self, message: &str) -> ! {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let stderr = self.stderr.take().map(|h| h.join().unwrap_or_default());
        panic!("{message}\nstderr:\n{}", stderr.unwrap_or_default());
    }
}

impl Drop for Shell {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn db(dir: &Path) -> PathBuf {
    dir.join("quiz.db")
}

fn recorded(ack: &Value) {
    assert_eq!(ack["data"]["status"], "recorded", "{ack}");
}

fn kind(value: &Value) -> &str {
    value["data"]["kind"].as_str().unwrap_or_default()
}

/// Ranking rows (`standings` or `leaderboard`) as user -> (points, correct).
fn rows(value: &Value) -> BTreeMap<String, (i64, i64)> {
    let rows = value["data"]["rows"].as_array().expect("rows");
    let by_user: BTreeMap<String, (i64, i64)> = rows
        .iter()
        .map(|r| {
            (
                r["user"].as_str().unwrap().to_string(),
                (
                    r["points"].as_i64().unwrap(),
                    r["correct"].as_i64().unwrap(),
                ),
            )
        })
        .collect();
    assert_eq!(by_user.len(), rows.len(), "one row per user: {value}");
    by_user
}

/// What the answer log holds, read with the library after the last process exits.
fn answers_in(db: &Path, round: &str, position: i64) -> Vec<(String, String, bool, i64)> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let store = interview_bot::store::Store::connect(&format!("sqlite://{}", db.display()))
            .await
            .expect("the database opens");
        let rows = store.answers_to(round, position).await.expect("answers");
        store.close().await;
        let mut rows: Vec<_> = rows
            .into_iter()
            .map(|a| (a.user_id, a.choice, a.correct, a.points))
            .collect();
        rows.sort();
        rows
    })
}

#[test]
fn acknowledged_answers_survive_sigkill_and_count_once() {
    let dir = tempfile::tempdir().unwrap();

    // First life: a round, four acknowledged answers (one per letter, so exactly one
    // is right), then one answer sent whose acknowledgement is never read.
    let mut shell = Shell::start(dir.path(), START);
    let question = shell.reply("/quiz start topic:docker questions:2 seconds:60");
    assert_eq!(kind(&question), "question", "{question}");
    assert_eq!(question["data"]["position"], 1);
    assert_eq!(question["data"]["closes_at"], "2026-11-23T09:01:00Z");
    let round = question["data"]["round"].as_str().unwrap().to_string();
    let mut acknowledged: Vec<(&str, &str, i64)> = Vec::new();
    for (user, choice) in [("u1", "A"), ("u2", "B"), ("u3", "C"), ("u4", "D")] {
        let ack = shell.answer(user, choice);
        recorded(&ack);
        assert_eq!(ack["data"]["round"], round.as_str());
        assert_eq!(ack["data"]["position"], 1);
        acknowledged.push((user, choice, AT_OPEN));
    }
    assert_eq!(shell.reply("/as u7")["user"], "u7");
    shell.send("/answer A");
    shell.kill();

    // Second life, 30 s later, still inside question 1's window: nothing is due at
    // start, the round is still open, and the first answers still count.
    let mut shell = Shell::start(dir.path(), "2026-11-23T09:00:30Z");
    let (posts, switched) = shell.command("/as u5");
    assert!(posts.is_empty(), "nothing was due at start: {posts:?}");
    assert_eq!(switched["user"], "u5");
    let ack = shell.reply("/answer A");
    recorded(&ack);
    assert_eq!(
        ack["data"]["round"],
        round.as_str(),
        "the same round goes on"
    );
    assert_eq!(ack["at"], "2026-11-23T09:00:30Z");
    acknowledged.push(("u5", "A", HALF_WAY));
    recorded(&shell.answer("u6", "B"));
    acknowledged.push(("u6", "B", HALF_WAY));
    for (user, first) in [("u1", "A"), ("u3", "C")] {
        let again = shell.answer(user, "D");
        assert_eq!(again["data"]["status"], "already_answered", "{again}");
        assert!(
            again["text"]
                .as_str()
                .unwrap()
                .contains(&format!("already answered {first}")),
            "{again}"
        );
    }
    // The answer in flight at the kill was stored, or not at all: never twice.
    let again = shell.answer("u7", "A");
    eprintln!(
        "the answer in flight at the kill: {} after the restart",
        again["data"]["status"]
    );
    match again["data"]["status"].as_str().unwrap() {
        "recorded" => acknowledged.push(("u7", "A", HALF_WAY)),
        "already_answered" => acknowledged.push(("u7", "A", AT_OPEN)),
        other => panic!("u7's answer: {other}: {again}"),
    }

    // Question 1 closes at 09:01, question 2 at 09:02.
    let (posts, moved) = shell.command("/clock +2m");
    assert_eq!(moved["text"], "the time is now 2026-11-23T09:02:30Z");
    let kinds: Vec<&str> = posts.iter().map(kind).collect();
    assert_eq!(
        kinds,
        ["reveal", "question", "reveal", "standings"],
        "{posts:?}"
    );
    let reveal = &posts[0];
    assert_eq!(reveal["at"], "2026-11-23T09:01:00Z");
    assert_eq!(reveal["data"]["round"], round.as_str());
    assert_eq!(reveal["data"]["position"], 1);
    assert_eq!(reveal["data"]["answered"], acknowledged.len());
    let correct = reveal["data"]["correct"].as_str().unwrap();
    let mut winners: Vec<&str> = reveal["data"]["winners"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w.as_str().unwrap())
        .collect();
    winners.sort();
    let mut expected_winners: Vec<&str> = acknowledged
        .iter()
        .filter(|(_, choice, _)| *choice == correct)
        .map(|(user, _, _)| *user)
        .collect();
    expected_winners.sort();
    assert_eq!(winners, expected_winners, "right letter {correct}");
    assert_eq!(posts[1]["data"]["position"], 2);
    assert_eq!(posts[1]["data"]["closes_at"], "2026-11-23T09:02:00Z");
    assert_eq!(posts[2]["data"]["position"], 2);
    assert_eq!(posts[2]["data"]["answered"], 0);

    // Every acknowledged answer, once: wrong ones as 0 points, right ones with the
    // points of the moment they were acknowledged.
    let expected: BTreeMap<String, (i64, i64)> = acknowledged
        .iter()
        .map(|(user, choice, points)| {
            let right = *choice == correct;
            (user.to_string(), if right { (*points, 1) } else { (0, 0) })
        })
        .collect();
    assert_eq!(rows(&posts[3]), expected, "round standings");
    let board = shell.reply("/leaderboard all");
    assert_eq!(kind(&board), "leaderboard", "{board}");
    assert_eq!(rows(&board), expected, "leaderboard");
    shell.quit();

    // And the log itself: one row per acknowledged answer, the first choice.
    let mut logged_expected: Vec<(String, String, bool, i64)> = acknowledged
        .iter()
        .map(|(user, choice, points)| {
            let right = *choice == correct;
            (
                user.to_string(),
                choice.to_string(),
                right,
                if right { *points } else { 0 },
            )
        })
        .collect();
    logged_expected.sort();
    assert_eq!(answers_in(&db(dir.path()), &round, 0), logged_expected);
}

#[test]
fn a_close_missed_while_down_is_revealed_once_at_the_next_start() {
    let dir = tempfile::tempdir().unwrap();

    let mut shell = Shell::start(dir.path(), START);
    let question = shell.reply("/quiz start topic:docker questions:2 seconds:60");
    assert_eq!(kind(&question), "question", "{question}");
    let round = question["data"]["round"].as_str().unwrap().to_string();
    let answered = [("u1", "A"), ("u2", "B"), ("u3", "C"), ("u4", "D")];
    for (user, choice) in answered {
        recorded(&shell.answer(user, choice));
    }
    shell.kill();

    // Down past question 1's close (09:01): the start runs what is due, once.
    let mut shell = Shell::start(dir.path(), "2026-11-23T09:05:00Z");
    let (posts, board) = shell.command("/leaderboard all");
    let kinds: Vec<&str> = posts.iter().map(kind).collect();
    assert_eq!(kinds, ["reveal", "question"], "{posts:?}");
    let reveal = &posts[0];
    assert_eq!(reveal["data"]["round"], round.as_str());
    assert_eq!(reveal["data"]["position"], 1);
    assert_eq!(reveal["data"]["answered"], 4);
    let correct = reveal["data"]["correct"].as_str().unwrap().to_string();
    let (winner, _) = answered
        .iter()
        .find(|(_, choice)| *choice == correct)
        .expect("one of A-D is right");
    assert_eq!(reveal["data"]["winners"], serde_json::json!([winner]));
    assert_eq!(posts[1]["data"]["position"], 2);
    assert_eq!(
        posts[1]["data"]["closes_at"], "2026-11-23T09:06:00Z",
        "the next question opens at the start"
    );
    let expected: BTreeMap<String, (i64, i64)> = answered
        .iter()
        .map(|(user, choice)| {
            let score = if *choice == correct {
                (AT_OPEN, 1)
            } else {
                (0, 0)
            };
            (user.to_string(), score)
        })
        .collect();
    assert_eq!(rows(&board), expected);
    shell.kill();

    // A second restart posts nothing again; question 2 is still open and closes once.
    let mut shell = Shell::start(dir.path(), "2026-11-23T09:05:10Z");
    let (posts, board) = shell.command("/leaderboard all");
    assert!(posts.is_empty(), "posted again after a restart: {posts:?}");
    assert_eq!(rows(&board), expected);
    let (posts, _) = shell.command("/clock +2m");
    let kinds: Vec<&str> = posts.iter().map(kind).collect();
    assert_eq!(kinds, ["reveal", "standings"], "{posts:?}");
    assert_eq!(posts[0]["data"]["position"], 2);
    assert_eq!(posts[0]["at"], "2026-11-23T09:06:00Z");
    assert_eq!(rows(&posts[1]), expected);
    shell.quit();

    let logged = answers_in(&db(dir.path()), &round, 0);
    assert_eq!(logged.len(), answered.len(), "{logged:?}");
}
