//! The bank loader and `bank check`/`bank list`: good files load whole, broken entries
//! are reported as `file:line: message` while the good ones still load, and the
//! shipped bank passes its own check.

mod common;

use std::path::Path;

use interview_bot::bank::{self, Difficulty, check};

const GOOD: &str = r#"# a test bank
[[question]]
id = "net-001"
topic = "networking"
question = "What is a socket?"
aliases = ["explain sockets"]
answer = """
An endpoint for communication.
"""
tags = ["sockets"]
difficulty = "easy"
source = "seeds/000.txt"

[[question]]
id = "net-002"
topic = "networking"
question = "What is DNS for?"
answer = "Mapping names to addresses."
"#;

fn write(dir: &Path, name: &str, text: &str) -> std::path::PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

fn messages(loaded: &bank::Loaded) -> Vec<String> {
    loaded.diagnostics.iter().map(|d| d.to_string()).collect()
}

#[test]
fn a_good_file_loads_every_field() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "net.toml", GOOD);
    let loaded = bank::load(dir.path()).unwrap();
    assert!(loaded.diagnostics.is_empty(), "{:?}", messages(&loaded));
    let q = loaded.bank.get("net-001").unwrap();
    assert_eq!(q.topic, "networking");
    assert_eq!(q.question, "What is a socket?");
    assert_eq!(q.answer, "An endpoint for communication.");
    assert_eq!(q.aliases, ["explain sockets"]);
    assert_eq!(q.tags, ["sockets"]);
    assert_eq!(q.difficulty, Difficulty::Easy);
    assert_eq!(q.source.as_deref(), Some("seeds/000.txt"));
    assert_eq!(q.origin.line, 2);
    let q2 = loaded.bank.get("net-002").unwrap();
    assert_eq!(q2.difficulty, Difficulty::Medium);
    assert_eq!(q2.origin.line, 14);
    assert_eq!(loaded.bank.topics(), [("networking".to_string(), 2)]);
}

#[test]
fn broken_entries_are_reported_by_line_and_the_rest_still_loads() {
    let dir = tempfile::tempdir().unwrap();
    let text = r#"[[question]]
id = "a-001"
topic = "a"
question = "Missing its answer?"

[[question]]
id = "a-002"
topic = "a"
question = "Blank answer?"
answer = "   "

[[question]]
id = "a-003"
topic = "a"
question = "Good one?"
answer = "Yes."

[[question]]
id = "a-004"
topic = "a"
question = "Odd keys?"
answer = "No."
dificulty = "hard"

[[question]]
id = "a-005"
topic = "a"
question = "Bad difficulty?"
answer = "Yes."
difficulty = "brutal"
"#;
    let file = write(dir.path(), "a.toml", text);
    let loaded = bank::load(dir.path()).unwrap();
    let f = file.display();
    assert_eq!(
        messages(&loaded),
        [
            format!("{f}:1: missing `answer`"),
            format!("{f}:10: empty `answer`"),
            format!("{f}:23: unknown key `dificulty`"),
            format!("{f}:30: difficulty must be easy, medium or hard, not `brutal`"),
        ]
    );
    let ids: Vec<&str> = loaded
        .bank
        .questions()
        .iter()
        .map(|q| q.id.as_str())
        .collect();
    assert_eq!(ids, ["a-003"]);
}

#[test]
fn a_syntax_error_is_reported_where_it_is() {
    let dir = tempfile::tempdir().unwrap();
    let text = "[[question]]\nid = \"b-001\"\ntopic = \"b\"\nquestion = \"Fine?\"\nanswer = \"Yes.\"\n\n[[question]]\nid = \"b-002\"\ntopic = \"b\"\nquestion = \"Broken quote?\nanswer = \"x\"\n";
    let file = write(dir.path(), "b.toml", text);
    let loaded = bank::load(dir.path()).unwrap();
    let errors: Vec<_> = loaded.errors().collect();
    assert!(!errors.is_empty());
    assert!(
        errors.iter().any(|e| e.line == 10 && e.file == file),
        "{:?}",
        messages(&loaded)
    );
    assert!(loaded.bank.get("b-001").is_some());
    assert!(
        loaded.bank.get("b-002").is_none(),
        "the broken entry is skipped"
    );
}

