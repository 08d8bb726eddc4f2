//! The second stage of a search: the best lexical candidates are rescored by how
//! much of the query they answer. BM25 adds up term scores, so a short question
//! that repeats one query word can beat the question that has every word; here a
//! candidate's score is scaled by the share of the query's (idf-weighted) words it
//! covers, in its question or aliases more than in its answer, and a little by how
//! much of its question the query accounts for. Another scorer (meaning-based,
//! say) can join here later, on the same candidates.
//!
//! Only the best [`DEPTH`] lexical candidates are rescored, always the same ones for
//! a query, so paging through results (`/next`, `--limit`) sees one stable order;
//! deeper candidates follow in lexical order.

use std::collections::{BTreeMap, HashMap};

use tantivy::schema::{Field, IndexRecordOption};
use tantivy::{DocAddress, DocId, DocSet, Term};

use super::index::Fields;
use super::query::{QueryPlan, Variant};

/// How many lexical candidates are rescored.
pub(crate) const DEPTH: usize = 50;
/// Credit for finding a word in the answer, tags or topic instead of the question.
const BODY_CREDIT: f32 = 0.6;
/// Exponent on coverage: how hard a missing word is punished.
const COVERAGE_POWER: i32 = 2;
/// Share of the score that depends on how much of the question the query covers.
const QUESTION_SHARE: f32 = 0.6;

/// A candidate with its lexical score and final score.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Scored {
    pub address: DocAddress,
    pub score: f32,
    /// The weighted share of the query's words the entry has (words the bank
    /// lacks count as missing), 0 for candidates that were not rescored.
    pub coverage: f32,
    /// The same share counting only the entry's question and aliases: words found
    /// in its answer, tags or topic alone count as missing.
    pub phrased: f32,
    /// The share of the entry's question words that the query has (0..1).
    pub question_covered: f32,
}

/// Ranks lexical `candidates` (score, address; best first): the first [`DEPTH`]
/// rescored, the rest after them in their lexical order.
pub(crate) fn rank(
    searcher: &tantivy::Searcher,
    fields: &Fields,
    plan: &QueryPlan,
    mut candidates: Vec<(f32, DocAddress)>,
) -> tantivy::Result<Vec<Scored>> {
    let deeper = candidates.split_off(candidates.len().min(DEPTH));
    let mut ranked = rescore(searcher, fields, plan, candidates)?;
    let floor = ranked.last().map_or(f32::MAX, |s| s.score);
    let top_lexical = deeper
        .first()
        .map_or(1.0, |(score, _)| *score)
        .max(f32::EPSILON);
    ranked.extend(deeper.into_iter().map(|(score, address)| Scored {
        address,
        score: floor * score / top_lexical,
        coverage: 0.0,
        phrased: 0.0,
        question_covered: 0.0,
    }));
    Ok(ranked)
}

