//! The index's schema and the [`Searcher`] that answers queries over it (built by
//! [`super::build`]).

use std::borrow::Cow;
use std::path::Path;

use tantivy::collector::TopDocs;
use tantivy::query::Bm25StatisticsProvider;
use tantivy::schema::{
    FAST, Field, IndexRecordOption, STORED, STRING, Schema, TextFieldIndexing, TextOptions,
};
use tantivy::tokenizer::TextAnalyzer;
use tantivy::{Index, IndexReader, ReloadPolicy};

use super::analyzer::{ANALYZER, RAW_ANALYZER, analyzer};
use super::asks::{Asks, asks};
use super::build::{Built, Location, build, build_in_ram, register_analyzers};
use super::confidence::{Confidence, Evidence};
use super::partition::Partition;
use super::query::{QueryPlan, Weights};
use super::subject::{self, Definitions, Subject};
use super::suggest::Suggestions;
use super::vocabulary::{Lexicon, Speller, Vocabulary};
use super::{Found, Hit, SearchError, SearchOptions, Synonyms};
use super::{forms, fusion, rescore};
use crate::bank::Bank;
use crate::semantic::{ModelError, QueryVector, Semantic, Similarity};

const ROW: &str = "row";

/// The fields of an indexed question.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Fields {
    pub id: Field,
    /// Whose entry: empty for the shipped bank's, a server's id for its team bank's.
    pub scope: Field,
    pub topic: Field,
    pub topic_text: Field,
    pub question: Field,
    pub aliases: Field,
    pub answer: Field,
    pub tags: Field,
    /// Every word of the entry as written (unstemmed), for spelling correction.
    pub words: Field,
    /// The entry's place in the bank (a fast field), to join with its vectors.
    pub row: Field,
}

impl Fields {
    pub(crate) fn schema() -> (Schema, Fields) {
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
            scope: builder.add_text_field("scope", STRING | STORED),
            topic: builder.add_text_field("topic", STRING),
            topic_text: builder.add_text_field("topic_text", text.clone()),
            question: builder.add_text_field("question", text.clone()),
            aliases: builder.add_text_field("aliases", text.clone()),
            answer: builder.add_text_field("answer", text.clone()),
            tags: builder.add_text_field("tags", text),
            words: builder.add_text_field("words", words),
            row: builder.add_u64_field(ROW, FAST),
        };
        (builder.build(), fields)
    }

    /// The fields of an index built with [`Fields::schema`].
    pub(crate) fn from_index(index: &Index) -> Result<Fields, SearchError> {
        Ok(Self::from_schema(&index.schema())?)
    }

    fn from_schema(schema: &Schema) -> tantivy::Result<Fields> {
        Ok(Fields {
            id: schema.get_field("id")?,
            scope: schema.get_field("scope")?,
            topic: schema.get_field("topic")?,
            topic_text: schema.get_field("topic_text")?,
            question: schema.get_field("question")?,
            aliases: schema.get_field("aliases")?,
            answer: schema.get_field("answer")?,
            tags: schema.get_field("tags")?,
            words: schema.get_field("words")?,
            row: schema.get_field(ROW)?,
        })
    }

    /// Fields whose terms make up the vocabulary.
    pub(crate) fn vocabulary_fields(&self) -> [Field; 4] {
        [self.question, self.aliases, self.answer, self.tags]
    }
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
    /// Matching by meaning, when the model is installed.
    semantic: Option<Semantic>,
    /// Autocomplete's index of the same bank.
    suggestions: Suggestions,
    /// What each entry's question asks for, by bank row.
    asks: Vec<Asks>,
    /// What each entry defines, by bank row.
    definitions: Definitions,
    /// Each entry's id and topic, by bank row.
    ids: Vec<String>,
    topics: Vec<String>,
}

