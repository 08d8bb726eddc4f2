//! The Discord adapter (serenity): slash commands, buttons and autocomplete in,
//! embeds and components out, quiz posts on time. It holds no quiz or search
//! logic: interactions become core [`Command`](crate::commands::Command)s
//! ([`translate`]) and replies become Discord messages ([`render`]).
//!
//! Two ways to receive interactions:
//! - the gateway (default): a websocket per shard, no privileged intents (none
//!   at all: interactions need none); all shards, or a configured range so
//!   several processes share one database;
//! - an HTTP interactions endpoint ([`endpoint`]), with Ed25519 verification.
//!
//! Commands are registered at start by the process that runs shard 0 (or the
//! endpoint process): globally, or to one guild for development, from the
//! command table. Globally the app can be installed to a server and to a
//! person: `/practice`, `/ask` and the other personal or reference commands
//! then work in direct messages (whose interactions come without a guild or
//! member, see [`translate::context`]) and in servers that never added the
//! bot ([`commands::reach`]). Posts the bot makes by itself come from the
//! outbox through [`DiscordSink`], driven by the core's one loop,
//! [`Bot::run`].

pub mod attachment;
pub mod commands;
pub mod endpoint;
pub mod handler;
pub mod modal;
pub mod posts;
pub mod render;
pub mod retry;
pub mod translate;

use std::net::SocketAddr;
use std::sync::{Arc, OnceLock};

use serenity::all::{
    ApplicationId, ClientBuilder, ConnectionStage, Context as SerenityContext, EventHandler,
    GatewayIntents, GuildId, Http, HttpBuilder, Interaction, Ready, ShardManager,
    ShardStageUpdateEvent,
};
use std::time::Duration;

use tokio::task::JoinHandle;

use crate::bot::Bot;
use crate::config::{DiscordSettings, ExposeSecret};
use crate::runtime::{self, Shutdown, Stopper};
pub use handler::{Ack, Adapter, Handled};
pub use posts::DiscordSink;
use retry::retry;

/// This adapter's name in `/readyz`; each gateway shard reports as
/// `discord shard N` too.
const READINESS: &str = "discord";

/// Discord's REST base; `discord.api_url` replaces it.
pub const DISCORD_API: &str = "https://discord.com";

/// Why the adapter cannot start.
#[derive(Debug, thiserror::Error)]
pub enum DiscordError {
    #[error("discord.token is not set (the bot token from the Developer Portal, or DISCORD_TOKEN)")]
    NoToken,
    #[error("{0}")]
    Settings(String),
    #[error(transparent)]
    Endpoint(#[from] endpoint::EndpointError),
    #[error("cannot reach Discord: {0}")]
    Gateway(serenity::Error),
}

/// A running adapter: its connection, the post loop ([`Bot::run`] with the
/// [`DiscordSink`]), and how to stop them.
pub struct Running {
    pub adapter: Arc<Adapter>,
    /// Where the interactions endpoint listens, in endpoint mode.
    pub endpoint: Option<SocketAddr>,
    shard_manager: Option<Arc<ShardManager>>,
    stopper: Stopper,
    /// The gateway client, or the endpoint's server.
    connection: JoinHandle<()>,
    posts: JoinHandle<()>,
}

/// How long interactions in flight get to finish when stopping.
const DRAIN: Duration = Duration::from_secs(5);

impl Running {
    /// Runs until `shutdown` (SIGTERM, Ctrl-C), or until the gateway or
    /// endpoint stops by itself (a rejected token, say), then stops cleanly.
    /// True when it stopped by itself.
    pub async fn until_stopped(mut self, mut shutdown: Shutdown) -> bool {
        let ended = tokio::select! {
            _ = &mut self.connection => true,
            _ = shutdown.stopping() => false,
        };
        if ended {
            self.adapter
                .bot()
                .readiness()
                .not_ready(READINESS, "the connection ended");
        }
        match ended {
            true => tracing::error!("discord: the connection ended"),
            false => tracing::info!("discord: stopping"),
        }
        self.stop().await;
        ended
    }

