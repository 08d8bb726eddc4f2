//! Renders questions in the bank's TOML format (see `data/README.md`), the way a
//! person would write them: one `[[question]]` table each, long answers as
//! multi-line strings.

use std::fmt::Write;

use super::Question;

/// A whole bank file: a header comment, then one table per question.
pub fn bank_file(header: &str, questions: &[Question]) -> String {
    let mut out = String::new();
    for line in header.lines() {
        let _ = writeln!(out, "# {line}");
    }
    for q in questions {
        out.push('\n');
        out.push_str(&entry(q));
    }
    out
}

/// One `[[question]]` table.
pub fn entry(q: &Question) -> String {
    let mut out = String::from("[[question]]\n");
    let mut key = |name: &str, value: String| {
        let _ = writeln!(out, "{name} = {value}");
    };
    key("id", basic(&q.id));
    key("topic", basic(&q.topic));
    key("question", basic(&q.question));
    if !q.aliases.is_empty() {
        key("aliases", list(&q.aliases));
    }
    key("answer", text(&q.answer));
    if !q.tags.is_empty() {
        key("tags", list(&q.tags));
    }
    key("difficulty", basic(q.difficulty.as_str()));
    if let Some(source) = &q.source {
        key("source", basic(source));
    }
    if !q.distinct_from.is_empty() {
        key("distinct_from", list(&q.distinct_from));
    }
    if let Some(option) = &q.quiz_option {
        key("quiz_option", basic(option));
    }
    if !q.not_with.is_empty() {
        key("not_with", list(&q.not_with));
    }
    out
}

fn basic(value: &str) -> String {
    toml::Value::String(value.to_string()).to_string()
}

fn list(values: &[String]) -> String {
    let items: Vec<String> = values.iter().map(|v| basic(v)).collect();
    format!("[{}]", items.join(", "))
}

/// Short single-line text as a basic string, anything longer as a multi-line one.
fn text(value: &str) -> String {
    if !value.contains('\n') && value.len() <= 80 {
        return basic(value);
    }
    let mut out = String::from("\"\"\"\n");
    let chars: Vec<char> = value.chars().collect();
    for (i, &c) in chars.iter().enumerate() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' if i + 1 == chars.len() || chars[i + 1] == '"' => out.push_str("\\\""),
            '\n' | '\t' => out.push(c),
            c if c.is_control() => {
                let _ = write!(out, "\\u{:04X}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push_str("\n\"\"\"");
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bank::parse_file;
    use std::path::Path;

    #[test]
    fn written_entries_read_back_unchanged() {
        let q = Question {
            id: "x-001".into(),
            topic: "x".into(),
            question: "Is \"quoted\" \\ text kept?".into(),
            answer: "Line one \"\"\" with quotes\nline two ends with a quote\"".into(),
            aliases: vec!["alias \"one\"".into()],
            tags: vec!["t".into()],
            difficulty: crate::bank::Difficulty::Hard,
            source: Some("somewhere".into()),
            distinct_from: vec!["x-002".into()],
            quiz_option: Some("A \"quoted\" one-liner".into()),
            not_with: vec!["x-003".into()],
            origin: Default::default(),
        };
        let text = bank_file("test bank", std::slice::from_ref(&q));
        let (read, problems) = parse_file(Path::new("t.toml"), &text);
        assert!(problems.is_empty(), "{problems:?}\n{text}");
        assert_eq!(read.len(), 1);
        let mut back = read[0].clone();
        back.origin = Default::default();
        assert_eq!(back, q);
    }
}