impl Searcher {
    /// Opens the index for `bank` under `dir`, first building it when it is missing,
    /// unreadable or was built from different content. When `dir` cannot be
    /// written, the index is built in memory for this run instead.
    pub fn open_or_build(
        bank: &Bank,
        dir: &Path,
        synonyms: Synonyms,
    ) -> Result<(Searcher, IndexStatus), SearchError> {
        let location = Location::of(bank, dir);
        if location.is_current() {
            match open_dir(&location.path) {
                Ok(index) => {
                    let searcher = Self::new(index, synonyms, bank)?;
                    return Ok((searcher, IndexStatus::UpToDate));
                }
                Err(e) => tracing::warn!("the search index is unreadable, rebuilding it: {e}"),
            }
        }
        let built = build(bank, dir).and_then(|built| Ok((open_dir(&location.path)?, built)));
        let (index, built) = match built {
            Ok(done) => done,
            Err(e) => {
                tracing::warn!(
                    "cannot keep the search index on disk ({e}); indexing in memory for this run"
                );
                build_in_ram(bank)?
            }
        };
        Ok((
            Self::new(index, synonyms, bank)?,
            IndexStatus::Rebuilt(built),
        ))
    }

    fn new(index: Index, synonyms: Synonyms, bank: &Bank) -> Result<Searcher, SearchError> {
        let fields = Fields::from_schema(&index.schema())?;
        let reader: IndexReader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .try_into()?;
        let vocabulary = Vocabulary::new(read_terms(&reader, &fields.vocabulary_fields())?);
        let speller = Speller::new(read_terms(&reader, &[fields.words])?);
        Ok(Searcher {
            reader,
            fields,
            analyzer: analyzer(),
            synonyms,
            vocabulary,
            speller,
            weights: Weights::default(),
            semantic: None,
            suggestions: Suggestions::new(bank),
            asks: bank.questions().iter().map(|q| asks(&q.question)).collect(),
            definitions: Definitions::of(bank),
            ids: bank.questions().iter().map(|q| q.id.clone()).collect(),
            topics: bank.questions().iter().map(|q| q.topic.clone()).collect(),
        })
    }

    /// Autocomplete's index of the bank this searcher was opened for.
    pub fn suggestions(&self) -> &Suggestions {
        &self.suggestions
    }

    /// This searcher, matching by meaning as well as by words.
    pub fn with_semantic(mut self, semantic: Option<Semantic>) -> Searcher {
        self.semantic = semantic;
        self
    }

    /// The bank's vectors, when matching by meaning is on.
    pub fn semantic(&self) -> Option<&Semantic> {
        self.semantic.as_ref()
    }

    /// The best matches for chat text, searched without the forms of
    /// interview-question lists ([`super::forms::normalise`]): words and meaning
    /// both see the normalised text.
    pub fn search(&self, text: &str, options: &SearchOptions) -> Result<Found, SearchError> {
        self.search_with(text, options, None)
    }

    /// The text a search of `text` would embed to match by meaning (the
    /// normalised text, see [`Searcher::search`]); `None` when meaning is off.
    /// Its vector, made ahead (in a batch with other queries':
    /// [`crate::semantic::Semantic::query_vectors`]), goes to
    /// [`Searcher::search_with`]. A search that stops before meaning (nothing
    /// searchable in the text, no hits wanted) does not use it.
    pub fn meaning_text(&self, text: &str) -> Option<String> {
        self.semantic
            .as_ref()
            .map(|_| forms::normalise(text).into_owned())
    }

    /// [`Searcher::search`], taking the vector of the text it matches by
    /// meaning from `vector` when that was made for [`Searcher::meaning_text`]
    /// of `text` with this searcher's model (else it embeds the text itself):
    /// the same hits either way.
    pub fn search_with(
        &self,
        text: &str,
        options: &SearchOptions,
        vector: Option<&QueryVector>,
    ) -> Result<Found, SearchError> {
        self.search_in(text, options, vector, None)
    }

    /// [`Searcher::search_with`] over the bank and, in a server with a team
    /// bank, that server's `partition` beside it: one ranking of both, where
    /// no other server's entries take part.
    pub fn search_in(
        &self,
        text: &str,
        options: &SearchOptions,
        vector: Option<&QueryVector>,
        partition: Option<&Partition>,
    ) -> Result<Found, SearchError> {
        let normalised = forms::normalise(text);
        let view = View {
            searcher: self,
            partition,
        };
        let mut found = self.search_normalised(&normalised, options, vector, &view)?;
        if let Cow::Owned(normalised) = normalised {
            found.normalised = Some(normalised);
        }
        Ok(found)
    }

