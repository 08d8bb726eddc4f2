//! interview-bot: a chat-bot for Discord and Slack that helps teams prepare for
//! technical interviews. One platform-neutral core answers commands; thin adapters
//! translate each platform's events into commands and render the replies.
//!
//! # Layout
//!
//! Five floors and the command line on top; a module imports only from its own floor (without a circle)
//! and the floors below it, never above. `tests/layers.rs` reads the code's
//! `crate::` paths and fails on an import that points up or a circle across
//! modules, so this list stays true.
//!
//! 1. **Ground floor**, knowing nothing of commands, replies or the bot:
//!    [`bank`] (the question bank in `data/bank/*.toml`: loaded, checked,
//!    imported), [`analyzer`] (text into search terms), [`search`] (the tantivy
//!    index and chat-text queries, with a calibrated confidence), [`semantic`]
//!    (the sentence-embedding model and the bank's vectors), [`library`] (a bank
//!    and its index held as one, on a [`library::Shelf`] that swaps them whole),
//!    [`store`] (SQLite or PostgreSQL: rounds, the answer log, schedules, the
//!    outbox, votes, unanswered queries, practice cards and grades; claims and their posts in one
//!    transaction), [`markdown`] (answers' paragraphs and code), [`clock`],
//!    [`config`], [`platform`] (which adapter, and how commands are typed
//!    there), [`shutdown`], [`listen`] (the HTTP listeners), [`cpu`],
//!    [`query_vectors`] (`/ask` queries embedded in batches on the CPU pool),
//!    [`files`], [`metrics`], [`health`], [`progress`], [`telemetry`].
//! 2. **Domain services**: typed inputs (a store, the library, the time) and
//!    typed outcomes or one error enum each, no replies and no platform words:
//!    [`quiz`] (live and daily rounds: start, answer, close, stop),
//!    [`schedule`] (daily rounds on a schedule, each run claimed once),
//!    [`practice`] (personal spaced repetition with FSRS: the next card, grades,
//!    daily caps, streaks, reminders),
//!    [`intake`] (each platform request handled once: the replay guard both
//!    adapters use),
//!    [`team`] (team banks: suggestions checked and limited, reviews, the
//!    live per-server partitions search reads),
//!    [`leaderboard`] (periods, standings, a person's stats from the answer
//!    log), [`outbox`] (the posts the bot makes by itself, as durable
//!    intents), [`unanswered`] (what the bank could not answer, grouped by
//!    meaning), [`reload`] and [`meaning`] (a new library onto the shelf: bank
//!    edits, the model's first install).
//! 3. **State and rendering**: [`bot`] ([`bot::Bot`], the state handles, and
//!    [`bot::Context`], who speaks where; it dispatches nothing), [`reply`]
//!    (what the core answers with, and [`reply::ButtonId`], every button id),
//!    [`render`] (the one place outcomes, errors and outbox posts become
//!    replies, in the platform's words).
//! 4. **Commands and the runtime**: [`commands`] (one file per command
//!    group holding its entries of the command table, their decoding and
//!    handlers, registered once in [`commands::COMMANDS`]; [`commands::spec`],
//!    the table's shape and parser; [`commands::router`], which checks access,
//!    runs a command and measures it), [`runtime`] (`Bot::run`:
//!    due work, outbox delivery through a [`runtime::Sink`], shutdown),
//!    [`posted`] (quiz questions as the platforms show them).
//! 5. **Adapters**, which translate events into commands and render replies,
//!    and hold no quiz or search logic: [`shell`] (the terminal chat, the
//!    embedded default), [`discord`] (serenity: gateway or interactions
//!    endpoint), [`slack`] (slack-morphism: Socket Mode or HTTP mode),
//!    [`http`] (`/healthz`, `/readyz`, `/metrics`); and on top [`cli`], the
//!    `interview-bot` command line.

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
pub mod intake;
pub mod leaderboard;
pub mod library;
pub mod listen;
pub mod markdown;
pub mod meaning;
pub mod metrics;
pub mod outbox;
pub mod platform;
pub mod posted;
pub mod practice;
pub mod progress;
pub mod query_vectors;
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
pub mod team;
pub mod telemetry;
pub mod unanswered;
