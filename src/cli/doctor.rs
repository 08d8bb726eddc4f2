//! `interview-bot doctor`: checks each part the bot needs (settings, bank, index,
//! model, database, platform credentials) and says, for each, OK or what is
//! wrong, and which search mode is active. It changes nothing.

use std::path::Path;
use std::process::ExitCode;

use crate::bank;
use crate::config::{ExposeSecret, SecretString, Settings};
use crate::search::IndexStatus;
use crate::semantic::{Model, provision};

/// How one check came out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Verdict {
    Ok,
    /// Works, but not fully (a missing optional part).
    Note,
    Problem,
}

impl Verdict {
    fn word(self) -> &'static str {
        match self {
            Verdict::Ok => "ok",
            Verdict::Note => "note",
            Verdict::Problem => "PROBLEM",
        }
    }
}

struct Report {
    problems: usize,
}

impl Report {
    fn line(&mut self, part: &str, verdict: Verdict, text: &str) {
        if verdict == Verdict::Problem {
            self.problems += 1;
        }
        println!("{:<8} {:<9} {text}", verdict.word(), part);
    }
}

pub fn run(settings: &Settings, config: Option<&Path>) -> anyhow::Result<ExitCode> {
    let mut report = Report { problems: 0 };
    let source = config.map_or("defaults and environment".to_string(), |p| {
        format!("{} and environment", p.display())
    });
    report.line("config", Verdict::Ok, &format!("read from {source}"));
    let bank = check_bank(settings, &mut report);
    if let Some(bank) = &bank {
        check_index(settings, bank, &mut report);
    }
    let semantic = check_model(settings, bank.as_ref(), &mut report);
    check_database(settings, &mut report)?;
    check_platforms(settings, &mut report);
    let mode = if semantic {
        "/ask matches by meaning and words"
    } else {
        "/ask matches words only"
    };
    report.line("mode", Verdict::Ok, mode);
    if report.problems > 0 {
        println!(
            "{} problem(s); the bot may not start or may miss parts",
            report.problems
        );
        return Ok(ExitCode::FAILURE);
    }
    Ok(ExitCode::SUCCESS)
}

fn check_bank(settings: &Settings, report: &mut Report) -> Option<bank::Bank> {
    let dir = &settings.bank.dir;
    match bank::load(dir) {
        Err(e) => {
            report.line("bank", Verdict::Problem, &format!("{}: {e}", dir.display()));
            None
        }
        Ok(loaded) => {
            let errors: Vec<_> = loaded.errors().collect();
            let summary = format!(
                "{} questions in {} topics from {}",
                loaded.bank.len(),
                loaded.bank.topics().len(),
                dir.display()
            );
            match errors.first() {
                None if loaded.bank.is_empty() => {
                    report.line("bank", Verdict::Problem, &format!("no questions in {}", dir.display()))
                }
                None => report.line("bank", Verdict::Ok, &summary),
                Some(first) => report.line(
                    "bank",
                    Verdict::Problem,
                    &format!(
                        "{summary}; {} broken entries skipped (first: {first}); see `interview-bot bank check`",
                        errors.len()
                    ),
                ),
            }
            Some(loaded.bank)
        }
    }
}

fn check_index(settings: &Settings, bank: &bank::Bank, report: &mut Report) {
    let dir = &settings.index.dir;
    match crate::search::index_status(bank, dir) {
        Some(IndexStatus::UpToDate) => report.line(
            "index",
            Verdict::Ok,
            &format!("up to date in {}", dir.display()),
        ),
        _ if writable(dir) => report.line(
            "index",
            Verdict::Ok,
            &format!(
                "will be built in {} at the next start (the bank changed)",
                dir.display()
            ),
        ),
        _ => report.line(
            "index",
            Verdict::Problem,
            &format!(
                "{} cannot be written: the index is rebuilt in memory at every start",
                dir.display()
            ),
        ),
    }
}

/// Whether `dir` exists and can be written, or can be created.
fn writable(dir: &Path) -> bool {
    let mut dir = dir;
    loop {
        if dir.exists() {
            return crate::files::is_writable_dir(dir);
        }
        match dir.parent() {
            Some(parent) if !parent.as_os_str().is_empty() => dir = parent,
            _ => return true,
        }
    }
}

