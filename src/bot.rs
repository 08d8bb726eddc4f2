//! The state every command and the runtime share: a [`Bot`] holds the library
//! (bank and index, on a [`Shelf`]), the store, a clock, the CPU pool for
//! search and embedding, and the conversations' follow-up state; [`Context`]
//! says who speaks where. It dispatches nothing: `commands::router` answers
//! commands, `runtime` runs due work and delivers posts ([`Bot::run`](crate::runtime)).

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use crate::bank::{Bank, Question};
use crate::clock::Clock;
use crate::config::{ExposeSecret, Settings};
use crate::cpu::CpuPool;
use crate::health::Readiness;
use crate::library::{BankNow, Entries, Library, SearcherNow, Shelf, load_bank, open_searcher};
use crate::meaning::MeaningState;
use crate::query_vectors::QueryBatcher;
use crate::search::{SearchOptions, Searcher};
use crate::semantic::Semantic;
use crate::store::Store;
use crate::team::TeamBanks;

pub use crate::platform::Platform;

/// Who is speaking where: a person in a channel of a server (Discord) or
/// workspace (Slack), and whether they may moderate there.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Context {
    pub platform: Platform,
    pub guild: String,
    pub user: String,
    pub channel: String,
    pub moderator: bool,
}

impl Context {
    pub fn new(guild: &str, user: &str, channel: &str) -> Self {
        Context {
            platform: Platform::Shell,
            guild: guild.to_string(),
            user: user.to_string(),
            channel: channel.to_string(),
            moderator: false,
        }
    }
}

/// A person's last `/ask`, so "not it?" can show the next match.
#[derive(Debug, Clone)]
pub struct AskState {
    pub text: String,
    pub topic: Option<String>,
    pub shown: usize,
}

/// Conversation state that only matters for follow-ups; not persisted.
#[derive(Default)]
struct Conversations {
    /// By (guild, channel, user).
    asks: HashMap<(String, String, String), AskState>,
    /// By (guild, channel).
    cards: HashMap<(String, String), String>,
    /// The last answer shown, by (guild, channel, user): (entry id, query).
    answers: HashMap<(String, String, String), (String, String)>,
    /// The first match shown for the last `/ask`, by (guild, channel, user):
    /// (query, entry id), so a 👍 after "Not it?" says which was wanted instead.
    firsts: HashMap<(String, String, String), (String, String)>,
    /// The practice card each learner was dealt last, by learner key, so
    /// `/reveal` and `/grade` typed in text know which.
    practice: HashMap<String, Showing>,
}

/// A practice card dealt to a learner: which, after how many reviews, and
/// the topic they practise (the next card keeps to it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Showing {
    pub entry: String,
    pub reps: i64,
    pub topic: Option<String>,
}

/// Where, under the index directory, the vectors of the servers' own banks
/// are kept between starts.
const TEAM_VECTORS: &str = "team";

pub struct Bot {
    /// The bank and its index; a reload swaps in a new pair at once.
    shelf: Arc<Shelf>,
    store: Store,
    clock: Arc<dyn Clock>,
    related: usize,
    grace: jiff::SignedDuration,
    /// Below this confidence `/ask` says the bank has no entry (search.min_confidence).
    min_confidence: f32,
    /// How long unanswered queries are kept (unanswered.keep_days), in ms.
    keep_unanswered_ms: i64,
    conversations: Mutex<Conversations>,
    /// Threads for CPU-bound work (search, embedding), one per core, at a
    /// lower priority than the runtime's.
    cpu: Arc<CpuPool>,
    /// Embeds the queries of `/ask`s in batches, on `cpu`.
    query_batcher: Arc<QueryBatcher>,
    /// Wakes the runtime loop when a command wrote posts or due work.
    wake: tokio::sync::Notify,
    /// What each platform adapter reports about its connection.
    readiness: Readiness,
    /// Whether matching by meaning is on its way (see [`crate::meaning`]).
    meaning: Arc<MeaningState>,
    /// Daily limits and the retention practice aims at (`practice.*`).
    practice: crate::config::PracticeSettings,
    /// Every server's own bank, as search reads it.
    team_banks: Arc<TeamBanks>,
    /// What a server's members may add (`team.*`).
    team_limits: crate::team::Limits,
    /// Where the vectors of the servers' own banks are kept between starts.
    team_vectors: Option<PathBuf>,
}