    fn search_normalised(
        &self,
        text: &str,
        options: &SearchOptions,
        vector: Option<&QueryVector>,
        view: &View<'_>,
    ) -> Result<Found, SearchError> {
        let searcher = self.reader.searcher();
        let team = view.partition.map(|p| (p, p.reader().searcher()));
        let mut analyzer = self.analyzer.clone();
        let plan = QueryPlan::new(
            text,
            &mut analyzer,
            &self.synonyms,
            Lexicon::new(&self.vocabulary, view.partition.map(Partition::vocabulary)),
            &self.speller,
            searcher.num_docs() + team.as_ref().map_or(0, |(_, s)| s.num_docs()),
        );
        if plan.has_no_words() {
            return Ok(Found {
                hits: Vec::new(),
                note: Some("nothing searchable in that text: try a few words about the topic"),
                confidence: None,
                normalised: None,
            });
        }
        let semantic = self.semantic.as_ref().filter(|_| !options.words_only);
        if plan.matches_nothing() && semantic.is_none() {
            return Ok(Found {
                hits: Vec::new(),
                note: Some(NO_WORD_MATCHES),
                confidence: None,
                normalised: None,
            });
        }
        if options.limit == 0 {
            return Ok(Found::default());
        }
        let ranked = if plan.matches_nothing() {
            Vec::new()
        } else {
            let query = plan.to_query(&self.fields, &self.weights, options);
            let depth = (options.offset + options.limit).max(rescore::DEPTH);
            match &team {
                None => ranked_rows(&searcher, &searcher, &self.fields, &plan, &*query, depth, 0)?,
                Some((partition, team)) => {
                    // Scored with the statistics of both indexes, so a word
                    // weighs the same in either and their scores compare.
                    let both = Joint(&searcher, team);
                    let mut ranked =
                        ranked_rows(&searcher, &both, &self.fields, &plan, &*query, depth, 0)?;
                    ranked.extend(ranked_rows(
                        team,
                        &both,
                        partition.fields(),
                        &plan,
                        &*query,
                        depth,
                        self.rows(),
                    )?);
                    ranked.sort_by(|a, b| b.1.score.total_cmp(&a.1.score));
                    ranked
                }
            }
        };
        let Some(semantic) = semantic else {
            return Ok(lexical_hits(view, ranked, options, &plan, text));
        };
        let similarities = match view.similarities(semantic, text, vector) {
            Ok(similarities) => similarities,
            Err(e) => {
                tracing::warn!("matching by meaning failed, matching words only: {e}");
                return Ok(lexical_hits(view, ranked, options, &plan, text));
            }
        };
        let rows = &ranked[..ranked.len().min(rescore::DEPTH)];
        let keep = |row: usize| {
            options
                .topic
                .as_deref()
                .is_none_or(|t| view.topic(row) == t)
                && options.exclude.as_deref() != Some(view.id(row))
        };
        let asked = subject::asked(text);
        let defines = |row: usize| view.defines(row, &asked);
        let fused = fusion::rank(
            rows,
            &similarities,
            fusion::count_words(text),
            keep,
            defines,
        );
        if fused.is_empty() {
            return Ok(Found {
                hits: Vec::new(),
                note: Some(if plan.matches_nothing() {
                    NO_WORD_MATCHES
                } else {
                    NO_MEANING_MATCHES
                }),
                confidence: None,
                normalised: None,
            });
        }
        let confidence = fused.first().map(|best| {
            let words = rows
                .iter()
                .find(|(row, _)| *row == best.row)
                .map(|(_, s)| s);
            Confidence::of(Evidence {
                coverage: words.map_or(0.0, |s| s.coverage),
                unknown: plan.unknown_share(),
                phrasing: Some(best.signals.phrasing),
                entry: Some(best.signals.entry),
                gap: best.score - fused.get(1).map_or(0.0, |second| second.score),
                phrased: words.map_or(0.0, |s| s.phrased),
                question_covered: words.map_or(0.0, |s| s.question_covered),
                words: plan.concepts.len(),
                asks: asks(text),
                hit_asks: view.asks(best.row),
                defines: (!asked.is_empty()).then_some(best.signals.defines),
                bare: is_bare(text),
            })
        });
        let hits = fused
            .into_iter()
            .skip(options.offset)
            .take(options.limit)
            .map(|f| Hit {
                id: view.id(f.row).to_string(),
                score: f.score,
                signals: Some(f.signals),
            })
            .collect();
        Ok(Found {
            hits,
            note: None,
            confidence,
            normalised: None,
        })
    }

