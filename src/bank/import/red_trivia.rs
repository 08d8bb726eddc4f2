//! `--format red-trivia`: Red-DiscordBot trivia lists, a YAML mapping of
//! `Question text?: [accepted answer, another]`. The first accepted answer becomes the
//! answer and the others an `Also accepted:` line; `AUTHOR` and `CONFIG` are not
//! questions. YAML does not keep key positions, so each question's line is found by
//! scanning the text for the top-level key.

use std::path::Path;

use serde_norway::Value;

use super::{Parsed, Record};
use crate::bank::Diagnostic;

/// Top-level keys of a trivia list that are settings, not questions.
const RESERVED: [&str; 2] = ["AUTHOR", "CONFIG"];

/// Reads a trivia list; YAML that is not a mapping is an error.
pub fn parse(file: &Path, text: &str) -> Result<Parsed, Diagnostic> {
    let document: Pairs = serde_norway::from_str(text).map_err(|e| {
        let line = e.location().map_or(1, |l| l.line());
        let message = e.to_string();
        let message = message.split(" at line ").next().unwrap_or(&message);
        Diagnostic::error(file, line, format!("not valid yaml: {message}"))
    })?;
    let Pairs(Some(entries)) = document else {
        return Err(Diagnostic::error(
            file,
            1,
            "a trivia list must be a yaml mapping of `question: [answers]`",
        ));
    };
    let keys = key_lines(text);
    let mut parsed = Parsed::default();
    // Red loads a list with a repeated question (the last wins); here the
    // first is kept and each repeat is reported at its own line.
    let mut first_at: std::collections::HashMap<String, usize> = Default::default();
    for (index, (key, value)) in entries.iter().enumerate() {
        let question = scalar(key).unwrap_or_default();
        if RESERVED.contains(&question.as_str()) {
            continue;
        }
        let earlier = first_at.get(&question).copied();
        let line = keys
            .iter()
            .filter(|(_, k)| *k == question)
            .find(|(line, _)| earlier.is_none_or(|first| *line > first))
            .or_else(|| (keys.len() == entries.len()).then(|| &keys[index]))
            .map_or(1, |(line, _)| *line);
        if let Some(first) = earlier {
            parsed.skipped.push(Diagnostic::warning(
                file,
                line,
                format!("the question is repeated (first at line {first}): the first is kept"),
            ));
            continue;
        }
        first_at.insert(question.clone(), line);
        match answer(value) {
            Ok(answer) => parsed.records.push(Record {
                question,
                quiz_option: answer.lines().next().map(str::to_string),
                answer,
                line,
                ..Record::default()
            }),
            Err(message) => parsed.skipped.push(Diagnostic::error(file, line, message)),
        }
    }
    Ok(parsed)
}

/// A YAML document's top-level mapping as key/value pairs in order, repeated
/// keys included (`None` when the document is not a mapping).
struct Pairs(Option<Vec<(Value, Value)>>);

impl<'de> serde::Deserialize<'de> for Pairs {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Visit;
        impl<'de> serde::de::Visitor<'de> for Visit {
            type Value = Pairs;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a mapping of questions to answers")
            }
            fn visit_map<M: serde::de::MapAccess<'de>>(
                self,
                mut map: M,
            ) -> Result<Pairs, M::Error> {
                let mut pairs = Vec::new();
                while let Some(pair) = map.next_entry::<Value, Value>()? {
                    pairs.push(pair);
                }
                Ok(Pairs(Some(pairs)))
            }
            fn visit_seq<S: serde::de::SeqAccess<'de>>(
                self,
                mut seq: S,
            ) -> Result<Pairs, S::Error> {
                while seq.next_element::<serde::de::IgnoredAny>()?.is_some() {}
                Ok(Pairs(None))
            }
            fn visit_str<E: serde::de::Error>(self, _: &str) -> Result<Pairs, E> {
                Ok(Pairs(None))
            }
            fn visit_i64<E: serde::de::Error>(self, _: i64) -> Result<Pairs, E> {
                Ok(Pairs(None))
            }
            fn visit_u64<E: serde::de::Error>(self, _: u64) -> Result<Pairs, E> {
                Ok(Pairs(None))
            }
            fn visit_f64<E: serde::de::Error>(self, _: f64) -> Result<Pairs, E> {
                Ok(Pairs(None))
            }
            fn visit_bool<E: serde::de::Error>(self, _: bool) -> Result<Pairs, E> {
                Ok(Pairs(None))
            }
            fn visit_unit<E: serde::de::Error>(self) -> Result<Pairs, E> {
                Ok(Pairs(None))
            }
        }
        deserializer.deserialize_any(Visit)
    }
}

/// The first accepted answer, then `Also accepted: ...` when there are others.
fn answer(value: &Value) -> Result<String, String> {
    let accepted: Vec<String> = match value {
        Value::Sequence(items) => items.iter().filter_map(scalar).collect(),
        Value::Mapping(_) => return Err("answers must be a list, not a mapping".to_string()),
        other => scalar(other).into_iter().collect(),
    };
    let mut accepted = accepted.into_iter().map(|a| a.trim().to_string());
    let Some(first) = accepted.by_ref().find(|a| !a.is_empty()) else {
        return Ok(String::new());
    };
    let mut others: Vec<String> = Vec::new();
    for a in accepted {
        let known = |b: &String| b.to_lowercase() == a.to_lowercase();
        if !a.is_empty() && !known(&first) && !others.iter().any(known) {
            others.push(a);
        }
    }
    if others.is_empty() {
        Ok(first)
    } else {
        Ok(format!("{first}\nAlso accepted: {}", others.join(", ")))
    }
}

