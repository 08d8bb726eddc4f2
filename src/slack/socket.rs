//! Slack's Socket Mode (the default): no public address needed. The client
//! opens its websockets with the app-level token (`apps.connections.open`)
//! and reconnects by itself when Slack drops a socket or asks for a refresh
//! (`disconnect`). Every envelope is acknowledged as soon as it is read; the
//! work goes on in the background ([`Adapter::accept`]).

use std::sync::Arc;

use slack_morphism::errors::SlackClientError;
use slack_morphism::prelude::*;

use super::handler::{Adapter, Incoming};
use super::{Client, Connector};

/// A running Socket Mode listener.
pub type Listener = SlackClientSocketModeListener<Connector>;

/// Opens `connections` websockets for `app_token`, delivering to `adapter`.
pub async fn listen(
    client: Arc<Client>,
    adapter: Arc<Adapter>,
    app_token: &str,
    connections: u32,
) -> Result<Arc<Listener>, SlackClientError> {
    let environment = Arc::new(
        SlackClientEventsListenerEnvironment::new(client)
            .with_error_handler(on_error)
            .with_user_state(adapter),
    );
    let callbacks = SlackSocketModeListenerCallbacks::new()
        .with_hello_events(on_hello)
        .with_command_events(on_command)
        .with_interaction_events(on_interaction)
        .with_push_events(on_event);
    let config = SlackClientSocketModeConfig::new()
        .with_max_connections_count(connections)
        .with_initial_backoff_in_seconds(1)
        .with_reconnect_timeout_in_seconds(5);
    let listener = Arc::new(SlackClientSocketModeListener::new(
        &config,
        environment,
        callbacks,
    ));
    let token = SlackApiToken::new(app_token.to_string().into());
    listener.listen_for(&token).await?;
    listener.start().await;
    Ok(listener)
}

async fn adapter_of(states: &SlackClientEventsUserState) -> Option<Arc<Adapter>> {
    states
        .read()
        .await
        .get_user_state::<Arc<Adapter>>()
        .cloned()
}

/// A connection is open: the adapter is ready. (The hello event's type is not
/// exported by slack-morphism, hence generic.)
async fn on_hello<Hello>(_event: Hello, _client: Arc<Client>, states: SlackClientEventsUserState) {
    if let Some(adapter) = adapter_of(&states).await {
        adapter.bot().readiness().ready(super::READINESS);
    }
}

/// Acknowledges a slash command with no payload at all (the reply follows
/// through its `response_url`). slack-morphism sends a payload with every
/// `Ok`, so the bare acknowledgement goes the way its error handler takes:
/// [`Acked`], which [`on_error`] lets through silently.
async fn on_command(
    event: SlackCommandEvent,
    _client: Arc<Client>,
    states: SlackClientEventsUserState,
) -> UserCallbackResult<SlackCommandEventResponse> {
    if let Some(adapter) = adapter_of(&states).await {
        if !adapter.accept(Incoming::from_command(&event)) {
            tracing::warn!("slack: a command arrived while stopping; not handled");
        }
    }
    Err(Box::new(Acked))
}

/// Not an error: a slash command taken in for the background.
#[derive(Debug, thiserror::Error)]
#[error("acknowledged; answered through the response_url")]
struct Acked;

async fn on_interaction(
    event: SlackInteractionEvent,
    _client: Arc<Client>,
    states: SlackClientEventsUserState,
) -> UserCallbackResult<()> {
    if let (Some(adapter), Some(incoming)) = (
        adapter_of(&states).await,
        Incoming::from_interaction(&event),
    ) {
        adapter.accept(incoming);
    }
    Ok(())
}

async fn on_event(
    event: SlackPushEventCallback,
    _client: Arc<Client>,
    states: SlackClientEventsUserState,
) -> UserCallbackResult<()> {
    if let (Some(adapter), Some(incoming)) =
        (adapter_of(&states).await, Incoming::from_event(&event))
    {
        adapter.accept(incoming);
    }
    Ok(())
}

/// Logs what the listener could not handle; the envelope is still
/// acknowledged (Slack would only send it again).
fn on_error(
    error: Box<dyn std::error::Error + Send + Sync>,
    _client: Arc<Client>,
    _states: SlackClientEventsUserState,
) -> HttpStatusCode {
    if !error.is::<Acked>() {
        tracing::warn!("slack: socket mode: {error}");
    }
    HttpStatusCode::OK
}
