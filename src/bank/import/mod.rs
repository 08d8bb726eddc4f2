//! `bank import`: banks from other tools converted into our format, so teams bring
//! the banks they already have. Each format lives in its own module ([`text`],
//! [`csv`], [`red_trivia`]) and yields [`Record`]s, question/answer pairs with the
//! line they came from; [`import`] owns what is common to every format: it cleans the
//! text, skips empty and duplicate records, and turns the rest into [`Question`]s
//! with fresh ids.

pub mod csv;
pub mod red_trivia;
pub mod text;

use std::collections::{HashMap, HashSet};
use std::path::Path;
use std::str::FromStr;

use super::{Diagnostic, Difficulty, Origin, Question};

/// The formats `bank import --format` reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// Numbered `Question:/Answer:` pairs, `Q:/A:` pairs, or `N. question?` + answer paragraph.
    Text,
    /// CSV with a header row naming at least `question` and `answer`.
    Csv,
    /// Red-DiscordBot trivia list (YAML: question -> accepted answers).
    RedTrivia,
}

impl Format {
    /// The format a file's name says: `.csv` is CSV, `.yaml` or `.yml` a
    /// Red trivia list, anything else text.
    pub fn of_file_name(name: &str) -> Format {
        let lower = name.to_ascii_lowercase();
        if lower.ends_with(".csv") {
            Format::Csv
        } else if lower.ends_with(".yaml") || lower.ends_with(".yml") {
            Format::RedTrivia
        } else {
            Format::Text
        }
    }
}

impl FromStr for Format {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.to_ascii_lowercase().as_str() {
            "text" | "txt" => Ok(Format::Text),
            "csv" => Ok(Format::Csv),
            "red-trivia" | "red" | "trivia" | "yaml" => Ok(Format::RedTrivia),
            other => Err(format!(
                "unknown format `{other}`: use text, csv or red-trivia"
            )),
        }
    }
}

/// How imported entries are labelled.
#[derive(Debug, Clone)]
pub struct ImportOptions {
    /// Topic for entries that do not name one.
    pub topic: String,
    /// Ids are `<prefix>-NNN`, numbered from 001.
    pub id_prefix: String,
    /// Recorded as each entry's `source`.
    pub source: String,
}

/// What an import produced: the questions, and the records it had to skip.
#[derive(Debug, Default)]
pub struct Imported {
    pub questions: Vec<Question>,
    pub skipped: Vec<Diagnostic>,
}

/// A file that cannot be imported at all.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error("{path}: {source}")]
    Io {
        path: std::path::PathBuf,
        source: std::io::Error,
    },
    #[error("{0}")]
    Format(Diagnostic),
}

/// One question/answer pair as a format found it, before cleaning, ids and defaults.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Record {
    pub question: String,
    pub answer: String,
    /// 1-based line where the record starts.
    pub line: usize,
    pub topic: Option<String>,
    pub id: Option<String>,
    pub aliases: Vec<String>,
    pub tags: Vec<String>,
    pub difficulty: Option<Difficulty>,
    pub source: Option<String>,
    /// The answer as a quiz option (a trivia list's first accepted answer).
    pub quiz_option: Option<String>,
}

/// What a format's parser read: its records, and the records it skipped.
#[derive(Debug, Default)]
pub struct Parsed {
    pub records: Vec<Record>,
    pub skipped: Vec<Diagnostic>,
}

