//! `bank import` through the public API and the real binary: each format on small
//! hand-written files with broken records, on excerpts of real seed documents, and
//! the round trip through the bank writer and loader.

use std::path::{Path, PathBuf};
use std::process::Command;

use interview_bot::bank::import::{Format, ImportError, ImportOptions, Imported, import};
use interview_bot::bank::{Difficulty, Question, parse_file, write};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/import")
        .join(name)
}

fn options(prefix: &str) -> ImportOptions {
    ImportOptions {
        topic: "misc".into(),
        id_prefix: prefix.into(),
        source: "notes.txt".into(),
    }
}

fn import_fixture(name: &str, format: Format) -> Imported {
    import(&fixture(name), format, &options("x")).expect("imports")
}

fn ids(imported: &Imported) -> Vec<&str> {
    imported.questions.iter().map(|q| q.id.as_str()).collect()
}

fn questions(imported: &Imported) -> Vec<&str> {
    imported
        .questions
        .iter()
        .map(|q| q.question.as_str())
        .collect()
}

fn topics(imported: &Imported) -> Vec<&str> {
    imported
        .questions
        .iter()
        .map(|q| q.topic.as_str())
        .collect()
}

fn lines(imported: &Imported) -> Vec<usize> {
    imported.questions.iter().map(|q| q.origin.line).collect()
}

fn skipped(imported: &Imported) -> Vec<(usize, &str)> {
    imported
        .skipped
        .iter()
        .map(|d| (d.line, d.message.as_str()))
        .collect()
}

fn answer<'a>(imported: &'a Imported, question: &str) -> &'a str {
    &imported
        .questions
        .iter()
        .find(|q| q.question == question)
        .unwrap_or_else(|| panic!("no question {question:?} in {:?}", questions(imported)))
        .answer
}

/// Written with the bank writer and read back with the loader: nothing lost, no problems.
fn assert_round_trips(imported: &Imported) {
    let text = write::bank_file("imported for a test", &imported.questions);
    let (read, problems) = parse_file(Path::new("imported.toml"), &text);
    assert!(problems.is_empty(), "{problems:?}\n{text}");
    let without_origin = |qs: &[Question]| -> Vec<Question> {
        qs.iter()
            .cloned()
            .map(|mut q| {
                q.origin = Default::default();
                q
            })
            .collect()
    };
    assert_eq!(without_origin(&read), without_origin(&imported.questions));
}

// --- text ---

#[test]
fn text_labelled_pairs_with_headings() {
    let imported = import_fixture("labelled.txt", Format::Text);
    assert_eq!(ids(&imported), ["x-001", "x-002", "x-003", "x-004"]);
    assert_eq!(
        questions(&imported),
        [
            "What does TCP guarantee?",
            "Which HTTP methods are idempotent and safe?",
            "What does 304 mean?",
            "Where does a JWT live?",
        ]
    );
    assert_eq!(topics(&imported), ["networking", "http", "http", "http"]);
    assert_eq!(lines(&imported), [6, 18, 24, 25]);
    assert_eq!(
        answer(&imported, "What does TCP guarantee?"),
        "Ordered, reliable delivery of a byte stream."
    );
    assert_eq!(
        answer(&imported, "Which HTTP methods are idempotent and safe?"),
        "GET and HEAD are safe and idempotent.\n\nPUT and DELETE are idempotent but not safe."
    );
    assert_eq!(
        answer(&imported, "What does 304 mean?"),
        "Not Modified: the cached copy is still valid."
    );
    let q = &imported.questions[0];
    assert_eq!(q.difficulty, Difficulty::Medium);
    assert_eq!(q.source.as_deref(), Some("notes.txt"));
    assert_eq!(q.origin.file, fixture("labelled.txt"));
}

#[test]
fn text_skips_missing_answers_and_duplicates() {
    let imported = import_fixture("labelled.txt", Format::Text);
    assert_eq!(
        skipped(&imported),
        [
            (10, "empty answer"),
            (13, "duplicate question (first at line 6)")
        ]
    );
    let shown = imported.skipped[0].to_string();
    assert!(shown.ends_with("labelled.txt:10: empty answer"), "{shown}");
    // The heading after the duplicate's answer is not part of any answer.
    assert!(
        imported
            .questions
            .iter()
            .all(|q| !q.answer.contains("HTTP\n"))
    );
}

