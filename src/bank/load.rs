//! Reads bank files into questions, reporting each broken entry as a [`Diagnostic`]
//! and keeping the good ones.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::str::FromStr;

use toml::Spanned;
use toml::de::{DeTable, DeValue};

use super::{Bank, Diagnostic, Difficulty, Origin, QUIZ_OPTION_CHARS, Question};

/// A bank path that cannot be read at all.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    #[error("{}: {error}", path.display())]
    Io {
        path: PathBuf,
        error: std::io::Error,
    },
    #[error("{}: no .toml bank files here", .0.display())]
    NoFiles(PathBuf),
}

/// A bank with what was wrong in its files.
#[derive(Debug)]
pub struct Loaded {
    pub bank: Bank,
    pub diagnostics: Vec<Diagnostic>,
}

impl Loaded {
    pub fn errors(&self) -> impl Iterator<Item = &Diagnostic> {
        self.diagnostics.iter().filter(|d| d.is_error())
    }
}

/// The bank files at `path`: the file itself, or the `.toml` files of a directory by name.
pub fn bank_files(path: &Path) -> Result<Vec<PathBuf>, LoadError> {
    let io = |error| LoadError::Io {
        path: path.to_path_buf(),
        error,
    };
    if !path.is_dir() {
        std::fs::metadata(path).map_err(io)?;
        return Ok(vec![path.to_path_buf()]);
    }
    let mut files = Vec::new();
    for entry in std::fs::read_dir(path).map_err(io)? {
        let file = entry.map_err(io)?.path();
        if file.extension().is_some_and(|e| e == "toml") && file.is_file() {
            files.push(file);
        }
    }
    if files.is_empty() {
        return Err(LoadError::NoFiles(path.to_path_buf()));
    }
    files.sort();
    Ok(files)
}

/// Loads every bank file at `path`; ids must be unique across all of them.
pub fn load(path: &Path) -> Result<Loaded, LoadError> {
    let mut questions = Vec::new();
    let mut diagnostics = Vec::new();
    for file in bank_files(path)? {
        let bytes = std::fs::read(&file).map_err(|error| LoadError::Io {
            path: file.clone(),
            error,
        })?;
        let text = match String::from_utf8(bytes) {
            Ok(text) => text,
            Err(e) => {
                let valid = &e.as_bytes()[..e.utf8_error().valid_up_to()];
                let line = valid.iter().filter(|&&b| b == b'\n').count() + 1;
                diagnostics.push(Diagnostic::error(
                    &file,
                    line,
                    "not valid UTF-8 (the file was skipped; save it as UTF-8)",
                ));
                continue;
            }
        };
        let (mut found, mut problems) = parse_file(&file, &text);
        questions.append(&mut found);
        diagnostics.append(&mut problems);
    }
    let mut first_seen: HashMap<String, Origin> = HashMap::new();
    questions.retain(|q| match first_seen.get(&q.id) {
        Some(first) => {
            diagnostics.push(Diagnostic::error(
                &q.origin.file,
                q.origin.line,
                format!("duplicate id `{}` (first used at {first})", q.id),
            ));
            false
        }
        None => {
            first_seen.insert(q.id.clone(), q.origin.clone());
            true
        }
    });
    Ok(Loaded {
        bank: Bank::new(questions),
        diagnostics,
    })
}

