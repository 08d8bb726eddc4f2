//! The shell chat driven as a script: one command per line in, one JSON reply per
//! line out, with `/as` and `/in` switching who speaks where.

mod common;

use serde_json::Value;

fn shell(script: &str) -> Vec<Value> {
    let index = tempfile::tempdir().unwrap();
    let mut command = common::bot(index.path());
    command.args(["shell", "--json"]);
    common::json_run(command, script)
}

#[test]
fn ask_answers_with_related_questions_and_next_moves_on() {
    let replies = shell("/ask difference between tcp and udp\n/next\n/next\n");
    assert_eq!(replies.len(), 3);
    let first = &replies[0];
    assert_eq!(first["channel"], "general");
    assert_eq!(first["data"]["kind"], "answer");
    assert_eq!(first["data"]["rank"], 1);
    assert!(
        first["data"]["card"]["question"]
            .as_str()
            .unwrap()
            .contains("TCP")
    );
    assert!(
        first["text"]
            .as_str()
            .unwrap()
            .contains(first["data"]["answer"].as_str().unwrap())
    );
    let related = first["data"]["related"].as_array().unwrap();
    assert_eq!(related.len(), 3);
    assert!(
        related
            .iter()
            .all(|r| r["id"] != first["data"]["card"]["id"])
    );
    assert_eq!(first["choices"][0]["id"], "ask:next");
    assert_eq!(replies[1]["data"]["rank"], 2);
    assert_eq!(replies[2]["data"]["rank"], 3);
    assert_ne!(
        replies[1]["data"]["card"]["id"],
        first["data"]["card"]["id"]
    );
    assert_ne!(
        replies[2]["data"]["card"]["id"],
        replies[1]["data"]["card"]["id"]
    );
}

#[test]
fn plain_text_is_asked_and_topic_option_filters() {
    let replies = shell(
        "what is a docker volume\n/ask logging in python topic:python\n/ask logging topic:cooking\n",
    );
    assert_eq!(replies[0]["data"]["kind"], "answer");
    assert_eq!(replies[0]["data"]["card"]["topic"], "docker");
    assert_eq!(replies[1]["data"]["card"]["topic"], "python");
    assert_eq!(replies[2]["data"]["kind"], "error");
    assert!(
        replies[2]["text"]
            .as_str()
            .unwrap()
            .contains("no topic `cooking`")
    );
    assert_eq!(replies[2]["ephemeral"], true);
}

#[test]
fn random_card_hides_its_answer_until_revealed_in_that_channel() {
    let replies = shell("/question random docker\n/in other\n/reveal\n/in general\n/reveal\n");
    let card = &replies[0];
    assert_eq!(card["data"]["kind"], "card");
    assert_eq!(card["data"]["card"]["topic"], "docker");
    assert!(card["data"].get("answer").is_none());
    assert_eq!(card["choices"][0]["id"], "question:reveal");
    assert_eq!(replies[1]["channel"], "other");
    assert_eq!(replies[2]["data"]["kind"], "error", "no card in #other");
    assert_eq!(replies[4]["data"]["kind"], "card_answer");
    assert_eq!(replies[4]["data"]["card"]["id"], card["data"]["card"]["id"]);
    assert!(!replies[4]["data"]["answer"].as_str().unwrap().is_empty());
}

#[test]
fn topics_and_help() {
    let replies = shell("/topics\n/help\n");
    let topics = replies[0]["data"]["topics"].as_array().unwrap();
    assert_eq!(topics.len(), 5);
    let total: u64 = topics
        .iter()
        .map(|t| t["questions"].as_u64().unwrap())
        .sum();
    assert_eq!(total as usize, common::shipped_bank().len());
    let commands = replies[1]["data"]["commands"].as_array().unwrap();
    let usages: Vec<&str> = commands
        .iter()
        .map(|c| c["usage"].as_str().unwrap())
        .collect();
    for usage in [
        "/ask",
        "/question random",
        "/topics",
        "/quiz start",
        "/quiz stop",
        "/quiz schedule",
        "/quiz unschedule",
        "/leaderboard",
        "/stats",
        "/answer",
        "/help",
    ] {
        assert!(
            usages.iter().any(|u| u.starts_with(usage)),
            "{usage} missing from /help"
        );
    }
}

