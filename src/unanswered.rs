//! What people asked that the bank had no entry for, grouped by meaning: the
//! queries of a period are put together when they say the same thing (cosine of
//! their embeddings with the model, shared words without it), each group counted
//! by asks and by distinct askers, most asked first. Also the text a maintainer
//! fills in and imports (`bank unanswered`), in the `bank import --format text`
//! shape with empty answers.

use std::collections::HashSet;

use crate::analyzer::{analyzer, terms};
use crate::semantic::Model;
use crate::store::UnansweredRow;

/// Two queries whose embeddings are at least this close ask the same thing.
const SAME_MEANING: f32 = 0.8;
/// Without the model: two queries sharing this share of their words (Jaccard).
const SAME_WORDS: f32 = 0.5;
/// At most this many queries are grouped at once (the newest).
pub const MAX_QUERIES: i64 = 1_000;

/// Queries that ask the same thing.
#[derive(Debug, Clone, PartialEq)]
pub struct Group {
    /// The query asked most often in the group (the newest of equals).
    pub example: String,
    pub asks: usize,
    pub askers: usize,
    /// Unix ms of the newest ask.
    pub last_asked: i64,
}

/// Groups `rows` (newest first) by meaning with `model`, else by words; most asked first.
pub fn group(rows: &[UnansweredRow], model: Option<&Model>) -> Vec<Group> {
    let texts: Vec<&str> = rows.iter().map(|r| r.query.as_str()).collect();
    let vectors = model.and_then(|m| match m.embed(&texts) {
        Ok(vectors) => Some(vectors),
        Err(e) => {
            tracing::warn!("grouping unanswered questions by words: {e}");
            None
        }
    });
    let words: Vec<HashSet<String>> = match vectors {
        Some(_) => Vec::new(),
        None => {
            let mut analyzer = analyzer();
            texts
                .iter()
                .map(|t| terms(&mut analyzer, t).into_iter().collect())
                .collect()
        }
    };
    let same = |a: usize, b: usize| match &vectors {
        Some(v) => cosine(&v[a], &v[b]) >= SAME_MEANING,
        None => jaccard(&words[a], &words[b]) >= SAME_WORDS,
    };
    // Each group is led by its first (newest) query; members join the first group they match.
    let mut leaders: Vec<usize> = Vec::new();
    let mut members: Vec<Vec<usize>> = Vec::new();
    for i in 0..rows.len() {
        match leaders.iter().position(|&l| same(l, i)) {
            Some(g) => members[g].push(i),
            None => {
                leaders.push(i);
                members.push(vec![i]);
            }
        }
    }
    let mut groups: Vec<Group> = members
        .iter()
        .map(|m| {
            let askers: HashSet<&str> = m.iter().map(|&i| rows[i].asker.as_str()).collect();
            Group {
                example: most_asked(m.iter().map(|&i| texts[i])),
                asks: m.len(),
                askers: askers.len(),
                last_asked: m.iter().map(|&i| rows[i].asked_at).max().unwrap_or(0),
            }
        })
        .collect();
    groups.sort_by(|a, b| {
        b.asks
            .cmp(&a.asks)
            .then(b.askers.cmp(&a.askers))
            .then(b.last_asked.cmp(&a.last_asked))
    });
    groups
}

/// The text asked most often (by its normalised form), the first of equals.
fn most_asked<'a>(texts: impl Iterator<Item = &'a str>) -> String {
    let texts: Vec<&str> = texts.collect();
    let key = |t: &str| t.trim().to_lowercase();
    texts
        .iter()
        .max_by_key(|t| {
            let n = texts.iter().filter(|o| key(o) == key(t)).count();
            // max_by_key keeps the last maximum: prefer earlier (newer) ones.
            (n, std::cmp::Reverse(texts.iter().position(|o| o == *t)))
        })
        .map_or_else(String::new, |t| t.trim().to_string())
}

