//! Quiz rounds replayed as shell transcripts (`shell --json --fake-clock`): the real
//! binary on a real SQLite file, time moved by `/clock`.

mod common;

use common::of_kind;

use std::collections::HashSet;
use std::path::Path;

use serde_json::Value;

const START: &str = "2026-11-23T09:00:00Z";

fn transcript_in(dir: &Path, script: &str) -> Vec<Value> {
    let mut command = common::bot(dir);
    command.args(["shell", "--json", "--fake-clock", START]);
    common::json_run(command, script)
}

fn transcript(script: &str) -> Vec<Value> {
    let dir = tempfile::tempdir().unwrap();
    transcript_in(dir.path(), script)
}

#[test]
fn a_live_round_reveals_each_question_and_ends_with_standings() {
    // First a round to learn the right letters, then the same moves with answers.
    let replies = transcript(
        "/quiz start topic:docker questions:2 seconds:30\n/as alice\n/answer A\n/as bob\n/answer B\n/clock +15s\n/as carol\n/answer C\n/clock +15s\n/as alice\n/answer D\n/clock +30s\n",
    );
    let questions = of_kind(&replies, "question");
    assert_eq!(questions.len(), 2);
    assert_eq!(questions[0]["at"], START);
    assert_eq!(
        questions[1]["at"], "2026-11-23T09:00:30Z",
        "the next question opens at the close"
    );
    assert_eq!(questions[0]["data"]["of"], 2);
    assert_eq!(questions[0]["data"]["topic"], "docker");
    assert_eq!(questions[0]["data"]["closes_at"], "2026-11-23T09:00:30Z");
    let acks = of_kind(&replies, "answer_ack");
    assert!(
        acks.iter().all(|a| a["data"]["status"] == "recorded"),
        "{acks:?}"
    );

    let reveals = of_kind(&replies, "reveal");
    assert_eq!(reveals.len(), 2);
    assert_eq!(reveals[0]["at"], "2026-11-23T09:00:30Z");
    assert_eq!(reveals[1]["at"], "2026-11-23T09:01:00Z");
    let correct = reveals[0]["data"]["correct"].as_str().unwrap();
    let answered = [("alice", "A"), ("bob", "B"), ("carol", "C")];
    let expected: Vec<&str> = answered
        .iter()
        .filter(|(_, letter)| *letter == correct)
        .map(|(user, _)| *user)
        .collect();
    assert_eq!(reveals[0]["data"]["winners"], serde_json::json!(expected));
    assert_eq!(reveals[0]["data"]["answered"], 3);
    assert!(
        !reveals[0]["data"]["explanation"]
            .as_str()
            .unwrap()
            .is_empty()
    );

    let standings = of_kind(&replies, "standings");
    assert_eq!(standings.len(), 1);
    assert_eq!(standings[0]["at"], "2026-11-23T09:01:00Z");
    let rows = standings[0]["data"]["rows"].as_array().unwrap();
    assert_eq!(rows.len(), 3);
    assert_eq!(rows[0]["rank"], 1);
    let points: Vec<i64> = rows.iter().map(|r| r["points"].as_i64().unwrap()).collect();
    assert!(points.windows(2).all(|w| w[0] >= w[1]), "{points:?}");
}

#[test]
fn a_fast_right_answer_earns_the_speed_bonus() {
    // quick answers A at once, slow answers A and other answers B halfway through.
    let script = "/quiz start questions:1 seconds:30\n/as quick\n/answer A\n/clock +15s\n/as slow\n/answer A\n/as other\n/answer B\n/clock +20s\n/leaderboard all\n";
    let replies = transcript(script);
    let reveal = of_kind(&replies, "reveal")[0];
    let right = reveal["data"]["correct"].as_str().unwrap();
    let board = of_kind(&replies, "leaderboard")[0]["data"]["rows"]
        .as_array()
        .unwrap()
        .clone();
    let points = |user: &str| {
        board
            .iter()
            .find(|r| r["user"] == user)
            .map(|r| r["points"].as_i64().unwrap())
    };
    // 10 for a right answer, plus up to 5 for speed: 5 at once, 3 (2.5 rounded) halfway.
    let (quick, slow) = if right == "A" { (15, 13) } else { (0, 0) };
    let other = if right == "B" { 13 } else { 0 };
    assert_eq!(points("quick"), Some(quick), "{board:?}");
    assert_eq!(points("slow"), Some(slow), "{board:?}");
    assert_eq!(points("other"), Some(other), "{board:?}");
}