impl Bot {
    pub fn new(
        bank: Bank,
        searcher: Searcher,
        store: Store,
        clock: Arc<dyn Clock>,
        related: usize,
    ) -> Self {
        let cpu = Arc::new(CpuPool::per_core());
        Bot {
            shelf: Arc::new(Shelf::new(Library { bank, searcher })),
            store,
            clock,
            related,
            grace: jiff::SignedDuration::from_mins(30),
            min_confidence: crate::search::DEFAULT_MIN_CONFIDENCE,
            keep_unanswered_ms: 90 * 86_400_000,
            conversations: Mutex::default(),
            query_batcher: Arc::new(QueryBatcher::new(cpu.clone())),
            cpu,
            wake: tokio::sync::Notify::new(),
            readiness: Readiness::default(),
            meaning: Arc::default(),
            practice: crate::config::PracticeSettings::default(),
            team_banks: Arc::default(),
            team_limits: crate::team::Limits::default(),
            team_vectors: None,
        }
    }

    /// Loads the bank, opens (or rebuilds) its index and connects the store, as
    /// the settings say. Broken bank entries are logged and skipped.
    pub async fn from_settings(settings: &Settings, clock: Arc<dyn Clock>) -> anyhow::Result<Bot> {
        let bank = load_bank(&settings.bank.dir)?;
        let searcher = open_searcher(&bank, settings)?;
        let store = Store::connect(settings.database.url.expose_secret())
            .await
            .map_err(|e| anyhow::anyhow!("cannot open the database: {e}"))?;
        let mut bot = Bot::new(bank, searcher, store, clock, settings.ask.related);
        bot.grace = jiff::SignedDuration::from_mins(settings.schedule.grace_minutes);
        bot.min_confidence = settings.search.min_confidence;
        bot.keep_unanswered_ms = settings.unanswered.keep_days * 86_400_000;
        bot.practice = settings.practice;
        bot.team_limits = settings.team.into();
        bot.team_vectors = Some(settings.index.dir.join(TEAM_VECTORS));
        bot.load_team_banks().await?;
        Ok(bot)
    }

    pub fn store(&self) -> &Store {
        &self.store
    }

    pub fn now(&self) -> jiff::Timestamp {
        self.clock.now()
    }

    /// How long unanswered queries are kept, in ms (unanswered.keep_days).
    pub fn keep_unanswered_ms(&self) -> i64 {
        self.keep_unanswered_ms
    }

    /// The pool for CPU-bound work (search, embedding).
    pub(crate) fn cpu(&self) -> &CpuPool {
        &self.cpu
    }

    /// Whether CPU work is backed up: every worker taken, or queries waiting
    /// for a batch to embed them (a burst of `/ask`s).
    pub fn cpu_backed_up(&self) -> bool {
        self.cpu.is_busy() || self.query_batcher.waiting() > 0
    }

    /// What embeds `/ask` queries in batches, on [`Bot::cpu`].
    pub(crate) fn query_batcher(&self) -> &Arc<QueryBatcher> {
        &self.query_batcher
    }

    /// Indexes (and embeds) every server's own bank from the store, off the
    /// async runtime: at start-up, and when matching by meaning arrives.
    pub async fn load_team_banks(&self) -> anyhow::Result<()> {
        let cache_dir = self.team_vectors.clone();
        let changes = self.team_banks.changes();
        let rows = self
            .store
            .team_entries(None)
            .await
            .map_err(|e| anyhow::anyhow!("cannot read the servers' own banks: {e}"))?;
        if rows.is_empty() && self.team_banks.totals().0 == 0 {
            return Ok(());
        }
        let model = self.library().searcher.semantic().map(|s| s.shared_model());
        let banks = self.team_banks.clone();
        let started = std::time::Instant::now();
        tokio::task::spawn_blocking(move || {
            banks.load_all(rows, changes, model, cache_dir.as_deref())
        })
        .await??;
        let (servers, entries) = self.team_banks.totals();
        tracing::info!(
            "indexed {entries} entries of {servers} servers' own banks in {:.2}s",
            started.elapsed().as_secs_f64()
        );
        Ok(())
    }

    /// Every server's own bank, as search reads it.
    pub fn team_banks(&self) -> &Arc<TeamBanks> {
        &self.team_banks
    }

