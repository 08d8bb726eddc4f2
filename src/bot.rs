//! The platform-neutral core: a [`Bot`] holds the bank, its search index, the
//! store and a clock, and answers [`Command`]s from any adapter with [`Reply`]s
//! ([`Bot::handle`]: the command table's permissions are checked here, and
//! search and embedding run on [`CpuPool`]'s threads, never on the async
//! runtime's workers). Posts the bot makes by itself go through the outbox and
//! [`Bot::run`](crate::runtime).

use std::collections::HashMap;
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Instant;

use anyhow::Context as _;
use arc_swap::ArcSwap;
use tracing::Instrument as _;

use crate::bank::{self, Bank, Question};
use crate::clock::Clock;
use crate::commands::spec::Access;
use crate::commands::{
    self, Command, ask, feedback, help, leaderboard, question, quiz_report, schedule, topics,
    unanswered,
};
use crate::config::{ExposeSecret, Settings};
use crate::cpu::CpuPool;
use crate::health::Readiness;
use crate::library::{BankNow, Library, SearcherNow};
use crate::meaning::MeaningState;
use crate::metrics::{CommandOutcome, metrics};
use crate::quiz;
use crate::reply::{Data, Reply};
use crate::search::{IndexStatus, SearchOptions, Searcher, Synonyms};
use crate::semantic::Semantic;
use crate::store::{Store, StoreError};

/// Which adapter a command came through (help spells commands its way).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Platform {
    #[default]
    Shell,
    Discord,
    Slack,
}

impl Platform {
    /// Its name in logs and metrics.
    pub fn name(self) -> &'static str {
        match self {
            Platform::Shell => "shell",
            Platform::Discord => "discord",
            Platform::Slack => "slack",
        }
    }

    /// How a command is typed there: `/` or Slack's `/interview `.
    pub fn command_prefix(self) -> &'static str {
        match self {
            Platform::Shell | Platform::Discord => "/",
            Platform::Slack => "/interview ",
        }
    }

    /// The platform's own ways in, listed after the commands in `/help`.
    pub fn help_extras(self) -> &'static [(&'static str, &'static str)] {
        match self {
            Platform::Slack => crate::slack::translate::SLACK_EXTRAS,
            Platform::Shell | Platform::Discord => &[],
        }
    }

    /// Whether text-only commands (`/answer`, `/next`, `/reveal`) are typed
    /// there; on Discord buttons do their work.
    pub fn types_text_commands(self) -> bool {
        !matches!(self, Platform::Discord)
    }
}

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
}

pub struct Bot {
    /// The bank and its index; a reload swaps in a new pair at once.
    library: ArcSwap<Library>,
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
    cpu: CpuPool,
    /// Wakes the runtime loop when a command wrote posts or due work.
    wake: tokio::sync::Notify,
    /// What each platform adapter reports about its connection.
    readiness: Readiness,
    /// Whether matching by meaning is on its way (see [`crate::meaning`]).
    meaning: MeaningState,
    /// Held while a new library is loaded, so loads run one at a time.
    loading: tokio::sync::Mutex<()>,
}

