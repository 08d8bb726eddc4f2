//! The command line: `interview-bot [COMMAND]`. Without a command it runs the bot:
//! the configured chat platforms, or the shell chat when none has credentials.

mod ask;
mod bank;
mod doctor;
mod model;

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use clap::{Parser, Subcommand};

use crate::bot::Bot;
use crate::clock::{Clock, FakeClock, SystemClock};
use crate::config::{DatabaseUrl, ExposeSecret, SecretString, Settings};
use crate::meaning::{Bringing, Start};
use crate::runtime::Shutdown;
use crate::shell::{self, ShellOptions};

#[derive(Debug, Parser)]
#[command(
    name = "interview-bot",
    version,
    about = "A chat-bot that helps teams prepare for technical interviews",
    long_about = "A chat-bot that helps teams prepare for technical interviews.\n\nWithout a command it runs the bot: on Discord or Slack when their credentials are configured, otherwise as a chat in this terminal."
)]
pub struct Cli {
    /// Settings file (TOML); environment variables INTERVIEW_BOT__SECTION__KEY override it
    #[arg(long, global = true, value_name = "PATH")]
    pub config: Option<PathBuf>,

    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Chat with the bot in this terminal (one command per line when stdin is not a terminal)
    Shell(ShellArgs),
    /// Answer questions from the command line; without TEXT, one query per line of stdin
    Ask(ask::AskArgs),
    /// Build the search index and embed the bank (done automatically when the bank changes)
    Index,
    /// Check settings, bank, index, model, database and platform credentials, and say which search mode is active
    Doctor,
    /// Check, list and import question banks
    #[command(subcommand)]
    Bank(bank::BankCommand),
    /// Install the sentence-embedding model that lets /ask match by meaning
    #[command(subcommand)]
    Model(model::ModelCommand),
    /// Set up the Slack app
    #[command(subcommand)]
    Slack(SlackCommand),
}

#[derive(Debug, Subcommand)]
pub enum SlackCommand {
    /// Print the Slack app manifest (paste it at api.slack.com/apps → From a manifest)
    Manifest {
        /// HTTP mode: the public address Slack reaches slack.listen at (https://bot.example.com); without it, Socket Mode
        #[arg(long, value_name = "URL")]
        url: Option<String>,
    },
}

#[derive(Debug, clap::Args)]
pub struct ShellArgs {
    /// Print every reply as one JSON object per line
    #[arg(long)]
    pub json: bool,
    /// Who speaks first (switch with /as NAME)
    #[arg(long, default_value = "you")]
    pub user: String,
    /// Where (switch with /in CHANNEL)
    #[arg(long, default_value = "general")]
    pub channel: String,
    /// Database instead of the configured database.url: sqlite://FILE, postgres://USER:PASSWORD@HOST/DB, or a SQLite file's path
    #[arg(long, value_name = "URL|PATH", value_parser = secret_arg)]
    pub db: Option<SecretString>,
    /// Start a fake clock at this instant (RFC 3339, e.g. 2026-11-23T09:00:00Z); time then moves only by /clock +DURATION
    #[arg(long, value_name = "START")]
    pub fake_clock: Option<jiff::Timestamp>,
}

/// An argument that may hold a password: kept as a secret, so `Debug` hides it.
fn secret_arg(text: &str) -> Result<SecretString, std::convert::Infallible> {
    Ok(SecretString::from(text))
}

/// Exit code for a bad setting or usage.
pub const EXIT_USAGE: u8 = 2;

/// Runs the parsed command line.
pub fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    let settings = match Settings::load(cli.config.as_deref()) {
        Ok(settings) => settings,
        Err(e) => {
            eprintln!("interview-bot: {e}");
            return Ok(ExitCode::from(EXIT_USAGE));
        }
    };
    crate::telemetry::init(settings.log.format);
    match cli.command {
        None => run_bot(settings),
        Some(Command::Shell(mut args)) => {
            let mut settings = settings;
            if let Some(db) = args.db.take() {
                match DatabaseUrl::from_url_or_path(db.expose_secret()) {
                    Ok(url) => settings.database.url = url,
                    Err(e) => {
                        eprintln!("interview-bot: {e}");
                        return Ok(ExitCode::from(EXIT_USAGE));
                    }
                }
            }
            let fake_clock = args.fake_clock.map(|start| Arc::new(FakeClock::new(start)));
            let options = ShellOptions {
                json: args.json,
                user: args.user,
                channel: args.channel,
            };
            run_shell(settings, options, fake_clock)
        }
        Some(Command::Ask(args)) => ask::run(&settings, &args),
        Some(Command::Index) => bank::index(&settings),
        Some(Command::Doctor) => doctor::run(&settings, cli.config.as_deref()),
        Some(Command::Bank(command)) => bank::run(&settings, command),
        Some(Command::Model(command)) => model::run(&settings, command),
        Some(Command::Slack(SlackCommand::Manifest { url })) => {
            print!("{}", crate::slack::manifest::manifest(url.as_deref()));
            Ok(ExitCode::SUCCESS)
        }
    }
}

fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    Ok(tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?)
}