#[test]
fn as_and_in_switch_user_and_channel() {
    let replies = shell("/as alice\n/in #quiz-room\n/topics\n/as bad name!\n/in\n");
    assert_eq!(replies[0]["user"], "alice");
    assert_eq!(replies[1]["channel"], "quiz-room");
    assert_eq!(replies[2]["user"], "alice");
    assert_eq!(replies[2]["channel"], "quiz-room");
    assert_eq!(replies[3]["data"]["kind"], "error");
    assert_eq!(replies[3]["user"], "alice", "a bad name changes nothing");
    assert_eq!(replies[4]["data"]["kind"], "error");
}

#[test]
fn bad_commands_get_short_answers_and_the_shell_goes_on() {
    let replies = shell("/frobnicate\n/ask\n/next\n/question\n/\n/topics\n");
    assert_eq!(replies.len(), 6);
    for reply in &replies[..5] {
        assert_eq!(reply["data"]["kind"], "error", "{reply}");
        assert!(reply["text"].as_str().unwrap().len() < 200);
    }
    assert_eq!(replies[5]["data"]["kind"], "topics");
}

#[test]
fn quit_stops_reading() {
    let replies = shell("/topics\n/quit\n/topics\n");
    assert_eq!(replies.len(), 1);
}

/// Half a Slack setup (a bot token, no app token and no HTTP mode) is a
/// setting error, said before anything is sent anywhere.
#[test]
fn half_a_slack_setup_is_refused_clearly() {
    let index = tempfile::tempdir().unwrap();
    let mut command = common::bot(index.path());
    command
        .env("SLACK_BOT_TOKEN", "xoxb-not-a-real-token")
        // Were anything sent, it would go to a closed port on loopback.
        .env("INTERVIEW_BOT__SLACK__API_URL", "http://127.0.0.1:9/api");
    let output = common::run(command);
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("SLACK_APP_TOKEN"), "{stderr}");
    assert!(
        !stderr.contains("not-a-real-token"),
        "token leaked: {stderr}"
    );
}

/// With a Discord token the binary runs the Discord adapter; an API it cannot
/// reach (here a closed port on loopback) is one clear error, never a silent
/// fallback to Discord's public gateway.
#[test]
fn discord_that_cannot_be_reached_is_a_clear_error() {
    let index = tempfile::tempdir().unwrap();
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = closed.local_addr().unwrap().port();
    drop(closed);
    let mut command = common::bot(index.path());
    command.env("DISCORD_TOKEN", "MTAw.not-a-real.token").env(
        "INTERVIEW_BOT__DISCORD__API_URL",
        format!("http://127.0.0.1:{port}"),
    );
    let output = common::run(command);
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("cannot reach Discord"), "{stderr}");
    assert!(!stderr.contains("not-a-real"), "token leaked: {stderr}");
}

#[test]
fn a_bad_setting_is_one_line_and_exit_code_2() {
    let index = tempfile::tempdir().unwrap();
    let mut command = common::bot(index.path());
    command.env("INTERVIEW_BOT__DATABASE__URL", "mysql://nope");
    command.arg("shell");
    let output = common::run(command);
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(stderr.trim().lines().count(), 1, "{stderr}");
    assert!(stderr.contains("database.url"), "{stderr}");
}

#[test]
fn next_after_a_question_with_no_match_does_not_go_back_to_an_older_one() {
    let replies = shell("/ask docker volume\n/ask xyzzyq\n/next\n");
    assert_eq!(replies[0]["data"]["kind"], "answer");
    assert_eq!(replies[1]["data"]["kind"], "no_match");
    assert_eq!(replies[2]["data"]["kind"], "no_match", "{}", replies[2]);
}