#[test]
fn the_first_answer_counts_and_repeats_change_nothing() {
    let replies = transcript(
        "/quiz start questions:1 seconds:30\n/as alice\n/answer A\n/answer B\n/answer A\n/clock +30s\n/leaderboard all\n",
    );
    let acks = of_kind(&replies, "answer_ack");
    let statuses: Vec<&str> = acks
        .iter()
        .map(|a| a["data"]["status"].as_str().unwrap())
        .collect();
    assert_eq!(
        statuses,
        ["recorded", "already_answered", "already_answered"]
    );
    assert!(
        acks[1]["text"]
            .as_str()
            .unwrap()
            .contains("already answered A")
    );
    let reveal = of_kind(&replies, "reveal")[0];
    assert_eq!(reveal["data"]["answered"], 1);
    let won = reveal["data"]["correct"] == "A";
    assert_eq!(
        reveal["data"]["winners"].as_array().unwrap().len(),
        usize::from(won)
    );
    let rows = of_kind(&replies, "leaderboard")[0]["data"]["rows"]
        .as_array()
        .unwrap()
        .clone();
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0]["correct"], i64::from(won));
}

#[test]
fn one_round_per_channel_and_answers_need_a_round() {
    let replies = transcript(
        "/answer A\n/quiz start questions:1\n/quiz start questions:1\n/in other\n/quiz start questions:1\n/answer E\n",
    );
    assert_eq!(replies[0]["data"]["kind"], "error");
    assert!(
        replies[0]["text"]
            .as_str()
            .unwrap()
            .contains("no round is running")
    );
    assert_eq!(replies[1]["data"]["kind"], "question");
    assert_eq!(replies[2]["data"]["kind"], "error");
    assert!(
        replies[2]["text"]
            .as_str()
            .unwrap()
            .contains("already running")
    );
    assert_eq!(replies[4]["data"]["kind"], "question");
    assert_eq!(replies[4]["channel"], "other");
    assert_eq!(replies[5]["data"]["kind"], "error");
}

#[test]
fn only_the_starter_or_a_moderator_stops_a_round() {
    let replies = transcript(
        "/as alice\n/quiz start questions:3\n/as bob\n/role member\n/quiz stop\n/as alice\n/role member\n/quiz stop\n/quiz stop\n",
    );
    let errors = of_kind(&replies, "error");
    assert!(
        errors[0]["text"].as_str().unwrap().contains("only alice"),
        "{}",
        errors[0]
    );
    let reveal = of_kind(&replies, "reveal");
    assert_eq!(reveal.len(), 1, "stopping reveals the open question");
    let standings = of_kind(&replies, "standings");
    assert_eq!(standings.len(), 1);
    assert_eq!(standings[0]["data"]["stopped"], true);
    assert!(
        errors.last().unwrap()["text"]
            .as_str()
            .unwrap()
            .contains("no round")
    );
}

#[test]
fn options_are_four_distinct_answers_of_the_same_topic() {
    let bank = common::shipped_bank();
    let replies = transcript("/quiz start topic:python questions:5 seconds:10\n/clock +1m\n");
    let questions = of_kind(&replies, "question");
    let reveals = of_kind(&replies, "reveal");
    assert_eq!(questions.len(), 5);
    for (q, reveal) in questions.iter().zip(&reveals) {
        let labels: Vec<&str> = q["data"]["choices"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["label"].as_str().unwrap())
            .collect();
        assert_eq!(labels.len(), 4);
        let distinct: HashSet<&&str> = labels.iter().collect();
        assert_eq!(distinct.len(), 4, "{labels:?}");
        for (i, a) in labels.iter().enumerate() {
            for b in &labels[i + 1..] {
                assert!(!interview_bot::quiz::pick::alike(a, b), "{a} ~ {b}");
            }
        }
        let id = q["data"]["id"].as_str().unwrap();
        let right = bank.get(id).unwrap();
        let letter = reveal["data"]["correct"].as_str().unwrap();
        let index = ["A", "B", "C", "D"]
            .iter()
            .position(|l| *l == letter)
            .unwrap();
        assert_eq!(labels[index], interview_bot::quiz::pick::option_of(right));
        for label in &labels {
            assert!(
                bank.questions().iter().any(|other| other.topic == "python"
                    && interview_bot::quiz::pick::option_of(other) == *label),
                "{label} is not a python answer"
            );
        }
    }
}

