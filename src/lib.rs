//! interview-bot: a chat-bot for Discord and Slack that helps teams prepare for
//! technical interviews. One platform-neutral core answers commands; thin adapters
//! translate each platform's events into commands and render the replies.
//!
//! # Layout
//!
//! Where a command lives and what a module may touch:
//!
//! - [`commands`]: the command surface. [`commands::spec`] is the one table of
//!   commands, options, help, permissions and privacy; the shell's parser,
//!   `/help` and Discord's registration and decoding are generated from it.
//!   One handler file per command group (`ask`, `question`, `topics`, `help`,
//!   `quiz`, `leaderboard`); schedules' handlers are in [`schedule`].
//! - [`bot`]: [`bot::Bot`] (the state handles) and [`bot::Context`] (platform,
//!   server, channel, user, moderator); answers a command with a
//!   [`reply::Reply`], checks the table's permissions, and runs search on
//!   [`cpu`], a pool of lower-priority threads (one per core)
//! - [`runtime`]: `Bot::run(sink, shutdown)`, the one loop every adapter runs:
//!   due work, outbox delivery through a [`runtime::Sink`], graceful shutdown
//! - [`outbox`]: posts the bot makes by itself, written in the claim's
//!   transaction and rendered at delivery (the one place they become text)
//! - [`quiz`]: live rounds (questions, options, answers, closes);
//!   [`schedule`]: daily rounds on a schedule
//! - [`bank`]: the question bank, loaded from `data/bank/*.toml` (checked, listed, imported)
//! - [`search`]: the tantivy index under `index/` and chat-text queries over it,
//!   with a calibrated confidence in the best hit ("not in the bank" below it)
//! - [`unanswered`]: what people asked that the bank could not answer, grouped by meaning
//! - [`semantic`]: the sentence-embedding model, the bank's vectors and matching by
//!   meaning (joined with words in search; related questions; quiz distractors)
//! - [`store`]: rounds, the answer log, schedules, the outbox, handled
//!   request ids, unanswered queries and votes on answers in SQLite or PostgreSQL
//! - [`reply`]: what the core answers with, for adapters to render
//! - [`markdown`]: answers' paragraphs and fenced code, the one fence scanner
//!   every adapter renders with; a long answer's cut and fitting text into a
//!   platform's limits without breaking a code block
//! - [`clock`]: injected time (real, or the shell's fake clock)
//! - adapters, which translate events into commands and render replies, and
//!   hold no quiz or search logic: [`shell`] (the terminal chat, the embedded
//!   default), [`discord`] (serenity: gateway or interactions endpoint),
//!   [`slack`] (slack-morphism: Socket Mode or HTTP mode)
//! - [`config`]: layered settings; [`telemetry`]: logging
//! - [`library`]: the bank and its index held as one, swapped whole by
//!   [`reload`] (bank edits or SIGHUP, in the background) and by [`meaning`]
//!   (at a first start: installs the model, embeds the bank in the background,
//!   answers say "words only" until then); [`progress`]: bars or plain lines on stderr
//! - operations: [`http`] (`/healthz`, `/readyz`, `/metrics` when
//!   `http.listen` is set), [`metrics`] (Prometheus, counted in the core),
//!   [`health`] (what each adapter reports for `/readyz`)
//! - [`config`]: layered settings; [`telemetry`]: logging (text or JSON)
//! - [`cli`]: the `interview-bot` command line

pub mod analyzer;
pub mod bank;
pub mod bot;
pub mod cli;
pub mod clock;
pub mod commands;
pub mod config;
pub mod cpu;
pub mod discord;
mod files;
pub mod health;
pub mod http;
pub mod leaderboard;
pub mod library;
pub mod markdown;
pub mod meaning;
pub mod metrics;
pub mod outbox;
pub mod platform;
pub mod posted;
pub mod progress;
pub mod quiz;
pub mod reload;
pub mod render;
pub mod reply;
pub mod runtime;
pub mod schedule;
pub mod search;
pub mod semantic;
pub mod shell;
pub mod shutdown;
pub mod slack;
pub mod store;
pub mod telemetry;
pub mod unanswered;
