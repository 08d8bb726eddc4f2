//! The Slack adapter (slack-morphism): `/interview …`, buttons, mentions,
//! direct messages and the App Home in; Block Kit out; quiz posts on time. It
//! holds no quiz or search logic: input becomes core
//! [`Command`](crate::commands::Command)s ([`translate`], parsed by the
//! command table as the shell's lines are) and replies become Block Kit
//! ([`blocks`]).
//!
//! Two ways to receive input:
//! - Socket Mode (default, [`socket`]): an app-level token, no public URL;
//! - HTTP mode ([`http`], when `slack.listen` is set): signed requests.
//!
//! Either way each envelope or request is acknowledged at once and handled in
//! the background, once ([`handler`]). Posts the bot makes by itself come from
//! the outbox through [`SlackSink`], driven by the core's one loop,
//! [`Bot::run`]. The app's manifest is generated from the command table
//! ([`manifest`]).

pub mod blocks;
pub mod handler;
pub mod http;
pub mod manifest;
pub mod modal;
pub mod sink;
pub mod socket;
pub mod translate;

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use hyper_rustls::HttpsConnector;
use hyper_util::client::legacy::connect::HttpConnector;
use slack_morphism::prelude::*;
use tokio::task::JoinHandle;

use crate::bot::Bot;
use crate::config::{ExposeSecret, SlackSettings};
use crate::runtime::{self, Shutdown, Stopper};
pub use handler::Adapter;
pub use sink::SlackSink;
pub use translate::GUILD_PREFIX;

/// The adapter's name in `/readyz`: ready once a Socket Mode connection said
/// hello, or HTTP mode listens.
pub const READINESS: &str = "slack";

/// Slack's Web API base; `slack.api_url` replaces it.
pub const SLACK_API: &str = "https://slack.com/api";

/// The HTTP client under slack-morphism: HTTPS to Slack, or plain HTTP to a
/// local fake or proxy that `slack.api_url` names.
pub type Connector = SlackClientHyperConnector<HttpsConnector<HttpConnector>>;
pub type Client = SlackClient<Connector>;

/// Why the adapter cannot start.
#[derive(Debug, thiserror::Error)]
pub enum SlackError {
    #[error("slack.bot_token is not set (the Bot User OAuth Token, xoxb-…, or SLACK_BOT_TOKEN)")]
    NoBotToken,
    #[error(
        "Socket Mode needs slack.app_token (an app-level token with connections:write, xapp-…, or SLACK_APP_TOKEN); or set slack.listen and SLACK_SIGNING_SECRET for HTTP mode"
    )]
    NoAppToken,
    #[error("slack.listen (HTTP mode) needs slack.signing_secret (SLACK_SIGNING_SECRET)")]
    NoSigningSecret,
    #[error("Slack refused the bot token (auth.test: {0}); check SLACK_BOT_TOKEN")]
    Rejected(String),
    #[error("cannot open Slack's Socket Mode: {0}")]
    Socket(String),
    #[error(transparent)]
    Http(#[from] http::HttpModeError),
}

/// A Web API client for `api_url` (Slack's when unset). 429s are waited out
/// as their `Retry-After` says, a few times, before a call fails.
pub fn client(api_url: Option<&str>) -> Client {
    let https = hyper_rustls::HttpsConnectorBuilder::new()
        .with_webpki_roots()
        .https_or_http()
        .enable_http1()
        .build();
    let connector = SlackClientHyperConnector::with_connector(https)
        .with_slack_api_url(api_url.unwrap_or(SLACK_API).trim_end_matches('/'))
        .with_rate_control(SlackApiRateControlConfig::new().with_max_retries(5));
    SlackClient::new(connector)
}

/// Who a bot token belongs to (`auth.test`): `Ok((team, bot user))`, or
/// Slack's reason for refusing it.
pub async fn check_token(client: &Client, token: &str) -> Result<(String, String), String> {
    let token = SlackApiToken::new(token.to_string().into());
    match client.open_session(&token).auth_test().await {
        Ok(me) => Ok((me.team, me.user.unwrap_or_else(|| me.user_id.to_string()))),
        Err(e) => Err(e.to_string()),
    }
}

