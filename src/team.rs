//! Team banks: entries a server's members suggest and its moderators approve,
//! searchable in that server only. This module owns the rules (what a
//! suggestion must hold, rate and size limits, neutralising mentions) and the
//! live partitions search reads ([`TeamBanks`]); the store keeps suggestions and
//! entries ([`crate::store::Store::suggest`] and its neighbours), and every
//! approval, edit or retirement rebuilds its server's
//! [`Partition`](crate::search::Partition) at once, without a restart.

pub mod import;

use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;

use arc_swap::ArcSwap;

use crate::bank::{Bank, Difficulty, Question};
use crate::library::{Entries, Library, Partitions};
use crate::search::{Partition, PartitionError, SearchOptions};
use crate::semantic::{Model, TextVectors};
use crate::store::{Draft, Review, Store, StoreError, SuggestionRow, TeamEntryRow};

/// Limits on what a server's members can add.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Suggestions one person may make per [`Limits::window_ms`].
    pub suggestions_per_window: i64,
    pub window_ms: i64,
    /// Live entries a server's bank may hold.
    pub max_entries: i64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits::from(crate::config::TeamSettings::default())
    }
}

impl From<crate::config::TeamSettings> for Limits {
    fn from(settings: crate::config::TeamSettings) -> Self {
        Limits {
            suggestions_per_window: settings.suggestions_per_hour,
            window_ms: 3_600_000,
            max_entries: settings.max_entries,
        }
    }
}

/// Longest question, alias, source and topic; longest answer; most aliases.
pub const MAX_QUESTION_CHARS: usize = 300;
pub const MAX_ANSWER_CHARS: usize = 4_000;
pub const MIN_ANSWER_CHARS: usize = 40;
pub const MAX_SOURCE_CHARS: usize = 300;
pub const MAX_TOPIC_CHARS: usize = 30;
pub const MAX_ALIASES: usize = 5;
/// A suggestion whose question is this close in meaning to an entry's
/// phrasing is a near-duplicate of it.
const SAME_MEANING: f32 = 0.92;
/// The same share of question and answer words as `bank check` uses.
const SAME_WORDS: f32 = crate::bank::check::NEAR_DUPLICATE;

/// Why a suggestion, edit or review was not taken; nothing changed.
#[derive(Debug, thiserror::Error)]
pub enum TeamError {
    #[error("{}", .0.join("\n"))]
    Invalid(Vec<String>),
    #[error(
        "you have made {made} suggestions in the last hour, the most there may be: try again later"
    )]
    RateLimited { made: i64 },
    #[error(
        "this server's bank holds {0} entries, its limit (team.max_entries): retire some first"
    )]
    BankFull(i64),
    #[error("there is no pending suggestion #{0}")]
    NoSuggestion(i64),
    #[error("suggestion #{number} was already {state}")]
    AlreadyReviewed { number: i64, state: &'static str },
    #[error("this server's bank has no entry `{0}`")]
    NoEntry(String),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("the entry was saved but is not searchable yet: {0}")]
    Index(#[from] PartitionError),
}

/// Every server's team bank as search sees it now; swapped whole per server.
#[derive(Default)]
pub struct TeamBanks {
    partitions: ArcSwap<Partitions>,
    /// Held while a partition is rebuilt, so two approvals in one server
    /// never build from the same old partition and lose one; it keeps
    /// which change last rebuilt each server.
    building: std::sync::Mutex<Changes>,
}

/// Which change (counted from 1) last rebuilt each server's partition.
#[derive(Default)]
struct Changes {
    count: u64,
    last: HashMap<String, u64>,
}

impl TeamBanks {
    /// The team bank of `server`, if it has entries.
    pub fn partition(&self, server: &str) -> Option<Arc<Partition>> {
        self.partitions.load().get(server).cloned()
    }

    /// What `server` sees now: `library` and its own entries.
    pub fn entries(&self, library: Arc<Library>, server: &str) -> Entries {
        Entries::new(library, self.partitions.load_full(), server)
    }

    /// `library` and every server's own bank now, seen from no server yet.
    pub fn unscoped(&self, library: Arc<Library>) -> Entries {
        Entries::unscoped(library, self.partitions.load_full())
    }

    /// Servers with entries, and entries in all of them.
    pub fn totals(&self) -> (usize, usize) {
        let partitions = self.partitions.load();
        (partitions.len(), partitions.values().map(|p| p.len()).sum())
    }

