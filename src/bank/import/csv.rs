//! `--format csv`: a header row naming the columns (case-insensitive, trimmed), then
//! one record per row. `question` and `answer` are required; `topic`, `id`,
//! `aliases` and `tags` (both separated by `|`), `difficulty` and `source` are
//! optional; other columns are ignored. Quoted fields may hold commas and newlines.

use std::path::Path;
use std::str::FromStr;

use ::csv::{ReaderBuilder, StringRecord};

use super::{Parsed, Record};
use crate::bank::{Diagnostic, Difficulty};

/// Where each known column is in the header.
struct Columns {
    question: usize,
    answer: usize,
    topic: Option<usize>,
    id: Option<usize>,
    aliases: Option<usize>,
    tags: Option<usize>,
    difficulty: Option<usize>,
    source: Option<usize>,
}

impl Columns {
    fn from_header(file: &Path, header: &StringRecord) -> Result<Self, Diagnostic> {
        let find = |name: &str| {
            header
                .iter()
                .position(|h| h.trim().eq_ignore_ascii_case(name))
        };
        let require = |name: &str| {
            find(name).ok_or_else(|| {
                Diagnostic::error(
                    file,
                    1,
                    format!(
                        "the header row has no `{name}` column (it needs `question` and `answer`)"
                    ),
                )
            })
        };
        Ok(Columns {
            question: require("question")?,
            answer: require("answer")?,
            topic: find("topic"),
            id: find("id"),
            aliases: find("aliases"),
            tags: find("tags"),
            difficulty: find("difficulty"),
            source: find("source"),
        })
    }
}

/// Reads CSV text; a file without `question` and `answer` header columns is an error.
pub fn parse(file: &Path, text: &str) -> Result<Parsed, Diagnostic> {
    // The csv reader counts a record after `\r\n` as starting on the line before.
    let text = text.replace("\r\n", "\n");
    let mut reader = ReaderBuilder::new()
        .has_headers(true)
        .flexible(true)
        .from_reader(text.as_bytes());
    let header = reader
        .headers()
        .map_err(|e| Diagnostic::error(file, 1, format!("cannot read the header row: {e}")))?
        .clone();
    let columns = Columns::from_header(file, &header)?;
    let mut parsed = Parsed::default();
    for row in reader.records() {
        let row = match row {
            Ok(row) => row,
            Err(e) => {
                let line = e.position().map_or(1, |p| p.line() as usize);
                parsed.skipped.push(Diagnostic::error(
                    file,
                    line,
                    format!("unreadable row: {e}"),
                ));
                continue;
            }
        };
        let line = row.position().map_or(1, |p| p.line() as usize);
        if row.iter().all(|field| field.trim().is_empty()) {
            continue;
        }
        match record(&columns, &row, line) {
            Ok(record) => parsed.records.push(record),
            Err(message) => parsed.skipped.push(Diagnostic::error(file, line, message)),
        }
    }
    Ok(parsed)
}

fn record(columns: &Columns, row: &StringRecord, line: usize) -> Result<Record, String> {
    let field = |column: Option<usize>| {
        column
            .and_then(|i| row.get(i))
            .map(str::trim)
            .filter(|s| !s.is_empty())
    };
    let text = |column: Option<usize>| field(column).map(str::to_string);
    let list = |column: Option<usize>| {
        field(column)
            .map(|s| s.split('|').map(|item| item.trim().to_string()).collect())
            .unwrap_or_default()
    };
    let difficulty = field(columns.difficulty)
        .map(Difficulty::from_str)
        .transpose()?;
    Ok(Record {
        question: text(Some(columns.question)).unwrap_or_default(),
        answer: text(Some(columns.answer)).unwrap_or_default(),
        line,
        topic: text(columns.topic),
        id: text(columns.id),
        aliases: list(columns.aliases),
        tags: list(columns.tags),
        difficulty,
        source: text(columns.source),
        quiz_option: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_ok(text: &str) -> Parsed {
        parse(Path::new("t.csv"), text).expect("parses")
    }

    #[test]
    fn records_carry_the_line_they_start_on() {
        let parsed =
            parse_ok("Question , ANSWER,extra\n\"What, exactly?\",\"one\ntwo\",x\nNext?,yes,y\n");
        let lines: Vec<_> = parsed.records.iter().map(|r| r.line).collect();
        assert_eq!(lines, [2, 4]);
        assert_eq!(parsed.records[0].question, "What, exactly?");
        assert_eq!(parsed.records[0].answer, "one\ntwo");
    }

    #[test]
    fn crlf_rows_keep_their_line_numbers() {
        let parsed = parse_ok("question,answer\r\n\"Q\r\n?\",A\r\nR?,B\r\n");
        let lines: Vec<_> = parsed.records.iter().map(|r| r.line).collect();
        assert_eq!(lines, [2, 4]);
        assert_eq!(parsed.records[0].question, "Q\n?");
    }

    #[test]
    fn optional_columns_are_read() {
        let parsed = parse_ok(
            "question,answer,topic,id,aliases,tags,difficulty,source\n\
             Q?,A,Docker,d-1,other q| another ,a|b,HARD,book\n",
        );
        let r = &parsed.records[0];
        assert_eq!(r.topic.as_deref(), Some("Docker"));
        assert_eq!(r.id.as_deref(), Some("d-1"));
        assert_eq!(r.aliases, ["other q", "another"]);
        assert_eq!(r.tags, ["a", "b"]);
        assert_eq!(r.difficulty, Some(Difficulty::Hard));
        assert_eq!(r.source.as_deref(), Some("book"));
    }

    #[test]
    fn a_bad_difficulty_skips_the_row() {
        let parsed = parse_ok("question,answer,difficulty\nQ?,A,extreme\nR?,B,\n");
        assert_eq!(parsed.records.len(), 1);
        assert_eq!(parsed.skipped[0].line, 2);
        assert_eq!(
            parsed.skipped[0].message,
            "difficulty must be easy, medium or hard, not `extreme`"
        );
    }

    #[test]
    fn short_and_blank_rows() {
        let parsed = parse_ok("question,answer\nOnly a question?\n,\n");
        assert_eq!(parsed.records.len(), 1);
        assert_eq!(parsed.records[0].answer, "");
    }

    #[test]
    fn header_without_answer_is_a_format_error() {
        let error = parse(Path::new("t.csv"), "question,reply\nQ?,A\n").unwrap_err();
        assert_eq!(error.line, 1);
        assert!(error.message.contains("`answer`"), "{}", error.message);
        assert!(parse(Path::new("t.csv"), "").is_err());
    }
}