/// Reads `path` in `format` and converts its records. A file that cannot be read is
/// [`ImportError::Io`]; one the format cannot use at all (a CSV header without
/// `question`/`answer`, YAML that is not a mapping) is [`ImportError::Format`]. Broken
/// records are skipped and reported in [`Imported::skipped`].
pub fn import(
    path: &Path,
    format: Format,
    options: &ImportOptions,
) -> Result<Imported, ImportError> {
    let raw = std::fs::read_to_string(path).map_err(|source| ImportError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    import_text(path, &raw, format, options)
}

/// [`import`] of a file's text `raw` already read (an upload), named `path`
/// in what it reports.
pub fn import_text(
    path: &Path,
    raw: &str,
    format: Format,
    options: &ImportOptions,
) -> Result<Imported, ImportError> {
    let text = raw.strip_prefix('\u{feff}').unwrap_or(raw);
    let parsed = match format {
        Format::Text => text::parse(text),
        Format::Csv => csv::parse(path, text).map_err(ImportError::Format)?,
        Format::RedTrivia => red_trivia::parse(path, text).map_err(ImportError::Format)?,
    };
    Ok(convert(path, parsed, options))
}

/// Turns records into questions: cleaned, checked, with ids, topics and sources.
pub fn convert(path: &Path, parsed: Parsed, options: &ImportOptions) -> Imported {
    let mut skipped = parsed.skipped;
    let mut kept: Vec<Record> = Vec::new();
    let mut seen_questions: HashMap<String, usize> = HashMap::new();
    let mut seen_ids: HashMap<String, usize> = HashMap::new();
    for record in parsed.records.into_iter().map(clean) {
        if let Some(message) = problem(&record, &seen_questions, &seen_ids) {
            skipped.push(Diagnostic::error(path, record.line, message));
            continue;
        }
        seen_questions.insert(question_key(&record.question), record.line);
        if let Some(id) = &record.id {
            seen_ids.insert(id.clone(), record.line);
        }
        kept.push(record);
    }
    skipped.sort_by_key(|d| d.line);
    let taken: HashSet<String> = seen_ids.into_keys().collect();
    let mut number = 0;
    let questions = kept
        .into_iter()
        .map(|record| {
            let id = record.id.clone().unwrap_or_else(|| {
                loop {
                    number += 1;
                    let id = format!("{}-{number:03}", options.id_prefix);
                    if !taken.contains(&id) {
                        break id;
                    }
                }
            });
            question(path, id, record, options)
        })
        .collect();
    Imported { questions, skipped }
}

/// Why a cleaned record cannot be imported, given the records kept before it.
fn problem(
    record: &Record,
    seen_questions: &HashMap<String, usize>,
    seen_ids: &HashMap<String, usize>,
) -> Option<String> {
    if record.question.is_empty() {
        return Some("empty question".to_string());
    }
    if record.answer.is_empty() {
        return Some("empty answer".to_string());
    }
    if let Some(first) = seen_questions.get(&question_key(&record.question)) {
        return Some(format!("duplicate question (first at line {first})"));
    }
    let id = record.id.as_deref()?;
    if id.contains(char::is_whitespace) {
        return Some(format!("id `{id}` must not contain spaces"));
    }
    let first = seen_ids.get(id)?;
    Some(format!("duplicate id `{id}` (first at line {first})"))
}

fn question(path: &Path, id: String, record: Record, options: &ImportOptions) -> Question {
    let topic = record
        .topic
        .as_deref()
        .map(slug)
        .filter(|t| !t.is_empty())
        .unwrap_or_else(|| options.topic.clone());
    let source = record
        .source
        .or_else(|| Some(options.source.trim().to_string()))
        .filter(|s| !s.is_empty());
    Question {
        id,
        topic,
        question: record.question,
        answer: record.answer,
        aliases: record.aliases,
        tags: record.tags,
        difficulty: record.difficulty.unwrap_or_default(),
        source,
        distinct_from: Vec::new(),
        quiz_option: record.quiz_option,
        not_with: Vec::new(),
        origin: Origin {
            file: path.to_path_buf(),
            line: record.line,
        },
    }
}

/// Whitespace collapsed everywhere; empty optional fields and list entries dropped.
fn clean(record: Record) -> Record {
    let blank_to_none = |s: Option<String>| s.map(|s| collapse(&s)).filter(|s| !s.is_empty());
    let list = |items: Vec<String>, each: fn(&str) -> String| {
        let mut out: Vec<String> = Vec::new();
        for item in items.iter().map(|s| each(s)) {
            if !item.is_empty() && !out.contains(&item) {
                out.push(item);
            }
        }
        out
    };
    Record {
        question: clean_question(&record.question),
        answer: clean_answer(&record.answer),
        line: record.line,
        topic: blank_to_none(record.topic),
        id: record
            .id
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty()),
        aliases: list(record.aliases, clean_question),
        tags: list(record.tags, collapse),
        difficulty: record.difficulty,
        source: blank_to_none(record.source),
        quiz_option: blank_to_none(record.quiz_option)
            .map(|o| o.chars().take(crate::bank::QUIZ_OPTION_CHARS).collect()),
    }
}

/// Whitespace runs collapsed to one space and trimmed.
pub(crate) fn collapse(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// One line: lines joined, whitespace collapsed, no space before a closing `?`.
pub(crate) fn clean_question(text: &str) -> String {
    let text = collapse(text);
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        let closes = chars.peek() == Some(&'?') && {
            let mut ahead = chars.clone();
            ahead.next();
            ahead.next().is_none_or(|n| n.is_whitespace())
        };
        if !(c == ' ' && closes && !out.is_empty()) {
            out.push(c);
        }
    }
    out
}

/// Whitespace collapsed within lines; paragraphs separated by exactly one blank line;
/// no blank lines at either end.
pub(crate) fn clean_answer(text: &str) -> String {
    let mut out: Vec<String> = Vec::new();
    for line in text.lines().map(collapse) {
        if line.is_empty() && out.last().is_none_or(String::is_empty) {
            continue;
        }
        out.push(line);
    }
    while out.last().is_some_and(String::is_empty) {
        out.pop();
    }
    out.join("\n")
}