    /// How many changes rebuilt a partition so far: read it before reading
    /// the rows [`TeamBanks::load_all`] builds from.
    pub fn changes(&self) -> u64 {
        self.building
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .count
    }

    /// Builds every server's partition from the store's live entries `rows`
    /// (at start-up, or when the model arrives), read after `changes` were
    /// made ([`TeamBanks::changes`]): a server changed since keeps the
    /// partition its change built, newer than the rows. Embeds only texts
    /// whose vectors are not kept in `cache_dir` (and keeps them there).
    /// Runs for a while with many servers: call it off the async runtime.
    pub fn load_all(
        &self,
        rows: Vec<TeamEntryRow>,
        changes: u64,
        model: Option<Arc<Model>>,
        cache_dir: Option<&Path>,
    ) -> Result<(), PartitionError> {
        let building = self.building.lock().unwrap_or_else(|e| e.into_inner());
        let changed_since = |server: &str| building.last.get(server).is_some_and(|&c| c > changes);
        let mut by_server: HashMap<String, Vec<TeamEntryRow>> = HashMap::new();
        for row in rows {
            by_server.entry(row.server.clone()).or_default().push(row);
        }
        let mut known = model.as_ref().map(|m| TextVectors::open(cache_dir, m));
        let mut partitions = HashMap::with_capacity(by_server.len());
        for (server, rows) in by_server {
            if changed_since(&server) {
                continue;
            }
            let meaning = model.clone().zip(known.as_mut());
            let partition = Partition::build(&server, bank_of(&rows), meaning)?;
            partitions.insert(server, Arc::new(partition));
        }
        if let Some(known) = &known {
            let banks: Vec<&Bank> = partitions.values().map(|p| p.bank()).collect();
            known.save(&banks);
        }
        let current = self.partitions.load();
        for (server, partition) in current.iter() {
            if changed_since(server) {
                partitions.insert(server.clone(), partition.clone());
            }
        }
        self.partitions.store(Arc::new(partitions));
        Ok(())
    }

    /// Rebuilds `server`'s partition from `rows`, its live entries now,
    /// embedding only texts it did not have. Call it off the async runtime.
    pub fn rebuild(
        &self,
        server: &str,
        rows: &[TeamEntryRow],
        model: Option<Arc<Model>>,
    ) -> Result<(), PartitionError> {
        let mut building = self.building.lock().unwrap_or_else(|e| e.into_inner());
        let replacement = match rows.is_empty() {
            true => None,
            false => {
                let mut known = model.as_ref().map(|m| match self.partition(server) {
                    Some(earlier) => earlier.text_vectors(m),
                    None => TextVectors::open(None, m),
                });
                let meaning = model.zip(known.as_mut());
                Some(Arc::new(Partition::build(server, bank_of(rows), meaning)?))
            }
        };
        let mut partitions = HashMap::clone(&self.partitions.load());
        match replacement {
            Some(partition) => partitions.insert(server.to_string(), partition),
            None => partitions.remove(server),
        };
        self.partitions.store(Arc::new(partitions));
        building.count += 1;
        let change = building.count;
        building.last.insert(server.to_string(), change);
        Ok(())
    }
}

/// The entries of one server as a bank.
fn bank_of(rows: &[TeamEntryRow]) -> Bank {
    Bank::new(rows.iter().map(question_of).collect())
}

/// A team entry as a bank question.
pub fn question_of(row: &TeamEntryRow) -> Question {
    let draft = &row.draft;
    Question {
        id: row.id.clone(),
        topic: draft.topic.clone(),
        question: draft.question.clone(),
        answer: draft.answer.clone(),
        aliases: draft.aliases.clone(),
        tags: Vec::new(),
        difficulty: Difficulty::default(),
        source: draft.source.clone(),
        distinct_from: Vec::new(),
        quiz_option: None,
        not_with: Vec::new(),
        origin: Default::default(),
    }
}

/// The prefix of a server's entry ids (`<slug>-NNN`): its id in lower case,
/// other characters as `-`; `team-` before it when it has no digit, so it
/// never looks like a shipped topic's ids.
pub fn slug(server: &str) -> String {
    let mut slug: String = server
        .chars()
        .map(|c| match c.is_ascii_alphanumeric() {
            true => c.to_ascii_lowercase(),
            false => '-',
        })
        .take(24)
        .collect();
    slug = slug.trim_matches('-').to_string();
    if slug.is_empty() || !slug.chars().any(|c| c.is_ascii_digit()) {
        slug = format!("team-{slug}").trim_end_matches('-').to_string();
    }
    slug
}