#[test]
fn text_numbered_questions_keep_lists_and_stop_at_two_blank_lines() {
    let imported = import_fixture("numbered.txt", Format::Text);
    assert_eq!(
        questions(&imported),
        [
            "What is a socket?",
            "What are the OSI layers?",
            "What is DNS?"
        ]
    );
    assert_eq!(ids(&imported), ["x-001", "x-002", "x-003"]);
    assert_eq!(topics(&imported), ["misc", "misc", "misc"]);
    assert_eq!(lines(&imported), [3, 7, 23]);
    assert_eq!(
        answer(&imported, "What are the OSI layers?"),
        "From the bottom:\n\n1. Physical\n2. Data Link\n3. Network\n\nEach layer serves the one above it."
    );
    assert_eq!(
        answer(&imported, "What is DNS?"),
        "It maps names to addresses."
    );
    assert_eq!(
        skipped(&imported),
        [
            (17, "empty answer"),
            (19, "duplicate question (first at line 3)")
        ]
    );
}

#[test]
fn crlf_files_import_like_lf_files() {
    let dir = tempfile::tempdir().unwrap();
    let cases = [
        ("labelled.txt", Format::Text),
        ("numbered.txt", Format::Text),
        ("seed_tcp_server_qa.txt", Format::Text),
        ("team.csv", Format::Csv),
        ("trivia.yaml", Format::RedTrivia),
    ];
    for (name, format) in cases {
        let lf = std::fs::read_to_string(fixture(name)).unwrap();
        let crlf_path = dir.path().join(name);
        std::fs::write(&crlf_path, lf.replace('\n', "\r\n")).unwrap();
        let from_crlf = import(&crlf_path, format, &options("x")).unwrap();
        let from_lf = import_fixture(name, format);
        assert!(!from_lf.questions.is_empty());
        for (a, b) in from_crlf.questions.iter().zip(&from_lf.questions) {
            assert!(!a.question.contains('\r') && !a.answer.contains('\r'));
            assert_eq!(
                (&a.id, &a.topic, &a.question, &a.answer, a.origin.line),
                (&b.id, &b.topic, &b.question, &b.answer, b.origin.line)
            );
        }
        assert_eq!(from_crlf.questions.len(), from_lf.questions.len());
        assert_eq!(skipped(&from_crlf), skipped(&from_lf));
    }
}

#[test]
fn text_seed_question_answer_sections_take_topics_from_headings() {
    let imported = import_fixture("seed_interview_sections.txt", Format::Text);
    assert_eq!(imported.questions.len(), 10);
    assert!(imported.skipped.is_empty(), "{:?}", imported.skipped);
    assert_eq!(
        topics(&imported),
        [
            "api", "api", "api", "api", "docker", "docker", "docker", "docker", "python", "python"
        ]
    );
    assert_eq!(imported.questions[4].id, "x-005");
    assert_eq!(
        imported.questions[4].question,
        "What is Docker, and why is it popular?"
    );
    assert_eq!(imported.questions[4].origin.line, 22);
    assert_eq!(
        answer(
            &imported,
            "What future trends do you foresee in REST API design and authentication mechanisms?"
        ),
        "Expect a shift towards more granular microservices, increased use of AI for dynamic security, enhanced token management (shorter lifespans, better revocation), and greater adoption of standardized API gateways to simplify integration and scalability."
    );
    // Headings and page furniture stay out of the answers.
    assert!(
        imported
            .questions
            .iter()
            .all(|q| !q.answer.contains("DOCKER")
                && !q.answer.contains("python\n")
                && !q.answer.contains('\n'))
    );
}

#[test]
fn text_seed_numbered_questions_end_before_page_footer() {
    let imported = import_fixture("seed_networking_numbered.txt", Format::Text);
    assert_eq!(imported.questions.len(), 7);
    assert!(imported.skipped.is_empty(), "{:?}", imported.skipped);
    assert_eq!(
        imported.questions[0].question,
        "What is a computer network?"
    );
    assert_eq!(imported.questions[0].origin.line, 13);
    assert_eq!(
        answer(&imported, "Can you explain how the OSI model works?"),
        "The OSI model is a seven-layer model that defines how data should be transmitted between two devices. The model is divided into seven layers, each of which handles a different part of the process. The seven layers are:\n\n1. Physical\n2. Data Link\n3. Network\n4. Transport\n5. Session\n6. Presentation\n7. Application"
    );
    let last = imported.questions.last().unwrap();
    assert_eq!(
        last.question,
        "Is it possible to scale up a network without any performance degradation? If yes, then how?"
    );
    assert!(
        last.answer.ends_with("transferred between servers."),
        "{}",
        last.answer
    );
    assert!(!last.answer.contains("Previous"));
}