impl Bot {
    pub fn new(
        bank: Bank,
        searcher: Searcher,
        store: Store,
        clock: Arc<dyn Clock>,
        related: usize,
    ) -> Self {
        metrics().bank(bank.len());
        Bot {
            library: ArcSwap::from_pointee(Library { bank, searcher }),
            store,
            clock,
            related,
            grace: jiff::SignedDuration::from_mins(30),
            min_confidence: crate::search::DEFAULT_MIN_CONFIDENCE,
            keep_unanswered_ms: 90 * 86_400_000,
            conversations: Mutex::default(),
            cpu: CpuPool::per_core(),
            wake: tokio::sync::Notify::new(),
            readiness: Readiness::default(),
            meaning: MeaningState::default(),
            loading: tokio::sync::Mutex::new(()),
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

    /// When something next falls due (a question closes, a schedule runs).
    pub async fn next_due(&self) -> Result<Option<jiff::Timestamp>, StoreError> {
        let rounds = quiz::next_due(self).await?;
        let schedules = crate::schedule::next_due(self).await?;
        Ok(match (rounds, schedules) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        })
    }

    /// The bank and its index as they are now, consistent with each other; a
    /// reload does not change a library already taken.
    pub fn library(&self) -> Arc<Library> {
        self.library.load_full()
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
        metrics().bank(library.bank.len());
        self.library.store(Arc::new(library));
    }

    /// Whether matching by meaning is on its way (see [`crate::meaning`]).
    pub fn meaning(&self) -> &MeaningState {
        &self.meaning
    }

    /// Held while a new library is loaded ([`crate::reload`], [`crate::meaning`]).
    pub(crate) fn loading(&self) -> &tokio::sync::Mutex<()> {
        &self.loading
    }

    /// Where platform adapters report their connection, for `/readyz`.
    pub fn readiness(&self) -> &Readiness {
        &self.readiness
    }

    /// Parses a line of chat and answers it.
    pub async fn handle_line(self: &Arc<Self>, ctx: &Context, line: &str) -> Vec<Reply> {
        match commands::parse(line) {
            Ok(command) => self.handle(ctx, command).await,
            Err(e) => vec![Reply::error(e.0)],
        }
    }

    /// Answers a command; most give one reply. Who may run it comes from the
    /// command table; search and embedding run on the blocking pool. Each
    /// command is counted by name and outcome, and logged in a span naming the
    /// platform, server, channel, command and round.
    pub async fn handle(self: &Arc<Self>, ctx: &Context, command: Command) -> Vec<Reply> {
        let name = command.spec().name();
        let round = match &command {
            Command::Answer { round, .. } => round.clone(),
            _ => None,
        };
        let span = tracing::info_span!(
            "command",
            platform = ctx.platform.name(),
            guild = %ctx.guild,
            channel = %ctx.channel,
            command = %name,
            round = round.as_deref(),
        );
        let denied = command.spec().access == Access::Moderator && !ctx.moderator;
        let is_ask = matches!(command, Command::Ask { .. } | Command::Next);
        let started = Instant::now();
        let replies = self
            .handle_unmeasured(ctx, command)
            .instrument(span.clone())
            .await;
        let elapsed = started.elapsed();
        let outcome = match denied {
            true => CommandOutcome::Denied,
            false => outcome_of(&replies),
        };
        if is_ask && !denied {
            let answered = replies
                .iter()
                .any(|r| matches!(r.data, Some(Data::Answer { .. })));
            metrics().ask(elapsed, answered);
        }
        metrics().command(name, outcome);
        span.in_scope(|| {
            tracing::debug!(
                outcome = ?outcome,
                elapsed_ms = elapsed.as_secs_f64() * 1000.0,
                "command handled"
            )
        });
        replies
    }

    async fn handle_unmeasured(self: &Arc<Self>, ctx: &Context, command: Command) -> Vec<Reply> {
        if command.spec().access == Access::Moderator && !ctx.moderator {
            return vec![Reply::error(format!(
                "only moderators can use /{} (Manage Server on Discord, workspace admins on Slack, or the configured role)",
                command.spec().name()
            ))];
        }
        let replies = match command {
            Command::Ask { .. } | Command::Next | Command::Show { .. } => {
                let asked = matches!(command, Command::Ask { .. });
                let reply = self.on_cpu(ctx, command).await;
                self.after_search(ctx, &reply, asked).await;
                vec![reply]
            }
            Command::Unanswered { span } => vec![unanswered::unanswered(self, ctx, span).await],
            Command::Feedback { up, reason, entry } => {
                vec![feedback::feedback(self, ctx, up, reason.as_deref(), entry.as_deref()).await]
            }
            Command::Reports => vec![feedback::reports(self, ctx).await],
            Command::FeedbackReason { entry, reason } => {
                vec![feedback::reason(self, ctx, &entry, reason.as_deref()).await]
            }
            Command::QuizReport {
                question,
                note,
                entry,
            } => vec![
                quiz_report::report(self, ctx, question, note.as_deref(), entry.as_deref()).await,
            ],
            Command::QuizRestore { id } => vec![quiz_report::restore(self, ctx, &id).await],
            Command::QuestionRandom { topic } => {
                vec![question::random(self, ctx, topic.as_deref())]
            }
            Command::Reveal => vec![question::reveal(self, ctx)],
            Command::Topics => vec![topics::topics(self)],
            Command::Help => vec![help::help(ctx.platform, ctx.platform.help_extras())],
            Command::QuizStart(options) => quiz::start(self, ctx, &options).await,
            Command::QuizStop => quiz::stop(self, ctx).await,
            Command::Answer {
                choice,
                question,
                round,
            } => vec![quiz::answer(self, ctx, &choice, question, round.as_deref()).await],
            Command::Leaderboard { span, topic } => {
                vec![leaderboard::leaderboard(self, ctx, span, topic.as_deref()).await]
            }
            Command::Stats { user } => vec![leaderboard::stats(self, ctx, user.as_deref()).await],
            Command::Schedule(options) => vec![schedule::schedule(self, ctx, &options).await],
            Command::Unschedule { id } => {
                vec![schedule::unschedule(self, ctx, id.as_deref()).await]
            }
            Command::Schedules => vec![schedule::list(self, ctx).await],
        };
        self.wake.notify_one();
        replies
    }

    /// Remembers the answer shown (for `/feedback`), or records a query the
    /// bank had no entry for (for `/unanswered`), expiring old ones. An
    /// `/ask` (`asked`) also sets which entry was shown first for its query.
    async fn after_search(&self, ctx: &Context, reply: &Reply, asked: bool) {
        if asked {
            self.conversations().firsts.remove(&person(ctx));
        }
        match &reply.data {
            Some(Data::Answer { card, query, .. }) => {
                let mut conversations = self.conversations();
                conversations
                    .answers
                    .insert(person(ctx), (card.id.clone(), query.clone()));
                if asked {
                    conversations
                        .firsts
                        .insert(person(ctx), (query.clone(), card.id.clone()));
                }
            }
            Some(Data::NotInBank { query, .. }) => {
                let now = crate::clock::millis(self.now());
                let store = self.store();
                let recorded = store
                    .record_unanswered(&ctx.guild, &ctx.user, query, now)
                    .await;
                if let Err(e) = recorded {
                    tracing::error!("an unanswered question was not recorded: {e}");
                }
                if let Err(e) = store.expire_unanswered(now - self.keep_unanswered_ms).await {
                    tracing::warn!("cannot expire old unanswered questions: {e}");
                }
            }
            _ => {}
        }
    }

    /// Runs a search command on the CPU pool, never on the runtime's threads.
    async fn on_cpu(self: &Arc<Self>, ctx: &Context, command: Command) -> Reply {
        let bot = self.clone();
        let ctx = ctx.clone();
        let work = self.cpu.run(move || match command {
            Command::Ask { text, topic } => ask::ask(&bot, &ctx, &text, topic.as_deref()),
            Command::Next => ask::next(&bot, &ctx),
            Command::Show { id } => ask::show(&bot, &id),
            other => Reply::error(format!("/{} is not a search", other.spec().name())),
        });
        match work.await {
            Ok(reply) => reply,
            Err(e) => {
                tracing::error!("a search failed: {e}");
                Reply::error("search is not available right now: try again shortly")
            }
        }
    }

    /// Questions matching what someone has typed so far, best first (for
    /// autocomplete): at most `limit`, each shortened to `max_chars`. Words
    /// only and microseconds (`search::suggest`), so it runs inline: on every
    /// keystroke, it never waits behind `/ask`s on the CPU pool.
    pub async fn suggest(
        self: &Arc<Self>,
        typed: &str,
        topic: Option<&str>,
        limit: usize,
        max_chars: usize,
    ) -> Vec<String> {
        let library = self.library();
        let suggestions = library.searcher.suggestions();
        crate::search::suggest::suggest(suggestions, &library.bank, typed, topic, limit, max_chars)
    }

    /// Questions like `question` in its topic, itself left out, from
    /// `library`: the closest in meaning (question and answer together), or by
    /// words without the model.
    pub fn related<'l>(&self, library: &'l Library, question: &Question) -> Vec<&'l Question> {
        if self.related == 0 {
            return Vec::new();
        }
        if let Some(semantic) = library.searcher.semantic() {
            if let Some(row) = semantic.row_of(&question.id) {
                return semantic
                    .nearest(row, Semantic::entry_similarity, |other| {
                        semantic.topic(other) == question.topic
                    })
                    .into_iter()
                    .take(self.related)
                    .filter_map(|(other, _)| library.bank.get(semantic.id(other)))
                    .collect();
            }
        }
        let text = std::iter::once(question.question.as_str())
            .chain(question.tags.iter().map(String::as_str))
            .collect::<Vec<_>>()
            .join(" ");
        let options = SearchOptions {
            topic: Some(question.topic.clone()),
            limit: self.related,
            exclude: Some(question.id.clone()),
            ..Default::default()
        };
        match library.searcher.search(&text, &options) {
            Ok(found) => found
                .hits
                .iter()
                .filter_map(|h| library.bank.get(&h.id))
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

    fn conversations(&self) -> std::sync::MutexGuard<'_, Conversations> {
        self.conversations
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

/// `Error` when any reply is an error message, else `Ok`.
fn outcome_of(replies: &[Reply]) -> CommandOutcome {
    match replies
        .iter()
        .any(|r| matches!(r.data, Some(Data::Error { .. })))
    {
        true => CommandOutcome::Error,
        false => CommandOutcome::Ok,
    }
}

fn person(ctx: &Context) -> (String, String, String) {
    (ctx.guild.clone(), ctx.channel.clone(), ctx.user.clone())
}

fn place(ctx: &Context) -> (String, String) {
    (ctx.guild.clone(), ctx.channel.clone())
}

/// Loads the bank, logging each broken entry; fails only when nothing can be read.
pub fn load_bank(dir: &Path) -> anyhow::Result<Bank> {
    let loaded = bank::load(dir).with_context(|| "cannot read the question bank")?;
    for problem in &loaded.diagnostics {
        if problem.is_error() {
            tracing::warn!("{problem} (entry skipped)");
        }
    }
    Ok(loaded.bank)
}

/// Opens the index for `bank`, rebuilding it when the bank changed.
pub fn open_searcher(bank: &Bank, settings: &Settings) -> anyhow::Result<Searcher> {
    let synonyms = Synonyms::load(
        &settings.bank.synonyms,
        &mut crate::search::analyzer::analyzer(),
    )?;
    let (searcher, status) = Searcher::open_or_build(bank, &settings.index.dir, synonyms)
        .with_context(|| {
            format!(
                "cannot open the search index in {}",
                settings.index.dir.display()
            )
        })?;
    if let IndexStatus::Rebuilt(built) = status {
        tracing::info!(
            "indexed {} questions in {:.2}s (the bank changed)",
            built.questions,
            built.elapsed.as_secs_f64()
        );
    }
    let semantic = settings
        .model
        .enabled
        .then(|| crate::semantic::load(bank, &settings.model.dir, Some(&settings.index.dir)))
        .flatten();
    Ok(searcher.with_semantic(semantic))
}