/// Parses one bank file's text. Syntax errors are reported where they are and the
/// parser recovers: an entry with a syntax error in it is skipped, the entries
/// around it still load.
pub fn parse_file(file: &Path, text: &str) -> (Vec<Question>, Vec<Diagnostic>) {
    let lines = LineIndex::new(text);
    let (document, errors) = DeTable::parse_recoverable(text);
    let error_offsets: Vec<usize> = errors
        .iter()
        .filter_map(|e| e.span())
        .map(|s| s.start)
        .collect();
    let mut diagnostics: Vec<Diagnostic> = errors
        .iter()
        .map(|e| {
            let line = e.span().map_or(1, |s| lines.line_of(s.start));
            Diagnostic::error(file, line, first_line(e.message()))
        })
        .collect();
    let mut questions = Vec::new();
    for (key, value) in document.get_ref() {
        let line = lines.line_of(key.span().start);
        if key.get_ref() != "question" {
            diagnostics.push(Diagnostic::error(
                file,
                line,
                format!(
                    "unknown key `{}` (entries are [[question]] tables)",
                    key.get_ref()
                ),
            ));
            continue;
        }
        let DeValue::Array(entries) = value.get_ref() else {
            diagnostics.push(Diagnostic::error(
                file,
                line,
                "`question` must be written as [[question]] tables",
            ));
            continue;
        };
        // An entry's span covers only its `[[question]]` header: it extends to
        // the next entry's header.
        let starts: Vec<usize> = entries.iter().map(|e| e.span().start).collect();
        for (i, entry) in entries.iter().enumerate() {
            let end = starts.get(i + 1).copied().unwrap_or(text.len());
            if error_offsets.iter().any(|&o| (starts[i]..end).contains(&o)) {
                continue;
            }
            let reader = EntryReader {
                file,
                lines: &lines,
            };
            match reader.read(entry) {
                Ok(question) => questions.push(question),
                Err(mut problems) => diagnostics.append(&mut problems),
            }
        }
    }
    diagnostics.sort_by_key(|d| d.line);
    (questions, diagnostics)
}

fn first_line(message: &str) -> String {
    message
        .lines()
        .next()
        .unwrap_or("syntax error")
        .trim()
        .to_string()
}

/// Reads one `[[question]]` table, collecting every problem it has.
struct EntryReader<'a> {
    file: &'a Path,
    lines: &'a LineIndex,
}

#[derive(Default)]
struct Fields {
    id: Option<String>,
    topic: Option<String>,
    question: Option<String>,
    answer: Option<String>,
    source: Option<String>,
    difficulty: Option<Difficulty>,
    aliases: Vec<String>,
    tags: Vec<String>,
    distinct_from: Vec<String>,
    quiz_option: Option<String>,
    not_with: Vec<String>,
    /// Keys the entry has, valid or not, so a bad value is not also reported missing.
    present: Vec<String>,
}