/// `text` with its mentions and markup made inert: `@everyone` and `@here`
/// cannot ping, `<@id>`, `<#id>`, `<!here>` and HTML tags show as typed.
pub fn neutralise(text: &str) -> String {
    const ZERO_WIDTH: char = '\u{200B}';
    let mut out = String::with_capacity(text.len());
    let mut chars = text.trim().chars().peekable();
    while let Some(c) = chars.next() {
        out.push(c);
        match (c, chars.peek()) {
            ('<', Some(&next)) if next.is_ascii_alphabetic() || "@#!&/".contains(next) => {
                out.push(ZERO_WIDTH)
            }
            ('@', Some(_)) => {
                let rest: String = chars.clone().take(8).collect();
                if rest.starts_with("everyone") || rest.starts_with("here") {
                    out.push(ZERO_WIDTH);
                }
            }
            _ => {}
        }
    }
    out
}

/// `draft` with every text neutralised ([`neutralise`]) and trimmed, empty
/// aliases and source dropped, the topic in lower case.
pub fn clean(draft: &Draft) -> Draft {
    Draft {
        question: neutralise(&draft.question),
        answer: neutralise(&draft.answer),
        topic: draft.topic.trim().to_lowercase(),
        source: draft
            .source
            .as_deref()
            .map(neutralise)
            .filter(|s| !s.is_empty()),
        aliases: draft
            .aliases
            .iter()
            .map(|a| neutralise(a))
            .filter(|a| !a.is_empty())
            .collect(),
    }
}

/// What is wrong with `draft` (already [`clean`]ed) as an entry of
/// `server`'s bank, beside the shipped bank of `library`: missing or too long
/// fields, a topic that is not a slug, a near-duplicate of an entry by words
/// or meaning. `except` is the id of the entry being edited.
pub fn problems(
    draft: &Draft,
    library: &Library,
    partition: Option<&Partition>,
    except: Option<&str>,
) -> Vec<String> {
    let mut out = Vec::new();
    let chars = |s: &str| s.chars().count();
    if chars(&draft.question) < 10 {
        out.push("question: write the whole question (at least 10 characters)".to_string());
    }
    if chars(&draft.question) > MAX_QUESTION_CHARS {
        out.push(format!(
            "question: at most {MAX_QUESTION_CHARS} characters (it has {})",
            chars(&draft.question)
        ));
    }
    if chars(&draft.answer) < MIN_ANSWER_CHARS {
        out.push(format!(
            "answer: at least {MIN_ANSWER_CHARS} characters: say what it is, then why"
        ));
    }
    if chars(&draft.answer) > MAX_ANSWER_CHARS {
        out.push(format!(
            "answer: at most {MAX_ANSWER_CHARS} characters (it has {})",
            chars(&draft.answer)
        ));
    }
    let topic_ok = !draft.topic.is_empty()
        && chars(&draft.topic) <= MAX_TOPIC_CHARS
        && draft
            .topic
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        && draft.topic.starts_with(|c: char| c.is_ascii_lowercase());
    if !topic_ok {
        out.push(format!(
            "topic: one word of lower-case letters, digits or '-', at most {MAX_TOPIC_CHARS} characters, like docker or on-call"
        ));
    }
    if draft
        .source
        .as_deref()
        .is_some_and(|s| chars(s) > MAX_SOURCE_CHARS)
    {
        out.push(format!("source: at most {MAX_SOURCE_CHARS} characters"));
    }
    if draft.aliases.len() > MAX_ALIASES {
        out.push(format!("aliases: at most {MAX_ALIASES}"));
    }
    if draft.aliases.iter().any(|a| chars(a) > MAX_QUESTION_CHARS) {
        out.push(format!(
            "aliases: each at most {MAX_QUESTION_CHARS} characters"
        ));
    }
    if out.is_empty() {
        if let Some(id) = near_duplicate(draft, library, partition, except) {
            out.push(format!(
                "question: looks like `{id}` already in the bank (/show {id}): suggest something it does not answer, or ask a moderator to edit it"
            ));
        }
    }
    out
}

