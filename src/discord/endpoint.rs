//! The HTTP interactions endpoint: Discord POSTs each interaction to this
//! server instead of sending it over the gateway. A request counts only with a
//! valid Ed25519 signature of the application's public key and a timestamp
//! within [`WINDOW`] of now; a forged, stale or replayed request gets 401 and
//! changes nothing. Every signed request (PING and autocomplete included) is
//! taken once: what was signed is remembered until its timestamp goes stale;
//! handled command, button and form ids are also kept in the store, so those
//! are refused after a restart too. While the bot stops, requests get 503.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use serenity::all::{CreateInteractionResponse, Interaction};
use serenity::interactions_endpoint::Verifier;
use tokio::sync::oneshot;

use crate::intake::Recent;
use crate::runtime::Shutdown;

use super::handler::{Ack, Adapter, Handled};

/// How far a request's timestamp may be from now, either way.
pub const WINDOW: Duration = Duration::from_secs(300);
/// How long the first response may take (Discord waits 3 seconds).
const ANSWER_WITHIN: Duration = Duration::from_millis(2900);

/// Why the endpoint cannot start.
#[derive(Debug, thiserror::Error)]
pub enum EndpointError {
    #[error("discord.public_key must be the application's public key: 64 hex digits")]
    PublicKey,
    #[error(transparent)]
    Listen(#[from] crate::listen::ListenError),
}

struct Endpoint {
    adapter: Arc<Adapter>,
    verifier: Verifier,
    /// Signed requests taken, until their timestamp goes stale.
    taken: Recent,
}

/// A verifier for `public_key` (hex), or why it is not a key.
pub fn verifier(public_key: &str) -> Result<Verifier, EndpointError> {
    let bytes = decode_hex(public_key.trim()).ok_or(EndpointError::PublicKey)?;
    let key: [u8; 32] = bytes.try_into().map_err(|_| EndpointError::PublicKey)?;
    Verifier::try_new(key).map_err(|_| EndpointError::PublicKey)
}

fn decode_hex(text: &str) -> Option<Vec<u8>> {
    if text.len() % 2 != 0 {
        return None;
    }
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(text.get(i..i + 2)?, 16).ok())
        .collect()
}

/// Binds `address`; the returned future serves until `shutdown` turns true.
pub async fn bind(
    adapter: Arc<Adapter>,
    address: &str,
    public_key: &str,
    shutdown: Shutdown,
) -> Result<(SocketAddr, impl Future<Output = ()> + use<>), EndpointError> {
    let verifier = verifier(public_key)?;
    let (local, listener) =
        crate::listen::bind("discord.endpoint", "0.0.0.0:8080", address).await?;
    let state = Arc::new(Endpoint {
        adapter,
        verifier,
        taken: Recent::default(),
    });
    let app = Router::new()
        .route("/", post(interaction))
        .route("/interactions", post(interaction))
        .with_state(state);
    Ok((
        local,
        crate::listen::serve(listener, app, shutdown, "the discord endpoint"),
    ))
}

async fn interaction(
    State(endpoint): State<Arc<Endpoint>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    if endpoint.adapter.is_stopping() {
        return (StatusCode::SERVICE_UNAVAILABLE, "shutting down").into_response();
    }
    let header = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
    };
    let signature = header("x-signature-ed25519");
    let timestamp = header("x-signature-timestamp");
    if endpoint
        .verifier
        .verify(signature, timestamp, &body)
        .is_err()
    {
        return unauthorized("invalid request signature");
    }
    let now = endpoint.adapter.bot().now().as_second();
    let signed_at = timestamp
        .parse::<i64>()
        .ok()
        .filter(|t| t.abs_diff(now) <= WINDOW.as_secs());
    let Some(signed_at) = signed_at else {
        return unauthorized("stale request timestamp");
    };
    if !endpoint.taken.first_time(signed_at, &body, WINDOW, now) {
        return unauthorized("interaction already handled");
    }
    let interaction: Interaction = match serde_json::from_slice(&body) {
        Ok(interaction) => interaction,
        Err(e) => {
            tracing::warn!("discord endpoint: not an interaction: {e}");
            return (StatusCode::BAD_REQUEST, "not an interaction").into_response();
        }
    };
    let (sender, receiver) = oneshot::channel();
    let adapter = endpoint.adapter.clone();
    let handled = tokio::spawn(async move { adapter.handle(interaction, Ack::Body(sender)).await });
    match tokio::time::timeout(ANSWER_WITHIN, receiver).await {
        // serenity writes PONG as {"type":1,"data":null}; Discord's OpenAPI
        // document describes it as {"type":1} only.
        Ok(Ok(CreateInteractionResponse::Pong)) => (
            StatusCode::OK,
            [(header::CONTENT_TYPE, "application/json")],
            br#"{"type":1}"#.to_vec(),
        )
            .into_response(),
        Ok(Ok(response)) => match serde_json::to_vec(&response) {
            Ok(json) => (
                StatusCode::OK,
                [(header::CONTENT_TYPE, "application/json")],
                json,
            )
                .into_response(),
            Err(e) => {
                tracing::error!("discord endpoint: response not serializable: {e}");
                StatusCode::INTERNAL_SERVER_ERROR.into_response()
            }
        },
        // No response at all: a replay, or the adapter began stopping.
        Ok(Err(_)) => match handled.await {
            Ok(Handled::Replay) => unauthorized("interaction already handled"),
            Ok(Handled::Stopping) => {
                (StatusCode::SERVICE_UNAVAILABLE, "shutting down").into_response()
            }
            _ => StatusCode::INTERNAL_SERVER_ERROR.into_response(),
        },
        Err(_) => {
            tracing::error!("discord endpoint: no response within {ANSWER_WITHIN:?}");
            StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
    }
}

fn unauthorized(why: &'static str) -> Response {
    (StatusCode::UNAUTHORIZED, why).into_response()
}