impl EntryReader<'_> {
    fn read(&self, entry: &Spanned<DeValue<'_>>) -> Result<Question, Vec<Diagnostic>> {
        let entry_line = self.lines.line_of(entry.span().start);
        let mut problems = Vec::new();
        let DeValue::Table(table) = entry.get_ref() else {
            return Err(vec![
                self.error(entry_line, "a [[question]] entry must be a table"),
            ]);
        };
        let fields = self.fields(table, &mut problems);
        let present = fields.present.clone();
        let mut require = |value: Option<String>, name: &str| {
            if value.is_none() && !present.iter().any(|p| p == name) {
                problems.push(self.error(entry_line, format!("missing `{name}`")));
            }
            value.unwrap_or_default()
        };
        let question = Question {
            id: require(fields.id, "id"),
            topic: require(fields.topic, "topic"),
            question: require(fields.question, "question"),
            answer: require(fields.answer, "answer"),
            aliases: fields.aliases,
            tags: fields.tags,
            difficulty: fields.difficulty.unwrap_or_default(),
            source: fields.source,
            distinct_from: fields.distinct_from,
            quiz_option: fields.quiz_option,
            not_with: fields.not_with,
            origin: Origin {
                file: self.file.to_path_buf(),
                line: entry_line,
            },
        };
        if problems.is_empty() {
            Ok(question)
        } else {
            Err(problems)
        }
    }

    fn fields(&self, table: &DeTable<'_>, problems: &mut Vec<Diagnostic>) -> Fields {
        let mut fields = Fields::default();
        for (key, value) in table {
            let name = key.get_ref().as_ref();
            let line = self.lines.line_of(key.span().start);
            fields.present.push(name.to_string());
            let result = match name {
                "id" => self.text(value, name).map(|v| fields.id = Some(v)),
                "topic" => self.text(value, name).map(|v| fields.topic = Some(v)),
                "question" => self.text(value, name).map(|v| fields.question = Some(v)),
                "answer" => self.text(value, name).map(|v| fields.answer = Some(v)),
                "source" => self.text(value, name).map(|v| fields.source = Some(v)),
                "difficulty" => self
                    .text(value, name)
                    .and_then(|v| Difficulty::from_str(&v).map(|d| fields.difficulty = Some(d))),
                "aliases" => self.list(value, name).map(|v| fields.aliases = v),
                "tags" => self.list(value, name).map(|v| fields.tags = v),
                "distinct_from" => self.list(value, name).map(|v| fields.distinct_from = v),
                "not_with" => self.list(value, name).map(|v| fields.not_with = v),
                "quiz_option" => self
                    .text(value, name)
                    .and_then(|v| quiz_option(&v).map(|v| fields.quiz_option = Some(v))),
                other => Err(format!("unknown key `{other}`")),
            };
            if let Err(message) = result {
                problems.push(self.error(line, message));
            }
        }
        if let Some(topic) = &fields.topic {
            if !is_slug(topic) {
                problems.push(self.error(
                    self.key_line(table, "topic"),
                    format!("topic `{topic}` must be a lowercase slug like `web-security`"),
                ));
            }
        }
        if let Some(id) = &fields.id {
            if id.chars().any(char::is_whitespace) {
                problems.push(self.error(
                    self.key_line(table, "id"),
                    format!("id `{id}` must not contain spaces"),
                ));
            }
        }
        fields
    }

    fn key_line(&self, table: &DeTable<'_>, name: &str) -> usize {
        table
            .keys()
            .find(|k| k.get_ref() == name)
            .map_or(1, |k| self.lines.line_of(k.span().start))
    }

    /// A non-blank string, trimmed.
    fn text(&self, value: &Spanned<DeValue<'_>>, name: &str) -> Result<String, String> {
        match value.get_ref() {
            DeValue::String(s) if s.trim().is_empty() => Err(format!("empty `{name}`")),
            DeValue::String(s) => Ok(s.trim().to_string()),
            _ => Err(format!("`{name}` must be a string")),
        }
    }

    /// A list of non-blank strings, trimmed.
    fn list(&self, value: &Spanned<DeValue<'_>>, name: &str) -> Result<Vec<String>, String> {
        let DeValue::Array(items) = value.get_ref() else {
            return Err(format!("`{name}` must be a list of strings"));
        };
        items
            .iter()
            .map(|item| match item.get_ref() {
                DeValue::String(s) if !s.trim().is_empty() => Ok(s.trim().to_string()),
                DeValue::String(_) => Err(format!("`{name}` has an empty entry")),
                _ => Err(format!("`{name}` must be a list of strings")),
            })
            .collect()
    }

    fn error(&self, line: usize, message: impl Into<String>) -> Diagnostic {
        Diagnostic::error(self.file, line, message)
    }
}

/// A `quiz_option`: one line of at most [`QUIZ_OPTION_CHARS`] characters.
fn quiz_option(text: &str) -> Result<String, String> {
    if text.contains('\n') {
        return Err("`quiz_option` must be one line".to_string());
    }
    let n = text.chars().count();
    if n > QUIZ_OPTION_CHARS {
        return Err(format!(
            "`quiz_option` has {n} characters, more than {QUIZ_OPTION_CHARS}: shorten it"
        ));
    }
    Ok(text.to_string())
}

/// Lowercase ASCII letters and digits, with single dashes between them.
pub fn is_slug(text: &str) -> bool {
    !text.is_empty()
        && text.split('-').all(|part| {
            !part.is_empty()
                && part
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
        })
}

/// Byte offset to 1-based line number.
struct LineIndex {
    starts: Vec<usize>,
}

impl LineIndex {
    fn new(text: &str) -> Self {
        let starts = std::iter::once(0)
            .chain(text.match_indices('\n').map(|(i, _)| i + 1))
            .collect();
        LineIndex { starts }
    }

    fn line_of(&self, offset: usize) -> usize {
        self.starts.partition_point(|&start| start <= offset)
    }
}