/// The id of an entry `draft` nearly repeats: the same question and answer
/// words as `bank check` measures them, or a question that means the same as
/// one of its phrasings.
fn near_duplicate(
    draft: &Draft,
    library: &Library,
    partition: Option<&Partition>,
    except: Option<&str>,
) -> Option<String> {
    let options = SearchOptions {
        exclude: except.map(str::to_string),
        ..SearchOptions::top(1)
    };
    let found = library
        .searcher
        .search_in(&draft.question, &options, None, partition);
    if let Some(hit) = found.iter().flat_map(|f| f.hits.first()).next() {
        if hit.signals.is_some_and(|s| s.phrasing >= SAME_MEANING) {
            return Some(hit.id.clone());
        }
    }
    let candidate = question_of(&TeamEntryRow {
        id: String::new(),
        server: String::new(),
        draft: draft.clone(),
        suggester: None,
        created_at: 0,
        updated_at: 0,
    });
    let mut banks = vec![&library.bank];
    if let Some(partition) = partition {
        banks.push(partition.bank());
    }
    crate::bank::check::near_duplicates_of(&banks, &candidate, SAME_WORDS)
        .into_iter()
        .map(|(q, _)| q.id.clone())
        .find(|id| except != Some(id.as_str()))
}

/// The store, the library and the team banks, for one operation on a
/// server's team bank.
pub struct Team<'a> {
    pub store: &'a Store,
    pub library: &'a Library,
    pub banks: &'a Arc<TeamBanks>,
    pub limits: Limits,
}

/// A rejection as it was recorded.
#[derive(Debug, Clone)]
pub struct Rejected {
    /// The suggestion, as it was filed (who to tell, what they asked).
    pub suggestion: SuggestionRow,
    /// The reason as stored, neutralised.
    pub reason: String,
}

impl Team<'_> {
    /// What is wrong with `draft` ([`clean`]ed) in `server` ([`problems`]).
    fn check(&self, server: &str, draft: &Draft, except: Option<&str>) -> Result<Draft, TeamError> {
        let draft = clean(draft);
        let partition = self.banks.partition(server);
        let found = problems(&draft, self.library, partition.as_deref(), except);
        match found.is_empty() {
            true => Ok(draft),
            false => Err(TeamError::Invalid(found)),
        }
    }

    async fn room_left(&self, server: &str) -> Result<(), TeamError> {
        let live = self.store.team_entry_count(server).await?;
        match live >= self.limits.max_entries {
            true => Err(TeamError::BankFull(live)),
            false => Ok(()),
        }
    }

    /// Files a suggestion of `suggester` in `server` after the checks; its number.
    pub async fn suggest(
        &self,
        server: &str,
        suggester: &str,
        draft: &Draft,
        now: i64,
    ) -> Result<i64, TeamError> {
        let draft = self.check(server, draft, None)?;
        let made = self
            .store
            .suggestions_since(server, suggester, now - self.limits.window_ms)
            .await?;
        if made >= self.limits.suggestions_per_window {
            return Err(TeamError::RateLimited { made });
        }
        self.room_left(server).await?;
        Ok(self.store.suggest(server, suggester, &draft, now).await?)
    }

    /// Approves suggestion `number` of `server` (with a moderator's `edited`
    /// fields), gives it its id and makes it searchable at once: the entry,
    /// naming its suggester.
    pub async fn approve(
        &self,
        server: &str,
        number: i64,
        reviewer: &str,
        edited: Option<&Draft>,
        now: i64,
    ) -> Result<TeamEntryRow, TeamError> {
        let edited = match edited {
            Some(draft) => Some(self.check(server, draft, None)?),
            None => None,
        };
        self.room_left(server).await?;
        let review = self
            .store
            .approve_suggestion(
                server,
                number,
                reviewer,
                &slug(server),
                edited.as_ref(),
                now,
            )
            .await?;
        let entry = reviewed(review, number)?;
        self.refresh(server).await?;
        Ok(entry)
    }

    /// Rejects suggestion `number` of `server` with `reason`.
    pub async fn reject(
        &self,
        server: &str,
        number: i64,
        reviewer: &str,
        reason: &str,
        now: i64,
    ) -> Result<Rejected, TeamError> {
        let suggestion = self
            .store
            .suggestion(server, number)
            .await?
            .ok_or(TeamError::NoSuggestion(number))?;
        let reason = neutralise(reason);
        let review = self
            .store
            .reject_suggestion(server, number, reviewer, &reason, now)
            .await?;
        match review {
            Review::Rejected => Ok(Rejected { suggestion, reason }),
            other => reviewed(other, number).map(|_| Rejected { suggestion, reason }),
        }
    }

    /// Replaces entry `id` of `server` with `draft` (checked as a suggestion
    /// is), searchable as edited at once.
    pub async fn edit(
        &self,
        server: &str,
        id: &str,
        draft: &Draft,
        editor: &str,
        now: i64,
    ) -> Result<(), TeamError> {
        let draft = self.check(server, draft, Some(id))?;
        if !self
            .store
            .edit_team_entry(server, id, &draft, editor, now)
            .await?
        {
            return Err(TeamError::NoEntry(id.to_string()));
        }
        self.refresh(server).await
    }

    /// Takes entry `id` of `server` out of search at once (the answer log
    /// keeps naming it).
    pub async fn retire(
        &self,
        server: &str,
        id: &str,
        by: &str,
        now: i64,
    ) -> Result<(), TeamError> {
        if !self.store.retire_team_entry(server, id, by, now).await? {
            return Err(TeamError::NoEntry(id.to_string()));
        }
        self.refresh(server).await
    }

    /// Rebuilds `server`'s partition from its live entries in the store, off
    /// the async runtime.
    async fn refresh(&self, server: &str) -> Result<(), TeamError> {
        let rows = self.store.team_entries(Some(server)).await?;
        let model = self.library.searcher.semantic().map(|s| s.shared_model());
        let banks = self.banks.clone();
        let server = server.to_string();
        tokio::task::spawn_blocking(move || banks.rebuild(&server, &rows, model))
            .await
            .map_err(|e| {
                TeamError::Store(StoreError::Failed(format!("indexing stopped: {e}")))
            })??;
        Ok(())
    }
}