/// Reports the model; true when matching by meaning is on.
fn check_model(settings: &Settings, bank: Option<&bank::Bank>, report: &mut Report) -> bool {
    let dir = &settings.model.dir;
    if !settings.model.enabled {
        report.line("model", Verdict::Note, "off (model.enabled = false)");
        return false;
    }
    if !dir.exists() {
        let how = match settings.model.auto_install {
            true => {
                "the bot installs it when it starts (model.auto_install), or run `interview-bot model install`"
            }
            false => "run `interview-bot model install` (model.auto_install is false)",
        };
        report.line(
            "model",
            Verdict::Note,
            &format!("not installed in {}: {how}", dir.display()),
        );
        return false;
    }
    match Model::load(dir) {
        Err(e) => {
            report.line(
                "model",
                Verdict::Problem,
                &format!("{e}; reinstall with `interview-bot model install`"),
            );
            false
        }
        Ok(model) => {
            let which = if provision::matches_known_release(dir) {
                "all-MiniLM-L6-v2"
            } else {
                "a model that differs from the known all-MiniLM-L6-v2 files"
            };
            let cached = bank.map(|bank| {
                let (done, all) = crate::semantic::cached(bank, &model, &settings.index.dir);
                format!("; {done} of {all} bank texts embedded")
            });
            report.line(
                "model",
                Verdict::Ok,
                &format!(
                    "{which} ({} dimensions) in {}{}",
                    model.dimensions(),
                    dir.display(),
                    cached.unwrap_or_default()
                ),
            );
            true
        }
    }
}

fn check_database(settings: &Settings, report: &mut Report) -> anyhow::Result<()> {
    let probed = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?
        .block_on(crate::store::probe(settings.database.url.expose_secret()));
    match probed {
        Ok(found) => report.line("database", Verdict::Ok, &found),
        Err(e) => report.line("database", Verdict::Problem, &e.to_string()),
    }
    Ok(())
}

fn check_platforms(settings: &Settings, report: &mut Report) {
    match &settings.discord.token {
        None => report.line(
            "discord",
            Verdict::Note,
            "no token (DISCORD_TOKEN): not used",
        ),
        Some(token) if discord_token_shape(token) => {
            check_discord_mode(settings, report);
            let (verdict, text) = verify_discord_token(settings, token);
            report.line("discord", verdict, &text);
        }
        Some(_) => report.line(
            "discord",
            Verdict::Problem,
            "the token does not look like a Discord bot token (three parts separated by dots)",
        ),
    }
    check_slack(&settings.slack, report);
}

/// Each Slack setting the chosen mode needs, then each token against Slack
/// when Slack can be reached.
fn check_slack(slack: &crate::config::SlackSettings, report: &mut Report) {
    if !(slack.bot_token.is_some() || slack.app_token.is_some()) {
        report.line(
            "slack",
            Verdict::Note,
            "no tokens (SLACK_BOT_TOKEN, SLACK_APP_TOKEN): not used",
        );
        return;
    }
    let http_mode = slack.listen.is_some();
    match &slack.listen {
        Some(address) => report.line(
            "slack",
            Verdict::Ok,
            &format!("HTTP mode on {address} (slack.listen)"),
        ),
        None => report.line("slack", Verdict::Ok, "Socket Mode (no slack.listen)"),
    }
    let shape = [
        (
            &slack.bot_token,
            "bot token (SLACK_BOT_TOKEN)",
            "xoxb-",
            true,
        ),
        (
            &slack.app_token,
            "app token (SLACK_APP_TOKEN)",
            "xapp-",
            !http_mode,
        ),
    ];
    let mut usable = Vec::new();
    for (token, name, prefix, needed) in shape {
        match token {
            None if needed => report.line("slack", Verdict::Problem, &format!("{name} is missing")),
            None => {}
            Some(t) if t.expose_secret().starts_with(prefix) => usable.push((name, t)),
            Some(_) => report.line(
                "slack",
                Verdict::Problem,
                &format!("the {name} should start with {prefix}"),
            ),
        }
    }
    match (&slack.signing_secret, http_mode) {
        (None, true) => report.line(
            "slack",
            Verdict::Problem,
            "signing secret (SLACK_SIGNING_SECRET) is missing: HTTP mode verifies every request with it",
        ),
        (Some(_), _) => report.line("slack", Verdict::Ok, "signing secret set"),
        (None, false) => {}
    }
    if let Some(url) = &slack.api_url {
        report.line(
            "slack",
            Verdict::Note,
            &format!("Web API at {url} (slack.api_url)"),
        );
    }
    if let Some(group) = &slack.moderator_group {
        report.line(
            "slack",
            Verdict::Ok,
            &format!("members of user group {group} moderate, besides admins and owners"),
        );
    }
    for (name, token) in usable {
        let (verdict, text) = verify_slack_token(slack.api_url.as_deref(), name, token);
        report.line("slack", verdict, &text);
    }
}