    /// What a server's members may add (`team.*`).
    pub fn team_limits(&self) -> crate::team::Limits {
        self.team_limits
    }

    /// What `server` sees now: the library in use and the server's own entries.
    pub fn entries(&self, server: &str) -> crate::library::Entries {
        self.team_banks.entries(self.library(), server)
    }

    /// The library in use and every server's own bank, seen from no server
    /// yet (what runs for many servers: schedules, the outbox).
    pub fn entries_everywhere(&self) -> crate::library::Entries {
        self.team_banks.unscoped(self.library())
    }

    /// The last answer this person was shown here: (entry id, query).
    pub(crate) fn last_answer(&self, ctx: &Context) -> Option<(String, String)> {
        self.conversations().answers.get(&person(ctx)).cloned()
    }

    /// The entry shown first for `query`, this person's last `/ask` here,
    /// if that is what `query` was.
    pub(crate) fn shown_first(&self, ctx: &Context, query: &str) -> Option<String> {
        let conversations = self.conversations();
        let (asked, first) = conversations.firsts.get(&person(ctx))?;
        (!query.is_empty() && asked == query).then(|| first.clone())
    }

    /// The confidence an `/ask` needs to be answered (search.min_confidence).
    pub fn min_confidence(&self) -> f32 {
        self.min_confidence
    }

    pub(crate) fn grace(&self) -> jiff::SignedDuration {
        self.grace
    }

    /// Resolves when a command may have written posts or due work.
    pub(crate) async fn woken(&self) {
        self.wake.notified().await
    }

    /// Wakes the runtime loop: a command may have written posts or due work.
    pub(crate) fn wake(&self) {
        self.wake.notify_one();
    }

    /// The bank and its index as they are now, consistent with each other; a
    /// reload does not change a library already taken.
    pub fn library(&self) -> Arc<Library> {
        self.shelf.library()
    }

    /// The bank as it is now (see [`Bot::library`]).
    pub fn bank(&self) -> BankNow {
        BankNow::of(self.library())
    }

    /// The search index as it is now (see [`Bot::library`]).
    pub fn searcher(&self) -> SearcherNow {
        SearcherNow::of(self.library())
    }

    /// Puts `library` in use for every command from now on; commands already
    /// running finish with the one they took.
    pub fn swap_library(&self, library: Library) {
        self.shelf.swap(library);
    }

    /// Where the library is kept, for what loads a new one ([`crate::reload`],
    /// [`crate::meaning`]).
    pub fn shelf(&self) -> Arc<Shelf> {
        self.shelf.clone()
    }

    /// Whether matching by meaning is on its way (see [`crate::meaning`]).
    pub fn meaning(&self) -> Arc<MeaningState> {
        self.meaning.clone()
    }

    /// Where platform adapters report their connection, for `/readyz`.
    pub fn readiness(&self) -> &Readiness {
        &self.readiness
    }

    /// Remembers the answer shown (for `/feedback`); an `/ask` (`asked`)
    /// also sets which entry was shown first for its query.
    pub(crate) fn remember_answer(&self, ctx: &Context, id: &str, query: &str, asked: bool) {
        let mut conversations = self.conversations();
        conversations
            .answers
            .insert(person(ctx), (id.to_string(), query.to_string()));
        if asked {
            conversations
                .firsts
                .insert(person(ctx), (query.to_string(), id.to_string()));
        }
    }

    /// Forgets which entry was shown first (a new `/ask` begins).
    pub(crate) fn forget_first(&self, ctx: &Context) {
        self.conversations().firsts.remove(&person(ctx));
    }

    /// Questions matching what someone has typed so far in `server`, best
    /// first (for autocomplete): the server's own bank's before the shipped
    /// bank's, at most `limit`, each shortened to `max_chars`. Words only and
    /// microseconds (`search::suggest`), so it runs inline: on every
    /// keystroke, it never waits behind `/ask`s on the CPU pool.
    pub async fn suggest(
        self: &Arc<Self>,
        server: &str,
        typed: &str,
        topic: Option<&str>,
        limit: usize,
        max_chars: usize,
    ) -> Vec<String> {
        use crate::search::suggest::suggest;
        let library = self.library();
        let mut found = match self.team_banks.partition(server) {
            Some(team) => suggest(
                team.suggestions(),
                team.bank(),
                typed,
                topic,
                limit,
                max_chars,
            ),
            None => Vec::new(),
        };
        let rest = limit - found.len().min(limit);
        found.extend(suggest(
            library.searcher.suggestions(),
            &library.bank,
            typed,
            topic,
            rest,
            max_chars,
        ));
        found
    }

