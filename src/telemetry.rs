//! Logging: `tracing` to stderr (so JSON on stdout stays clean), filtered by
//! `RUST_LOG`; lines for people, or with `log.format = "json"` one JSON object
//! per line carrying the fields of its spans (platform, guild, channel,
//! command, round). Credentials are held in `secrecy` types and never reach a
//! log line.

use std::io::IsTerminal;

use tracing_subscriber::EnvFilter;

use crate::config::LogFormat;

/// What is logged when `RUST_LOG` is not set.
const DEFAULT_FILTER: &str = "warn,interview_bot=info";

pub fn init(format: LogFormat) {
    let filter =
        EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(DEFAULT_FILTER));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_target(false);
    let _ = match format {
        LogFormat::Text => builder
            .with_ansi(std::io::stderr().is_terminal())
            .try_init(),
        LogFormat::Json => builder
            .json()
            .with_current_span(true)
            .with_span_list(false)
            .flatten_event(true)
            .try_init(),
    };
}
