//! The platform-neutral core: a [`Bot`] holds the bank, its search index, the
//! store and a clock, and answers [`Command`]s from any adapter with [`Reply`]s.
//! Posts the bot makes by itself (quiz reveals, next questions) come from
//! [`Bot::tick`].

use std::collections::HashMap;
use std::path::Path;
use std::sync::{Arc, Mutex};

use anyhow::Context as _;

use crate::bank::{self, Bank, Question};
use crate::clock::Clock;
use crate::commands::{self, Command, ask, help, leaderboard, question, topics};
use crate::config::{ExposeSecret, Settings};
use crate::quiz::{self, Post};
use crate::reply::Reply;
use crate::schedule;
use crate::search::{IndexStatus, SearchOptions, Searcher, Synonyms};
use crate::semantic::Semantic;
use crate::store::{Store, StoreError};

/// Who is speaking where: a person in a channel of a server (Discord) or
/// workspace (Slack), and whether they may moderate there.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Context {
    pub guild: String,
    pub user: String,
    pub channel: String,
    pub moderator: bool,
}

impl Context {
    pub fn new(guild: &str, user: &str, channel: &str) -> Self {
        Context {
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
}

pub struct Bot {
    bank: Bank,
    searcher: Searcher,
    store: Store,
    clock: Arc<dyn Clock>,
    related: usize,
    grace: jiff::SignedDuration,
    conversations: Mutex<Conversations>,
}

impl Bot {
    pub fn new(
        bank: Bank,
        searcher: Searcher,
        store: Store,
        clock: Arc<dyn Clock>,
        related: usize,
    ) -> Self {
        Bot {
            bank,
            searcher,
            store,
            clock,
            related,
            grace: jiff::SignedDuration::from_mins(30),
            conversations: Mutex::default(),
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
        Ok(bot)
    }

    pub fn store(&self) -> &Store {
        &self.store
    }

    pub fn now(&self) -> jiff::Timestamp {
        self.clock.now()
    }

    /// Closes the quiz questions and starts the scheduled rounds that are due now,
    /// and returns what to post.
    pub async fn tick(&self) -> Result<Vec<Post>, StoreError> {
        let now = self.now();
        let mut posts = quiz::tick(self, now).await?;
        posts.extend(schedule::tick(self, now, self.grace).await?);
        Ok(posts)
    }

    /// When something next falls due (a question closes, a schedule runs).
    pub async fn next_due(&self) -> Result<Option<jiff::Timestamp>, StoreError> {
        let rounds = quiz::next_due(self).await?;
        let schedules = schedule::next_due(self).await?;
        Ok(match (rounds, schedules) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        })
    }

    pub fn bank(&self) -> &Bank {
        &self.bank
    }

    pub fn searcher(&self) -> &Searcher {
        &self.searcher
    }

    /// Parses a line of chat and answers it.
    pub async fn handle_line(&self, ctx: &Context, line: &str) -> Vec<Reply> {
        match commands::parse(line) {
            Ok(command) => self.handle(ctx, command).await,
            Err(e) => vec![Reply::error(e.0)],
        }
    }

    /// Answers a command; most give one reply, closing a round gives several.
    pub async fn handle(&self, ctx: &Context, command: Command) -> Vec<Reply> {
        let one = match command {
            Command::Ask { text, topic } => ask::ask(self, ctx, &text, topic.as_deref()),
            Command::Next => ask::next(self, ctx),
            Command::QuestionRandom { topic } => question::random(self, ctx, topic.as_deref()),
            Command::Reveal => question::reveal(self, ctx),
            Command::Topics => topics::topics(self),
            Command::Help => help::help(),
            Command::QuizStart(options) => return quiz::start(self, ctx, &options).await,
            Command::QuizStop => return quiz::stop(self, ctx).await,
            Command::Answer {
                choice,
                question,
                round,
            } => quiz::answer(self, ctx, &choice, question, round.as_deref()).await,
            Command::Show { id } => ask::show(self, &id),
            Command::Leaderboard { span, topic } => {
                leaderboard::leaderboard(self, ctx, span, topic.as_deref()).await
            }
            Command::Stats { user } => leaderboard::stats(self, ctx, user.as_deref()).await,
            Command::Schedule(options) => schedule::schedule(self, ctx, &options).await,
            Command::Unschedule { id } => schedule::unschedule(self, ctx, id.as_deref()).await,
            Command::Schedules => schedule::list(self, ctx).await,
        };
        vec![one]
    }

    /// Questions matching what someone has typed so far, best first (for
    /// autocomplete): at most `limit`, each shortened to `max_chars`.
    pub fn suggest(
        &self,
        typed: &str,
        topic: Option<&str>,
        limit: usize,
        max_chars: usize,
    ) -> Vec<String> {
        if typed.trim().is_empty() {
            return Vec::new();
        }
        let options = SearchOptions {
            topic: topic.map(str::to_string),
            ..SearchOptions::top(limit)
        };
        match self.searcher.search(typed, &options) {
            Ok(found) => found
                .hits
                .iter()
                .filter_map(|h| self.bank.get(&h.id))
                .map(|q| commands::truncate(&q.question, max_chars))
                .collect(),
            Err(e) => {
                tracing::warn!("suggestions failed: {e}");
                Vec::new()
            }
        }
    }

    /// Questions like `question` in its topic, itself left out: the closest in
    /// meaning (question and answer together), or by words without the model.
    pub fn related(&self, question: &Question) -> Vec<&Question> {
        if self.related == 0 {
            return Vec::new();
        }
        if let Some(semantic) = self.searcher.semantic() {
            if let Some(row) = semantic.row_of(&question.id) {
                return semantic
                    .nearest(row, Semantic::entry_similarity, |other| {
                        semantic.topic(other) == question.topic
                    })
                    .into_iter()
                    .take(self.related)
                    .filter_map(|(other, _)| self.bank.get(semantic.id(other)))
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
        match self.searcher.search(&text, &options) {
            Ok(found) => found
                .hits
                .iter()
                .filter_map(|h| self.bank.get(&h.id))
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
