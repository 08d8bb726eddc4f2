//! The bank as vectors: for every entry (a row, in bank order) the vectors of its
//! question and aliases ("phrasings"), of what its answer says first (its lead,
//! the first paragraph of prose) and of the whole answer, and of the question
//! with each of them, and the similarities a query or another entry has to them.
//!
//! Why both lead and whole: an answer explains *why* after it says *what*, and
//! gives examples. Embedded whole, the later paragraphs dilute the vector of what
//! the entry is about, so two entries' answers look alike and a query finds the
//! entry less often; embedded alone, the lead misses what only the explanation
//! says. Search takes the closer of the two, and the quiz compares what options
//! claim (leads) against the best the right entry says (BENCHMARKS.md, "Deeper
//! answers").

use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;

use super::model::{Model, ModelError};
use super::vectors::{Embedded, VectorCache};
use crate::bank::{Bank, Question};

/// How similar a text is to one entry, each a cosine in -1..=1.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Similarity {
    /// To the question or the closest alias.
    pub phrasing: f32,
    /// To the answer's lead or the whole answer, the closer.
    pub answer: f32,
    /// To the question with the answer's lead or with the whole answer, the closer.
    pub entry: f32,
}

/// The vector of a query text, made before the search that uses it (with
/// other queries' at once: [`Semantic::query_vectors`]). It names its text and
/// the weights that made it, so a search uses it only for that text with those
/// weights.
#[derive(Debug, Clone)]
pub struct QueryVector {
    text: String,
    /// [`Model::id`] of the weights that made it.
    model: String,
    vector: Vec<f32>,
}

impl QueryVector {
    /// The text it is the vector of.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// The unit vector.
    pub fn vector(&self) -> &[f32] {
        &self.vector
    }
}

/// Row-major vectors, `dimensions` floats each.
struct Matrix {
    dimensions: usize,
    data: Vec<f32>,
}

impl Matrix {
    fn new(dimensions: usize) -> Self {
        Matrix {
            dimensions,
            data: Vec::new(),
        }
    }

    fn push(&mut self, vector: &[f32]) {
        self.data.extend_from_slice(vector);
    }

    fn row(&self, i: usize) -> &[f32] {
        &self.data[i * self.dimensions..(i + 1) * self.dimensions]
    }

    /// The dot product of `vector` with every row.
    fn dots<'a>(&'a self, vector: &'a [f32]) -> impl Iterator<Item = f32> + 'a {
        self.data
            .chunks_exact(self.dimensions)
            .map(move |row| dot(row, vector))
    }
}

pub(crate) fn dot(a: &[f32], b: &[f32]) -> f32 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

/// What an answer says first: its first paragraph of prose (the whole answer
/// when it has none).
pub(crate) fn lead(answer: &str) -> String {
    crate::markdown::blocks(answer)
        .into_iter()
        .find_map(|block| match block {
            crate::markdown::Block::Prose(text) => Some(text),
            crate::markdown::Block::Code { .. } => None,
        })
        .unwrap_or_else(|| answer.to_string())
}

/// The texts embedded for one entry besides its phrasings, in the order of
/// [`AnswerTexts::all`].
struct AnswerTexts {
    lead: String,
    answer: String,
    entry_lead: String,
    entry_whole: String,
}

impl AnswerTexts {
    fn of(q: &Question) -> AnswerTexts {
        let lead = lead(&q.answer);
        AnswerTexts {
            entry_lead: format!("{} {lead}", q.question),
            entry_whole: format!("{} {}", q.question, q.answer),
            answer: q.answer.clone(),
            lead,
        }
    }

    fn all(self) -> [String; 4] {
        [self.lead, self.answer, self.entry_lead, self.entry_whole]
    }
}

/// Every text of `bank` that gets a vector.
pub(crate) fn texts(bank: &Bank) -> Vec<String> {
    let mut texts = Vec::new();
    for q in bank.questions() {
        texts.extend(q.phrasings().map(str::to_string));
        texts.extend(AnswerTexts::of(q).all());
    }
    texts
}

/// Vectors of texts by the text, for building the tables of team banks:
/// shared by all of them at start-up (and kept on disk between starts), or
/// seeded from the table a rebuild replaces, so only new texts are embedded.
pub struct TextVectors(VectorCache);

