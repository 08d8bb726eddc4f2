//! Search quality on chat-style queries (`tests/fixtures/dev_queries.tsv`, a copy of
//! the shared dev set, and `heldout_queries.tsv`, written without looking at the
//! results), scored the way `../shared/eval/search_quality.py` scores it. On the dev
//! set, recall@1 must reach 0.90 and recall@3 0.97 with words alone, and 0.96 and
//! 0.99 with the embedding model.

mod common;

use std::collections::HashSet;

use interview_bot::bank::Bank;
use interview_bot::search::{SearchOptions, Searcher};

enum Expected {
    /// Any of these question texts (or aliases) counts.
    Questions(Vec<String>),
    /// The top hit's question or an alias has one of these word sets.
    Keywords(Vec<Vec<String>>),
}

fn words(text: &str) -> HashSet<String> {
    text.to_lowercase()
        .replace('’', "'")
        .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .filter(|w| !w.is_empty())
        .map(str::to_string)
        .collect()
}

fn same_question(a: &str, b: &str) -> bool {
    let (a, b) = (words(a), words(b));
    let union = a.union(&b).count();
    union > 0
        && !a.is_empty()
        && !b.is_empty()
        && a.intersection(&b).count() as f64 / union as f64 >= 0.6
}

fn has_word_start(text: &str, word: &str) -> bool {
    let text = text.to_lowercase();
    let word = word.to_lowercase();
    text.match_indices(&word).any(|(i, _)| {
        text[..i]
            .chars()
            .next_back()
            .is_none_or(|c| !(c.is_ascii_alphanumeric() || c == '_'))
    })
}

const DEV: &str = "tests/fixtures/dev_queries.tsv";
const HELD_OUT: &str = "tests/fixtures/heldout_queries.tsv";
/// People describing what happened to them, sharing at most one content word with the
/// entry's question: where words alone are weakest and meaning must help most.
const SITUATIONS: &str = "tests/fixtures/situation_queries.tsv";

fn cases(file: &str) -> Vec<(String, Expected)> {
    let text = std::fs::read_to_string(common::repo().join(file)).unwrap();
    text.lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .map(|line| {
            let (query, expected) = line.split_once('\t').expect("query<TAB>expected");
            let expected = match expected.strip_prefix("kw:") {
                Some(kw) => Expected::Keywords(
                    kw.split('|')
                        .map(|alt| alt.split('&').map(str::to_string).collect())
                        .collect(),
                ),
                None => Expected::Questions(
                    expected
                        .split(" || ")
                        .map(|e| e.trim().to_string())
                        .collect(),
                ),
            };
            (query.to_string(), expected)
        })
        .collect()
}

fn rank(bank: &Bank, searcher: &Searcher, query: &str, expected: &Expected) -> Option<usize> {
    let found = searcher.search(query, &SearchOptions::top(5)).unwrap();
    for (i, hit) in found.hits.iter().enumerate() {
        let q = bank.get(&hit.id).unwrap();
        match expected {
            Expected::Keywords(alternatives) => {
                let text = q.phrasings().collect::<Vec<_>>().join(" ");
                let ok = alternatives
                    .iter()
                    .any(|alt| alt.iter().all(|w| has_word_start(&text, w)));
                return ok.then_some(i + 1);
            }
            Expected::Questions(wanted) => {
                if q.phrasings()
                    .any(|p| wanted.iter().any(|w| same_question(p, w)))
                {
                    return Some(i + 1);
                }
            }
        }
    }
    None
}

/// Recall@1 and recall@3 on the queries of `file`, and the queries not ranked first.
fn recall(bank: &Bank, searcher: &Searcher, file: &str) -> (f64, f64, Vec<String>) {
    let cases = cases(file);
    assert!(cases.len() >= 70, "{} cases", cases.len());
    let mut at1 = 0;
    let mut at3 = 0;
    let mut misses = Vec::new();
    for (query, expected) in &cases {
        match rank(bank, searcher, query, expected) {
            Some(1) => {
                at1 += 1;
                at3 += 1;
            }
            Some(r) if r <= 3 => {
                at3 += 1;
                misses.push(format!("{query} (rank {r})"));
            }
            r => misses.push(format!("{query} (rank {r:?})")),
        }
    }
    let n = cases.len() as f64;
    let (r1, r3) = (at1 as f64 / n, at3 as f64 / n);
    eprintln!("{file}: recall@1 {r1:.3} recall@3 {r3:.3}; not first: {misses:#?}");
    (r1, r3, misses)
}

#[test]
fn dev_queries_meet_the_recall_targets() {
    let bank = common::shipped_bank();
    let index = tempfile::tempdir().unwrap();
    let searcher = common::searcher(&bank, index.path());
    let (r1, r3, misses) = recall(&bank, &searcher, DEV);
    assert!(r1 >= 0.90, "recall@1 {r1:.3} < 0.90: {misses:#?}");
    assert!(r3 >= 0.97, "recall@3 {r3:.3} < 0.97: {misses:#?}");
}

