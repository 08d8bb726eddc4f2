//! Turning chat into what to search for. Each word the user typed becomes a
//! [`Concept`]: the word itself plus the [`Variant`]s it may stand for (a typo
//! correction, the halves of a run-together word, the word joined with its
//! neighbour, synonyms of a phrase it is part of). The tantivy query searches every
//! variant in every text field with that field's weight; [`super::rescore`] then
//! checks how many concepts each candidate covers. Nothing the user typed is query
//! syntax.

use std::collections::HashSet;

use tantivy::Term;
use tantivy::query::{
    BooleanQuery, BoostQuery, DisjunctionMaxQuery, Occur, PhraseQuery, Query, TermQuery,
};
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::tokenizer::TextAnalyzer;

use super::SearchOptions;
use super::analyzer::{raw_words, terms};
use super::index::Fields;
use super::synonyms::Synonyms;
use super::vocabulary::{Lexicon, Speller};

/// Only this much of a message is read; the rest of a pasted wall of text adds nothing.
const MAX_QUERY_CHARS: usize = 1_000;
/// At most this many distinct words are searched.
const MAX_CONCEPTS: usize = 32;
/// How much the weaker of question and alias adds when both have a word.
const PHRASING_TIE_BREAKER: f32 = 0.1;
/// Halves of a run-together word must be at least this long ("multi" + "stage").
const MIN_SPLIT_CHARS: usize = 3;
/// Words a multi-word variant may have between its words (a dropped stop word).
const PHRASE_SLOP: u32 = 1;

/// How much a match in each field counts.
#[derive(Debug, Clone)]
pub(crate) struct Weights {
    pub question: f32,
    pub aliases: f32,
    pub answer: f32,
    pub tags: f32,
    pub topic: f32,
}

impl Default for Weights {
    fn default() -> Self {
        Weights {
            question: 3.0,
            aliases: 3.0,
            answer: 1.0,
            tags: 1.0,
            topic: 0.5,
        }
    }
}

/// How a variant relates to what was typed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    Typed,
    /// The halves of a run-together word, or two neighbouring words joined.
    Split,
    Typo,
    Synonym,
}

impl Kind {
    /// How much finding this variant counts, relative to finding the typed word.
    pub fn factor(self) -> f32 {
        match self {
            Kind::Typed => 1.0,
            Kind::Split => 0.9,
            Kind::Typo => 0.8,
            Kind::Synonym => 0.7,
        }
    }
}

/// Terms that, all present, stand for a typed word; several terms form a phrase.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Variant {
    pub terms: Vec<String>,
    pub kind: Kind,
}

/// One typed word and the variants that count as finding it.
#[derive(Debug, Clone)]
pub(crate) struct Concept {
    pub variants: Vec<Variant>,
    /// How telling the word is (inverse document frequency); 0 when nothing has it.
    pub weight: f32,
}

/// The concepts of a query.
#[derive(Debug, Default)]
pub(crate) struct QueryPlan {
    pub concepts: Vec<Concept>,
    /// How telling a word would be that only one entry had: the weight an
    /// unknown word is given when judging how much of the query an entry covers.
    pub rarest_weight: f32,
}

