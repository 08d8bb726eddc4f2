//! The platform-neutral core: a [`Bot`] holds the bank and its search index and
//! answers [`Command`]s from any adapter with [`Reply`]s.

use std::collections::HashMap;
use std::path::Path;
use std::sync::Mutex;

use anyhow::Context as _;

use crate::bank::{self, Bank, Question};
use crate::commands::{self, Command, ask, help, question, topics};
use crate::config::Settings;
use crate::reply::Reply;
use crate::search::{IndexStatus, SearchOptions, Searcher, Synonyms};

/// Who is speaking where: the same person may be in several channels.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Context {
    pub user: String,
    pub channel: String,
}

impl Context {
    pub fn new(user: &str, channel: &str) -> Self {
        Context {
            user: user.to_string(),
            channel: channel.to_string(),
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
    asks: HashMap<Context, AskState>,
    cards: HashMap<String, String>,
}

pub struct Bot {
    bank: Bank,
    searcher: Searcher,
    related: usize,
    conversations: Mutex<Conversations>,
}

impl Bot {
    pub fn new(bank: Bank, searcher: Searcher, related: usize) -> Self {
        Bot {
            bank,
            searcher,
            related,
            conversations: Mutex::default(),
        }
    }

    /// Loads the bank and opens (or rebuilds) its index as the settings say.
    /// Broken bank entries are logged and skipped.
    pub fn from_settings(settings: &Settings) -> anyhow::Result<Bot> {
        let bank = load_bank(&settings.bank.dir)?;
        let searcher = open_searcher(&bank, settings)?;
        Ok(Bot::new(bank, searcher, settings.ask.related))
    }

    pub fn bank(&self) -> &Bank {
        &self.bank
    }

    pub fn searcher(&self) -> &Searcher {
        &self.searcher
    }

    /// Parses a line of chat and answers it.
    pub fn handle_line(&self, ctx: &Context, line: &str) -> Reply {
        match commands::parse(line) {
            Ok(command) => self.handle(ctx, command),
            Err(e) => Reply::error(e.0),
        }
    }

    pub fn handle(&self, ctx: &Context, command: Command) -> Reply {
        match command {
            Command::Ask { text, topic } => ask::ask(self, ctx, &text, topic.as_deref()),
            Command::Next => ask::next(self, ctx),
            Command::QuestionRandom { topic } => question::random(self, ctx, topic.as_deref()),
            Command::Reveal => question::reveal(self, ctx),
            Command::Topics => topics::topics(self),
            Command::Help => help::help(),
            Command::Coming { name } => help::coming(name),
        }
    }

    /// Questions like `question`, same topic first, itself left out.
    pub fn related(&self, question: &Question) -> Vec<&Question> {
        if self.related == 0 {
            return Vec::new();
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
        self.conversations().asks.get(ctx).cloned()
    }

    pub(crate) fn remember_ask(&self, ctx: &Context, state: AskState) {
        self.conversations().asks.insert(ctx.clone(), state);
    }

    pub(crate) fn current_card(&self, ctx: &Context) -> Option<String> {
        self.conversations().cards.get(&ctx.channel).cloned()
    }

    pub(crate) fn remember_card(&self, ctx: &Context, id: &str) {
        self.conversations()
            .cards
            .insert(ctx.channel.clone(), id.to_string());
    }

    fn conversations(&self) -> std::sync::MutexGuard<'_, Conversations> {
        self.conversations
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
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
    Ok(searcher)
}