#[test]
fn next_pages_through_distinct_questions_until_there_are_no_more() {
    // More pages than the python topic has entries (293), so paging runs out.
    let mut script = String::from("/ask python topic:python\n");
    script.push_str(&"/next\n".repeat(400));
    let replies = shell(&script);
    let answers: Vec<&str> = replies
        .iter()
        .filter(|r| r["data"]["kind"] == "answer")
        .map(|r| r["data"]["card"]["id"].as_str().unwrap())
        .collect();
    let distinct: std::collections::HashSet<&&str> = answers.iter().collect();
    assert_eq!(
        distinct.len(),
        answers.len(),
        "a question came back while paging"
    );
    assert!(
        answers.len() > 50,
        "paging stopped early at {}",
        answers.len()
    );
    let last = replies.last().unwrap();
    assert_eq!(last["data"]["kind"], "no_match");
    assert!(last["text"].as_str().unwrap().contains("no more matches"));
}

#[test]
fn shell_commands_ignore_case() {
    let replies = shell("/AS Bob\n/IN Lobby\n");
    assert_eq!(replies[0]["user"], "Bob");
    assert_eq!(replies[1]["channel"], "Lobby");
}

/// The lines of `text` that say something.
fn said(text: &[u8]) -> Vec<String> {
    String::from_utf8_lossy(text)
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(str::to_string)
        .collect()
}

#[test]
fn shell_db_takes_a_postgres_url_and_never_prints_its_password() {
    let index = tempfile::tempdir().unwrap();
    let mut command = common::bot(index.path());
    // Port 1 is closed: the connection is refused.
    command.args(["shell", "--db", "postgres://user:s3cr%2Ft@127.0.0.1:1/db"]);
    let output = common::run_with_input(command, b"/help\n");
    assert!(!output.status.success());
    let (stdout, stderr) = (said(&output.stdout), said(&output.stderr));
    for shown in stdout.iter().chain(&stderr) {
        for password in ["s3cr", "%2F", "%2f"] {
            assert!(!shown.contains(password), "password shown: {shown}");
        }
    }
    assert!(stdout.is_empty(), "{stdout:?}");
    assert_eq!(stderr.len(), 1, "{stderr:?}");
    assert!(stderr[0].contains("cannot open the database"), "{stderr:?}");
    assert!(
        stderr[0].contains("postgres://user:***@127.0.0.1:1/db"),
        "{stderr:?}"
    );
}

#[test]
fn shell_db_refuses_other_schemes_naming_only_the_scheme() {
    let index = tempfile::tempdir().unwrap();
    let mut command = common::bot(index.path());
    command.args(["shell", "--db", "mysql://user:hunter2@127.0.0.1:1/db"]);
    let output = common::run(command);
    assert_eq!(output.status.code(), Some(2));
    let stderr = said(&output.stderr);
    assert_eq!(stderr.len(), 1, "{stderr:?}");
    assert!(stderr[0].contains("`mysql://`"), "{stderr:?}");
    assert!(!String::from_utf8_lossy(&output.stderr).contains("hunter2"));
    assert!(!String::from_utf8_lossy(&output.stdout).contains("hunter2"));
}

#[test]
fn shell_db_takes_a_sqlite_url_or_a_plain_path_and_creates_the_file() {
    let index = tempfile::tempdir().unwrap();
    let files = tempfile::tempdir().unwrap();
    let as_url = files.path().join("as-url.db");
    let as_path = files.path().join("as-path.db");
    for db in [
        format!("sqlite://{}", as_url.display()),
        as_path.display().to_string(),
    ] {
        let mut command = common::bot(index.path());
        command.args(["shell", "--json", "--db", &db]);
        let replies = common::json_run(command, "/quiz start questions:1\n");
        assert_eq!(replies[0]["data"]["kind"], "question", "{db}: {replies:?}");
    }
    for file in [&as_url, &as_path] {
        assert!(file.is_file(), "{} was not created", file.display());
    }
    assert!(
        !index.path().join("bot.db").exists(),
        "the configured database was used instead of --db"
    );
}

