//! Settings, layered: built-in defaults < an optional file (`--config PATH`, example
//! in `deploy/config.example.toml`) < environment variables. Variables are named
//! `INTERVIEW_BOT__SECTION__KEY` (e.g. `INTERVIEW_BOT__DATABASE__URL`); the
//! conventional `DISCORD_TOKEN`, `SLACK_BOT_TOKEN` and `SLACK_APP_TOKEN` work too.

use std::collections::HashMap;
use std::fmt;
use std::path::{Path, PathBuf};

use serde::Deserialize;

/// Environment variables read under their conventional names, and the setting each fills.
const CONVENTIONAL_ENV: [(&str, &str); 5] = [
    ("DISCORD_TOKEN", "DISCORD__TOKEN"),
    ("DISCORD_PUBLIC_KEY", "DISCORD__PUBLIC_KEY"),
    ("SLACK_BOT_TOKEN", "SLACK__BOT_TOKEN"),
    ("SLACK_APP_TOKEN", "SLACK__APP_TOKEN"),
    ("SLACK_SIGNING_SECRET", "SLACK__SIGNING_SECRET"),
];
const ENV_PREFIX: &str = "INTERVIEW_BOT";

/// A setting that could not be read, in one line a person can act on.
#[derive(Debug, thiserror::Error)]
#[error("configuration: {0}")]
pub struct ConfigError(String);

