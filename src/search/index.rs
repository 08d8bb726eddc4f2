//! The on-disk tantivy index: its schema, building it from a bank (rebuilt when the
//! bank's content hash changes), and the [`Searcher`] that answers queries.

use std::path::Path;
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressStyle};
use tantivy::collector::TopDocs;
use tantivy::schema::{
    Field, IndexRecordOption, STORED, STRING, Schema, TextFieldIndexing, TextOptions, Value,
};
use tantivy::tokenizer::TextAnalyzer;
use tantivy::{Index, IndexReader, ReloadPolicy, TantivyDocument, doc};

use super::analyzer::{ANALYZER, RAW_ANALYZER, analyzer, raw_analyzer, terms};
use super::query::{QueryPlan, Weights};
use super::rescore;
use super::vocabulary::{Speller, Vocabulary};
use super::{Found, Hit, SearchError, SearchOptions, Synonyms};
use crate::bank::Bank;

/// Bumped whenever the schema or the analyzer changes, so old indexes are rebuilt.
const INDEX_FORMAT: &str = "interview-bot-index-5";
const INDEX_SUBDIR: &str = "tantivy";
const HASH_FILE: &str = "BANK_HASH";
/// Banks at least this big show a progress bar while indexing.
const PROGRESS_FROM: usize = 2_000;

/// The fields of an indexed question.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Fields {
    pub id: Field,
    pub topic: Field,
    pub topic_text: Field,
    pub question: Field,
    pub aliases: Field,
    pub answer: Field,
    pub tags: Field,
    /// Every word of the entry as written (unstemmed), for spelling correction.
    pub words: Field,
}

impl Fields {
    fn schema() -> (Schema, Fields) {
        let text = TextOptions::default().set_indexing_options(
            TextFieldIndexing::default()
                .set_tokenizer(ANALYZER)
                .set_index_option(IndexRecordOption::WithFreqsAndPositions),
        );
        let words = TextOptions::default().set_indexing_options(
            TextFieldIndexing::default()
                .set_tokenizer(RAW_ANALYZER)
                .set_index_option(IndexRecordOption::Basic),
        );
        let mut builder = Schema::builder();
        let fields = Fields {
            id: builder.add_text_field("id", STRING | STORED),
            topic: builder.add_text_field("topic", STRING),
            topic_text: builder.add_text_field("topic_text", text.clone()),
            question: builder.add_text_field("question", text.clone()),
            aliases: builder.add_text_field("aliases", text.clone()),
            answer: builder.add_text_field("answer", text.clone()),
            tags: builder.add_text_field("tags", text),
            words: builder.add_text_field("words", words),
        };
        (builder.build(), fields)
    }

    fn from_schema(schema: &Schema) -> tantivy::Result<Fields> {
        Ok(Fields {
            id: schema.get_field("id")?,
            topic: schema.get_field("topic")?,
            topic_text: schema.get_field("topic_text")?,
            question: schema.get_field("question")?,
            aliases: schema.get_field("aliases")?,
            answer: schema.get_field("answer")?,
            tags: schema.get_field("tags")?,
            words: schema.get_field("words")?,
        })
    }

    /// Fields whose terms make up the vocabulary.
    fn vocabulary_fields(&self) -> [Field; 4] {
        [self.question, self.aliases, self.answer, self.tags]
    }
}

/// What a build did.
#[derive(Debug, Clone, Copy)]
pub struct Built {
    pub questions: usize,
    pub elapsed: Duration,
}

/// Whether opening the index had to rebuild it.
#[derive(Debug, Clone, Copy)]
pub enum IndexStatus {
    UpToDate,
    Rebuilt(Built),
}

/// An open index with everything needed to turn chat into hits.
pub struct Searcher {
    reader: IndexReader,
    fields: Fields,
    analyzer: TextAnalyzer,
    synonyms: Synonyms,
    vocabulary: Vocabulary,
    speller: Speller,
    weights: Weights,
}

impl Searcher {
    /// Opens the index in `dir`, first rebuilding it from `bank` when it is missing,
    /// unreadable or was built from different content.
    pub fn open_or_build(
        bank: &Bank,
        dir: &Path,
        synonyms: Synonyms,
    ) -> Result<(Searcher, IndexStatus), SearchError> {
        let hash = index_hash(bank);
        let current = dir.join(INDEX_SUBDIR);
        let stored = std::fs::read_to_string(current.join(HASH_FILE)).unwrap_or_default();
        if stored.trim() == hash {
            match Self::open(&current, synonyms.clone()) {
                Ok(searcher) => return Ok((searcher, IndexStatus::UpToDate)),
                Err(e) => {
                    tracing::warn!("index {} is unreadable, rebuilding: {e}", current.display())
                }
            }
        }
        let built = build(bank, dir)?;
        Ok((Self::open(&current, synonyms)?, IndexStatus::Rebuilt(built)))
    }

    fn open(path: &Path, synonyms: Synonyms) -> Result<Searcher, SearchError> {
        let with_path = |source| SearchError::Index {
            path: path.to_path_buf(),
            source,
        };
        let index = Index::open_in_dir(path).map_err(with_path)?;
        register_analyzers(&index);
        let fields = Fields::from_schema(&index.schema()).map_err(with_path)?;
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .try_into()
            .map_err(with_path)?;
        let vocabulary =
            Vocabulary::new(read_terms(&reader, &fields.vocabulary_fields()).map_err(with_path)?);
        let speller = Speller::new(read_terms(&reader, &[fields.words]).map_err(with_path)?);
        Ok(Searcher {
            reader,
            fields,
            analyzer: analyzer(),
            synonyms,
            vocabulary,
            speller,
            weights: Weights::default(),
        })
    }