    /// Stops taking interactions (closing the gateway's shards first), lets
    /// those in flight finish, closes the endpoint, then lets the post loop
    /// deliver what is ready.
    pub async fn stop(self) {
        // On the gateway, close the shards first, so Discord sends new
        // interactions to another process at once; those in flight still
        // answer over REST. The endpoint answers 503 while draining.
        if let Some(manager) = &self.shard_manager {
            manager.shutdown_all().await;
        }
        if !self.adapter.drain(DRAIN).await {
            tracing::warn!("discord: interactions still running after {DRAIN:?}");
        }
        self.stopper.stop();
        for (what, task) in [("connection", self.connection), ("post loop", self.posts)] {
            if task.is_finished() {
                continue;
            }
            if tokio::time::timeout(Duration::from_secs(6), task)
                .await
                .is_err()
            {
                tracing::warn!("discord: the {what} did not stop within 6 s");
            }
        }
    }
}

/// Connects `bot` to Discord as `settings` say and starts posting due rounds.
/// The bot (bank, index, model) is ready before the first connection, so no
/// heartbeat waits on embedding.
pub async fn start(settings: &DiscordSettings, bot: Arc<Bot>) -> Result<Running, DiscordError> {
    let token = settings.token.as_ref().ok_or(DiscordError::NoToken)?;
    let shards = settings
        .shard_range()
        .map_err(|e| DiscordError::Settings(e.to_string()))?;
    let mut http = HttpBuilder::new(token.expose_secret());
    if let Some(url) = &settings.api_url {
        // serenity sends requests to a custom base only with its rate limiter
        // off; retry::retry handles 429s instead.
        http = http
            .proxy(url.trim_end_matches('/'))
            .ratelimiter_disabled(true);
    }
    if let Some(id) = settings.application_id.filter(|id| *id != 0) {
        http = http.application_id(ApplicationId::new(id));
    }
    bot.readiness()
        .not_ready(READINESS, "connecting to Discord");
    let (stopper, stopped) = runtime::shutdown();
    let registration = Registration {
        dev_guild: settings.dev_guild.filter(|g| *g != 0).map(GuildId::new),
        topics: bot.bank().topics().into_iter().map(|(t, _)| t).collect(),
    };

    if let Some(address) = &settings.endpoint {
        let http = Arc::new(http.build());
        let adapter = Arc::new(Adapter::new(bot, http.clone(), settings.moderator_role));
        let public_key = settings.public_key.as_deref().unwrap_or_default();
        let (local, serve) =
            endpoint::bind(adapter.clone(), address, public_key, stopped.clone()).await?;
        tracing::info!("discord: interactions endpoint listening on {local}");
        adapter.bot().readiness().ready(READINESS);
        registration.register(&http).await;
        return Ok(Running {
            posts: spawn_posts(&adapter, stopped),
            adapter,
            endpoint: Some(local),
            shard_manager: None,
            stopper,
            connection: tokio::spawn(serve),
        });
    }

    let http = http.build();
    // serenity falls back to Discord's public gateway when this request fails;
    // asking first makes a wrong api_url or an outage an error here instead.
    let gateway_url = retry("gateway discovery", || http.get_gateway())
        .await
        .map_err(DiscordError::Gateway)?
        .url;
    let slot = Arc::new(OnceLock::new());
    let handler = Gateway {
        adapter: slot.clone(),
        registration,
        first_shard: shards.is_none_or(|s| s.first == 0),
    };
    // Interactions need no intents at all.
    let mut client = ClientBuilder::new_with_http(http, GatewayIntents::empty())
        .event_handler(handler)
        .await
        .map_err(DiscordError::Gateway)?;
    *client.ws_url.lock().await = gateway_url;
    let adapter = Arc::new(Adapter::new(
        bot,
        client.http.clone(),
        settings.moderator_role,
    ));
    let _ = slot.set(adapter.clone());
    let shard_manager = client.shard_manager.clone();
    let posts = spawn_posts(&adapter, stopped);
    let connection = tokio::spawn(async move {
        let result = match shards {
            // serenity's range includes its end: first..last runs first to last.
            Some(s) => client.start_shard_range(s.first..s.last, s.total).await,
            None => client.start_autosharded().await,
        };
        if let Err(e) = result {
            tracing::error!("discord: the gateway stopped: {e}");
        }
    });
    Ok(Running {
        adapter,
        endpoint: None,
        shard_manager: Some(shard_manager),
        stopper,
        connection,
        posts,
    })
}

/// The post loop: [`Bot::run`] delivering through the Discord sink.
fn spawn_posts(adapter: &Arc<Adapter>, shutdown: Shutdown) -> JoinHandle<()> {
    let sink = DiscordSink::new(adapter.clone());
    let bot = adapter.bot().clone();
    tokio::spawn(async move { bot.run(&sink, shutdown).await })
}

/// The slash commands to register, and where.
struct Registration {
    dev_guild: Option<GuildId>,
    topics: Vec<String>,
}

impl Registration {
    async fn register(&self, http: &Http) {
        let scope = match self.dev_guild {
            Some(_) => commands::Scope::Guild,
            None => commands::Scope::Global,
        };
        let body = commands::registration_body(&self.topics, scope);
        let count = body.as_array().map_or(0, Vec::len);
        let result = match self.dev_guild {
            Some(guild) => retry("command registration", || {
                http.create_guild_commands(guild, &body)
            })
            .await
            .map(|_| format!("to guild {guild}")),
            None => retry("command registration", || {
                http.create_global_commands(&body)
            })
            .await
            .map(|_| "globally".to_string()),
        };
        match result {
            Ok(where_) => tracing::info!("discord: {count} slash commands registered {where_}"),
            Err(e) => tracing::error!("discord: slash commands not registered: {e}"),
        }
    }
}

/// serenity's event handler: READY registers commands (shard 0), interactions
/// go to the adapter.
struct Gateway {
    /// Set once the client (and so its Http) exists.
    adapter: Arc<OnceLock<Arc<Adapter>>>,
    registration: Registration,
    first_shard: bool,
}

#[serenity::async_trait]
impl EventHandler for Gateway {
    async fn ready(&self, ctx: SerenityContext, ready: Ready) {
        let shard = ready.shard.map_or(0, |s| s.id.0);
        tracing::info!(
            "discord: shard {shard} connected as {} ({} guilds)",
            ready.user.name,
            ready.guilds.len()
        );
        if let Some(adapter) = self.adapter.get() {
            let readiness = adapter.bot().readiness();
            readiness.ready(READINESS);
            readiness.ready(&format!("{READINESS} shard {shard}"));
        }
        if self.first_shard && shard == 0 {
            self.registration.register(&ctx.http).await;
        }
    }

    async fn shard_stage_update(&self, _ctx: SerenityContext, event: ShardStageUpdateEvent) {
        let Some(adapter) = self.adapter.get() else {
            return;
        };
        let part = format!("{READINESS} shard {}", event.shard_id.0);
        match event.new {
            ConnectionStage::Connected => adapter.bot().readiness().ready(&part),
            stage => adapter
                .bot()
                .readiness()
                .not_ready(&part, format!("{stage}")),
        }
    }

    async fn interaction_create(&self, _ctx: SerenityContext, interaction: Interaction) {
        match self.adapter.get() {
            Some(adapter) => {
                adapter.handle(interaction, Ack::Rest).await;
            }
            None => tracing::warn!("discord: an interaction arrived before the adapter was ready"),
        }
    }
}