#[derive(Debug, Clone, Deserialize, Default)]
#[serde(default, deny_unknown_fields)]
pub struct Settings {
    pub bank: BankSettings,
    pub index: IndexSettings,
    pub model: ModelSettings,
    pub ask: AskSettings,
    pub database: DatabaseSettings,
    pub schedule: ScheduleSettings,
    pub discord: DiscordSettings,
    pub slack: SlackSettings,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct BankSettings {
    /// Directory of the bank's TOML files.
    pub dir: PathBuf,
    /// Acronyms and synonyms for search.
    pub synonyms: PathBuf,
}

impl Default for BankSettings {
    fn default() -> Self {
        BankSettings {
            dir: PathBuf::from("data/bank"),
            synonyms: PathBuf::from("data/synonyms.toml"),
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct IndexSettings {
    /// Where the search index is kept (generated; rebuilt when the bank changes).
    pub dir: PathBuf,
}

impl Default for IndexSettings {
    fn default() -> Self {
        IndexSettings {
            dir: PathBuf::from("index"),
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ModelSettings {
    /// The sentence-embedding model's directory (`interview-bot model install` fills it).
    pub dir: PathBuf,
    /// Off: match words only, even when the model is installed.
    pub enabled: bool,
}

impl Default for ModelSettings {
    fn default() -> Self {
        ModelSettings {
            dir: PathBuf::from("index/model/all-MiniLM-L6-v2"),
            enabled: true,
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct AskSettings {
    /// Related questions shown under an answer.
    pub related: usize,
}

impl Default for AskSettings {
    fn default() -> Self {
        AskSettings { related: 3 }
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ScheduleSettings {
    /// A run missed by less than this (after downtime) is posted late; older ones are skipped.
    pub grace_minutes: i64,
}

impl Default for ScheduleSettings {
    fn default() -> Self {
        ScheduleSettings { grace_minutes: 30 }
    }
}

#[derive(Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct DatabaseSettings {
    /// `sqlite://FILE` (the default, created on first start) or `postgres://...`.
    pub url: String,
}

impl fmt::Debug for DatabaseSettings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DatabaseSettings")
            .field("url", &redact_password(&self.url))
            .finish()
    }
}

/// The URL with any `user:password@` reduced to `user:***@`.
pub fn redact_password(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_string();
    };
    let (authority, path) = rest.split_once('/').unwrap_or((rest, ""));
    match authority.rsplit_once('@') {
        Some((credentials, host)) => {
            let user = credentials
                .split_once(':')
                .map_or(credentials, |(user, _)| user);
            format!("{scheme}://{user}:***@{host}/{path}")
        }
        None => url.to_string(),
    }
}

/// Reads a settings file, reporting a TOML error as one `file:line: message` line.
fn read_settings_file(file: &Path) -> Result<String, ConfigError> {
    if file.is_dir() {
        return Err(ConfigError(format!(
            "{} is a directory, not a settings file",
            file.display()
        )));
    }
    let text = std::fs::read_to_string(file).map_err(|e| {
        ConfigError(format!(
            "{}: {}",
            file.display(),
            first_line(&e.to_string())
        ))
    })?;
    if let Err(e) = toml::from_str::<toml::Table>(&text) {
        let line = e
            .span()
            .map_or(1, |s| text[..s.start].matches('\n').count() + 1);
        return Err(ConfigError(format!(
            "{}:{line}: {}",
            file.display(),
            first_line(e.message())
        )));
    }
    Ok(text)
}

fn first_line(text: &str) -> String {
    text.lines().next().unwrap_or_default().trim().to_string()
}

impl Default for DatabaseSettings {
    fn default() -> Self {
        DatabaseSettings {
            url: "sqlite://interview-bot.db".to_string(),
        }
    }
}

#[derive(Debug, Clone, Deserialize, Default)]
#[serde(default, deny_unknown_fields)]
pub struct DiscordSettings {
    pub token: Option<Secret>,
    /// REST base URL; tests and proxies point it elsewhere (the gateway URL is
    /// discovered through it).
    pub api_url: Option<String>,
    /// Register commands to this guild only (development).
    pub dev_guild: Option<u64>,
    /// The shards this process runs, `FIRST-LAST/TOTAL` (`0-3/8`); unset: all of
    /// them, as many as Discord recommends.
    pub shards: Option<String>,
    /// Members with this role may moderate (besides Manage Server).
    pub moderator_role: Option<u64>,
    /// HTTP interactions endpoint mode: listen here (`0.0.0.0:8080`) for
    /// interactions instead of connecting to the gateway.
    pub endpoint: Option<String>,
    /// The application's public key (hex), to verify endpoint requests.
    pub public_key: Option<String>,
    /// The application id; endpoint mode needs it for follow-up messages.
    pub application_id: Option<u64>,
}

/// Which shards of how many a process runs (both ends included).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ShardRange {
    pub first: u32,
    pub last: u32,
    pub total: u32,
}

impl DiscordSettings {
    /// The configured shard range; `None` means automatic sharding.
    pub fn shard_range(&self) -> Result<Option<ShardRange>, ConfigError> {
        let Some(text) = self.shards.as_deref().map(str::trim) else {
            return Ok(None);
        };
        let bad = || {
            ConfigError(format!(
                "discord.shards must look like 0-3/8 (shards 0 to 3 of 8), not `{text}`"
            ))
        };
        let (range, total) = text.split_once('/').ok_or_else(bad)?;
        let (first, last) = range.split_once('-').unwrap_or((range, range));
        let number = |s: &str| s.trim().parse::<u32>().map_err(|_| bad());
        let (first, last, total) = (number(first)?, number(last)?, number(total)?);
        if first > last || last >= total {
            return Err(bad());
        }
        Ok(Some(ShardRange { first, last, total }))
    }
}

#[derive(Debug, Clone, Deserialize, Default)]
#[serde(default, deny_unknown_fields)]
pub struct SlackSettings {
    pub bot_token: Option<Secret>,
    pub app_token: Option<Secret>,
    pub signing_secret: Option<Secret>,
    pub api_url: Option<String>,
}

/// A credential: never printed, never logged.
#[derive(Clone, Deserialize, PartialEq, Eq)]
#[serde(transparent)]
pub struct Secret(String);

impl Secret {
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(***)")
    }
}

/// Which chat platforms have credentials configured.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Platforms {
    pub discord: bool,
    pub slack: bool,
}

impl Settings {
    /// Reads the layers from the process environment.
    pub fn load(file: Option<&Path>) -> Result<Settings, ConfigError> {
        Self::load_from(file, std::env::vars())
    }

    /// Reads the layers with `env` standing in for the process environment.
    pub fn load_from(
        file: Option<&Path>,
        env: impl IntoIterator<Item = (String, String)>,
    ) -> Result<Settings, ConfigError> {
        let env: HashMap<String, String> = env.into_iter().collect();
        let conventional: config::Map<String, String> = CONVENTIONAL_ENV
            .iter()
            .filter_map(|(name, key)| {
                let value = env.get(*name).filter(|v| !v.trim().is_empty())?;
                Some((key.to_string(), value.clone()))
            })
            .collect();
        let prefixed: config::Map<String, String> = env
            .into_iter()
            .filter(|(k, v)| k.starts_with(&format!("{ENV_PREFIX}__")) && !v.trim().is_empty())
            .collect();

        let mut builder = config::Config::builder();
        if let Some(file) = file {
            let text = read_settings_file(file)?;
            builder = builder.add_source(config::File::from_str(&text, config::FileFormat::Toml));
        }
        let settings: Settings = builder
            .add_source(
                config::Environment::default()
                    .separator("__")
                    .source(Some(conventional)),
            )
            .add_source(
                config::Environment::with_prefix(ENV_PREFIX)
                    .prefix_separator("__")
                    .separator("__")
                    .source(Some(prefixed)),
            )
            .build()
            .and_then(|c| c.try_deserialize())
            .map_err(|e| ConfigError(first_line(&e.to_string())))?;
        settings.validate()?;
        Ok(settings)
    }

    fn validate(&self) -> Result<(), ConfigError> {
        let url = &self.database.url;
        if !(url.starts_with("sqlite:")
            || url.starts_with("postgres://")
            || url.starts_with("postgresql://"))
        {
            let scheme = url.split_once(':').map_or("", |(scheme, _)| scheme);
            return Err(ConfigError(format!(
                "database.url must start with sqlite:// or postgres://, not `{scheme}:`"
            )));
        }
        if !(0..=24 * 60).contains(&self.schedule.grace_minutes) {
            return Err(ConfigError(format!(
                "schedule.grace_minutes must be 0 to 1440, not {}",
                self.schedule.grace_minutes
            )));
        }
        self.discord.shard_range()?;
        if self.discord.endpoint.is_some()
            && (self.discord.public_key.is_none() || self.discord.application_id.is_none())
        {
            return Err(ConfigError(
                "discord.endpoint needs discord.public_key and discord.application_id (both on the application's General Information page)".to_string(),
            ));
        }
        if self.ask.related > 10 {
            return Err(ConfigError(format!(
                "ask.related must be at most 10, not {}",
                self.ask.related
            )));
        }
        Ok(())
    }

    pub fn platforms(&self) -> Platforms {
        Platforms {
            discord: self.discord.token.is_some(),
            slack: self.slack.bot_token.is_some() || self.slack.app_token.is_some(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn discord_shard_ranges_and_endpoint_settings() {
        let shards = |value: &str| {
            Settings::load_from(None, env(&[("INTERVIEW_BOT__DISCORD__SHARDS", value)]))
                .map(|s| s.discord.shard_range().unwrap())
        };
        assert_eq!(
            shards("0-3/8").unwrap(),
            Some(ShardRange {
                first: 0,
                last: 3,
                total: 8
            })
        );
        assert_eq!(
            shards("5/8").unwrap(),
            Some(ShardRange {
                first: 5,
                last: 5,
                total: 8
            })
        );
        for bad in ["3-1/8", "0-8/8", "a-b/c", "0-3"] {
            let e = shards(bad).unwrap_err().to_string();
            assert!(
                e.contains("discord.shards must look like 0-3/8"),
                "{bad}: {e}"
            );
        }
        let e = Settings::load_from(
            None,
            env(&[("INTERVIEW_BOT__DISCORD__ENDPOINT", "0.0.0.0:8080")]),
        )
        .unwrap_err()
        .to_string();
        assert!(e.contains("discord.public_key"), "{e}");
    }

    #[test]
    fn defaults_need_nothing() {
        let s = Settings::load_from(None, env(&[])).unwrap();
        assert_eq!(s.bank.dir, PathBuf::from("data/bank"));
        assert_eq!(s.database.url, "sqlite://interview-bot.db");
        assert_eq!(
            s.platforms(),
            Platforms {
                discord: false,
                slack: false
            }
        );
    }

    #[test]
    fn file_overrides_defaults_and_environment_overrides_file() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("bot.toml");
        std::fs::write(
            &file,
            "[ask]\nrelated = 5\n[database]\nurl = \"sqlite://from-file.db\"\n",
        )
        .unwrap();
        let s = Settings::load_from(
            Some(&file),
            env(&[("INTERVIEW_BOT__DATABASE__URL", "postgres://db/bot")]),
        )
        .unwrap();
        assert_eq!(s.ask.related, 5);
        assert_eq!(s.database.url, "postgres://db/bot");
    }

    #[test]
    fn conventional_token_names_work_and_are_never_printed() {
        let s = Settings::load_from(None, env(&[("DISCORD_TOKEN", "sekrit-token")])).unwrap();
        assert!(s.platforms().discord);
        assert_eq!(s.discord.token.as_ref().unwrap().expose(), "sekrit-token");
        assert!(!format!("{s:?}").contains("sekrit"));
    }

    #[test]
    fn prefixed_variable_beats_conventional_one() {
        let s = Settings::load_from(
            None,
            env(&[
                ("SLACK_BOT_TOKEN", "a"),
                ("INTERVIEW_BOT__SLACK__BOT_TOKEN", "b"),
            ]),
        )
        .unwrap();
        assert_eq!(s.slack.bot_token.unwrap().expose(), "b");
    }

    #[test]
    fn bad_settings_say_what_is_wrong() {
        let err = Settings::load_from(None, env(&[("INTERVIEW_BOT__ASK__RELATED", "lots")]))
            .unwrap_err()
            .to_string();
        assert!(err.contains("related"), "{err}");
        let err = Settings::load_from(None, env(&[("INTERVIEW_BOT__DATABASE__URL", "mysql://x")]))
            .unwrap_err()
            .to_string();
        assert!(err.contains("database.url"), "{err}");
        let err = Settings::load_from(Some(Path::new("/nonexistent/bot.toml")), env(&[]))
            .unwrap_err()
            .to_string();
        assert!(err.contains("/nonexistent/bot.toml"), "{err}");
        let dir = tempfile::tempdir().unwrap();
        let err = Settings::load_from(Some(dir.path()), env(&[]))
            .unwrap_err()
            .to_string();
        assert!(err.contains("is a directory"), "{err}");
        let file = dir.path().join("bad.toml");
        std::fs::write(&file, "[ask]\nrelated = \n").unwrap();
        let err = Settings::load_from(Some(&file), env(&[]))
            .unwrap_err()
            .to_string();
        assert!(err.contains("bad.toml:2:"), "{err}");
        assert_eq!(err.lines().count(), 1, "{err}");
        let err = Settings::load_from(Some(&file), env(&[]))
            .unwrap_err()
            .to_string();
        assert!(!err.contains('^'), "{err}");
    }

    #[test]
    fn the_documented_example_file_is_valid() {
        let example = Path::new(env!("CARGO_MANIFEST_DIR")).join("deploy/config.example.toml");
        let s = Settings::load_from(Some(&example), env(&[])).unwrap();
        assert_eq!(s.schedule.grace_minutes, 30);
        assert_eq!(s.bank.dir, PathBuf::from("data/bank"));
    }

    #[test]
    fn values_from_the_environment_are_kept_as_written() {
        let s = Settings::load_from(
            None,
            env(&[
                ("INTERVIEW_BOT__DISCORD__TOKEN", "0123"),
                ("INTERVIEW_BOT__BANK__DIR", "0017"),
                ("INTERVIEW_BOT__ASK__RELATED", "4"),
            ]),
        )
        .unwrap();
        assert_eq!(s.discord.token.unwrap().expose(), "0123");
        assert_eq!(s.bank.dir, PathBuf::from("0017"));
        assert_eq!(s.ask.related, 4);
    }

    #[test]
    fn empty_credentials_count_as_unset() {
        let s = Settings::load_from(
            None,
            env(&[
                ("INTERVIEW_BOT__DISCORD__TOKEN", ""),
                ("SLACK_BOT_TOKEN", " "),
            ]),
        )
        .unwrap();
        assert_eq!(
            s.platforms(),
            Platforms {
                discord: false,
                slack: false
            }
        );
    }

    #[test]
    fn database_passwords_are_never_shown() {
        let err = Settings::load_from(
            None,
            env(&[(
                "INTERVIEW_BOT__DATABASE__URL",
                "mysql://bot:hunter2@db/quiz",
            )]),
        )
        .unwrap_err()
        .to_string();
        assert!(!err.contains("hunter2"), "{err}");
        let s = Settings::load_from(
            None,
            env(&[(
                "INTERVIEW_BOT__DATABASE__URL",
                "postgres://bot:hunter2@db:5432/quiz",
            )]),
        )
        .unwrap();
        let shown = format!("{s:?}");
        assert!(!shown.contains("hunter2"), "{shown}");
        assert!(shown.contains("postgres://bot:***@db:5432/quiz"), "{shown}");
    }
}