/// Strings, numbers and booleans as text; anything else is not an answer.
fn scalar(value: &Value) -> Option<String> {
    match value {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        Value::Tagged(tagged) => scalar(&tagged.value),
        _ => None,
    }
}

/// The line and text of every top-level key, in file order.
fn key_lines(text: &str) -> Vec<(usize, String)> {
    text.lines()
        .enumerate()
        .filter_map(|(i, line)| top_level_key(line).map(|key| (i + 1, key)))
        .collect()
}

/// The key a line starts, if it starts one at the top level: plain, `"double"` or
/// `'single'` quoted, followed by `:`.
fn top_level_key(line: &str) -> Option<String> {
    let first = line.chars().next()?;
    if first.is_whitespace()
        || matches!(first, '#' | '-' | '?' | ':' | '[' | '{' | '&' | '!' | '%')
        || line.starts_with("...")
    {
        return None;
    }
    let (key, rest) = match first {
        '"' => double_quoted(&line[1..])?,
        '\'' => single_quoted(&line[1..])?,
        _ => {
            let end = line
                .match_indices(':')
                .map(|(i, _)| i)
                .find(|&i| line[i + 1..].chars().next().is_none_or(char::is_whitespace))?;
            return Some(line[..end].trim().to_string());
        }
    };
    rest.trim_start().starts_with(':').then_some(key)
}

/// A double-quoted key up to its closing quote, with the usual escapes; and the rest.
fn double_quoted(text: &str) -> Option<(String, &str)> {
    let mut key = String::new();
    let mut chars = text.char_indices();
    while let Some((i, c)) = chars.next() {
        match c {
            '"' => return Some((key, &text[i + 1..])),
            '\\' => match chars.next()?.1 {
                'n' => key.push('\n'),
                't' => key.push('\t'),
                '0' => key.push('\0'),
                'u' | 'x' | 'U' => return None,
                other => key.push(other),
            },
            c => key.push(c),
        }
    }
    None
}

/// A single-quoted key (`''` is a quote) up to its closing quote; and the rest.
fn single_quoted(text: &str) -> Option<(String, &str)> {
    let mut key = String::new();
    let mut chars = text.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        if c != '\'' {
            key.push(c);
        } else if chars.peek().is_some_and(|&(_, n)| n == '\'') {
            chars.next();
            key.push('\'');
        } else {
            return Some((key, &text[i + 1..]));
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_found_in_every_quoting_style() {
        assert_eq!(
            top_level_key("What is 2+2?: [4]").as_deref(),
            Some("What is 2+2?")
        );
        assert_eq!(top_level_key("Key:").as_deref(), Some("Key"));
        assert_eq!(
            top_level_key("url http://x: [a]").as_deref(),
            Some("url http://x")
        );
        assert_eq!(
            top_level_key(r#""Say \"hi\": now?": [hi]"#).as_deref(),
            Some(r#"Say "hi": now?"#)
        );
        assert_eq!(
            top_level_key("'It''s: what?' : [x]").as_deref(),
            Some("It's: what?")
        );
        assert_eq!(top_level_key("- item"), None);
        assert_eq!(top_level_key("  nested: x"), None);
        assert_eq!(top_level_key("no colon here"), None);
    }

    #[test]
    fn answers_from_lists_numbers_and_strings() {
        let repeated = parse(
            Path::new("t.yaml"),
            "AUTHOR: me\nWhat?: [first, also]\nOther?: [b]\nWhat?: [second]\n",
        )
        .unwrap();
        assert_eq!(repeated.records.len(), 2);
        assert_eq!(repeated.records[0].answer, "first\nAlso accepted: also");
        assert_eq!(repeated.records[0].quiz_option.as_deref(), Some("first"));
        assert_eq!(repeated.skipped.len(), 1);
        assert_eq!(repeated.skipped[0].line, 4);
        assert!(repeated.skipped[0].message.contains("first at line 2"));
        let value: Value = serde_norway::from_str("[1989, Nineteen eighty-nine, '1989']").unwrap();
        assert_eq!(
            answer(&value).unwrap(),
            "1989\nAlso accepted: Nineteen eighty-nine"
        );
        assert_eq!(answer(&Value::String("Paris".into())).unwrap(), "Paris");
        assert_eq!(answer(&Value::Null).unwrap(), "");
        let mapping: Value = serde_norway::from_str("{a: b}").unwrap();
        assert!(answer(&mapping).is_err());
    }

    #[test]
    fn lines_fall_back_to_key_order_then_one() {
        let text = "AUTHOR: me\n? complex key\n: [a]\nPlain?: [b]\n";
        let parsed = parse(Path::new("t.yaml"), text).unwrap();
        let found: Vec<_> = parsed
            .records
            .iter()
            .map(|r| (r.question.as_str(), r.line))
            .collect();
        assert_eq!(found, [("complex key", 1), ("Plain?", 4)]);
    }

    #[test]
    fn a_list_document_is_a_format_error() {
        let error = parse(Path::new("t.yaml"), "- a\n- b\n").unwrap_err();
        assert_eq!(error.line, 1);
        let error = parse(Path::new("t.yaml"), "a: [b\nc: d\n").unwrap_err();
        assert!(
            error.message.starts_with("not valid yaml"),
            "{}",
            error.message
        );
    }
}
