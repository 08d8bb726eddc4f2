//! interview-bot: a chat-bot for Discord and Slack that helps teams prepare for
//! technical interviews. One platform-neutral core answers commands; thin adapters
//! translate each platform's events into commands and render the replies.
//!
//! # Layout
//!
//! - [`bank`]: the question bank, loaded from `data/bank/*.toml` (checked, listed, imported)
//! - [`search`]: the tantivy index under `index/` and chat-text queries over it
//! - [`semantic`]: the sentence-embedding model, the bank's vectors and matching by
//!   meaning (joined with words in search; related questions; quiz distractors)
//! - [`commands`]: the command surface, one module per command group
//! - [`bot`]: the core that answers a command with a [`reply::Reply`], and posts
//!   what falls due ([`bot::Bot::tick`])
//! - [`quiz`]: live rounds (questions, options, answers, closes);
//!   [`schedule`]: daily rounds on a schedule
//! - [`store`]: rounds, the answer log and schedules in SQLite or PostgreSQL
//! - [`clock`]: injected time (real, or the shell's fake clock)
//! - [`shell`]: the terminal chat adapter, the embedded default
//! - [`discord`]: the Discord adapter (serenity: gateway or interactions endpoint)
//! - [`config`]: layered settings; [`telemetry`]: logging
//! - [`cli`]: the `interview-bot` command line

pub mod bank;
pub mod bot;
pub mod cli;
pub mod clock;
pub mod commands;
pub mod config;
pub mod discord;
mod files;
pub mod quiz;
pub mod reply;
pub mod schedule;
pub mod search;
pub mod semantic;
pub mod shell;
pub mod store;
pub mod telemetry;
