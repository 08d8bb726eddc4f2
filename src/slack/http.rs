//! Slack's HTTP mode: endpoints for slash commands, interactivity and the
//! Events API. Every request is verified with the signing secret (HMAC-SHA256
//! over `v0:{timestamp}:{body}`); one that is forged, more than 5 minutes
//! old, or seen before (its signature is claimed in the store, so also after a
//! restart) gets 401 and changes nothing. A good one is acknowledged at once
//! (Slack waits 3 seconds) and handled in the background.

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use slack_morphism::prelude::*;
use slack_morphism::signature_verifier::SlackEventSignatureVerifier;

use super::handler::{Adapter, Incoming};
use crate::intake::{self, Seen};
use crate::runtime::Shutdown;

/// How far a request's timestamp may be from now, either way.
pub const WINDOW: Duration = Duration::from_secs(300);
/// The longest the replay check may take.
const REPLAY_CHECK_WITHIN: Duration = Duration::from_millis(1000);

/// Why HTTP mode cannot start.
#[derive(Debug, thiserror::Error)]
pub enum HttpModeError {
    #[error(transparent)]
    Listen(#[from] crate::listen::ListenError),
}

struct Endpoint {
    adapter: Arc<Adapter>,
    verifier: SlackEventSignatureVerifier,
}

/// Binds `address`; the returned future serves until `shutdown`.
pub async fn bind(
    adapter: Arc<Adapter>,
    address: &str,
    signing_secret: &str,
    shutdown: Shutdown,
) -> Result<(SocketAddr, impl Future<Output = ()> + use<>), HttpModeError> {
    let (local, listener) = crate::listen::bind("slack.listen", "0.0.0.0:3000", address).await?;
    let verifier =
        SlackEventSignatureVerifier::new(&SlackSigningSecret::new(signing_secret.to_string()));
    let state = Arc::new(Endpoint { adapter, verifier });
    let app = Router::new()
        .route("/slack/commands", post(command))
        .route("/slack/interactivity", post(interactivity))
        .route("/slack/events", post(events))
        .with_state(state);
    Ok((
        local,
        crate::listen::serve(listener, app, shutdown, "the slack endpoint"),
    ))
}

/// A verified request's body, or the response refusing it.
async fn verified(
    endpoint: &Endpoint,
    headers: &HeaderMap,
    body: &Bytes,
) -> Result<String, Response> {
    if endpoint.adapter.is_stopping() {
        return Err((StatusCode::SERVICE_UNAVAILABLE, "shutting down").into_response());
    }
    let header = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
    };
    let signature = header(SlackEventSignatureVerifier::SLACK_SIGNED_HASH_HEADER);
    let timestamp = header(SlackEventSignatureVerifier::SLACK_SIGNED_TIMESTAMP);
    let Ok(text) = std::str::from_utf8(body) else {
        return Err(unauthorized("invalid request signature"));
    };
    let now = jiff::Timestamp::now().as_second();
    let fresh = timestamp
        .parse::<i64>()
        .is_ok_and(|t| t.abs_diff(now) <= WINDOW.as_secs());
    if !fresh {
        return Err(unauthorized("stale request timestamp"));
    }
    if endpoint
        .verifier
        .verify(signature, text, timestamp)
        .is_err()
    {
        return Err(unauthorized("invalid request signature"));
    }
    // A replay carries the same signature: claim it before anything happens;
    // unchecked, it is refused with "try again" (Slack retries).
    let key = format!("slack:signature:{signature}");
    let store = endpoint.adapter.bot().store();
    match intake::claim(store, &key, now * 1000, REPLAY_CHECK_WITHIN).await {
        Seen::First => Ok(text.to_string()),
        Seen::Again => Err(unauthorized("request already handled")),
        Seen::Unknown(why) => {
            tracing::warn!("slack endpoint: {why}");
            Err((StatusCode::SERVICE_UNAVAILABLE, "try again").into_response())
        }
    }
}

/// `POST /slack/commands`: a slash command, form-encoded.
async fn command(
    State(endpoint): State<Arc<Endpoint>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let text = match verified(&endpoint, &headers, &body).await {
        Ok(text) => text,
        Err(refused) => return refused,
    };
    let fields: serde_json::Map<String, serde_json::Value> =
        url::form_urlencoded::parse(text.as_bytes())
            .map(|(k, v)| (k.into_owned(), serde_json::Value::String(v.into_owned())))
            .collect();
    match serde_json::from_value::<SlackCommandEvent>(fields.into()) {
        Ok(event) => accepted(&endpoint, Incoming::from_command(&event)),
        Err(e) => bad_request(&format!("not a slash command: {e}")),
    }
}

/// `POST /slack/interactivity`: a button click, as a form's `payload` field.
async fn interactivity(
    State(endpoint): State<Arc<Endpoint>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let text = match verified(&endpoint, &headers, &body).await {
        Ok(text) => text,
        Err(refused) => return refused,
    };
    let payload = url::form_urlencoded::parse(text.as_bytes())
        .find(|(k, _)| k == "payload")
        .map(|(_, v)| v.into_owned())
        .unwrap_or_default();
    match serde_json::from_str::<SlackInteractionEvent>(&payload) {
        Ok(event) => match Incoming::from_interaction(&event) {
            Some(incoming) => accepted(&endpoint, incoming),
            None => StatusCode::OK.into_response(),
        },
        Err(e) => bad_request(&format!("not an interaction: {e}")),
    }
}

/// `POST /slack/events`: the Events API (mentions, direct messages, the App
/// Home), and the URL check Slack makes when the address is set.
async fn events(
    State(endpoint): State<Arc<Endpoint>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let text = match verified(&endpoint, &headers, &body).await {
        Ok(text) => text,
        Err(refused) => return refused,
    };
    match serde_json::from_str::<SlackPushEvent>(&text) {
        Ok(SlackPushEvent::UrlVerification(check)) => (
            StatusCode::OK,
            [(header::CONTENT_TYPE, "text/plain")],
            check.challenge,
        )
            .into_response(),
        Ok(SlackPushEvent::EventCallback(callback)) => match Incoming::from_event(&callback) {
            Some(incoming) => accepted(&endpoint, incoming),
            None => StatusCode::OK.into_response(),
        },
        Ok(SlackPushEvent::AppRateLimited(_)) => {
            tracing::warn!("slack: events were dropped by Slack's rate limit (app_rate_limited)");
            StatusCode::OK.into_response()
        }
        Err(e) => bad_request(&format!("not an event: {e}")),
    }
}

/// Acknowledges at once; the work goes on in the background.
fn accepted(endpoint: &Endpoint, incoming: Incoming) -> Response {
    match endpoint.adapter.accept(incoming) {
        true => StatusCode::OK.into_response(),
        false => (StatusCode::SERVICE_UNAVAILABLE, "shutting down").into_response(),
    }
}

fn unauthorized(why: &'static str) -> Response {
    (StatusCode::UNAUTHORIZED, why).into_response()
}

fn bad_request(why: &str) -> Response {
    tracing::warn!("slack endpoint: {why}");
    (
        StatusCode::BAD_REQUEST,
        "not a Slack request this app takes",
    )
        .into_response()
}
