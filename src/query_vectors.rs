//! The vectors of `/ask` queries, embedded in batches: a [`QueryBatcher`]
//! collects the queries that arrive while a batch is being embedded and
//! embeds them together in the next, on the CPU pool.
//!
//! Embedding a short query reads every weight of the model once (21 MB), so it
//! costs what that read costs; one pass over the weights serves many queries'
//! token rows at nearly the same cost
//! ([`Semantic::query_vectors`](crate::semantic::Semantic::query_vectors)). A
//! burst of `/ask`s thus takes a few passes instead of one per query. A lone
//! query waits for nothing: with no batch running it is embedded at once.
//! Batches hold at most [`MOST_AT_ONCE`] queries, each for one library (so one
//! model); queries for another library wait for a batch of their own.
//! The search then takes the vector ([`Searcher::search_with`](crate::search::Searcher::search_with)).

use std::collections::VecDeque;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Instant;

use tokio::sync::oneshot;

use crate::cpu::CpuPool;
use crate::library::Library;
use crate::semantic::{ModelError, QueryVector};

/// Most queries embedded in one pass. More rows per pass cost little more
/// than the read of the weights, but the first answer of a batch waits for the
/// whole batch (BENCHMARKS.md, "Autocomplete and the burst (issue 26)").
pub const MOST_AT_ONCE: usize = 32;

/// Why a query has no vector (its search then embeds the text itself, or
/// matches words only).
#[derive(Debug, thiserror::Error)]
pub enum QueryVectorError {
    #[error("matching by meaning is off")]
    MeaningOff,
    #[error(transparent)]
    Model(#[from] ModelError),
    #[error("the embedding stopped before it was done (the CPU pool stopped, or it panicked)")]
    Lost,
}

type Answer = Result<QueryVector, QueryVectorError>;

/// A query waiting for its vector.
struct Request {
    /// The library whose model embeds it (the one its search will use).
    library: Arc<Library>,
    /// The text to embed ([`Searcher::meaning_text`](crate::search::Searcher::meaning_text)).
    text: String,
    answer: oneshot::Sender<Answer>,
}

#[derive(Default)]
struct Queue {
    waiting: VecDeque<Request>,
    /// True while a task takes batches off `waiting`; it stops when it is empty.
    draining: bool,
    counts: BatchCounts,
}

/// Embeds queries in batches on the CPU pool (see the module docs).
pub struct QueryBatcher {
    pool: Arc<CpuPool>,
    queue: Mutex<Queue>,
}

impl QueryBatcher {
    /// Batches that run on `pool`.
    pub fn new(pool: Arc<CpuPool>) -> Self {
        QueryBatcher {
            pool,
            queue: Mutex::default(),
        }
    }

    /// The vector of `text` by `library`'s model, embedded with the other
    /// queries waiting (at once when none is). Call it within a tokio runtime.
    pub async fn vector(
        self: &Arc<Self>,
        library: Arc<Library>,
        text: String,
    ) -> Result<QueryVector, QueryVectorError> {
        let (answer, answered) = oneshot::channel();
        let start = {
            let mut queue = self.queue();
            queue.waiting.push_back(Request {
                library,
                text,
                answer,
            });
            !std::mem::replace(&mut queue.draining, true)
        };
        if start {
            // A task of its own, so a caller that gives up waiting never
            // strands the queue.
            tokio::spawn(self.clone().drain());
        }
        answered.await.unwrap_or(Err(QueryVectorError::Lost))
    }

    /// Embeds batches until no query waits.
    async fn drain(self: Arc<Self>) {
        loop {
            let batch = {
                let mut queue = self.queue();
                let batch = next_batch(&mut queue.waiting, MOST_AT_ONCE, |a, b| {
                    Arc::ptr_eq(&a.library, &b.library)
                });
                if batch.is_empty() {
                    queue.draining = false;
                    return;
                }
                queue.counts.queries += batch.len();
                queue.counts.batches += 1;
                batch
            };
            // A batch that never runs (the pool stopped) or panics drops its
            // requests' senders: each caller gets `Lost`.
            if let Err(e) = self.pool.run(move || embed(batch)).await {
                tracing::warn!("a batch of query vectors was lost: {e}");
            }
        }
    }

    /// How many queries wait for a batch (beyond the one being embedded).
    pub fn waiting(&self) -> usize {
        self.queue().waiting.len()
    }

    /// How many queries were taken for embedding so far, in how many batches.
    pub fn counts(&self) -> BatchCounts {
        self.queue().counts
    }

    fn queue(&self) -> MutexGuard<'_, Queue> {
        self.queue.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// Queries taken for embedding and the batches they made ([`QueryBatcher::counts`]).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct BatchCounts {
    pub queries: usize,
    pub batches: usize,
}

/// The oldest waiting request and up to `most` - 1 more that go `together`
/// with it (for the same library), oldest first; the others keep their places.
fn next_batch<T>(
    waiting: &mut VecDeque<T>,
    most: usize,
    together: impl Fn(&T, &T) -> bool,
) -> Vec<T> {
    let Some(first) = waiting.pop_front() else {
        return Vec::new();
    };
    let mut batch = vec![first];
    let mut others = VecDeque::new();
    while let Some(request) = waiting.pop_front() {
        if batch.len() < most && together(&batch[0], &request) {
            batch.push(request);
        } else {
            others.push_back(request);
        }
    }
    *waiting = others;
    batch
}

/// Embeds one batch (all for one library) and answers each request.
fn embed(batch: Vec<Request>) {
    let Some(semantic) = batch[0].library.searcher.semantic() else {
        for request in batch {
            let _ = request.answer.send(Err(QueryVectorError::MeaningOff));
        }
        return;
    };
    let started = Instant::now();
    let texts: Vec<&str> = batch.iter().map(|r| r.text.as_str()).collect();
    let vectors = semantic.query_vectors(&texts);
    tracing::debug!(
        queries = batch.len(),
        elapsed_ms = started.elapsed().as_secs_f64() * 1000.0,
        "query vectors embedded"
    );
    for (request, vector) in batch.into_iter().zip(vectors) {
        let _ = request.answer.send(vector.map_err(QueryVectorError::from));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_batch_takes_the_oldest_and_more_of_its_kind_up_to_the_cap() {
        // (library, arrival)
        let mut waiting: VecDeque<(char, u32)> =
            [('a', 1), ('b', 2), ('a', 3), ('a', 4), ('b', 5), ('a', 6)].into();
        let same = |x: &(char, u32), y: &(char, u32)| x.0 == y.0;
        assert_eq!(
            next_batch(&mut waiting, 3, same),
            [('a', 1), ('a', 3), ('a', 4)]
        );
        assert_eq!(waiting, [('b', 2), ('b', 5), ('a', 6)]);
        assert_eq!(next_batch(&mut waiting, 3, same), [('b', 2), ('b', 5)]);
        assert_eq!(next_batch(&mut waiting, 3, same), [('a', 6)]);
        assert!(next_batch(&mut waiting, 3, same).is_empty());
    }
}