#[test]
fn a_question_the_bank_cannot_answer_gets_the_closest_as_suggestions_not_as_the_answer() {
    let replies = shell("/ask explain angular dependency injection\n/next\n");
    let refused = &replies[0];
    assert_eq!(refused["data"]["kind"], "not_in_bank", "{refused}");
    assert_eq!(refused["ephemeral"], true);
    let text = refused["text"].as_str().unwrap();
    assert!(text.starts_with("The bank has no entry for"), "{text}");
    assert!(refused["data"]["confidence"].as_f64().unwrap() < 0.75);
    let suggestions = refused["data"]["suggestions"].as_array().unwrap();
    assert!(!suggestions.is_empty() && suggestions.len() <= 3);
    let choices = refused["choices"].as_array().unwrap();
    assert_eq!(choices.len(), suggestions.len());
    for (s, c) in suggestions.iter().zip(choices) {
        let id = s["id"].as_str().unwrap();
        assert!(text.contains(&format!("/show {id}")), "{text}");
        assert_eq!(c["id"], format!("ask:show:{id}"));
    }
    assert!(refused.get("answer").is_none() && !text.contains("Related:"));
    // Asked for, the next match is shown: the best one, as match 1.
    assert_eq!(replies[1]["data"]["kind"], "answer", "{}", replies[1]);
    assert_eq!(replies[1]["data"]["rank"], 1);
    assert_eq!(replies[1]["data"]["card"]["id"], suggestions[0]["id"]);
}

#[test]
fn min_confidence_is_a_setting() {
    let index = tempfile::tempdir().unwrap();
    let mut command = common::bot(index.path());
    command
        .args(["shell", "--json"])
        .env("INTERVIEW_BOT__SEARCH__MIN_CONFIDENCE", "0");
    let replies = common::json_run(command, "/ask explain angular dependency injection\n");
    assert_eq!(replies[0]["data"]["kind"], "answer", "{}", replies[0]);
}

/// A shell session on the SQLite database `db` (the same across calls).
fn shell_on(index: &std::path::Path, db: &str, script: &str) -> Vec<Value> {
    let mut command = common::bot(index);
    command.args(["shell", "--json", "--db", db]);
    common::json_run(command, script)
}

#[test]
fn refused_questions_are_logged_grouped_and_exported_for_import() {
    let index = tempfile::tempdir().unwrap();
    let db = common::fresh_sqlite(index.path());
    let script = "/ask how do react hooks work\n/as bob\n/ask react hooks how do they work\n\
                  /ask what is a kubernetes daemonset\n/ask difference between tcp and udp\n";
    shell_on(index.path(), &db, script);
    // Another session (another process) sees what the first one recorded.
    let replies = shell_on(
        index.path(),
        &db,
        "/unanswered\n/unanswered day\n/role member\n/unanswered\n",
    );
    let listed = &replies[0];
    assert_eq!(listed["data"]["kind"], "unanswered", "{listed}");
    assert_eq!(listed["ephemeral"], true);
    let groups = listed["data"]["groups"].as_array().unwrap();
    assert_eq!(
        groups.len(),
        2,
        "the answered question is not listed: {groups:?}"
    );
    assert_eq!(
        groups[0]["asks"], 2,
        "near-duplicates are one group: {groups:?}"
    );
    assert_eq!(groups[0]["askers"], 2);
    assert!(
        groups[0]["example"]
            .as_str()
            .unwrap()
            .contains("react hooks")
    );
    assert_eq!(groups[1]["example"], "what is a kubernetes daemonset");
    let text = listed["text"].as_str().unwrap();
    assert!(text.contains("asked 2 times by 2 people"), "{text}");
    assert!(
        !text.contains("bob") && !text.contains("you"),
        "askers are never shown: {text}"
    );
    assert_eq!(replies[1]["data"]["groups"].as_array().unwrap().len(), 2);
    assert_eq!(replies[3]["data"]["kind"], "error", "moderators only");

    let mut export = common::bot(index.path());
    export
        .args(["bank", "unanswered", "--since", "30d"])
        .env("INTERVIEW_BOT__DATABASE__URL", &db);
    let output = common::run_with_input(export, b"");
    assert!(output.status.success(), "{output:?}");
    let text = String::from_utf8(output.stdout).unwrap();
    let parsed = interview_bot::bank::import::text::parse(&text);
    let questions: Vec<&str> = parsed.records.iter().map(|r| r.question.as_str()).collect();
    assert_eq!(questions.len(), 2, "{text}");
    assert!(
        questions[0].contains("react hooks"),
        "most asked first: {text}"
    );
    assert_eq!(questions[1], "what is a kubernetes daemonset");
    assert!(parsed.records.iter().all(|r| r.answer.is_empty()), "{text}");

    let mut bad = common::bot(index.path());
    bad.args(["bank", "unanswered", "--since", "soon"])
        .env("INTERVIEW_BOT__DATABASE__URL", &db);
    let output = common::run_with_input(bad, b"");
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("--since soon"));
}