#[test]
fn a_duplicate_key_skips_its_entry() {
    let dir = tempfile::tempdir().unwrap();
    let text = "[[question]]\nid = \"d-001\"\ntopic = \"d\"\nquestion = \"Twice?\"\nanswer = \"One.\"\nanswer = \"Two.\"\n\n[[question]]\nid = \"d-002\"\ntopic = \"d\"\nquestion = \"Once?\"\nanswer = \"Yes.\"\n";
    let file = write(dir.path(), "d.toml", text);
    let loaded = bank::load(dir.path()).unwrap();
    assert!(
        loaded.errors().any(|e| e.file == file && e.line == 6),
        "{:?}",
        messages(&loaded)
    );
    assert!(loaded.bank.get("d-001").is_none());
    assert!(loaded.bank.get("d-002").is_some());
}

#[test]
fn a_file_that_is_not_utf8_is_reported_and_the_others_load() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "good.toml", GOOD);
    let bad = dir.path().join("bad.toml");
    std::fs::write(
        &bad,
        b"# fine\n[[question]]\nid = \"x-1\"\nquestion = \"caf\xe9?\"\n",
    )
    .unwrap();
    let loaded = bank::load(dir.path()).unwrap();
    assert_eq!(
        messages(&loaded),
        [format!(
            "{}:4: not valid UTF-8 (the file was skipped; save it as UTF-8)",
            bad.display()
        )]
    );
    assert_eq!(loaded.bank.len(), 2);
}

#[test]
fn topics_must_be_slugs() {
    let dir = tempfile::tempdir().unwrap();
    let file = write(
        dir.path(),
        "t.toml",
        "[[question]]\nid = \"t-001\"\ntopic = \"Docker Compose\"\nquestion = \"Q?\"\nanswer = \"A.\"\n",
    );
    let loaded = bank::load(dir.path()).unwrap();
    assert_eq!(
        messages(&loaded),
        [format!(
            "{}:3: topic `Docker Compose` must be a lowercase slug like `web-security`",
            file.display()
        )]
    );
}

#[test]
fn duplicate_ids_across_files_name_the_first_place() {
    let dir = tempfile::tempdir().unwrap();
    let first = write(dir.path(), "1.toml", GOOD);
    let second = write(
        dir.path(),
        "2.toml",
        "[[question]]\nid = \"net-002\"\ntopic = \"x\"\nquestion = \"Other?\"\nanswer = \"Other.\"\n",
    );
    let loaded = bank::load(dir.path()).unwrap();
    assert_eq!(
        messages(&loaded),
        [format!(
            "{}:1: duplicate id `net-002` (first used at {}:14)",
            second.display(),
            first.display()
        )]
    );
    assert_eq!(loaded.bank.get("net-002").unwrap().topic, "networking");
}

#[test]
fn unreadable_paths_and_empty_directories_are_errors() {
    let dir = tempfile::tempdir().unwrap();
    let err = bank::load(dir.path()).unwrap_err().to_string();
    assert!(err.contains("no .toml bank files"), "{err}");
    let err = bank::load(&dir.path().join("missing"))
        .unwrap_err()
        .to_string();
    assert!(err.contains("missing"), "{err}");
}

const TCP_UDP: &str = r#"[[question]]
id = "n-001"
topic = "networking"
question = "What's the difference between TCP and UDP connections?"
answer = "TCP is a connection-oriented protocol that needs a connection before data is exchanged; UDP is connectionless. TCP is more reliable, UDP is faster."

