//! The operator's HTTP listener (axum), on only when `http.listen` is set:
//! `/healthz` (the process answers), `/readyz` (the bank's index is loaded, the
//! database answers and every platform adapter reports itself connected;
//! otherwise 503 naming what is not) and `/metrics` (Prometheus text,
//! [`crate::metrics`]). It stops with the bot's [`Shutdown`].

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde_json::{Map, Value, json};

use crate::bot::Bot;
use crate::metrics::metrics;
use crate::runtime::Shutdown;

/// How long `/readyz` waits for the database.
const DATABASE_WITHIN: Duration = Duration::from_secs(2);

/// Why the listener cannot start.
#[derive(Debug, thiserror::Error)]
pub enum HttpError {
    #[error(transparent)]
    Listen(#[from] crate::listen::ListenError),
}

/// Binds `address`; the returned future serves until `shutdown`.
pub async fn bind(
    bot: Arc<Bot>,
    address: &str,
    shutdown: Shutdown,
) -> Result<(SocketAddr, impl Future<Output = ()> + use<>), HttpError> {
    let (local, listener) = crate::listen::bind("http.listen", "127.0.0.1:9090", address).await?;
    let app = Router::new()
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
        .route("/metrics", get(scrape))
        .with_state(bot);
    Ok((
        local,
        crate::listen::serve(listener, app, shutdown, "the http listener"),
    ))
}

async fn healthz() -> &'static str {
    "ok\n"
}

async fn readyz(State(bot): State<Arc<Bot>>) -> Response {
    let mut checks = Map::new();
    let mut failing = Vec::new();
    let mut check = |part: String, why: Option<String>| {
        if why.is_some() {
            failing.push(part.clone());
        }
        checks.insert(part, Value::String(why.unwrap_or_else(|| "ok".to_string())));
    };
    let questions = bot.bank().len();
    check(
        "index".to_string(),
        (questions == 0).then(|| "the bank has no questions".to_string()),
    );
    let database = match tokio::time::timeout(DATABASE_WITHIN, bot.store().ping()).await {
        Ok(Ok(())) => None,
        Ok(Err(e)) => Some(e.to_string()),
        Err(_) => Some(format!("no answer within {DATABASE_WITHIN:?}")),
    };
    check("database".to_string(), database);
    for (part, why) in bot.readiness().parts_now() {
        check(part, why);
    }
    let status = match failing.is_empty() {
        true => StatusCode::OK,
        false => StatusCode::SERVICE_UNAVAILABLE,
    };
    let body = json!({ "ready": failing.is_empty(), "failing": failing, "checks": checks });
    (
        status,
        [(header::CONTENT_TYPE, "application/json")],
        body.to_string(),
    )
        .into_response()
}

async fn scrape(State(bot): State<Arc<Bot>>) -> Response {
    let store = bot.store();
    let pending = store.pending_posts().await.ok();
    metrics().set_current(pending, store.pool_use());
    metrics().bank(bot.bank().len());
    (
        [(
            header::CONTENT_TYPE,
            "application/openmetrics-text; version=1.0.0; charset=utf-8",
        )],
        metrics().encode(),
    )
        .into_response()
}