#[test]
fn text_seed_q_and_a_joins_broken_lines() {
    let imported = import_fixture("seed_tcp_server_qa.txt", Format::Text);
    assert!(imported.skipped.is_empty(), "{:?}", imported.skipped);
    assert_eq!(
        questions(&imported),
        [
            "What is the primary difference between TCP and UDP for a python tcp ip server?",
            "Why is the bind() function important for apython tcp ip server?",
            "How does a python tcp ip server handle a client disconnection?",
            "What is the GIL's impact on a multithreaded python tcp ip server?",
            "What are the key stages in the lifecycle of a python tcp ip server?",
            "How do you ensure thread safety in a multithreaded python tcp ip server?",
        ]
    );
    assert_eq!(lines(&imported), [5, 8, 13, 18, 21, 24]);
    assert_eq!(
        imported.questions[1].answer,
        "bind() assigns the server socket to a specific IP address and port, telling the OS where to listen for incoming connections."
    );
    assert_eq!(
        imported.questions[2].answer,
        "Whenrecv() returns an empty bytes object (b''), it signifies that the client has gracefully closed its connection."
    );
    assert_eq!(
        imported.questions[5].answer,
        "Use threading locks (threading.Lock) to protect shared resources and prevent race conditions."
    );
}

// --- csv ---

#[test]
fn csv_reads_columns_and_quoted_fields() {
    let imported = import(&fixture("team.csv"), Format::Csv, &options("team")).unwrap();
    assert_eq!(ids(&imported), ["team-001", "mutex-basics", "team-002"]);
    assert_eq!(
        questions(&imported),
        [
            "What is a race condition?",
            "What does a mutex do?",
            "What is a semaphore?"
        ]
    );
    assert_eq!(topics(&imported), ["concurrency", "concurrency", "misc"]);
    assert_eq!(lines(&imported), [2, 3, 9]);
    let race = &imported.questions[0];
    assert_eq!(
        race.answer,
        "Two threads touch shared state, and the result depends on timing."
    );
    assert_eq!(race.aliases, ["data race", "race"]);
    assert_eq!(race.tags, ["threads", "bugs"]);
    assert_eq!(race.difficulty, Difficulty::Hard);
    assert_eq!(race.source.as_deref(), Some("notes.txt"));
    let mutex = &imported.questions[1];
    assert_eq!(
        mutex.answer,
        "It lets one thread at a time into a critical section.\n\nOthers wait until it is released."
    );
    assert_eq!(mutex.difficulty, Difficulty::Easy);
    assert_eq!(mutex.source.as_deref(), Some("book ch. 3"));
}

#[test]
fn csv_skips_bad_rows() {
    let imported = import(&fixture("team.csv"), Format::Csv, &options("team")).unwrap();
    assert_eq!(
        skipped(&imported),
        [
            (6, "empty answer"),
            (7, "difficulty must be easy, medium or hard, not `extreme`"),
            (8, "duplicate question (first at line 2)"),
            (10, "id `bad id` must not contain spaces"),
        ]
    );
}

#[test]
fn csv_with_a_byte_order_mark() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("excel.csv");
    std::fs::write(
        &path,
        "\u{feff}question,answer\r\nWhat is TCP?,A protocol.\r\n",
    )
    .unwrap();
    let imported = import(&path, Format::Csv, &options("x")).unwrap();
    assert_eq!(questions(&imported), ["What is TCP?"]);
    assert_eq!(imported.questions[0].answer, "A protocol.");
    assert_eq!(lines(&imported), [2]);
}

#[test]
fn csv_without_answer_column_is_a_format_error() {
    match import(&fixture("no_answer_column.csv"), Format::Csv, &options("x")) {
        Err(ImportError::Format(d)) => {
            assert_eq!(d.line, 1);
            assert_eq!(
                d.message,
                "the header row has no `answer` column (it needs `question` and `answer`)"
            );
        }
        other => panic!("expected a format error, got {other:?}"),
    }
}

// --- red-trivia ---

