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
        report.line(
            "model",
            Verdict::Note,
            &format!(
                "not installed in {}: run `interview-bot model install`",
                dir.display()
            ),
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
        Some(token) if discord_token_shape(token) => check_discord_mode(settings, report),
        Some(_) => report.line(
            "discord",
            Verdict::Problem,
            "the token does not look like a Discord bot token (three parts separated by dots)",
        ),
    }
    let slack = &settings.slack;
    let shape = [
        (&slack.bot_token, "bot token (SLACK_BOT_TOKEN)", "xoxb-"),
        (&slack.app_token, "app token (SLACK_APP_TOKEN)", "xapp-"),
    ];
    if slack.bot_token.is_none() && slack.app_token.is_none() {
        report.line(
            "slack",
            Verdict::Note,
            "no tokens (SLACK_BOT_TOKEN): not used",
        );
        return;
    }
    for (token, name, prefix) in shape {
        match token {
            None => report.line("slack", Verdict::Problem, &format!("{name} is missing")),
            Some(t) if t.expose_secret().starts_with(prefix) => {
                report.line("slack", Verdict::Ok, &format!("{name} set"))
            }
            Some(_) => report.line(
                "slack",
                Verdict::Problem,
                &format!("the {name} should start with {prefix}"),
            ),
        }
    }
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