    /// Number of entries in the bank this searcher was opened for.
    fn rows(&self) -> usize {
        self.ids.len()
    }
}

/// The rows one search ranks: the bank's (`0..rows`), then a server's team
/// bank's after them.
struct View<'a> {
    searcher: &'a Searcher,
    partition: Option<&'a Partition>,
}

impl View<'_> {
    fn id(&self, row: usize) -> &str {
        match self.team_row(row) {
            Some((partition, row)) => partition.id(row),
            None => &self.searcher.ids[row],
        }
    }

    fn topic(&self, row: usize) -> &str {
        match self.team_row(row) {
            Some((partition, row)) => partition.topic(row),
            None => &self.searcher.topics[row],
        }
    }

    /// What the question of the entry at `row` asks for.
    fn asks(&self, row: usize) -> Asks {
        match self.team_row(row) {
            Some((partition, row)) => partition.asks(row),
            None => self.searcher.asks.get(row).copied().unwrap_or(Asks::Other),
        }
    }

    /// Whether the entry at `row` defines one of the `asked` subjects.
    fn defines(&self, row: usize, asked: &[Subject]) -> bool {
        !asked.is_empty()
            && match self.team_row(row) {
                Some((partition, row)) => partition.defines(row, asked),
                None => self.searcher.definitions.defines(row, asked),
            }
    }

    fn team_row(&self, row: usize) -> Option<(&Partition, usize)> {
        let first = self.searcher.rows();
        self.partition
            .filter(|_| row >= first)
            .map(|p| (p, row - first))
    }

    /// How close `text` is in meaning to every row: the bank's, then the team
    /// bank's (by words only, as if unrelated, when it has no vectors).
    fn similarities(
        &self,
        semantic: &Semantic,
        text: &str,
        vector: Option<&QueryVector>,
    ) -> Result<Vec<Similarity>, ModelError> {
        let Some(partition) = self.partition else {
            return semantic.similarities_given(text, vector);
        };
        let made;
        let vector = match vector {
            Some(given) => Some(given),
            None => {
                made = semantic.query_vectors(&[text]).pop().transpose()?;
                made.as_ref()
            }
        };
        let mut all = semantic.similarities_given(text, vector)?;
        match partition.semantic() {
            Some(team) => all.extend(team.similarities_given(text, vector)?),
            None => all.extend((0..partition.len()).map(|_| UNRELATED)),
        }
        Ok(all)
    }
}

/// The similarity of an entry without vectors: found by its words or not at all.
const UNRELATED: Similarity = Similarity {
    phrasing: -1.0,
    answer: -1.0,
    entry: -1.0,
};

/// The word statistics of the bank's index and a team bank's together.
struct Joint<'a>(&'a tantivy::Searcher, &'a tantivy::Searcher);

impl Bm25StatisticsProvider for Joint<'_> {
    fn total_num_tokens(&self, field: Field) -> tantivy::Result<u64> {
        Ok(self.0.total_num_tokens(field)? + self.1.total_num_tokens(field)?)
    }

    fn total_num_docs(&self) -> tantivy::Result<u64> {
        Ok(self.0.total_num_docs()? + self.1.total_num_docs()?)
    }

    fn doc_freq(&self, term: &tantivy::Term) -> tantivy::Result<u64> {
        Ok(Bm25StatisticsProvider::doc_freq(self.0, term)?
            + Bm25StatisticsProvider::doc_freq(self.1, term)?)
    }
}

/// The lexical candidates of `query` in one index, scored with `statistics`
/// and rescored, best first, as rows of the search's [`View`] (the index's
/// own rows from `first_row`).
fn ranked_rows(
    searcher: &tantivy::Searcher,
    statistics: &dyn Bm25StatisticsProvider,
    fields: &Fields,
    plan: &QueryPlan,
    query: &dyn tantivy::query::Query,
    depth: usize,
    first_row: usize,
) -> Result<Vec<(usize, rescore::Scored)>, SearchError> {
    let candidates = searcher.search_with_statistics_provider(
        query,
        &TopDocs::with_limit(depth).order_by_score(),
        statistics,
    )?;
    let ranked = rescore::rank(searcher, fields, plan, candidates)?;
    Ok(rows_of(searcher, fields, &ranked)?
        .into_iter()
        .map(|(row, scored)| (first_row + row, scored))
        .collect())
}

