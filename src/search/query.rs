//! Turning chat into what to search for. Each word the user typed becomes a
//! [`Concept`]: the word itself plus the variants it may stand for (a typo
//! correction, the halves of a run-together word, a word joined with its neighbour,
//! synonyms of a phrase it is part of). The tantivy query searches every variant in
//! every text field with that field's weight; [`super::rescore`] then checks how
//! many concepts each candidate covers. Nothing the user typed is query syntax.

use std::collections::HashSet;

use tantivy::Term;
use tantivy::query::{BooleanQuery, BoostQuery, DisjunctionMaxQuery, Occur, Query, TermQuery};
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::tokenizer::TextAnalyzer;

use super::SearchOptions;
use super::analyzer::{raw_words, terms};
use super::index::Fields;
use super::synonyms::Synonyms;
use super::vocabulary::{Speller, Vocabulary};

/// Only this much of a message is read; the rest of a pasted wall of text adds nothing.
const MAX_QUERY_CHARS: usize = 1_000;
/// At most this many distinct words are searched.
const MAX_CONCEPTS: usize = 32;
/// How much the weaker of question and alias adds when both have a word.
const PHRASING_TIE_BREAKER: f32 = 0.1;
/// Halves of a run-together word must be at least this long ("multi" + "stage").
const MIN_SPLIT_CHARS: usize = 3;

/// How much each field and each kind of variant counts.
#[derive(Debug, Clone)]
pub(crate) struct Weights {
    pub question: f32,
    pub aliases: f32,
    pub answer: f32,
    pub tags: f32,
    pub topic: f32,
    pub synonym: f32,
    pub typo: f32,
    pub split: f32,
}

impl Default for Weights {
    fn default() -> Self {
        Weights {
            question: 3.0,
            aliases: 3.0,
            answer: 1.0,
            tags: 1.0,
            topic: 0.5,
            synonym: 0.6,
            typo: 0.8,
            split: 0.9,
        }
    }
}

impl Weights {
    pub fn of(&self, kind: Kind) -> f32 {
        match kind {
            Kind::Typed => 1.0,
            Kind::Synonym => self.synonym,
            Kind::Typo => self.typo,
            Kind::Split => self.split,
        }
    }
}

/// How a variant relates to what was typed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    Typed,
    Synonym,
    Typo,
    /// Part of a split word, or two neighbouring words joined.
    Split,
}

/// One typed word and the terms that count as finding it.
#[derive(Debug, Clone)]
pub(crate) struct Concept {
    pub variants: Vec<(String, Kind)>,
    /// How telling the word is (inverse document frequency); 0 when nothing has it.
    pub weight: f32,
}

/// The concepts of a query.
#[derive(Debug, Default)]
pub(crate) struct QueryPlan {
    pub concepts: Vec<Concept>,
}

impl QueryPlan {
    pub fn new(
        text: &str,
        analyzer: &mut TextAnalyzer,
        synonyms: &Synonyms,
        vocabulary: &Vocabulary,
        speller: &Speller,
        documents: u64,
    ) -> Self {
        let text: String = text.chars().take(MAX_QUERY_CHARS).collect();
        let mut seen = HashSet::new();
        let mut words: Vec<(String, String)> = Vec::new();
        for raw in raw_words(&text) {
            let Some(stem) = terms(analyzer, &raw).into_iter().next() else {
                continue;
            };
            if seen.insert(stem.clone()) {
                words.push((raw, stem));
            }
            if words.len() == MAX_CONCEPTS {
                break;
            }
        }
        let mut concepts: Vec<Concept> = words
            .iter()
            .map(|(raw, stem)| Concept {
                variants: variants_of(raw, stem, analyzer, vocabulary, speller),
                weight: 0.0,
            })
            .collect();

        let raws: Vec<String> = words.iter().map(|(raw, _)| raw.clone()).collect();
        for (i, pair) in raws.windows(2).enumerate() {
            let joined = terms(analyzer, &pair.concat()).into_iter().next();
            if let Some(joined) = joined.filter(|j| vocabulary.contains(j)) {
                concepts[i].add(joined.clone(), Kind::Split);
                concepts[i + 1].add(joined, Kind::Split);
            }
        }
        let stems: Vec<String> = concepts.iter().map(|c| c.best().to_string()).collect();
        for expansion in synonyms.expand(&stems) {
            for &position in &expansion.positions {
                for term in &expansion.terms {
                    concepts[position].add(term.clone(), Kind::Synonym);
                }
            }
        }
        for concept in &mut concepts {
            let df = concept
                .variants
                .iter()
                .map(|(t, _)| vocabulary.doc_freq(t))
                .max()
                .unwrap_or(0);
            concept.weight = if df == 0 {
                0.0
            } else {
                (1.0 + documents as f32 / df as f32).ln()
            };
        }
        QueryPlan { concepts }
    }

