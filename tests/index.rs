//! The on-disk index follows the bank: built when missing, reused while the bank's
//! content is unchanged, rebuilt when it changes or when the index is damaged.

mod common;

use interview_bot::bank::{self, Bank};
use interview_bot::search::{IndexStatus, SearchOptions, Searcher, Synonyms};

fn bank_with(answer: &str) -> Bank {
    let text = format!(
        "[[question]]\nid = \"t-001\"\ntopic = \"t\"\nquestion = \"What is a zeppelin?\"\nanswer = \"{answer}\"\n"
    );
    let (questions, problems) = bank::parse_file(std::path::Path::new("t.toml"), &text);
    assert!(problems.is_empty());
    Bank::new(questions)
}

fn open(bank: &Bank, dir: &std::path::Path) -> (Searcher, IndexStatus) {
    Searcher::open_or_build(bank, dir, Synonyms::default()).unwrap()
}

#[test]
fn the_index_is_rebuilt_only_when_the_bank_changes() {
    let dir = tempfile::tempdir().unwrap();
    let first = bank_with("An airship.");
    assert!(matches!(
        open(&first, dir.path()).1,
        IndexStatus::Rebuilt(_)
    ));
    assert!(matches!(open(&first, dir.path()).1, IndexStatus::UpToDate));

    let changed = bank_with("A rigid airship with a balloon.");
    let (searcher, status) = open(&changed, dir.path());
    assert!(matches!(status, IndexStatus::Rebuilt(_)));
    let found = searcher.search("balloon", &SearchOptions::top(1)).unwrap();
    assert_eq!(found.hits.len(), 1, "the rebuilt index has the new answer");
}

#[test]
fn a_damaged_index_is_rebuilt_not_fatal() {
    let dir = tempfile::tempdir().unwrap();
    let bank = bank_with("An airship.");
    open(&bank, dir.path());
    let index = dir.path().join("tantivy");
    for entry in std::fs::read_dir(&index).unwrap() {
        let path = entry.unwrap().path();
        if path.file_name().unwrap() != "BANK_HASH" {
            std::fs::write(&path, b"garbage").unwrap();
        }
    }
    let (searcher, status) = open(&bank, dir.path());
    assert!(matches!(status, IndexStatus::Rebuilt(_)));
    assert_eq!(
        searcher
            .search("airship", &SearchOptions::top(1))
            .unwrap()
            .hits
            .len(),
        1
    );
}

#[test]
fn the_index_command_builds_the_shipped_bank() {
    let index = tempfile::tempdir().unwrap();
    let mut command = common::bot(index.path());
    command.arg("index");
    let output = common::run(command);
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "{stdout}");
    let count = common::shipped_bank().len();
    assert!(
        stdout.contains(&format!("indexed {count} questions")),
        "{stdout}"
    );
    assert!(index.path().join("tantivy/BANK_HASH").is_file());
}