/// A running adapter: its connection, the post loop ([`Bot::run`] with the
/// [`SlackSink`]), and how to stop them.
pub struct Running {
    pub adapter: Arc<Adapter>,
    /// Where HTTP mode listens.
    pub listening: Option<SocketAddr>,
    socket: Option<Arc<socket::Listener>>,
    stopper: Stopper,
    /// HTTP mode's server.
    server: Option<JoinHandle<()>>,
    posts: JoinHandle<()>,
}

/// How long input in flight gets to finish when stopping.
const DRAIN: Duration = Duration::from_secs(5);

impl Running {
    /// Runs until `shutdown` (SIGTERM, Ctrl-C), then stops cleanly.
    pub async fn until_stopped(self, mut shutdown: Shutdown) {
        shutdown.stopping().await;
        tracing::info!("slack: stopping");
        self.stop().await;
    }

    /// Stops taking input (closing the sockets, or answering 503), lets what
    /// is in flight finish, then lets the post loop deliver what is ready.
    pub async fn stop(self) {
        self.adapter
            .bot()
            .readiness()
            .not_ready(READINESS, "stopping");
        if let Some(socket) = &self.socket {
            socket.shutdown().await;
        }
        if !self.adapter.drain(DRAIN).await {
            tracing::warn!("slack: input still being handled after {DRAIN:?}");
        }
        self.stopper.stop();
        let tasks = [
            ("HTTP server", self.server),
            ("post loop", Some(self.posts)),
        ];
        for (what, task) in tasks {
            let Some(task) = task else { continue };
            if tokio::time::timeout(Duration::from_secs(6), task)
                .await
                .is_err()
            {
                tracing::warn!("slack: the {what} did not stop within 6 s");
            }
        }
    }
}

/// Connects `bot` to Slack as `settings` say and starts posting due rounds.
pub async fn start(settings: &SlackSettings, bot: Arc<Bot>) -> Result<Running, SlackError> {
    let bot_token = settings.bot_token.as_ref().ok_or(SlackError::NoBotToken)?;
    // Every setting the mode needs, before anything is sent.
    match (
        &settings.listen,
        &settings.app_token,
        &settings.signing_secret,
    ) {
        (None, None, _) => return Err(SlackError::NoAppToken),
        (Some(_), _, None) => return Err(SlackError::NoSigningSecret),
        _ => {}
    }
    let client = Arc::new(client(settings.api_url.as_deref()));
    match check_token(&client, bot_token.expose_secret()).await {
        Ok((team, user)) => tracing::info!("slack: signed in as {user} in {team}"),
        Err(e)
            if e.contains("invalid_auth")
                || e.contains("not_authed")
                || e.contains("token_revoked") =>
        {
            return Err(SlackError::Rejected(e));
        }
        Err(e) => tracing::warn!("slack: cannot check the bot token yet ({e}); going on"),
    }
    let token = SlackApiToken::new(bot_token.expose_secret().to_string().into());
    let adapter = Arc::new(Adapter::new(
        bot.clone(),
        client.clone(),
        token,
        settings.moderator_group.clone(),
    ));
    let (stopper, stopped) = runtime::shutdown();
    bot.readiness().not_ready(READINESS, "connecting to Slack");

    let (socket, server, listening) = match &settings.listen {
        Some(address) => {
            let secret = settings
                .signing_secret
                .as_ref()
                .ok_or(SlackError::NoSigningSecret)?;
            let (local, serve) = http::bind(
                adapter.clone(),
                address,
                secret.expose_secret(),
                stopped.clone(),
            )
            .await?;
            tracing::info!("slack: HTTP mode, listening on {local}");
            bot.readiness().ready(READINESS);
            (None, Some(tokio::spawn(serve)), Some(local))
        }
        None => {
            let app_token = settings.app_token.as_ref().ok_or(SlackError::NoAppToken)?;
            let listener = socket::listen(
                client.clone(),
                adapter.clone(),
                app_token.expose_secret(),
                settings.connections(),
            )
            .await
            .map_err(|e| SlackError::Socket(e.to_string()))?;
            tracing::info!(
                "slack: Socket Mode, {} connection(s)",
                settings.connections()
            );
            (Some(listener), None, None)
        }
    };
    let sink = SlackSink::new(adapter.clone());
    let posts = tokio::spawn(async move { bot.run(&sink, stopped).await });
    Ok(Running {
        adapter,
        listening,
        socket,
        stopper,
        server,
        posts,
    })
}