fn cosine(a: &[f32], b: &[f32]) -> f32 {
    let dot: f32 = a.iter().zip(b).map(|(x, y)| x * y).sum();
    let norm = |v: &[f32]| v.iter().map(|x| x * x).sum::<f32>().sqrt();
    let n = norm(a) * norm(b);
    if n > 0.0 { dot / n } else { 0.0 }
}

fn jaccard(a: &HashSet<String>, b: &HashSet<String>) -> f32 {
    if a.is_empty() && b.is_empty() {
        return 1.0;
    }
    a.intersection(b).count() as f32 / a.union(b).count() as f32
}

/// The groups as `bank import --format text` input with empty answers, most asked first.
pub fn import_text(groups: &[Group], since: &str) -> String {
    let mut out = format!(
        "# Questions people asked since {since} that the bank has no entry for, most asked first.\n\
         # Write each answer after \"Answer:\", then: interview-bot bank import FILE --format text --topic TOPIC\n"
    );
    for g in groups {
        out.push_str(&format!(
            "# asked {} time{} by {} {}: {}\n",
            g.asks,
            if g.asks == 1 { "" } else { "s" },
            g.askers,
            if g.askers == 1 { "person" } else { "people" },
            g.example
        ));
    }
    for g in groups {
        out.push_str(&format!(
            "\nQuestion: {}\nAnswer:\n\n",
            one_line(&g.example)
        ));
    }
    out
}

fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// A period like `30d`, `12h` or `2w` in milliseconds.
pub fn parse_period(text: &str) -> Option<i64> {
    let text = text.trim();
    let split = text.find(|c: char| !c.is_ascii_digit())?;
    let (number, unit) = text.split_at(split);
    let number: i64 = number.parse().ok().filter(|n| *n > 0)?;
    let hour = 3_600_000i64;
    let unit = match unit {
        "h" => hour,
        "d" => 24 * hour,
        "w" => 7 * 24 * hour,
        _ => return None,
    };
    number.checked_mul(unit)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(query: &str, asker: &str, at: i64) -> UnansweredRow {
        UnansweredRow {
            guild: "g".to_string(),
            asked_at: at,
            query: query.to_string(),
            asker: asker.to_string(),
        }
    }

    #[test]
    fn near_duplicates_group_by_words_and_count_askers() {
        let rows = [
            row("how do react hooks work", "a", 5),
            row("what is kafka", "a", 4),
            row("react hooks how do they work?", "b", 3),
            row("How do react hooks work", "a", 2),
        ];
        let groups = group(&rows, None);
        assert_eq!(groups.len(), 2, "{groups:?}");
        assert_eq!(groups[0].asks, 3);
        assert_eq!(groups[0].askers, 2);
        assert_eq!(groups[0].example, "how do react hooks work");
        assert_eq!(groups[0].last_asked, 5);
        assert_eq!(groups[1].example, "what is kafka");
    }

    #[test]
    fn import_text_parses_back_as_questions_with_empty_answers() {
        let groups = group(
            &[
                row("what is kafka", "a", 2),
                row("what is a goroutine", "b", 1),
            ],
            None,
        );
        let text = import_text(&groups, "2026-11-01");
        let parsed = crate::bank::import::text::parse(&text);
        let questions: Vec<&str> = parsed.records.iter().map(|r| r.question.as_str()).collect();
        assert_eq!(
            questions,
            ["what is kafka", "what is a goroutine"],
            "{text}"
        );
        assert!(parsed.records.iter().all(|r| r.answer.trim().is_empty()));
    }

    #[test]
    fn periods() {
        assert_eq!(parse_period("30d"), Some(30 * 86_400_000));
        assert_eq!(parse_period("12h"), Some(12 * 3_600_000));
        assert_eq!(parse_period("2w"), Some(14 * 86_400_000));
        for bad in ["", "d", "0d", "30", "30m", "-1d", "30 d"] {
            assert_eq!(parse_period(bad), None, "{bad}");
        }
    }
}