/// Rescores `candidates` (lexical score, address) and returns them best first.
fn rescore(
    searcher: &tantivy::Searcher,
    fields: &Fields,
    plan: &QueryPlan,
    candidates: Vec<(f32, DocAddress)>,
) -> tantivy::Result<Vec<Scored>> {
    let total: f32 = plan.concepts.iter().map(|c| c.weight).sum();
    let with_unknown = total + plan.unknown_weight();
    let mut by_segment: BTreeMap<u32, Vec<(DocId, f32)>> = BTreeMap::new();
    for (score, address) in candidates {
        by_segment
            .entry(address.segment_ord)
            .or_default()
            .push((address.doc_id, score));
    }
    let mut out = Vec::new();
    for (segment_ord, mut docs) in by_segment {
        docs.sort_by_key(|(doc, _)| *doc);
        let segment = searcher.segment_reader(segment_ord);
        let ids: Vec<DocId> = docs.iter().map(|(doc, _)| *doc).collect();
        let mut covered = vec![0.0f32; ids.len()];
        let mut in_question = vec![0u32; ids.len()];
        let mut phrased = vec![0.0f32; ids.len()];
        let mut lookup = Lookup {
            segment,
            docs: &ids,
            found: HashMap::new(),
        };
        for concept in plan.concepts.iter().filter(|c| c.weight > 0.0) {
            let mut credit = vec![0.0f32; ids.len()];
            let mut question_hit = vec![false; ids.len()];
            let mut phrasing_credit = vec![0.0f32; ids.len()];
            for variant in &concept.variants {
                let places = [
                    (fields.question, 1.0),
                    (fields.aliases, 1.0),
                    (fields.answer, BODY_CREDIT),
                    (fields.tags, BODY_CREDIT),
                    (fields.topic_text, BODY_CREDIT),
                ];
                for (field, field_credit) in places {
                    let found = lookup.variant(field, variant)?;
                    for (i, hit) in found.into_iter().enumerate() {
                        if hit {
                            credit[i] = credit[i].max(field_credit * variant.kind.factor());
                            question_hit[i] |= field == fields.question;
                            if field == fields.question || field == fields.aliases {
                                phrasing_credit[i] = phrasing_credit[i].max(variant.kind.factor());
                            }
                        }
                    }
                }
            }
            for i in 0..ids.len() {
                covered[i] += concept.weight * credit[i];
                in_question[i] += u32::from(question_hit[i]);
                phrased[i] += concept.weight * phrasing_credit[i];
            }
        }
        let norms = segment.get_fieldnorms_reader(fields.question)?;
        for (i, (doc, lexical)) in docs.into_iter().enumerate() {
            let coverage = if total > 0.0 { covered[i] / total } else { 0.0 };
            let question_words = norms.fieldnorm(doc).max(1) as f32;
            let question_covered = (in_question[i] as f32 / question_words).min(1.0);
            let score = lexical
                * coverage.powi(COVERAGE_POWER)
                * (1.0 - QUESTION_SHARE + QUESTION_SHARE * question_covered);
            let share = |weight: f32| {
                if with_unknown > 0.0 {
                    weight / with_unknown
                } else {
                    0.0
                }
            };
            out.push(Scored {
                address: DocAddress::new(segment_ord, doc),
                score,
                coverage: share(covered[i]),
                phrased: share(phrased[i]),
                question_covered,
            });
        }
    }
    out.sort_by(|a, b| b.score.total_cmp(&a.score).then(a.address.cmp(&b.address)));
    Ok(out)
}

/// Which of a segment's candidate documents have which terms, each term looked up once.
struct Lookup<'a> {
    segment: &'a tantivy::SegmentReader,
    /// Ascending document ids.
    docs: &'a [DocId],
    found: HashMap<(Field, String), Vec<bool>>,
}

impl Lookup<'_> {
    /// Which documents have every term of `variant` in `field`.
    fn variant(&mut self, field: Field, variant: &Variant) -> tantivy::Result<Vec<bool>> {
        let mut all = vec![true; self.docs.len()];
        for term in &variant.terms {
            let has = self.term(field, term)?;
            for (a, h) in all.iter_mut().zip(has) {
                *a &= *h;
            }
        }
        Ok(all)
    }

    fn term(&mut self, field: Field, term: &str) -> tantivy::Result<&Vec<bool>> {
        let key = (field, term.to_string());
        if !self.found.contains_key(&key) {
            let found = contains(self.segment, field, term, self.docs)?;
            self.found.insert(key.clone(), found);
        }
        Ok(&self.found[&key])
    }
}

/// Which of the ascending `docs` have `term` in `field`.
fn contains(
    segment: &tantivy::SegmentReader,
    field: Field,
    term: &str,
    docs: &[DocId],
) -> tantivy::Result<Vec<bool>> {
    let inverted = segment.inverted_index(field)?;
    let term = Term::from_field_text(field, term);
    let Some(mut postings) = inverted.read_postings(&term, IndexRecordOption::Basic)? else {
        return Ok(vec![false; docs.len()]);
    };
    Ok(docs
        .iter()
        .map(|&doc| {
            if postings.doc() < doc {
                postings.seek(doc);
            }
            postings.doc() == doc
        })
        .collect())
}