    /// Questions like `question` in its topic, itself left out, among what
    /// `entries` shows (the shipped bank and the server's own): the closest
    /// in meaning (question and what the answer says first), or by words
    /// without the model.
    pub fn related<'e>(&self, entries: &'e Entries, question: &Question) -> Vec<&'e Question> {
        if self.related == 0 {
            return Vec::new();
        }
        let tables: Vec<&Semantic> = [
            entries.searcher().semantic(),
            entries.team().and_then(|t| t.semantic()),
        ]
        .into_iter()
        .flatten()
        .collect();
        let own = tables
            .iter()
            .find_map(|table| Some(table.entry_vector(table.row_of(&question.id)?)));
        if let Some(vector) = own {
            let mut near: Vec<(f32, &Question)> = tables
                .iter()
                .flat_map(|table| {
                    table
                        .nearest_to(vector, |row| {
                            table.topic(row) == question.topic && table.id(row) != question.id
                        })
                        .into_iter()
                        .take(self.related)
                        .filter_map(|(row, similarity)| {
                            Some((similarity, entries.get(table.id(row))?))
                        })
                })
                .collect();
            near.sort_by(|a, b| b.0.total_cmp(&a.0));
            return near
                .into_iter()
                .take(self.related)
                .map(|(_, q)| q)
                .collect();
        }
        let text = std::iter::once(question.question.as_str())
            .chain(question.tags.iter().map(String::as_str))
            .collect::<Vec<_>>()
            .join(" ");
        let options = SearchOptions {
            topic: Some(question.topic.clone()),
            limit: self.related,
            exclude: Some(question.id.clone()),
            words_only: true,
            ..Default::default()
        };
        match entries
            .searcher()
            .search_in(&text, &options, None, entries.team())
        {
            Ok(found) => found
                .hits
                .iter()
                .filter_map(|h| entries.get(&h.id))
                .collect(),
            Err(e) => {
                tracing::warn!("related questions of {}: {e}", question.id);
                Vec::new()
            }
        }
    }

    pub(crate) fn last_ask(&self, ctx: &Context) -> Option<AskState> {
        self.conversations().asks.get(&person(ctx)).cloned()
    }

    pub(crate) fn remember_ask(&self, ctx: &Context, state: AskState) {
        self.conversations().asks.insert(person(ctx), state);
    }

    pub(crate) fn current_card(&self, ctx: &Context) -> Option<String> {
        self.conversations().cards.get(&place(ctx)).cloned()
    }

    pub(crate) fn remember_card(&self, ctx: &Context, id: &str) {
        self.conversations()
            .cards
            .insert(place(ctx), id.to_string());
    }

    /// Practice limits and retention (`practice.*` settings).
    pub fn practice_rules(&self) -> crate::config::PracticeSettings {
        self.practice
    }

    /// Sets the practice rules (tests and benchmarks; the bot reads them from settings).
    pub fn set_practice_rules(&mut self, rules: crate::config::PracticeSettings) {
        self.practice = rules;
    }

    /// The practice card `learner` (a key) was dealt last, if any.
    pub(crate) fn practice_showing(&self, learner: &str) -> Option<Showing> {
        self.conversations().practice.get(learner).cloned()
    }

    /// Remembers the practice card dealt to `learner`; `None` forgets it.
    pub(crate) fn show_practice(&self, learner: &str, showing: Option<Showing>) {
        let mut conversations = self.conversations();
        match showing {
            Some(showing) => conversations.practice.insert(learner.to_string(), showing),
            None => conversations.practice.remove(learner),
        };
    }

    fn conversations(&self) -> std::sync::MutexGuard<'_, Conversations> {
        self.conversations
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

fn person(ctx: &Context) -> (String, String, String) {
    (ctx.guild.clone(), ctx.channel.clone(), ctx.user.clone())
}

fn place(ctx: &Context) -> (String, String) {
    (ctx.guild.clone(), ctx.channel.clone())
}
