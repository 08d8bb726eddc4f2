//! The process's Prometheus metrics (the `prometheus-client` crate): one
//! registry, counted where every adapter passes (commands in
//! [`commands::handle`](crate::commands::handle), posts in the outbox loop of
//! [`crate::runtime`], answers and rounds in [`crate::store`], retries in each
//! adapter), and encoded in Prometheus text format for `/metrics`
//! ([`crate::http`]). Gauges of current state (outbox backlog, database pool)
//! are read when scraped.

use std::sync::LazyLock;
use std::time::Duration;

use prometheus_client::encoding::text::encode;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
use prometheus_client::registry::Registry;

type Label = (&'static str, &'static str);
type NamedLabel = (&'static str, String);

/// Every metric of the process.
pub struct Metrics {
    registry: Registry,
    commands: Family<[NamedLabel; 2], Counter>,
    ask_seconds: Histogram,
    ask_answers: Family<[Label; 1], Counter>,
    answers: Family<[Label; 1], Counter>,
    rounds_started: Counter,
    posts: Family<[Label; 1], Counter>,
    outbox_pending: Gauge,
    outbox_lag: Histogram,
    schedule_lag: Histogram,
    platform_errors: Family<[NamedLabel; 2], Counter>,
    platform_retries: Family<[NamedLabel; 2], Counter>,
    db_connections: Family<[Label; 1], Gauge>,
    db_max_connections: Gauge,
    bank_questions: Gauge,
    bank_reloads: Family<[Label; 1], Counter>,
}

static METRICS: LazyLock<Metrics> = LazyLock::new(Metrics::new);

/// The process's metrics.
pub fn metrics() -> &'static Metrics {
    &METRICS
}

/// How a command ended, for `interview_bot_commands_total{outcome}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CommandOutcome {
    Ok,
    /// The reply was an error message (bad input, nothing found, a store outage).
    Error,
    /// The person may not run it (moderators only).
    Denied,
}

impl CommandOutcome {
    fn as_str(self) -> &'static str {
        match self {
            CommandOutcome::Ok => "ok",
            CommandOutcome::Error => "error",
            CommandOutcome::Denied => "denied",
        }
    }
}

/// What became of a post the outbox loop leased.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PostOutcome {
    Delivered,
    Dropped,
    Retried,
}

impl Metrics {
    fn new() -> Metrics {
        let mut registry = Registry::with_prefix("interview_bot");
        let metrics = Metrics {
            commands: Family::default(),
            // 1 ms to about 16 s.
            ask_seconds: Histogram::new(exponential_buckets(0.001, 2.0, 15)),
            ask_answers: Family::default(),
            answers: Family::default(),
            rounds_started: Counter::default(),
            posts: Family::default(),
            outbox_pending: Gauge::default(),
            // 50 ms to about 14 minutes.
            outbox_lag: Histogram::new(exponential_buckets(0.05, 2.0, 15)),
            schedule_lag: Histogram::new(exponential_buckets(0.05, 2.0, 15)),
            platform_errors: Family::default(),
            platform_retries: Family::default(),
            db_connections: Family::default(),
            db_max_connections: Gauge::default(),
            bank_questions: Gauge::default(),
            bank_reloads: Family::default(),
            registry: Registry::default(),
        };
        registry.register(
            "commands",
            "Commands handled, by command and outcome (ok, error, denied)",
            metrics.commands.clone(),
        );
        registry.register(
            "ask_duration_seconds",
            "Time to answer /ask and /next, search included",
            metrics.ask_seconds.clone(),
        );
        registry.register(
            "ask_answers",
            "/ask results: answered (a confident match) or refused (nothing in the bank)",
            metrics.ask_answers.clone(),
        );
        registry.register(
            "quiz_answers",
            "Quiz answers by result: recorded, duplicate (answered before), closed (too late)",
            metrics.answers.clone(),
        );
        registry.register(
            "rounds_started",
            "Quiz rounds started (live and scheduled)",
            metrics.rounds_started.clone(),
        );
        registry.register(
            "outbox_posts",
            "Posts the outbox loop handled: delivered, dropped (can never be posted) or retried",
            metrics.posts.clone(),
        );
        registry.register(
            "outbox_pending",
            "Posts in the outbox not delivered yet (all processes)",
            metrics.outbox_pending.clone(),
        );
        registry.register(
            "outbox_delivery_lag_seconds",
            "From a post falling due to the platform taking it",
            metrics.outbox_lag.clone(),
        );
        registry.register(
            "schedule_lag_seconds",
            "From a scheduled round falling due to its opening post being delivered",
            metrics.schedule_lag.clone(),
        );
        registry.register(
            "platform_errors",
            "Errors from a chat platform, by platform and kind",
            metrics.platform_errors.clone(),
        );
        registry.register(
            "platform_retries",
            "Calls to a chat platform retried, by platform and kind",
            metrics.platform_retries.clone(),
        );
        registry.register(
            "db_pool_connections",
            "Database pool connections by state (idle, in_use)",
            metrics.db_connections.clone(),
        );
        registry.register(
            "db_pool_max_connections",
            "The database pool's size limit",
            metrics.db_max_connections.clone(),
        );
        registry.register(
            "bank_questions",
            "Questions in the bank in use",
            metrics.bank_questions.clone(),
        );
        registry.register(
            "bank_reloads",
            "Bank reloads by outcome: ok, or refused (the bank had errors; the last good one stays)",
            metrics.bank_reloads.clone(),
        );
        Metrics {
            registry,
            ..metrics
        }
    }