[[question]]
id = "n-002"
topic = "networking"
question = "What is the primary difference between TCP and UDP for a Python TCP/IP server?"
answer = "TCP is connection-oriented and reliable with ordered delivery, while UDP is connectionless and prefers speed over reliability."

[[question]]
id = "n-003"
topic = "networking"
question = "Who invented the World Wide Web?"
answer = "Tim Berners-Lee, in 1989."
"#;

#[test]
fn near_duplicates_are_warned_about_unless_reviewed() {
    let dir = tempfile::tempdir().unwrap();
    let file = write(dir.path(), "n.toml", TCP_UDP);
    let loaded = bank::load(dir.path()).unwrap();
    let problems = check::check(&loaded);
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert!(!problems[0].is_error());
    assert_eq!(problems[0].file, file);
    assert_eq!(problems[0].line, 7);
    assert!(
        problems[0]
            .message
            .contains("`n-002` looks like a near-duplicate of `n-001`")
    );

    let reviewed = TCP_UDP.replacen(
        "id = \"n-002\"",
        "id = \"n-002\"\ndistinct_from = [\"n-001\"]",
        1,
    );
    write(dir.path(), "n.toml", &reviewed);
    let loaded = bank::load(dir.path()).unwrap();
    assert!(check::check(&loaded).is_empty());
}

#[test]
fn check_command_reports_file_line_and_fails_on_errors() {
    let dir = tempfile::tempdir().unwrap();
    let index = tempfile::tempdir().unwrap();
    let file = write(
        dir.path(),
        "c.toml",
        "[[question]]\nid = \"c-001\"\ntopic = \"c\"\nquestion = \"No answer?\"\n",
    );
    let mut command = common::bot(index.path());
    command.args(["bank", "check"]).arg(dir.path());
    let output = common::run(command);
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert_eq!(output.status.code(), Some(1), "{stdout}");
    assert!(
        stdout.contains(&format!("{}:1: missing `answer`", file.display())),
        "{stdout}"
    );
}

#[test]
fn the_shipped_bank_passes_its_check() {
    let index = tempfile::tempdir().unwrap();
    let mut command = common::bot(index.path());
    command.args(["bank", "check"]);
    let output = common::run(command);
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert_eq!(output.status.code(), Some(0), "{stdout}");
    assert!(stdout.contains(" 0 errors"), "{stdout}");
}

#[test]
fn the_shipped_bank_holds_the_seeds_and_the_articles() {
    let bank = common::shipped_bank();
    let topics: Vec<String> = bank.topics().into_iter().map(|(t, _)| t).collect();
    assert_eq!(topics, ["api", "docker", "http", "networking", "python"]);
    let phrasings: usize = bank.questions().iter().map(|q| 1 + q.aliases.len()).sum();
    assert!(phrasings >= 326, "{phrasings} phrasings");
    let from_articles = bank
        .questions()
        .iter()
        .filter(|q| {
            let source = q.source.as_deref().unwrap_or("");
            ["001_", "002_", "003_"].iter().any(|a| source.contains(a))
                && !source.contains("000_")
                && !source.contains("004_")
        })
        .count();
    assert!(from_articles >= 30, "{from_articles} article questions");
    for q in bank.questions() {
        assert!(
            q.id.starts_with(&format!("{}-", q.topic)),
            "{} in {}",
            q.id,
            q.topic
        );
        assert!(
            !q.question.contains("  ") && !q.question.contains(" ?"),
            "{}",
            q.question
        );
    }
}