fn run_shell(
    settings: Settings,
    options: ShellOptions,
    fake_clock: Option<Arc<FakeClock>>,
) -> anyhow::Result<ExitCode> {
    let start = Start::plan(&settings);
    let runtime = runtime()?;
    let result = runtime.block_on(async {
        let (stopper, shutdown) = crate::runtime::shutdown();
        stopper.on_signals();
        let clock: Arc<dyn Clock> = match &fake_clock {
            Some(fake) => fake.clone(),
            None => Arc::new(SystemClock),
        };
        let bot = Arc::new(Bot::from_settings(&start.first_load(&settings), clock).await?);
        let meaning = start_operations(&settings, &bot, &shutdown, start).await?;
        shell::run(bot.clone(), &options, fake_clock, shutdown).await?;
        meaning.stop().await;
        bot.store().close().await;
        Ok(ExitCode::SUCCESS)
    });
    // The line reader may still wait on a terminal; searches in flight end quickly.
    runtime.shutdown_timeout(std::time::Duration::from_secs(1));
    result
}

/// The bot on its configured platforms (Discord, Slack, or both in one
/// process) until SIGTERM or Ctrl-C. The bank, index and (when installed and
/// the bank embedded) model load first, so no connection waits on them; a
/// model still to install or embed comes in the background.
fn run_platforms(settings: Settings) -> anyhow::Result<ExitCode> {
    let platforms = settings.platforms();
    let start = Start::plan(&settings);
    let runtime = runtime()?;
    let result = runtime.block_on(async {
        let (stopper, shutdown) = crate::runtime::shutdown();
        stopper.on_signals();
        let first = start.first_load(&settings);
        let bot = Arc::new(Bot::from_settings(&first, Arc::new(SystemClock)).await?);
        let meaning = start_operations(&settings, &bot, &shutdown, start).await?;
        let discord = match platforms.discord {
            true => Some(crate::discord::start(&settings.discord, bot.clone()).await?),
            false => None,
        };
        let slack = match platforms.slack {
            true => match crate::slack::start(&settings.slack, bot.clone()).await {
                Ok(running) => Some(running),
                Err(e) => {
                    if let Some(discord) = discord {
                        discord.stop().await;
                    }
                    meaning.stop().await;
                    return Err(e.into());
                }
            },
            false => None,
        };
        let slack_done = async {
            if let Some(slack) = slack {
                slack.until_stopped(shutdown.clone()).await;
            }
        };
        let discord_done = async {
            let Some(discord) = discord else {
                return false;
            };
            let ended_by_itself = discord.until_stopped(shutdown.clone()).await;
            if ended_by_itself {
                // Discord's connection ended by itself: stop Slack too.
                stopper.stop();
            }
            ended_by_itself
        };
        let (ended_by_itself, ()) = tokio::join!(discord_done, slack_done);
        meaning.stop().await;
        bot.store().close().await;
        Ok(match ended_by_itself {
            true => ExitCode::FAILURE,
            false => ExitCode::SUCCESS,
        })
    });
    runtime.shutdown_timeout(std::time::Duration::from_secs(1));
    result
}

/// What runs beside every adapter until `shutdown`: the operator's HTTP
/// listener (when `http.listen` is set), the bank's hot reload, and matching
/// by meaning brought in as `start` says (stop it when the adapter ends).
async fn start_operations(
    settings: &Settings,
    bot: &Arc<Bot>,
    shutdown: &Shutdown,
    start: Start,
) -> anyhow::Result<Bringing> {
    if let Some(address) = &settings.http.listen {
        let (local, serve) = crate::http::bind(bot.clone(), address, shutdown.clone()).await?;
        tracing::info!("http: listening on {local} (/healthz, /readyz, /metrics)");
        tokio::spawn(serve);
    }
    crate::reload::spawn(bot.shelf(), settings.clone(), shutdown.clone());
    let bringing = crate::meaning::spawn(bot.shelf(), bot.meaning(), settings.clone(), start);
    tokio::spawn(team_banks_by_meaning(bot.clone()));
    Ok(bringing)
}

/// Once matching by meaning arrives after start-up, the servers' own banks
/// are embedded too (until then they are found by words); gives up when
/// meaning will not come.
async fn team_banks_by_meaning(bot: Arc<Bot>) {
    use crate::meaning::Status;
    loop {
        if bot.library().searcher.semantic().is_some() {
            if let Err(e) = bot.load_team_banks().await {
                tracing::warn!("the servers' own banks stay matched by words only: {e:#}");
            }
            return;
        }
        if bot.meaning().get() != Status::Loading {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_secs(1)).await;
    }
}

fn run_bot(settings: Settings) -> anyhow::Result<ExitCode> {
    let platforms = settings.platforms();
    if platforms.slack {
        if let Some(missing) = settings.slack.missing() {
            eprintln!("interview-bot: configuration: {missing}");
            return Ok(ExitCode::from(EXIT_USAGE));
        }
    }
    if platforms.discord || platforms.slack {
        return run_platforms(settings);
    }
    run_shell(settings, ShellOptions::default(), None)
}