impl TextVectors {
    /// The vectors `model` made that are kept in `dir` (none: an empty set
    /// that keeps nothing).
    pub fn open(dir: Option<&Path>, model: &Model) -> TextVectors {
        TextVectors(VectorCache::open(dir, model))
    }

    /// The vectors `table` holds for the texts of `bank` (the bank it was
    /// built from).
    pub fn of(table: &Semantic, bank: &Bank) -> TextVectors {
        let mut known = TextVectors(VectorCache::open(None, &table.model));
        for (text, vector) in table.texts_with_vectors(bank) {
            known.0.insert(&text, vector.to_vec());
        }
        known
    }

    /// Keeps the vectors of the texts of `banks` (and no others) on disk, when
    /// opened with a directory.
    pub fn save(&self, banks: &[&Bank]) {
        let texts: Vec<String> = banks.iter().flat_map(|b| texts(b)).collect();
        let texts: Vec<&str> = texts.iter().map(String::as_str).collect();
        self.0.save_only(&texts);
    }
}

/// The vectors of a bank and the model that made them.
pub struct Semantic {
    /// Shared with the vectors of team banks ([`crate::search::Partition`]).
    model: Arc<Model>,
    /// Each row's bank id and topic.
    ids: Vec<String>,
    topics: Vec<String>,
    rows_by_id: HashMap<String, usize>,
    phrasings: Matrix,
    /// The row each phrasing belongs to.
    phrasing_rows: Vec<usize>,
    /// Each row's phrasings.
    phrasings_of: Vec<std::ops::Range<usize>>,
    /// Each row's lead, whole answer, question with lead, question with answer.
    leads: Matrix,
    answers: Matrix,
    entry_leads: Matrix,
    entries: Matrix,
}

impl std::fmt::Debug for Semantic {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Semantic")
            .field("model", &self.model)
            .field("rows", &self.rows())
            .finish_non_exhaustive()
    }
}

impl Semantic {
    /// Embeds `bank` with `model`, reusing and then updating the vectors cached in
    /// `cache_dir` (none: embed everything, keep nothing).
    pub fn build(
        bank: &Bank,
        model: impl Into<Arc<Model>>,
        cache_dir: Option<&Path>,
    ) -> Result<(Semantic, Embedded), ModelError> {
        let model: Arc<Model> = model.into();
        let texts = texts(bank);
        let texts: Vec<&str> = texts.iter().map(String::as_str).collect();
        let mut cache = VectorCache::open(cache_dir, &model);
        let embedded = cache.fill(&model, &texts)?;
        if embedded.texts > 0 {
            cache.save(&texts);
        }
        Ok((Self::from_cache(bank, model, &cache)?, embedded))
    }

    /// The table of `bank` (a team bank) embedded with `model`, taking
    /// vectors `known` has and embedding (and keeping there) the others.
    pub fn build_from(
        bank: &Bank,
        model: Arc<Model>,
        known: &mut TextVectors,
    ) -> Result<Semantic, ModelError> {
        let texts = texts(bank);
        let texts: Vec<&str> = texts.iter().map(String::as_str).collect();
        known.0.fill(&model, &texts)?;
        Self::from_cache(bank, model, &known.0)
    }