#[test]
fn feedback_is_one_vote_per_person_per_answer_and_reports_count_downs() {
    let index = tempfile::tempdir().unwrap();
    let db = common::fresh_sqlite(index.path());
    let replies = shell_on(
        index.path(),
        &db,
        "/feedback up\n/ask difference between tcp and udp\n/feedback up\n\
         /feedback down reason:too short for an interview\n/as bob\n/feedback down\n\
         /ask difference between tcp and udp\n/feedback 👎 misses QUIC\n/reports\n\
         /role member\n/reports\n",
    );
    assert_eq!(
        replies[0]["data"]["kind"], "error",
        "nothing shown yet: {}",
        replies[0]
    );
    let answer = &replies[1];
    let id = answer["data"]["card"]["id"].as_str().unwrap();
    let choices: Vec<&str> = answer["choices"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_str().unwrap())
        .collect();
    assert!(
        choices.contains(&format!("feedback:up:{id}").as_str()),
        "{choices:?}"
    );
    assert!(
        choices.contains(&format!("feedback:down:{id}").as_str()),
        "{choices:?}"
    );
    assert_eq!(replies[2]["data"]["kind"], "vote", "{}", replies[2]);
    assert_eq!(replies[2]["data"]["changed"], false);
    assert_eq!(replies[3]["data"]["changed"], true, "{}", replies[3]);
    assert_eq!(replies[3]["data"]["up"], false);
    assert_eq!(
        replies[5]["data"]["kind"], "error",
        "bob was shown nothing here yet"
    );
    assert_eq!(replies[7]["data"]["entry"], id);
    let reports = &replies[8];
    assert_eq!(reports["data"]["kind"], "reports", "{reports}");
    let entries = reports["data"]["entries"].as_array().unwrap();
    assert_eq!(entries.len(), 1);
    assert_eq!(entries[0]["id"], id);
    assert_eq!(entries[0]["down"], 2);
    assert_eq!(entries[0]["up"], 0, "the first person's 👍 was replaced");
    let reasons: Vec<&str> = entries[0]["reasons"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r.as_str().unwrap())
        .collect();
    assert_eq!(reasons, ["misses QUIC", "too short for an interview"]);
    assert_eq!(replies[10]["data"]["kind"], "error", "moderators only");

    let mut report = common::bot(index.path());
    report
        .args(["bank", "report"])
        .env("INTERVIEW_BOT__DATABASE__URL", &db);
    let output = common::run_with_input(report, b"");
    let text = String::from_utf8(output.stdout).unwrap();
    assert!(text.contains(&format!("({id}) — 👎 2 · 👍 0")), "{text}");
    assert!(text.contains("“misses QUIC”"), "{text}");
}

