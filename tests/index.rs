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
    let index = index_dirs(dir.path()).pop().unwrap();
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
    let dirs = index_dirs(index.path());
    assert_eq!(dirs.len(), 1);
    assert!(dirs[0].join("BANK_HASH").is_file());
}

/// The index directories (`tantivy-<hash>`) under `dir`.
fn index_dirs(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| {
            p.file_name()
                .unwrap()
                .to_string_lossy()
                .starts_with("tantivy-")
        })
        .collect()
}

#[test]
fn a_changed_bank_leaves_one_index_behind() {
    let dir = tempfile::tempdir().unwrap();
    open(&bank_with("An airship."), dir.path());
    open(&bank_with("A balloon."), dir.path());
    assert_eq!(index_dirs(dir.path()).len(), 1);
    let leftovers: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
    assert_eq!(leftovers.len(), 1, "{leftovers:?}");
}

#[test]
fn processes_starting_together_all_get_the_index() {
    let index = tempfile::tempdir().unwrap();
    let children: Vec<_> = (0..6)
        .map(|_| {
            let mut command = common::bot(index.path());
            command.args(["ask", "--json", "docker volume"]);
            command
                .stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    for child in children {
        let output = wait_bounded(child);
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        let result: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
        assert!(!result["hits"].as_array().unwrap().is_empty());
    }
    assert_eq!(index_dirs(index.path()).len(), 1);
}

fn wait_bounded(mut child: std::process::Child) -> std::process::Output {
    let deadline = std::time::Instant::now() + common::RUN_LIMIT;
    while child.try_wait().unwrap().is_none() {
        if std::time::Instant::now() > deadline {
            let _ = child.kill();
            panic!("the binary ran longer than {:?}", common::RUN_LIMIT);
        }
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    child.wait_with_output().unwrap()
}

#[test]
fn an_unwritable_index_directory_falls_back_to_memory() {
    let dir = tempfile::tempdir().unwrap();
    let blocker = dir.path().join("not-a-directory");
    std::fs::write(&blocker, b"a file where the index directory should be").unwrap();
    let (searcher, status) = open(&bank_with("An airship."), &blocker.join("index"));
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