#[test]
fn a_channel_sees_every_question_of_its_pool_before_any_again() {
    let dir = tempfile::tempdir().unwrap();
    let bank_dir = dir.path().join("bank");
    std::fs::create_dir(&bank_dir).unwrap();
    let mut text = String::new();
    for i in 1..=5 {
        text.push_str(&format!(
            "[[question]]\nid = \"t-{i:03}\"\ntopic = \"t\"\nquestion = \"Question number {i} about subject{i}?\"\nanswer = \"Answer {i}: completely different words number{i} here.\"\n\n"
        ));
    }
    std::fs::write(bank_dir.join("t.toml"), text).unwrap();
    let mut command = common::bot(dir.path());
    command.env("INTERVIEW_BOT__BANK__DIR", &bank_dir);
    command.args(["shell", "--json", "--fake-clock", START]);
    let script = "/quiz start questions:2 seconds:10\n/clock +30s\n".repeat(3);
    let replies = common::json_run(command, &script);
    let asked: Vec<String> = of_kind(&replies, "question")
        .iter()
        .map(|q| q["data"]["id"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(asked.len(), 6);
    let first_five: HashSet<&String> = asked[..5].iter().collect();
    assert_eq!(
        first_five.len(),
        5,
        "a question came back before the pool was used up: {asked:?}"
    );
    assert_ne!(asked[5], asked[4]);
}

#[test]
fn an_unreachable_database_at_start_is_one_clear_line() {
    let dir = tempfile::tempdir().unwrap();
    let mut command = common::bot(dir.path());
    command.env(
        "INTERVIEW_BOT__DATABASE__URL",
        "postgres://bot:hunter2@127.0.0.1:1/quiz",
    );
    command.arg("shell");
    let output = common::run(command);
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    let lines: Vec<&str> = stderr.lines().filter(|l| !l.trim().is_empty()).collect();
    assert_eq!(lines.len(), 1, "{stderr}");
    assert!(lines[0].contains("cannot open the database"), "{stderr}");
    assert!(!stderr.contains("hunter2"), "{stderr}");
}

#[test]
fn answers_to_a_closed_or_unopened_question_are_refused_politely() {
    let replies = transcript(
        "/quiz start questions:2 seconds:30\n/as alice\n/answer 2 A\n/answer 3 A\n/clock +31s\n/answer 1 B\n/answer 2 C\n/leaderboard all\n",
    );
    let acks = of_kind(&replies, "answer_ack");
    let statuses: Vec<&str> = acks
        .iter()
        .map(|a| a["data"]["status"].as_str().unwrap())
        .collect();
    assert_eq!(statuses, ["closed", "closed", "recorded"]);
    assert!(
        acks[0]["text"]
            .as_str()
            .unwrap()
            .contains("has not opened yet")
    );
    assert!(
        acks[1]["text"]
            .as_str()
            .unwrap()
            .contains("too late: question 1 has closed")
    );
    let errors = of_kind(&replies, "error");
    assert!(
        errors[0]["text"]
            .as_str()
            .unwrap()
            .contains("questions 1 to 2"),
        "{}",
        errors[0]
    );
    let rows = of_kind(&replies, "leaderboard")[0]["data"]["rows"]
        .as_array()
        .unwrap()
        .clone();
    assert_eq!(rows.len(), 1, "only the answer to the open question counts");
}

/// A bank directory of `(id, topic, quiz_option, not_with)` entries.
fn small_bank(dir: &Path, entries: &[(&str, &str, &str, &str)]) -> std::path::PathBuf {
    let bank_dir = dir.join("bank");
    std::fs::create_dir(&bank_dir).unwrap();
    let mut text = String::new();
    for (id, topic, option, not_with) in entries {
        text.push_str(&format!(
            "[[question]]\nid = \"{id}\"\ntopic = \"{topic}\"\nquestion = \"Which {id} thing is asked here?\"\nanswer = \"The long answer of {id}.\"\nquiz_option = \"{option}\"\n"
        ));
        if !not_with.is_empty() {
            text.push_str(&format!("not_with = [\"{not_with}\"]\n"));
        }
        text.push('\n');
    }
    std::fs::write(bank_dir.join("bank.toml"), text).unwrap();
    bank_dir
}

fn shell_with_bank(dir: &Path, bank_dir: &Path, script: &str) -> Vec<Value> {
    let mut command = common::bot(dir);
    command.env("INTERVIEW_BOT__BANK__DIR", bank_dir);
    command.args(["shell", "--json", "--fake-clock", START]);
    common::json_run(command, script)
}

#[test]
fn options_are_quiz_option_lines_and_never_a_curated_exclusion() {
    let dir = tempfile::tempdir().unwrap();
    let entries = [
        ("t-001", "t", "Apples grow on orchard trees", "t-002"),
        ("t-002", "t", "Bridges span wide rivers", ""),
        ("t-003", "t", "Clocks measure passing hours", ""),
        ("t-004", "t", "Dolphins swim in warm seas", ""),
        ("t-005", "t", "Engines burn fuel for power", ""),
    ];
    let bank_dir = small_bank(dir.path(), &entries);
    let replies = shell_with_bank(
        dir.path(),
        &bank_dir,
        "/quiz start questions:5 seconds:10\n/clock +60s\n",
    );
    let option_of = |id: &str| entries.iter().find(|e| e.0 == id).unwrap().2;
    let questions = of_kind(&replies, "question");
    assert_eq!(questions.len(), 5);
    for q in questions {
        let id = q["data"]["id"].as_str().unwrap();
        let labels: HashSet<&str> = q["data"]["choices"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["label"].as_str().unwrap())
            .collect();
        assert_eq!(labels.len(), 4);
        assert!(labels.contains(option_of(id)), "{id}: {labels:?}");
        let excluded = match id {
            "t-001" => Some("t-002"),
            "t-002" => Some("t-001"),
            _ => None,
        };
        if let Some(other) = excluded {
            assert!(
                !labels.contains(option_of(other)),
                "{id} was offered {other}, which not_with excludes: {labels:?}"
            );
        }
    }
}

#[test]
fn a_topic_too_small_for_the_round_says_so_and_borrows_options_from_the_closest() {
    let dir = tempfile::tempdir().unwrap();
    let bank_dir = small_bank(
        dir.path(),
        &[
            ("git-001", "git", "Commits record snapshots of files", ""),
            ("git-002", "git", "Branches are movable pointers", ""),
            ("t-001", "t", "Apples grow on orchard trees", ""),
            ("t-002", "t", "Bridges span wide rivers", ""),
            ("t-003", "t", "Clocks measure passing hours", ""),
        ],
    );
    let replies = shell_with_bank(
        dir.path(),
        &bank_dir,
        "/quiz start git\n/quiz start git 2 10\n",
    );
    let errors: Vec<&str> = of_kind(&replies, "error")
        .iter()
        .map(|e| e["text"].as_str().unwrap())
        .collect();
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert!(
        errors[0].contains("the git topic has only 2 questions, fewer than the 5 asked")
            && errors[0].contains("/quiz start git 2 30"),
        "{}",
        errors[0]
    );
    let question = of_kind(&replies, "question")[0];
    assert_eq!(question["data"]["of"], 2);
    assert_eq!(question["data"]["choices"].as_array().unwrap().len(), 4);
    assert!(
        question["text"]
            .as_str()
            .unwrap()
            .contains("some wrong options come from the closest topics"),
        "{}",
        question["text"]
    );
}

#[test]
fn a_question_reported_by_three_people_leaves_quizzes_until_a_moderator_restores_it() {
    let dir = tempfile::tempdir().unwrap();
    let entries = [
        ("t-001", "t", "Apples grow on orchard trees", ""),
        ("t-002", "t", "Bridges span wide rivers", ""),
        ("t-003", "t", "Clocks measure passing hours", ""),
        ("t-004", "t", "Dolphins swim in warm seas", ""),
        ("t-005", "t", "Engines burn fuel for power", ""),
        ("t-006", "t", "Forests shelter many birds", ""),
    ];
    let option_of = |id: &str| entries.iter().find(|e| e.0 == id).unwrap().2;
    let bank_dir = small_bank(dir.path(), &entries);
    let replies = shell_with_bank(
        dir.path(),
        &bank_dir,
        "/quiz report\n/quiz start questions:1 seconds:10\n/quiz report B and D both say it\n\
         /quiz report again\n/as bob\n/quiz report 2\n/quiz report 1 same here\n/as carol\n\
         /quiz report\n/clock +60s\n/as dave\n/quiz start questions:5 seconds:10\n/clock +2m\n",
    );
    assert_eq!(
        replies[0]["data"]["kind"], "error",
        "no round yet: {}",
        replies[0]
    );
    let first = &replies[1];
    let reported = first["data"]["id"].as_str().unwrap().to_string();
    let buttons: Vec<&str> = first["choices"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_str().unwrap())
        .collect();
    assert_eq!(buttons.len(), 5, "A to D and the report: {buttons:?}");
    assert_eq!(buttons[4], format!("quiz-report:{reported}"));
    assert_eq!(first["choices"][4]["label"], "⚠ two right answers?");

    let acks = of_kind(&replies, "quiz_reported");
    let counted: Vec<(bool, i64)> = acks
        .iter()
        .map(|a| {
            (
                a["data"]["counted"].as_bool().unwrap(),
                a["data"]["reporters"].as_i64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        counted,
        [(true, 1), (false, 1), (true, 2), (true, 3)],
        "one report per person; bob's `2` names no question: {acks:?}"
    );
    assert!(acks.iter().all(|a| a["ephemeral"] == true));
    assert!(acks.iter().all(|a| a["data"]["entry"] == reported.as_str()));
    assert_eq!(acks[3]["data"]["out_of_rotation"], true);
    assert!(
        acks[1]["text"]
            .as_str()
            .unwrap()
            .contains("already reported"),
        "{}",
        acks[1]["text"]
    );
    let bob_error = replies
        .iter()
        .find(|r| {
            r["data"]["kind"] == "error" && r["text"].as_str().unwrap().contains("1 question")
        })
        .expect("bob's question 2 is refused");
    assert!(
        bob_error["text"]
            .as_str()
            .unwrap()
            .contains("/quiz report 1")
    );

    // The next round never asks the reported entry, nor offers its option.
    let questions = of_kind(&replies, "question");
    assert_eq!(questions.len(), 6, "{questions:?}");
    for q in &questions[1..] {
        assert_ne!(q["data"]["id"], reported.as_str());
        let labels: Vec<&str> = q["data"]["choices"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["label"].as_str().unwrap())
            .collect();
        assert!(
            !labels.contains(&option_of(&reported)),
            "{reported}'s option was offered: {labels:?}"
        );
    }

    // Moderators see the reports and put the entry back.
    let replies = shell_with_bank(
        dir.path(),
        &bank_dir,
        &format!(
            "/reports\n/role member\n/quiz restore {reported}\n/role moderator\n\
             /quiz restore {reported}\n/quiz restore {reported}\n\
             /quiz start questions:6 seconds:10\n/clock +2m\n"
        ),
    );
    let reports = &replies[0];
    assert_eq!(reports["data"]["kind"], "reports", "{reports}");
    let quiz = reports["data"]["quiz"].as_array().unwrap();
    assert_eq!(quiz.len(), 1, "{quiz:?}");
    assert_eq!(quiz[0]["id"], reported.as_str());
    assert_eq!(quiz[0]["reporters"], 3);
    assert_eq!(quiz[0]["out_of_rotation"], true);
    let notes: Vec<&str> = quiz[0]["notes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n.as_str().unwrap())
        .collect();
    assert_eq!(notes, ["same here", "B and D both say it"]);
    let text = reports["text"].as_str().unwrap();
    assert!(
        text.contains("Quiz questions reported as having two right answers")
            && text.contains(&format!("/quiz restore {reported}")),
        "{text}"
    );
    // Replies 1 and 3 are the shell's own, for `/role`.
    assert_eq!(replies[2]["data"]["kind"], "error", "moderators only");
    assert!(
        replies[2]["text"]
            .as_str()
            .unwrap()
            .contains("only moderators")
    );
    assert_eq!(replies[4]["data"]["kind"], "quiz_reports_cleared");
    assert_eq!(replies[4]["data"]["cleared"], 3);
    assert!(
        replies[4]["text"]
            .as_str()
            .unwrap()
            .contains("back in quiz rotation")
    );
    assert_eq!(
        replies[5]["data"]["kind"], "error",
        "nothing left to clear: {}",
        replies[5]
    );
    let round: Vec<&str> = of_kind(&replies, "question")
        .iter()
        .map(|q| q["data"]["id"].as_str().unwrap())
        .collect();
    assert_eq!(round.len(), 6, "{round:?}");
    assert!(round.contains(&reported.as_str()), "{round:?}");

    let mut report = common::bot(dir.path());
    report
        .env("INTERVIEW_BOT__BANK__DIR", &bank_dir)
        .args(["bank", "report"]);
    let output = common::run_with_input(report, b"");
    let text = String::from_utf8(output.stdout).unwrap();
    assert!(
        !text.contains("two right answers"),
        "cleared reports are gone: {text}"
    );
}