/// Hits by words alone, from `ranked` (rows of `view`, best first).
fn lexical_hits(
    view: &View<'_>,
    ranked: Vec<(usize, rescore::Scored)>,
    options: &SearchOptions,
    plan: &QueryPlan,
    text: &str,
) -> Found {
    let Some((best_row, best)) = ranked.first() else {
        return Found {
            hits: Vec::new(),
            note: Some(NO_WORD_MATCHES),
            confidence: None,
            normalised: None,
        };
    };
    let second = ranked.get(1).map_or(0.0, |(_, s)| s.score);
    let asked = subject::asked(text);
    let confidence = Confidence::of(Evidence {
        coverage: best.coverage,
        unknown: plan.unknown_share(),
        phrasing: None,
        entry: None,
        gap: if best.score > 0.0 {
            (best.score - second) / best.score
        } else {
            0.0
        },
        phrased: best.phrased,
        question_covered: best.question_covered,
        words: plan.concepts.len(),
        asks: asks(text),
        hit_asks: view.asks(*best_row),
        defines: (!asked.is_empty()).then(|| view.defines(*best_row, &asked)),
        bare: is_bare(text),
    });
    let hits = ranked
        .iter()
        .skip(options.offset)
        .take(options.limit)
        .map(|(row, scored)| Hit {
            id: view.id(*row).to_string(),
            score: scored.score,
            signals: None,
        })
        .collect();
    Found {
        hits,
        note: None,
        confidence: Some(confidence),
        normalised: None,
    }
}

/// A query that names a topic instead of asking: no question word, no "?".
fn is_bare(text: &str) -> bool {
    asks(text) == Asks::Other && !text.contains('?')
}

const NO_WORD_MATCHES: &str = "no question uses those words: try other words, or /topics";
const NO_MEANING_MATCHES: &str = "no question is close enough: try other words, or /topics";

/// The bank rows of scored documents, with how they were scored.
fn rows_of(
    searcher: &tantivy::Searcher,
    fields: &Fields,
    scored: &[rescore::Scored],
) -> tantivy::Result<Vec<(usize, rescore::Scored)>> {
    let name = searcher.schema().get_field_name(fields.row).to_string();
    let mut columns = std::collections::HashMap::new();
    let mut rows = Vec::with_capacity(scored.len());
    for s in scored {
        let segment = s.address.segment_ord;
        let column = match columns.entry(segment) {
            std::collections::hash_map::Entry::Occupied(found) => found.into_mut(),
            std::collections::hash_map::Entry::Vacant(slot) => {
                slot.insert(searcher.segment_reader(segment).fast_fields().u64(&name)?)
            }
        };
        if let Some(row) = column.first(s.address.doc_id) {
            rows.push((row as usize, *s));
        }
    }
    Ok(rows)
}

/// Opens an on-disk index with the analyzers it was built with.
fn open_dir(path: &Path) -> Result<Index, SearchError> {
    let index = Index::open_in_dir(path).map_err(|error| SearchError::Index {
        path: path.to_path_buf(),
        error,
    })?;
    register_analyzers(&index);
    Ok(index)
}

/// Whether the index for `bank` under `dir` is current (`None`: it would be built
/// at the next start). Builds nothing.
pub fn index_status(bank: &Bank, dir: &Path) -> Option<IndexStatus> {
    let location = Location::of(bank, dir);
    (location.is_current() && opens(&location.path)).then_some(IndexStatus::UpToDate)
}

/// True when an on-disk index opens and can be read.
pub(crate) fn opens(path: &Path) -> bool {
    open_dir(path).is_ok_and(|index| index.reader().is_ok())
}

/// Every term of `fields` with its document frequency.
pub(crate) fn read_terms(
    reader: &IndexReader,
    fields: &[Field],
) -> tantivy::Result<Vec<(String, u32)>> {
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