/// Two questions are the same when their letters and digits are, ignoring case.
fn question_key(question: &str) -> String {
    question
        .chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

/// Lowercase letters, digits and single dashes, as topics are written.
pub fn slug(text: &str) -> String {
    let mut out = String::new();
    for c in text.trim().chars().flat_map(char::to_lowercase) {
        if c.is_ascii_alphanumeric() {
            out.push(c);
        } else if !out.is_empty() && !out.ends_with('-') {
            out.push('-');
        }
    }
    out.trim_end_matches('-').to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn options() -> ImportOptions {
        ImportOptions {
            topic: "misc".into(),
            id_prefix: "x".into(),
            source: "src.txt".into(),
        }
    }

    fn record(question: &str, answer: &str, line: usize) -> Record {
        Record {
            question: question.into(),
            answer: answer.into(),
            line,
            ..Record::default()
        }
    }

    #[test]
    fn questions_are_one_clean_line() {
        assert_eq!(clean_question("  What is\n  TCP \n?  "), "What is TCP?");
        assert_eq!(clean_question("Is a ?: b valid ?"), "Is a ?: b valid?");
    }

    #[test]
    fn answers_keep_single_paragraph_breaks() {
        assert_eq!(
            clean_answer("\n\n  one   two \n three\n\n\n\n four  \n\n"),
            "one two\nthree\n\nfour"
        );
    }

    #[test]
    fn keys_ignore_case_space_and_punctuation() {
        assert_eq!(question_key("What is TCP?"), question_key("what  is, tcp"));
        assert_ne!(question_key("What is TCP?"), question_key("What is UDP?"));
    }

    #[test]
    fn generated_ids_step_around_explicit_ones() {
        let mut explicit = record("Second?", "b", 2);
        explicit.id = Some("x-002".into());
        let parsed = Parsed {
            records: vec![record("First?", "a", 1), explicit, record("Third?", "c", 3)],
            skipped: vec![],
        };
        let imported = convert(Path::new("f"), parsed, &options());
        let ids: Vec<_> = imported.questions.iter().map(|q| q.id.as_str()).collect();
        assert_eq!(ids, ["x-001", "x-002", "x-003"]);
    }

    #[test]
    fn explicit_ids_must_be_unique() {
        let mut first = record("First?", "a", 1);
        first.id = Some("d-1".into());
        let mut second = record("Second?", "b", 2);
        second.id = Some(" d-1 ".into());
        let parsed = Parsed {
            records: vec![first, second],
            skipped: vec![],
        };
        let imported = convert(Path::new("f"), parsed, &options());
        assert_eq!(imported.questions.len(), 1);
        assert_eq!(
            imported.skipped[0].message,
            "duplicate id `d-1` (first at line 1)"
        );
    }

    #[test]
    fn ids_grow_past_three_digits() {
        let records = (1..=1000)
            .map(|n| record(&format!("Question {n}?"), "a", n))
            .collect();
        let parsed = Parsed {
            records,
            skipped: vec![],
        };
        let imported = convert(Path::new("f"), parsed, &options());
        assert_eq!(imported.questions[998].id, "x-999");
        assert_eq!(imported.questions[999].id, "x-1000");
    }

    #[test]
    fn bad_records_are_reported_in_line_order() {
        let mut spaced = record("Spaced id?", "a", 1);
        spaced.id = Some("has space".into());
        let parsed = Parsed {
            records: vec![
                spaced,
                record("What is TCP?", "a", 2),
                record("", "a", 3),
                record("What is UDP?", "  \n ", 4),
                record("what is tcp", "again", 5),
            ],
            skipped: vec![],
        };
        let imported = convert(Path::new("f"), parsed, &options());
        assert_eq!(imported.questions.len(), 1);
        let skipped: Vec<_> = imported
            .skipped
            .iter()
            .map(|d| (d.line, d.message.as_str()))
            .collect();
        assert_eq!(
            skipped,
            [
                (1, "id `has space` must not contain spaces"),
                (3, "empty question"),
                (4, "empty answer"),
                (5, "duplicate question (first at line 2)"),
            ]
        );
    }

    #[test]
    fn record_topics_become_slugs() {
        let mut r = record("Q?", "a", 1);
        r.topic = Some("Docker Compose".into());
        let parsed = Parsed {
            records: vec![r, record("R?", "b", 2)],
            skipped: vec![],
        };
        let imported = convert(Path::new("f"), parsed, &options());
        assert_eq!(imported.questions[0].topic, "docker-compose");
        assert_eq!(imported.questions[1].topic, "misc");
        assert_eq!(imported.questions[1].source.as_deref(), Some("src.txt"));
    }
}