/// The approved entry of a review, or why there is none.
fn reviewed(review: Review, number: i64) -> Result<TeamEntryRow, TeamError> {
    use crate::store::SuggestionState;
    match review {
        Review::Approved(entry) => Ok(entry),
        Review::NotFound => Err(TeamError::NoSuggestion(number)),
        Review::AlreadyReviewed(state) => Err(TeamError::AlreadyReviewed {
            number,
            state: match state {
                SuggestionState::Approved => "approved",
                SuggestionState::Rejected => "rejected",
                SuggestionState::Pending => "pending",
            },
        }),
        Review::Rejected => Err(TeamError::AlreadyReviewed {
            number,
            state: "rejected",
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mentions_and_tags_cannot_ping_or_render() {
        let out = neutralise("hi @everyone and @here, <@123> <@&9> <#42> <!channel> <b>x</b>");
        assert!(!out.contains("@everyone"));
        assert!(!out.contains("@here"));
        for inert in ["<@", "<#", "<!", "<b>", "</b"] {
            assert!(!out.contains(inert), "{inert} in {out}");
        }
        assert_eq!(neutralise("a < b and x@y.z"), "a < b and x@y.z");
    }

    #[test]
    fn slugs_are_stable_and_never_a_topic() {
        assert_eq!(slug("81384788765712384"), "81384788765712384");
        assert_eq!(slug("T0123ABC"), "t0123abc");
        assert_eq!(slug("shell"), "team-shell");
        assert_eq!(slug("docker"), "team-docker");
    }

    fn row(server: &str, n: usize) -> TeamEntryRow {
        TeamEntryRow {
            id: format!("{server}-{n:03}"),
            server: server.to_string(),
            draft: Draft {
                question: format!("What does the widget{n} job do?"),
                answer: format!("It frobnicates widget{n} nightly. It pages nobody."),
                topic: "ops".to_string(),
                source: None,
                aliases: Vec::new(),
            },
            suggester: None,
            created_at: 0,
            updated_at: 0,
        }
    }

    fn ids(banks: &TeamBanks, server: &str) -> Vec<String> {
        let partition = banks.partition(server).expect("a partition");
        partition
            .bank()
            .questions()
            .iter()
            .map(|q| q.id.clone())
            .collect()
    }

    #[test]
    fn a_load_from_older_rows_keeps_what_a_change_built_since() {
        let banks = TeamBanks::default();
        let before = banks.changes();
        // Rows read for a load; then an approval adds a second entry to 1001
        // before the load is stored.
        let read = vec![row("1001", 1), row("2002", 1)];
        banks
            .rebuild("1001", &[row("1001", 1), row("1001", 2)], None)
            .unwrap();
        banks.load_all(read, before, None, None).unwrap();
        assert_eq!(ids(&banks, "1001"), ["1001-001", "1001-002"]);
        assert_eq!(ids(&banks, "2002"), ["2002-001"]);
        // A load after the change takes the rows as read.
        let after = banks.changes();
        banks
            .load_all(vec![row("1001", 1)], after, None, None)
            .unwrap();
        assert_eq!(ids(&banks, "1001"), ["1001-001"]);
        assert!(banks.partition("2002").is_none());
    }
}