#[test]
fn red_trivia_reads_accepted_answers() {
    let imported = import_fixture("trivia.yaml", Format::RedTrivia);
    assert_eq!(
        questions(&imported),
        [
            "What year was the World Wide Web invented?",
            "Who invented the World Wide Web?",
            "What does \"DNS\" stand for?",
            "Which port does HTTPS use: 443 or 80?",
            "What is the capital of France?",
            "What does UDP stand for?",
        ]
    );
    assert_eq!(ids(&imported)[..2], ["x-001", "x-002"]);
    assert_eq!(lines(&imported), [5, 8, 9, 11, 12, 15]);
    assert_eq!(topics(&imported), ["misc"; 6]);
    assert_eq!(
        imported.questions[0].answer,
        "1989\nAlso accepted: nineteen eighty-nine"
    );
    assert_eq!(
        imported.questions[1].answer,
        "Tim Berners-Lee\nAlso accepted: Berners-Lee"
    );
    assert_eq!(imported.questions[3].answer, "443");
    assert_eq!(imported.questions[4].answer, "Paris");
}

#[test]
fn red_trivia_skips_empty_and_duplicate_questions() {
    let imported = import_fixture("trivia.yaml", Format::RedTrivia);
    assert_eq!(
        skipped(&imported),
        [
            (13, "empty answer"),
            (14, "duplicate question (first at line 8)")
        ]
    );
}

#[test]
fn red_trivia_that_is_not_a_mapping_is_a_format_error() {
    match import(
        &fixture("not_a_mapping.yaml"),
        Format::RedTrivia,
        &options("x"),
    ) {
        Err(ImportError::Format(d)) => {
            assert_eq!(d.line, 1);
            assert!(d.message.contains("mapping"), "{}", d.message);
        }
        other => panic!("expected a format error, got {other:?}"),
    }
}

// --- all formats ---

#[test]
fn unreadable_file_is_an_io_error() {
    let missing = fixture("does-not-exist.csv");
    match import(&missing, Format::Csv, &options("x")) {
        Err(ImportError::Io { path, .. }) => assert_eq!(path, missing),
        other => panic!("expected an io error, got {other:?}"),
    }
}

#[test]
fn imported_questions_pass_the_bank_loader() {
    let cases = [
        ("labelled.txt", Format::Text),
        ("numbered.txt", Format::Text),
        ("seed_interview_sections.txt", Format::Text),
        ("seed_networking_numbered.txt", Format::Text),
        ("seed_tcp_server_qa.txt", Format::Text),
        ("team.csv", Format::Csv),
        ("trivia.yaml", Format::RedTrivia),
    ];
    for (name, format) in cases {
        let imported = import_fixture(name, format);
        assert!(!imported.questions.is_empty(), "{name}");
        assert_round_trips(&imported);
    }
}

// --- the command line ---

#[test]
fn cli_import_writes_a_bank_that_passes_check_and_refuses_to_overwrite() {
    let dir = tempfile::tempdir().unwrap();
    let bank_dir = dir.path().join("bank");
    let run = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_interview-bot"))
            .args(args)
            .env("INTERVIEW_BOT__BANK__DIR", &bank_dir)
            .current_dir(dir.path())
            .output()
            .expect("runs")
    };
    let csv = fixture("team.csv");
    let csv = csv.to_str().unwrap();
    let import_args = ["bank", "import", csv, "--format", "csv", "--name", "team"];

    let first = run(&import_args);
    let stderr = String::from_utf8_lossy(&first.stderr);
    assert!(first.status.success(), "{stderr}");
    assert!(
        stderr.contains("team.csv:6: empty answer (skipped)"),
        "{stderr}"
    );
    let written = bank_dir.join("team.toml");
    let content = std::fs::read_to_string(&written).expect("team.toml written");
    assert!(content.contains("id = \"team-001\""), "{content}");
    assert!(content.contains("id = \"mutex-basics\""), "{content}");

    let check = run(&["bank", "check", bank_dir.to_str().unwrap()]);
    assert!(
        check.status.success(),
        "{}{}",
        String::from_utf8_lossy(&check.stdout),
        String::from_utf8_lossy(&check.stderr)
    );

    let again = run(&import_args);
    assert_eq!(again.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&again.stderr).contains("--force"));
    assert_eq!(std::fs::read_to_string(&written).unwrap(), content);
}