    /// The best matches for chat text.
    pub fn search(&self, text: &str, options: &SearchOptions) -> Result<Found, SearchError> {
        let searcher = self.reader.searcher();
        let mut analyzer = self.analyzer.clone();
        let plan = QueryPlan::new(
            text,
            &mut analyzer,
            &self.synonyms,
            &self.vocabulary,
            &self.speller,
            searcher.num_docs(),
        );
        if plan.is_empty() {
            return Ok(Found {
                hits: Vec::new(),
                note: Some("nothing searchable in that text: try a few words about the topic"),
            });
        }
        if options.limit == 0 {
            return Ok(Found::default());
        }
        let query = plan.to_query(&self.fields, &self.weights, options);
        let depth = (options.offset + options.limit).max(rescore::DEPTH);
        let candidates = searcher.search(&query, &TopDocs::with_limit(depth).order_by_score())?;
        let ranked = rescore::rescore(&searcher, &self.fields, &plan, candidates)?;
        let mut hits = Vec::new();
        for scored in ranked.into_iter().skip(options.offset).take(options.limit) {
            let doc: TantivyDocument = searcher.doc(scored.address)?;
            if let Some(id) = doc.get_first(self.fields.id).and_then(|v| v.as_str()) {
                hits.push(Hit {
                    id: id.to_string(),
                    score: scored.score,
                });
            }
        }
        Ok(Found { hits, note: None })
    }

    /// The analyzed terms of `text`, as search sees them.
    pub fn terms(&self, text: &str) -> Vec<String> {
        terms(&mut self.analyzer.clone(), text)
    }

    pub fn synonyms(&self) -> &Synonyms {
        &self.synonyms
    }
}

/// Builds the index for `bank` into `dir`, replacing whatever was there.
pub fn build(bank: &Bank, dir: &Path) -> Result<Built, SearchError> {
    let started = Instant::now();
    let current = dir.join(INDEX_SUBDIR);
    let staging = dir.join(format!("{INDEX_SUBDIR}.building-{}", std::process::id()));
    let io = |path: &Path| {
        let path = path.to_path_buf();
        move |source| SearchError::Io { path, source }
    };
    let tantivy_err = |path: &Path| {
        let path = path.to_path_buf();
        move |source| SearchError::Index { path, source }
    };
    if staging.exists() {
        std::fs::remove_dir_all(&staging).map_err(io(&staging))?;
    }
    std::fs::create_dir_all(&staging).map_err(io(&staging))?;

    let (schema, f) = Fields::schema();
    let index = Index::create_in_dir(&staging, schema).map_err(tantivy_err(&staging))?;
    register_analyzers(&index);
    let threads = if bank.len() >= 20_000 { 2 } else { 1 };
    let mut writer = index
        .writer_with_num_threads::<TantivyDocument>(threads, 100_000_000 * threads)
        .map_err(tantivy_err(&staging))?;
    let progress = progress_bar(bank.len());
    for q in bank.questions() {
        let mut document = doc!(
            f.id => q.id.as_str(),
            f.topic => q.topic.as_str(),
            f.topic_text => q.topic.as_str(),
            f.question => q.question.as_str(),
            f.answer => q.answer.as_str(),
        );
        for alias in &q.aliases {
            document.add_text(f.aliases, alias);
        }
        for tag in &q.tags {
            document.add_text(f.tags, tag);
        }
        for text in q
            .phrasings()
            .chain([q.answer.as_str()])
            .chain(q.tags.iter().map(String::as_str))
        {
            document.add_text(f.words, text);
        }
        writer
            .add_document(document)
            .map_err(tantivy_err(&staging))?;
        progress.inc(1);
    }
    writer.commit().map_err(tantivy_err(&staging))?;
    writer
        .wait_merging_threads()
        .map_err(tantivy_err(&staging))?;
    progress.finish_and_clear();
    std::fs::write(staging.join(HASH_FILE), index_hash(bank)).map_err(io(&staging))?;

    if current.exists() {
        std::fs::remove_dir_all(&current).map_err(io(&current))?;
    }
    std::fs::rename(&staging, &current).map_err(io(&current))?;
    Ok(Built {
        questions: bank.len(),
        elapsed: started.elapsed(),
    })
}

fn index_hash(bank: &Bank) -> String {
    format!("{INDEX_FORMAT}:{}", bank.content_hash())
}

fn progress_bar(len: usize) -> ProgressBar {
    if len < PROGRESS_FROM {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::new(len as u64);
    if let Ok(style) = ProgressStyle::with_template(
        "indexing {bar:40} {pos}/{len} questions ({per_sec}, {eta} left)",
    ) {
        bar.set_style(style);
    }
    bar
}

fn register_analyzers(index: &Index) {
    index.tokenizers().register(ANALYZER, analyzer());
    index.tokenizers().register(RAW_ANALYZER, raw_analyzer());
}

/// Every term of `fields` with its document frequency.
fn read_terms(reader: &IndexReader, fields: &[Field]) -> tantivy::Result<Vec<(String, u32)>> {
    let searcher = reader.searcher();
    let mut terms = Vec::new();
    for segment in searcher.segment_readers() {
        for &field in fields {
            let inverted = segment.inverted_index(field)?;
            let mut stream = inverted.terms().stream()?;
            while stream.advance() {
                if let Ok(word) = std::str::from_utf8(stream.key()) {
                    terms.push((word.to_string(), stream.value().doc_freq));
                }
            }
        }
    }
    Ok(terms)
}