#[test]
fn every_seed_question_is_in_the_bank() {
    let seeds = common::repo().join("../shared/seeds/004_1e5d8a2cd72fd508.txt");
    let Ok(text) = std::fs::read_to_string(&seeds) else {
        common::skip(
            "seed coverage",
            &format!(
                "{} is not beside the repository (CI has shared/ there)",
                seeds.display()
            ),
        );
        return;
    };
    let bank = common::shipped_bank();
    let normalize = |s: &str| {
        s.chars()
            .filter(|c| c.is_alphanumeric())
            .flat_map(char::to_lowercase)
            .collect::<String>()
    };
    let known: std::collections::HashSet<String> = bank
        .questions()
        .iter()
        .flat_map(|q| q.phrasings().map(normalize).collect::<Vec<_>>())
        .collect();
    let seed_questions: Vec<&str> = text
        .lines()
        .filter_map(|l| l.split_once("Question:").map(|(_, q)| q.trim()))
        .collect();
    assert_eq!(seed_questions.len(), 300);
    let missing: Vec<&&str> = seed_questions
        .iter()
        .filter(|q| !known.contains(&normalize(q)))
        .collect();
    assert!(missing.is_empty(), "not in the bank: {missing:?}");
}

#[test]
fn list_json_prints_one_object_per_question() {
    let index = tempfile::tempdir().unwrap();
    let mut command = common::bot(index.path());
    command.args(["bank", "list", "--json"]);
    let output = common::run(command);
    assert!(output.status.success());
    let rows = common::json_lines(&output);
    assert_eq!(rows.len(), common::shipped_bank().len());
    for key in [
        "id",
        "topic",
        "question",
        "answer",
        "aliases",
        "tags",
        "difficulty",
        "source",
    ] {
        assert!(rows[0].get(key).is_some(), "missing {key}: {}", rows[0]);
    }
}

#[test]
fn a_quiz_topic_needs_a_short_quiz_option_on_every_entry() {
    let dir = tempfile::tempdir().unwrap();
    let long = "x".repeat(121);
    write(
        dir.path(),
        "t.toml",
        &format!(
            "[[question]]\nid = \"t-001\"\ntopic = \"t\"\nquestion = \"One?\"\nanswer = \"One.\"\nquiz_option = \"The first\"\nnot_with = [\"t-002\"]\n\n[[question]]\nid = \"t-002\"\ntopic = \"t\"\nquestion = \"Two?\"\nanswer = \"Two.\"\n\n[[question]]\nid = \"t-003\"\ntopic = \"t\"\nquestion = \"Three?\"\nanswer = \"Three.\"\nquiz_option = \"{long}\"\n"
        ),
    );
    let loaded = bank::load(dir.path()).unwrap();
    assert_eq!(loaded.bank.get("t-001").unwrap().not_with, ["t-002"]);
    let problems: Vec<String> = check::check(&loaded)
        .iter()
        .map(|d| d.to_string())
        .collect();
    assert!(
        problems
            .iter()
            .any(|p| p.contains("t.toml:9: `t-002` has no quiz_option")),
        "{problems:?}"
    );
    assert!(
        problems
            .iter()
            .any(|p| p.contains("t.toml:20: `quiz_option` has 121 characters")),
        "{problems:?}"
    );
}

#[test]
fn the_shipped_bank_passes_the_quiz_check() {
    let Some(model) = common::model_dir() else {
        common::skip("bank check --quiz", common::NO_MODEL);
        return;
    };
    // The shipped bank's vectors are embedded once, in the shared index.
    common::warm_semantic_index(&model);
    let dir = tempfile::tempdir().unwrap();
    let mut command = common::bot(dir.path());
    command
        .env("INTERVIEW_BOT__MODEL__ENABLED", "true")
        .env("INTERVIEW_BOT__MODEL__DIR", &model)
        .env("INTERVIEW_BOT__INDEX__DIR", common::semantic_index_dir())
        .args(["bank", "check", "--quiz"]);
    let output = common::run(command);
    let stdout = String::from_utf8_lossy(&output.stdout);
    let reports: Vec<&str> = stdout
        .lines()
        .filter(|l| l.contains(": warning: ") || l.contains(": error: "))
        .collect();
    assert!(reports.is_empty(), "{}", reports.join("\n"));
    assert!(output.status.success());
    assert!(stdout.contains("  A: "), "the questions are rendered");
}