impl QueryPlan {
    pub fn new(
        text: &str,
        analyzer: &mut TextAnalyzer,
        synonyms: &Synonyms,
        vocabulary: Lexicon<'_>,
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
                variants: vec![variant_of(raw, stem, analyzer, vocabulary, speller)],
                weight: 0.0,
            })
            .collect();

        for i in 1..words.len() {
            let joined = terms(analyzer, &format!("{}{}", words[i - 1].0, words[i].0));
            if let [joined] = joined.as_slice() {
                if vocabulary.contains(joined) {
                    concepts[i - 1].add(vec![joined.clone()], Kind::Split);
                    concepts[i].add(vec![joined.clone()], Kind::Split);
                }
            }
        }
        let stems: Vec<String> = concepts
            .iter()
            .map(|c| c.variants[0].terms.join(""))
            .collect();
        for expansion in synonyms.expand(&stems) {
            for &position in &expansion.positions {
                for phrase in &expansion.phrases {
                    concepts[position].add(phrase.clone(), Kind::Synonym);
                }
            }
        }
        for concept in &mut concepts {
            let df = concept
                .variants
                .iter()
                .map(|v| {
                    v.terms
                        .iter()
                        .map(|t| vocabulary.doc_freq(t))
                        .min()
                        .unwrap_or(0)
                })
                .max()
                .unwrap_or(0);
            concept.weight = if df == 0 {
                0.0
            } else {
                (1.0 + documents as f32 / df as f32).ln()
            };
        }
        QueryPlan {
            concepts,
            rarest_weight: (1.0 + documents as f32).ln(),
        }
    }

    /// The weight of the query's words that no entry has, each counted as the
    /// rarest word there could be: what the bank cannot cover at all.
    pub fn unknown_weight(&self) -> f32 {
        self.concepts.iter().filter(|c| c.weight == 0.0).count() as f32 * self.rarest_weight
    }

    /// The share of the query's weight (unknown words as the rarest) that no entry has.
    pub fn unknown_share(&self) -> f32 {
        let unknown = self.unknown_weight();
        let total = unknown + self.concepts.iter().map(|c| c.weight).sum::<f32>();
        if total > 0.0 { unknown / total } else { 0.0 }
    }

    /// True when the text had no words worth searching for.
    pub fn has_no_words(&self) -> bool {
        self.concepts.is_empty()
    }

    /// True when no word of the query occurs anywhere in the bank.
    pub fn matches_nothing(&self) -> bool {
        self.concepts.iter().all(|c| c.weight == 0.0)
    }

    pub fn to_query(
        &self,
        fields: &Fields,
        weights: &Weights,
        options: &SearchOptions,
    ) -> Box<dyn Query> {
        let mut searched: HashSet<&[String]> = HashSet::new();
        let mut should: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        for concept in self.concepts.iter().filter(|c| c.weight > 0.0) {
            for variant in &concept.variants {
                if !searched.insert(&variant.terms) {
                    continue;
                }
                let factor = variant.kind.factor();
                // A word counts once for the phrasings (question or an alias),
                // whichever has it best, and again for the answer, tags and topic.
                let phrasing = DisjunctionMaxQuery::with_tie_breaker(
                    vec![
                        variant_query(fields.question, variant, weights.question * factor),
                        variant_query(fields.aliases, variant, weights.aliases * factor),
                    ],
                    PHRASING_TIE_BREAKER,
                );
                should.push((Occur::Should, Box::new(phrasing)));
                for (field, weight) in [
                    (fields.answer, weights.answer),
                    (fields.tags, weights.tags),
                    (fields.topic_text, weights.topic),
                ] {
                    should.push((
                        Occur::Should,
                        variant_query(field, variant, weight * factor),
                    ));
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
    fn add(&mut self, terms: Vec<String>, kind: Kind) {
        if !self.variants.iter().any(|v| v.terms == terms) {
            self.variants.push(Variant { terms, kind });
        }
    }
}

/// A term query for a one-word variant, a phrase query for a longer one.
fn variant_query(field: Field, variant: &Variant, boost: f32) -> Box<dyn Query> {
    let query: Box<dyn Query> = match variant.terms.as_slice() {
        [term] => Box::new(TermQuery::new(
            Term::from_field_text(field, term),
            IndexRecordOption::WithFreqs,
        )),
        terms => {
            let mut phrase = PhraseQuery::new(
                terms
                    .iter()
                    .map(|t| Term::from_field_text(field, t))
                    .collect(),
            );
            phrase.set_slop(PHRASE_SLOP);
            Box::new(phrase)
        }
    };
    Box::new(BoostQuery::new(query, boost))
}

/// The word as typed when the bank has it; otherwise a close correction, or the
/// halves of a run-together word ("multistage" -> "multi stage").
fn variant_of(
    raw: &str,
    stem: &str,
    analyzer: &mut TextAnalyzer,
    vocabulary: Lexicon<'_>,
    speller: &Speller,
) -> Variant {
    let typed = |terms: Vec<String>, kind| Variant { terms, kind };
    if vocabulary.contains(stem) {
        return typed(vec![stem.to_string()], Kind::Typed);
    }
    let corrected = speller
        .correct(raw)
        .and_then(|fixed| terms(analyzer, fixed).into_iter().next())
        .filter(|fixed| vocabulary.contains(fixed));
    if let Some(fixed) = corrected {
        return typed(vec![fixed], Kind::Typo);
    }
    if let Some(halves) = split(raw, analyzer, vocabulary) {
        return typed(halves, Kind::Split);
    }
    typed(vec![stem.to_string()], Kind::Typed)
}

fn split(raw: &str, analyzer: &mut TextAnalyzer, vocabulary: Lexicon<'_>) -> Option<Vec<String>> {
    let chars: Vec<char> = raw.chars().collect();
    if chars.len() < 2 * MIN_SPLIT_CHARS {
        return None;
    }
    let mut best: Option<(u32, Vec<String>)> = None;
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
        if rarest > 0 && best.as_ref().is_none_or(|(b, _)| rarest > *b) {
            best = Some((rarest, vec![l, r]));
        }
    }
    best.map(|(_, halves)| halves)
}

fn exact(field: Field, value: &str) -> Box<dyn Query> {
    Box::new(TermQuery::new(
        Term::from_field_text(field, value),
        IndexRecordOption::Basic,
    ))
}