    /// Each text of `bank`'s entries (as [`texts`] lists them) that this table
    /// has a row for, with its vector.
    pub(crate) fn texts_with_vectors<'a>(
        &'a self,
        bank: &'a Bank,
    ) -> impl Iterator<Item = (String, &'a [f32])> + 'a {
        bank.questions().iter().flat_map(move |q| {
            let Some(row) = self.row_of(&q.id) else {
                return Vec::new();
            };
            let mut out: Vec<(String, &[f32])> = q
                .phrasings()
                .zip(self.phrasings_of[row].clone())
                .map(|(text, at)| (text.to_string(), self.phrasings.row(at)))
                .collect();
            let [lead, answer, entry_lead, entry] = AnswerTexts::of(q).all();
            out.extend([
                (lead, self.leads.row(row)),
                (answer, self.answers.row(row)),
                (entry_lead, self.entry_leads.row(row)),
                (entry, self.entries.row(row)),
            ]);
            out
        })
    }

    /// The table of `bank` from vectors `cache` holds for all of its texts.
    fn from_cache(
        bank: &Bank,
        model: Arc<Model>,
        cache: &VectorCache,
    ) -> Result<Semantic, ModelError> {
        let dimensions = model.dimensions();
        let vector = |text: &str| {
            cache
                .get(text)
                .ok_or_else(|| ModelError::Run(format!("no vector for {text:?}")))
        };
        let mut semantic = Semantic {
            ids: bank.questions().iter().map(|q| q.id.clone()).collect(),
            topics: bank.questions().iter().map(|q| q.topic.clone()).collect(),
            rows_by_id: bank
                .questions()
                .iter()
                .enumerate()
                .map(|(row, q)| (q.id.clone(), row))
                .collect(),
            phrasings: Matrix::new(dimensions),
            phrasing_rows: Vec::new(),
            phrasings_of: Vec::new(),
            leads: Matrix::new(dimensions),
            answers: Matrix::new(dimensions),
            entry_leads: Matrix::new(dimensions),
            entries: Matrix::new(dimensions),
            model,
        };
        for (row, q) in bank.questions().iter().enumerate() {
            let first = semantic.phrasing_rows.len();
            for phrasing in q.phrasings() {
                semantic.phrasings.push(vector(phrasing)?);
                semantic.phrasing_rows.push(row);
            }
            semantic
                .phrasings_of
                .push(first..semantic.phrasing_rows.len());
            let [lead, answer, entry_lead, entry] = AnswerTexts::of(q).all();
            semantic.leads.push(vector(&lead)?);
            semantic.answers.push(vector(&answer)?);
            semantic.entry_leads.push(vector(&entry_lead)?);
            semantic.entries.push(vector(&entry)?);
        }
        Ok(semantic)
    }

    pub fn model(&self) -> &Model {
        &self.model
    }

    /// The model, to embed other banks with the same weights.
    pub fn shared_model(&self) -> Arc<Model> {
        self.model.clone()
    }

    /// Number of entries.
    pub fn rows(&self) -> usize {
        self.ids.len()
    }

    pub fn id(&self, row: usize) -> &str {
        &self.ids[row]
    }

    pub fn topic(&self, row: usize) -> &str {
        &self.topics[row]
    }

    pub fn row_of(&self, id: &str) -> Option<usize> {
        self.rows_by_id.get(id).copied()
    }

    /// How similar `text` is to every entry, by row.
    pub fn similarities(&self, text: &str) -> Result<Vec<Similarity>, ModelError> {
        self.similarities_given(text, None)
    }

    /// [`Semantic::similarities`], with the vector of `text` taken from `given`
    /// when it was made for `text` by this model (a [`QueryVector`] of
    /// [`Semantic::query_vectors`]); otherwise `text` is embedded here.
    pub fn similarities_given(
        &self,
        text: &str,
        given: Option<&QueryVector>,
    ) -> Result<Vec<Similarity>, ModelError> {
        let made;
        let query = match given.filter(|g| g.text == text && g.model == self.model.id()) {
            Some(given) => &given.vector,
            None => {
                if given.is_some() {
                    tracing::debug!("a query vector made for other text or weights was not used");
                }
                made = self.model.embed_one(text)?;
                &made
            }
        };
        if query.len() != self.answers.dimensions {
            return Err(ModelError::Run(format!(
                "the query vector has {} numbers, the bank's have {}",
                query.len(),
                self.answers.dimensions
            )));
        }
        Ok(self.similarities_to(query))
    }

    /// The vectors of query `texts`, in order, made together in one pass over
    /// the model's weights ([`Model::embed_batch`]), for searches to come
    /// ([`Semantic::similarities_given`]). A text that cannot be embedded gets
    /// its error, the others their vectors.
    pub fn query_vectors(&self, texts: &[&str]) -> Vec<Result<QueryVector, ModelError>> {
        self.model
            .embed_batch(texts)
            .into_iter()
            .zip(texts)
            .map(|(vector, text)| {
                vector.map(|vector| QueryVector {
                    text: text.to_string(),
                    model: self.model.id().to_string(),
                    vector,
                })
            })
            .collect()
    }

    fn similarities_to(&self, query: &[f32]) -> Vec<Similarity> {
        let closer = |a: &Matrix, b: &Matrix| -> Vec<f32> {
            a.dots(query)
                .zip(b.dots(query))
                .map(|(x, y)| x.max(y))
                .collect()
        };
        let answers = closer(&self.leads, &self.answers);
        let entries = closer(&self.entry_leads, &self.entries);
        let mut out: Vec<Similarity> = answers
            .into_iter()
            .zip(entries)
            .map(|(answer, entry)| Similarity {
                phrasing: -1.0,
                answer,
                entry,
            })
            .collect();
        for (&row, score) in self.phrasing_rows.iter().zip(self.phrasings.dots(query)) {
            out[row].phrasing = out[row].phrasing.max(score);
        }
        out
    }

    /// The rows kept by `keep` (never `row` itself), most similar to `row` first
    /// by `similarity`.
    pub fn nearest(
        &self,
        row: usize,
        similarity: impl Fn(&Self, usize, usize) -> f32,
        keep: impl Fn(usize) -> bool,
    ) -> Vec<(usize, f32)> {
        let mut near: Vec<(usize, f32)> = (0..self.rows())
            .filter(|&other| other != row && keep(other))
            .map(|other| (other, similarity(self, row, other)))
            .collect();
        near.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        near
    }

    /// How alike two entries are: their questions with what their answers say first.
    pub fn entry_similarity(&self, a: usize, b: usize) -> f32 {
        dot(self.entry_leads.row(a), self.entry_leads.row(b))
    }

    /// Entry `row`'s question with what its answer says first, the vector
    /// [`Semantic::entry_similarity`] compares: to compare entries of two
    /// tables (a server's own bank and the shipped one).
    pub fn entry_vector(&self, row: usize) -> &[f32] {
        self.entry_leads.row(row)
    }

    /// The rows kept by `keep`, most alike to the entry `vector` (an
    /// [`Semantic::entry_vector`], maybe of another table) first.
    pub fn nearest_to(&self, vector: &[f32], keep: impl Fn(usize) -> bool) -> Vec<(usize, f32)> {
        let mut near: Vec<(usize, f32)> = (0..self.rows())
            .filter(|&row| keep(row))
            .map(|row| (row, dot(vector, self.entry_leads.row(row))))
            .collect();
        near.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        near
    }

    /// How alike what the answers of two entries say first.
    pub fn answer_similarity(&self, a: usize, b: usize) -> f32 {
        dot(self.leads.row(a), self.leads.row(b))
    }

    /// How well entry `option`'s answer answers entry `question`'s question (its
    /// best phrasing): the judge of whether an option is right. Another entry is
    /// judged by what its answer says first (what its option line claims); the
    /// entry itself by the better of that and its whole answer, since all of it
    /// is the right answer.
    pub fn answers_question(&self, question: usize, option: usize) -> f32 {
        let best = |answers: &Matrix| {
            self.phrasings_of[question]
                .clone()
                .map(|i| dot(self.phrasings.row(i), answers.row(option)))
                .fold(-1.0, f32::max)
        };
        match question == option {
            true => best(&self.leads).max(best(&self.answers)),
            false => best(&self.leads),
        }
    }

    /// How alike the closest phrasings of two entries are.
    pub fn phrasing_similarity(&self, a: usize, b: usize) -> f32 {
        let of = |row: usize| {
            self.phrasings_of[row]
                .clone()
                .map(|i| self.phrasings.row(i))
        };
        of(a)
            .flat_map(|x| of(b).map(move |y| dot(x, y)))
            .fold(-1.0, f32::max)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_lead_is_the_first_paragraph_of_prose() {
        let answer = "What it is.\nStill the first paragraph.\n\nWhy it matters.";
        assert_eq!(lead(answer), "What it is.\nStill the first paragraph.");
        assert_eq!(
            lead("```sh\ndocker ps\n```\n\nLists containers."),
            "Lists containers."
        );
        assert_eq!(lead("One line only."), "One line only.");
    }

    #[test]
    fn an_answer_of_code_only_is_its_own_lead() {
        let answer = "```sh\ndocker ps\n```";
        assert_eq!(lead(answer), answer);
    }
}