/// A plain (not JSON) shell transcript on the bank whose answers hold code:
/// code is indented by four spaces without backticks (no language label off a
/// terminal); a long answer is cut after a paragraph with the /show line, and
/// /show prints it whole.
#[test]
fn code_is_indented_and_a_long_answer_is_cut_with_the_show_line() {
    let index = tempfile::tempdir().unwrap();
    let mut command = common::bot(index.path());
    command
        .args(["shell"])
        .env(
            "INTERVIEW_BOT__BANK__DIR",
            concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/code_bank"),
        )
        .env("INTERVIEW_BOT__SEARCH__MIN_CONFIDENCE", "0");
    let script = "/ask send a container's output to a file on the host\n\
                  /in long\n/ask production dockerfile for a python web app\n\
                  /in whole\n/show docker-004\n";
    let output = common::run_with_input(command, script.as_bytes());
    assert!(output.status.success(), "{output:?}");
    let transcript = String::from_utf8(output.stdout).unwrap();
    let (short, rest) = transcript
        .split_once("you are now in #long")
        .unwrap_or_else(|| {
            panic!("the transcript has its /in lines: {transcript}");
        });
    let (cut, whole) = rest.split_once("you are now in #whole").unwrap();
    assert!(
        short.contains("the same place with `2>&1`, because the shell redirects only stdout unless told otherwise:\n\n    docker logs web > web.log 2>&1\n"),
        "{short}"
    );
    assert!(
        !transcript.contains("```"),
        "no backticks fence code: {transcript}"
    );
    assert!(!short.contains("for the whole answer"), "{short}");

    assert!(
        cut.contains("\n    FROM python:3.12-slim AS build\n"),
        "{cut}"
    );
    assert!(
        cut.contains("\n\n/show docker-004 for the whole answer\n"),
        "{cut}"
    );
    assert!(
        !cut.contains("tools can link an image back to its code."),
        "{cut}"
    );

    assert!(whole.contains("\n    USER app\n"), "{whole}");
    assert!(
        whole.contains("tools can link an image back to its code."),
        "{whole}"
    );
    assert!(!whole.contains("for the whole answer"), "{whole}");
}

#[test]
fn a_thumbs_up_after_not_it_records_which_entry_was_wanted_instead() {
    let index = tempfile::tempdir().unwrap();
    let db = common::fresh_sqlite(index.path());
    let replies = shell_on(
        index.path(),
        &db,
        "/ask difference between tcp and udp\n/feedback down\n/next\n/feedback up\n\
         /as bob\n/ask difference between tcp and udp\n/next\n/next\n/feedback up\n\
         /as carol\n/ask difference between tcp and udp\n/feedback up\n/reports\n",
    );
    let answers = common::of_kind(&replies, "answer");
    let id = |i: usize| answers[i]["data"]["card"]["id"].as_str().unwrap();
    let first = id(0);
    let (second, third) = (id(1), id(4));
    assert_eq!(id(2), first, "bob's /ask shows the same first match");
    assert_ne!(second, first);
    assert_ne!(third, second);
    let reports = replies.last().unwrap();
    assert_eq!(reports["data"]["kind"], "reports", "{reports}");
    let entries = reports["data"]["entries"].as_array().unwrap();
    assert_eq!(entries.len(), 1, "{entries:?}");
    assert_eq!(entries[0]["id"], first);
    assert_eq!(entries[0]["down"], 1);
    assert_eq!(entries[0]["up"], 1, "carol's 👍 on the first match");
    let wanted: Vec<(&str, i64)> = entries[0]["wanted"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| (w["id"].as_str().unwrap(), w["count"].as_i64().unwrap()))
        .collect();
    let mut expected = vec![(second, 1), (third, 1)];
    expected.sort();
    assert_eq!(wanted, expected, "{reports}");
    let text = reports["text"].as_str().unwrap();
    assert!(text.contains("wanted instead:"), "{text}");

    let mut report = common::bot(index.path());
    report
        .args(["bank", "report"])
        .env("INTERVIEW_BOT__DATABASE__URL", &db);
    let output = common::run_with_input(report, b"");
    let text = String::from_utf8(output.stdout).unwrap();
    assert!(
        text.contains("wanted instead:") && text.contains(&format!("({second}) ×1")),
        "{text}"
    );
}