/// How long a token check may take before it counts as unreachable.
const TOKEN_CHECK_WITHIN: std::time::Duration = std::time::Duration::from_secs(8);

/// Runs a token check on a small runtime of its own, bounded.
fn block_on_check<F: std::future::Future<Output = (Verdict, String)>>(
    what: &str,
    check: F,
) -> (Verdict, String) {
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(e) => return (Verdict::Note, format!("{what}: not checked ({e})")),
    };
    runtime.block_on(async {
        match tokio::time::timeout(TOKEN_CHECK_WITHIN, check).await {
            Ok(result) => result,
            Err(_) => (
                Verdict::Note,
                format!("{what}: not checked (no answer within {TOKEN_CHECK_WITHIN:?})"),
            ),
        }
    })
}

/// A Slack token against Slack: `auth.test` for the bot token,
/// `apps.connections.open` for the app-level token.
fn verify_slack_token(
    api_url: Option<&str>,
    name: &str,
    token: &SecretString,
) -> (Verdict, String) {
    use slack_morphism::prelude::*;
    let client = crate::slack::client(api_url);
    let secret = SlackApiToken::new(token.expose_secret().to_string().into());
    let app_level = token.expose_secret().starts_with("xapp-");
    block_on_check(name, async {
        let session = client.open_session(&secret);
        let checked = match app_level {
            true => session
                .apps_connections_open(&SlackApiAppsConnectionOpenRequest::new())
                .await
                .map(|_| "Socket Mode connections can open".to_string()),
            false => session
                .auth_test()
                .await
                .map(|me| format!("{} in workspace {}", me.user.unwrap_or_default(), me.team)),
        };
        match checked {
            Ok(what) => (Verdict::Ok, format!("{name} accepted by Slack: {what}")),
            Err(slack_morphism::errors::SlackClientError::ApiError(e)) => (
                Verdict::Problem,
                format!("{name} refused by Slack: {}", e.code),
            ),
            Err(e) => (
                Verdict::Note,
                format!("{name}: not checked, Slack cannot be reached ({e})"),
            ),
        }
    })
}

/// The Discord token against Discord: `GET /users/@me`.
fn verify_discord_token(settings: &Settings, token: &SecretString) -> (Verdict, String) {
    let mut builder = serenity::all::HttpBuilder::new(token.expose_secret());
    if let Some(url) = &settings.discord.api_url {
        builder = builder
            .proxy(url.trim_end_matches('/'))
            .ratelimiter_disabled(true);
    }
    let http = builder.build();
    block_on_check("token (DISCORD_TOKEN)", async {
        match http.get_current_user().await {
            Ok(me) => (
                Verdict::Ok,
                format!("token (DISCORD_TOKEN) accepted by Discord: signed in as {}", me.name),
            ),
            Err(serenity::Error::Http(serenity::all::HttpError::UnsuccessfulRequest(r)))
                if r.status_code.as_u16() == 401 =>
            {
                (
                    Verdict::Problem,
                    "token (DISCORD_TOKEN) refused by Discord (401): reset it in the Developer Portal".to_string(),
                )
            }
            Err(e) => (
                Verdict::Note,
                format!("token (DISCORD_TOKEN): not checked, Discord cannot be reached ({e})"),
            ),
        }
    })
}

/// How the Discord adapter would connect: the gateway (which shards), or the
/// interactions endpoint (with a usable public key).
fn check_discord_mode(settings: &Settings, report: &mut Report) {
    let discord = &settings.discord;
    if let Some(address) = &discord.endpoint {
        match crate::discord::endpoint::verifier(discord.public_key.as_deref().unwrap_or("")) {
            Ok(_) => report.line(
                "discord",
                Verdict::Ok,
                &format!("token set; interactions endpoint on {address}"),
            ),
            Err(e) => report.line("discord", Verdict::Problem, &e.to_string()),
        }
        return;
    }
    let shards = match discord.shard_range() {
        Ok(Some(r)) => format!("shards {} to {} of {}", r.first, r.last, r.total),
        _ => "all shards".to_string(),
    };
    report.line(
        "discord",
        Verdict::Ok,
        &format!("token set; gateway, {shards}"),
    );
}

fn discord_token_shape(token: &SecretString) -> bool {
    let parts: Vec<&str> = token.expose_secret().split('.').collect();
    parts.len() == 3 && parts.iter().all(|p| !p.is_empty())
}