    /// True when no typed word is in any question: nothing can match.
    pub fn is_empty(&self) -> bool {
        self.concepts.iter().all(|c| c.weight == 0.0)
    }

    pub fn to_query(
        &self,
        fields: &Fields,
        weights: &Weights,
        options: &SearchOptions,
    ) -> Box<dyn Query> {
        let term_query = |field: Field, term: &str, boost: f32| -> Box<dyn Query> {
            let query = TermQuery::new(
                Term::from_field_text(field, term),
                IndexRecordOption::WithFreqs,
            );
            Box::new(BoostQuery::new(Box::new(query), boost))
        };
        let mut searched: HashSet<&str> = HashSet::new();
        let mut should: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        for concept in self.concepts.iter().filter(|c| c.weight > 0.0) {
            for (term, kind) in &concept.variants {
                if !searched.insert(term) {
                    continue;
                }
                let factor = weights.of(*kind);
                // A word counts once for the phrasings (question or an alias),
                // whichever has it best, and again for the answer, tags and topic.
                let phrasing = DisjunctionMaxQuery::with_tie_breaker(
                    vec![
                        term_query(fields.question, term, weights.question * factor),
                        term_query(fields.aliases, term, weights.aliases * factor),
                    ],
                    PHRASING_TIE_BREAKER,
                );
                should.push((Occur::Should, Box::new(phrasing)));
                for (field, weight) in [
                    (fields.answer, weights.answer),
                    (fields.tags, weights.tags),
                    (fields.topic_text, weights.topic),
                ] {
                    should.push((Occur::Should, term_query(field, term, weight * factor)));
                }
            }
        }
        let mut clauses: Vec<(Occur, Box<dyn Query>)> =
            vec![(Occur::Must, Box::new(BooleanQuery::new(should)))];
        if let Some(topic) = &options.topic {
            clauses.push((Occur::Must, exact(fields.topic, topic)));
        }
        if let Some(id) = &options.exclude {
            clauses.push((Occur::MustNot, exact(fields.id, id)));
        }
        Box::new(BooleanQuery::new(clauses))
    }
}

impl Concept {
    fn add(&mut self, term: String, kind: Kind) {
        if !self.variants.iter().any(|(t, _)| *t == term) {
            self.variants.push((term, kind));
        }
    }

    /// The variant that stands for the word: what was typed, or its correction.
    pub fn best(&self) -> &str {
        &self.variants[0].0
    }
}

/// The word as typed when the bank has it; otherwise a close correction, or the
/// halves of a run-together word ("multistage" -> "multi", "stage").
fn variants_of(
    raw: &str,
    stem: &str,
    analyzer: &mut TextAnalyzer,
    vocabulary: &Vocabulary,
    speller: &Speller,
) -> Vec<(String, Kind)> {
    if vocabulary.contains(stem) {
        return vec![(stem.to_string(), Kind::Typed)];
    }
    let corrected = speller
        .correct(raw)
        .and_then(|fixed| terms(analyzer, fixed).into_iter().next())
        .filter(|fixed| vocabulary.contains(fixed));
    if let Some(fixed) = corrected {
        return vec![(fixed, Kind::Typo)];
    }
    if let Some((left, right)) = split(raw, analyzer, vocabulary) {
        return vec![(left, Kind::Split), (right, Kind::Split)];
    }
    vec![(stem.to_string(), Kind::Typed)]
}

fn split(
    raw: &str,
    analyzer: &mut TextAnalyzer,
    vocabulary: &Vocabulary,
) -> Option<(String, String)> {
    let chars: Vec<char> = raw.chars().collect();
    if chars.len() < 2 * MIN_SPLIT_CHARS {
        return None;
    }
    let mut best: Option<(u32, String, String)> = None;
    for cut in MIN_SPLIT_CHARS..=chars.len() - MIN_SPLIT_CHARS {
        let left: String = chars[..cut].iter().collect();
        let right: String = chars[cut..].iter().collect();
        let (Some(l), Some(r)) = (
            terms(analyzer, &left).into_iter().next(),
            terms(analyzer, &right).into_iter().next(),
        ) else {
            continue;
        };
        let rarest = vocabulary.doc_freq(&l).min(vocabulary.doc_freq(&r));
        if rarest > 0 && best.as_ref().is_none_or(|(b, _, _)| rarest > *b) {
            best = Some((rarest, l, r));
        }
    }
    best.map(|(_, l, r)| (l, r))
}

fn exact(field: Field, value: &str) -> Box<dyn Query> {
    Box::new(TermQuery::new(
        Term::from_field_text(field, value),
        IndexRecordOption::Basic,
    ))
}