    pub fn command(&self, name: String, outcome: CommandOutcome) {
        self.commands
            .get_or_create(&[("command", name), ("outcome", outcome.as_str().to_string())])
            .inc();
    }

    /// An `/ask` (or `/next`) took `elapsed`; `answered` when it gave an answer.
    pub fn ask(&self, elapsed: Duration, answered: bool) {
        self.ask_seconds.observe(elapsed.as_secs_f64());
        let result = if answered { "answered" } else { "refused" };
        self.ask_answers.get_or_create(&[("result", result)]).inc();
    }

    /// A quiz answer was stored (`recorded`), or refused as `duplicate` or `closed`.
    pub fn quiz_answer(&self, result: &'static str) {
        self.answers.get_or_create(&[("result", result)]).inc();
    }

    pub fn round_started(&self) {
        self.rounds_started.inc();
    }

    /// A post was handled; `lag` from its due time, when it was delivered.
    pub fn post(&self, outcome: PostOutcome, lag: Option<Duration>) {
        let outcome = match outcome {
            PostOutcome::Delivered => "delivered",
            PostOutcome::Dropped => "dropped",
            PostOutcome::Retried => "retried",
        };
        self.posts.get_or_create(&[("outcome", outcome)]).inc();
        if let Some(lag) = lag {
            self.outbox_lag.observe(lag.as_secs_f64());
        }
    }

    /// A scheduled round's opening post was delivered `lag` after it fell due.
    pub fn schedule_lag(&self, lag: Duration) {
        self.schedule_lag.observe(lag.as_secs_f64());
    }

    pub fn platform_error(&self, platform: &'static str, kind: &str) {
        self.platform_errors
            .get_or_create(&[
                ("platform", platform.to_string()),
                ("kind", kind.to_string()),
            ])
            .inc();
    }

    pub fn platform_retry(&self, platform: &'static str, kind: &str) {
        self.platform_retries
            .get_or_create(&[
                ("platform", platform.to_string()),
                ("kind", kind.to_string()),
            ])
            .inc();
    }

    pub fn bank(&self, questions: usize) {
        self.bank_questions.set(questions as i64);
    }

    /// A bank reload ended: `ok`, or refused because the new bank had errors.
    pub fn bank_reload(&self, ok: bool) {
        let outcome = if ok { "ok" } else { "refused" };
        self.bank_reloads
            .get_or_create(&[("outcome", outcome)])
            .inc();
    }

    /// The state read at scrape time.
    pub fn set_current(&self, pending_posts: Option<i64>, pool: PoolUse) {
        if let Some(pending) = pending_posts {
            self.outbox_pending.set(pending);
        }
        let in_use = pool.size.saturating_sub(pool.idle);
        self.db_connections
            .get_or_create(&[("state", "idle")])
            .set(pool.idle as i64);
        self.db_connections
            .get_or_create(&[("state", "in_use")])
            .set(in_use as i64);
        self.db_max_connections.set(i64::from(pool.max));
    }

    /// Everything, in Prometheus text format.
    pub fn encode(&self) -> String {
        let mut text = String::new();
        if let Err(e) = encode(&mut text, &self.registry) {
            tracing::error!("metrics: cannot encode: {e}");
        }
        text
    }
}

/// How many database connections are open, idle, and allowed.
#[derive(Debug, Clone, Copy, Default)]
pub struct PoolUse {
    pub size: u32,
    pub idle: u32,
    pub max: u32,
}