#[test]
fn meaning_and_words_together_meet_the_semantic_targets() {
    let bank = common::shipped_bank();
    let Some(hybrid) = common::semantic_searcher(&bank) else {
        common::skip("search quality with the embedding model", common::NO_MODEL);
        return;
    };
    let (r1, r3, misses) = recall(&bank, &hybrid, DEV);
    assert!(r1 >= 0.96, "dev recall@1 {r1:.3} < 0.96: {misses:#?}");
    assert!(r3 >= 0.99, "dev recall@3 {r3:.3} < 0.99: {misses:#?}");
    // The held-out sets guard against tuning to the dev set. Situation aliases lift
    // words alone on name-style held-out queries, so meaning must add much over words
    // where they are weakest (situations) and never do worse elsewhere.
    let index = tempfile::tempdir().unwrap();
    let words = common::searcher(&bank, index.path());
    let (words_r1, words_r3, _) = recall(&bank, &words, HELD_OUT);
    let (held_r1, held_r3, misses) = recall(&bank, &hybrid, HELD_OUT);
    let (words_s1, words_s3, _) = recall(&bank, &words, SITUATIONS);
    let (sit_r1, sit_r3, _) = recall(&bank, &hybrid, SITUATIONS);
    assert!(
        held_r1 >= 0.80,
        "held-out recall@1 {held_r1:.3}: {misses:#?}"
    );
    assert!(
        held_r3 >= 0.88,
        "held-out recall@3 {held_r3:.3}: {misses:#?}"
    );
    assert!(
        held_r1 >= words_r1 && held_r3 >= words_r3,
        "meaning should not lose to words on held-out queries: {held_r1:.3}/{held_r3:.3} vs {words_r1:.3}/{words_r3:.3}"
    );
    // Deeper answers lifted words alone here too (recall@1 0.375 -> 0.444: the
    // "why" paragraphs use the words people describe symptoms with), so the lead
    // at rank 1 is smaller than at rank 3 (BENCHMARKS.md, "Deeper answers").
    assert!(
        sit_r1 >= words_s1 + 0.05 && sit_r3 >= words_s3 + 0.1,
        "meaning should add much over words on situation queries: {sit_r1:.3}/{sit_r3:.3} vs {words_s1:.3}/{words_s3:.3}"
    );
}

#[test]
fn typos_and_acronyms_still_find_the_question() {
    let bank = common::shipped_bank();
    let index = tempfile::tempdir().unwrap();
    let searcher = common::searcher(&bank, index.path());
    let top = |query: &str| {
        let found = searcher.search(query, &SearchOptions::top(3)).unwrap();
        found
            .hits
            .iter()
            .map(|h| bank.get(&h.id).unwrap().question.to_lowercase())
            .collect::<Vec<_>>()
    };
    assert!(
        top("what is kubernetse orchestraton")[0].contains("orchestration"),
        "{:?}",
        top("what is kubernetse orchestraton")
    );
    assert!(
        top("json web token advantages")[0].contains("jwt"),
        "{:?}",
        top("json web token advantages")
    );
    assert!(
        top("k8s")[..3].iter().any(|q| q.contains("kubernetes")),
        "{:?}",
        top("k8s")
    );
    assert!(
        top("dokcer volumes")[0].contains("volume"),
        "{:?}",
        top("dokcer volumes")
    );
}

#[test]
fn a_topic_filter_keeps_to_its_topic_and_paging_moves_on() {
    let bank = common::shipped_bank();
    let index = tempfile::tempdir().unwrap();
    let searcher = common::searcher(&bank, index.path());
    let options = SearchOptions {
        topic: Some("docker".into()),
        limit: 5,
        ..Default::default()
    };
    let found = searcher
        .search("security best practices", &options)
        .unwrap();
    assert_eq!(found.hits.len(), 5);
    assert!(
        found
            .hits
            .iter()
            .all(|h| bank.get(&h.id).unwrap().topic == "docker")
    );
    let second = searcher
        .search(
            "security best practices",
            &SearchOptions {
                offset: 1,
                ..options
            },
        )
        .unwrap();
    assert_eq!(second.hits[0], found.hits[1]);
}

/// "What is X?" for the core terms of each topic (tests/fixtures/definitions.tsv:
/// question, the ids whose answer defines X or '-', topic).
const DEFINITIONS: &str = "tests/fixtures/definitions.tsv";

#[test]
fn a_definition_finds_the_entry_that_defines_the_term_not_a_neighbour() {
    let bank = common::shipped_bank();
    let Some(hybrid) = common::semantic_searcher(&bank) else {
        common::skip("definitions with the embedding model", common::NO_MODEL);
        return;
    };
    let text = std::fs::read_to_string(common::repo().join(DEFINITIONS)).unwrap();
    let cases: Vec<(&str, Vec<&str>)> = text
        .lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .filter_map(|l| {
            let mut columns = l.split('\t');
            let (question, ids) = (columns.next()?, columns.next()?);
            (ids != "-").then(|| (question, ids.split('|').collect()))
        })
        .collect();
    assert!(cases.len() >= 200, "{} defined terms", cases.len());
    let mut misses = Vec::new();
    for (question, ids) in &cases {
        let found = hybrid.search(question, &SearchOptions::top(1)).unwrap();
        let top = found.hits.first().map(|h| h.id.as_str());
        if !top.is_some_and(|id| ids.contains(&id)) {
            misses.push(format!("{question} -> {top:?}, want {}", ids.join("|")));
        }
    }
    let right = 1.0 - misses.len() as f64 / cases.len() as f64;
    // Measured 0.923 with the subject bonus (0.908 without it): BENCHMARKS.md, issue 22.
    assert!(
        right >= 0.90,
        "definitions right at 1: {right:.3}: {misses:#?}"
    );
}
