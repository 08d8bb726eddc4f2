//! The shape of the command table, and what reads it. Every command and
//! subcommand the bot understands is a [`CommandSpec`]: its path (`quiz
//! start`), typed options (kind, limits, default, description), help text, who
//! may run it, whether its replies are personal, and how an invocation decodes
//! into a [`Command`]. Each entry lives in its command's file
//! (`ask::ASK`, `quiz::START`, ...) next to its handler; the one list of them is
//! [`COMMANDS`], in `commands/mod.rs`. Everything else is generated from it:
//!
//! - the text parser of the shell and of Slack's `/interview` ([`find`],
//!   [`parse_words`]),
//! - `/help` ([`crate::commands::help`]),
//! - Discord's registration and option decoding (`discord::commands`,
//!   `discord::translate`), and Slack's manifest.
//!
//! Platforms hand the core an [`Invocation`]: the entry plus typed [`Value`]s,
//! never text to parse again. This file also holds the options several commands
//! share ([`TOPIC`], [`QUESTIONS`], [`PERIODS`]) and the `const fn`s that build
//! options ([`option`], [`required`], [`defaults_to`], [`at_most`]).

use std::collections::BTreeMap;

use super::{COMMANDS, Command, ParseError};
use crate::quiz::MAX_QUESTIONS;

/// Who may run a command.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    Anyone,
    /// Discord "Manage Server", Slack workspace admins, or the configured role.
    Moderator,
}

/// Whether a command's replies are for the person who ran it only.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Privacy {
    Public,
    Personal,
}

/// Where a command can be used.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Place {
    /// Wherever the person is: a server channel, a direct message with the
    /// bot, and (where a person installs the app for themselves, as Discord
    /// allows) other conversations and servers without the bot.
    Anywhere,
    /// Only in a channel of a server or workspace that added the bot: quiz
    /// rounds post there, leaderboards are the server's, moderators moderate it.
    Server,
}

/// Commands, by first word, that only work in a server that added the bot
/// (see [`Place::Server`]); moderators' commands are such too.
pub const SERVER_ONLY: &[&str] = &["quiz", "leaderboard", "suggest"];

/// Where a command can be typed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Surface {
    /// A slash command on every platform.
    Everywhere,
    /// Typed in text (the shell, Slack's `/interview`); on Discord a button does it.
    Text,
}

/// What a value of an option looks like. The parser tells positional words
/// apart by their form: a word goes to the first free option whose kind
/// [accepts](Kind::accepts) it, specific kinds before catch-alls.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Free text: every word not taken by a named option.
    Text,
    /// A whole number within limits.
    Integer { min: i64, max: i64 },
    /// One of fixed values (aliases are accepted and mapped to their value).
    Choice {
        values: &'static [&'static str],
        aliases: &'static [(&'static str, &'static str)],
    },
    /// A topic of the bank (the platforms offer the bank's topics as choices).
    Topic,
    /// An id of a question or schedule.
    Id,
    /// A file: attached to the command (Discord sends its address, which
    /// the adapter fetches), or a path on the shell's own machine.
    File,
    /// A person.
    User,
    /// A role to mention.
    Role,
    /// `HH:MM`.
    TimeOfDay,
    /// An IANA time zone (`Europe/Berlin`) or `UTC`.
    Zone,
    /// `daily`, `weekdays`, `weekends` or `mon,wed,fri`.
    Days,
    /// A duration like `8h` or `90m`.
    Duration,
    /// An option letter, A to D.
    Letter,
}

impl Kind {
    /// Whether `word`, typed without a name, can be a value of this kind.
    pub fn accepts(self, word: &str) -> bool {
        match self {
            Kind::Text | Kind::Id | Kind::File | Kind::User | Kind::Role => true,
            Kind::Topic => word.parse::<i64>().is_err(),
            Kind::Integer { .. } => word.parse::<i64>().is_ok(),
            Kind::Choice { values, aliases } => {
                let word = word.to_ascii_lowercase();
                values.contains(&word.as_str()) || aliases.iter().any(|(a, _)| *a == word)
            }
            // By form: a wrong time (25:00) is then reported as a time.
            Kind::TimeOfDay => word.contains(':'),
            // A Region/City name, or a word that may be a zone or city
            // (`CET`, `Berlin`: refused later with suggestions).
            Kind::Zone => {
                word.contains('/')
                    || (word.len() >= 2
                        && word.chars().all(|c| c.is_ascii_alphabetic() || c == '_')
                        && crate::schedule::rule::Days::parse(word).is_err())
            }
            Kind::Days => crate::schedule::rule::Days::parse(word).is_ok(),
            Kind::Duration => crate::schedule::parse_open(word).is_ok(),
            Kind::Letter => {
                crate::quiz::pick::LETTERS.contains(&word.to_ascii_uppercase().as_str())
            }
        }
    }

    /// Catch-all kinds take a positional word only when no specific kind does.
    fn catch_all(self) -> bool {
        matches!(
            self,
            Kind::Text | Kind::Topic | Kind::Id | Kind::User | Kind::Role
        )
    }
}

/// Where an option's autocomplete suggestions come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Autocomplete {
    None,
    /// Questions of the bank matching what has been typed (words only, no model).
    Questions,
}

/// One option of a command.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OptionSpec {
    pub name: &'static str,
    /// Other names accepted in text (`tz` for `zone`).
    pub aliases: &'static [&'static str],
    pub kind: Kind,
    pub required: bool,
    pub description: &'static str,
    /// What an absent option means, for help.
    pub default: Option<&'static str>,
    pub autocomplete: Autocomplete,
    /// The longest value a platform should accept (characters).
    pub max_length: Option<u16>,
}

/// One command or subcommand.
#[derive(Debug, Clone, Copy)]
pub struct CommandSpec {
    /// `["quiz", "start"]`; the first word is the command, the second a subcommand.
    pub path: &'static [&'static str],
    /// Other names of the first word (`more` for `next`).
    pub aliases: &'static [&'static str],
    /// What it does, in at most 100 characters (Discord's limit).
    pub summary: &'static str,
    /// More detail for `/help`, if any.
    pub details: &'static str,
    pub example: &'static str,
    pub options: &'static [OptionSpec],
    pub access: Access,
    pub privacy: Privacy,
    pub surface: Surface,
    /// The [`Command`] an invocation of this entry stands for, its values
    /// parsed into domain types (time of day, zone, weekdays, durations).
    pub decode: fn(&Invocation) -> Result<Command, ParseError>,
}

/// Entries are the same entry when their paths are (paths are unique).
impl PartialEq for CommandSpec {
    fn eq(&self, other: &Self) -> bool {
        self.path == other.path
    }
}

impl Eq for CommandSpec {}

/// Groups whose first word alone, typed in text, runs one of their
/// subcommands (`/practice docker` is `/practice start docker`). Discord
/// needs the subcommand named.
pub const DEFAULT_SUBCOMMANDS: &[(&str, &str)] = &[("practice", "start"), ("review", "next")];

/// Descriptions of the commands that only group subcommands.
pub const GROUPS: &[(&str, &str)] = &[
    ("bank", "This server's own bank (moderators)"),
    ("practice", "Your own spaced-repetition practice, private"),
    ("question", "Practice cards"),
    ("quiz", "Quiz rounds in this channel"),
    ("review", "Suggestions for this server's bank (moderators)"),
];

pub const fn option(name: &'static str, kind: Kind, description: &'static str) -> OptionSpec {
    OptionSpec {
        name,
        aliases: &[],
        kind,
        required: false,
        description,
        default: None,
        autocomplete: Autocomplete::None,
        max_length: None,
    }
}

pub const fn required(mut spec: OptionSpec) -> OptionSpec {
    spec.required = true;
    spec
}

pub const fn defaults_to(mut spec: OptionSpec, default: &'static str) -> OptionSpec {
    spec.default = Some(default);
    spec
}

pub const fn at_most(mut spec: OptionSpec, length: u16) -> OptionSpec {
    spec.max_length = Some(length);
    spec
}

/// `[topic]`: only this topic of the bank.
pub const TOPIC: OptionSpec = option("topic", Kind::Topic, "only this topic");
/// `[questions]` of a quiz round.
pub const QUESTIONS: OptionSpec = defaults_to(
    option(
        "questions",
        Kind::Integer {
            min: 1,
            max: MAX_QUESTIONS as i64,
        },
        "how many questions",
    ),
    "5",
);
/// The periods of standings and of `/unanswered`.
pub const PERIODS: &[&str] = &["day", "week", "month", "all"];
pub const PERIOD_ALIASES: &[(&str, &str)] =
    &[("today", "day"), ("alltime", "all"), ("all-time", "all")];

impl CommandSpec {
    /// Where it can be used: moderators' commands and [`SERVER_ONLY`] ones
    /// in a server, the rest anywhere.
    pub fn place(&self) -> Place {
        match self.access == Access::Moderator || SERVER_ONLY.contains(&self.path[0]) {
            true => Place::Server,
            false => Place::Anywhere,
        }
    }

    /// `quiz start`.
    pub fn name(&self) -> String {
        self.path.join(" ")
    }

    /// `quiz start [topic] [questions] [seconds]`.
    pub fn usage(&self) -> String {
        let mut usage = self.name();
        for option in self.options {
            let shown = match option.kind {
                Kind::Choice { values, .. } => values.join("|"),
                _ => option.name.to_string(),
            };
            match option.required {
                true => usage.push_str(&format!(" <{shown}>")),
                false => usage.push_str(&format!(" [{shown}]")),
            }
        }
        usage
    }

    pub fn option(&self, name: &str) -> Option<&'static OptionSpec> {
        let name = name.to_ascii_lowercase();
        self.options_static()
            .iter()
            .find(|o| o.name == name || o.aliases.contains(&name.as_str()))
    }

    fn options_static(&self) -> &'static [OptionSpec] {
        self.options
    }

    /// The help line's description: summary, defaults and details.
    pub fn description(&self) -> String {
        let mut text = self.summary.to_string();
        let defaults: Vec<String> = self
            .options
            .iter()
            .filter_map(|o| o.default.map(|d| format!("{} {d}", o.name)))
            .collect();
        if !defaults.is_empty() {
            text.push_str(&format!(" (default: {})", defaults.join(", ")));
        }
        if !self.details.is_empty() {
            text.push_str("; ");
            text.push_str(self.details);
        }
        text
    }
}

/// A typed option value, as a platform or the text parser hands it over.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Value {
    Text(String),
    Integer(i64),
    /// A person: a platform mention (`<@U123>`) or the shell's name.
    User(String),
    /// A role: a platform mention (`<@&123>`) or a name.
    Role(String),
}

/// A command with its option values, typed and checked against the table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invocation {
    pub spec: &'static CommandSpec,
    values: BTreeMap<&'static str, Value>,
}

impl Invocation {
    /// Checks `values` (by option name) against `spec`: known names, the
    /// kinds' forms, integer limits, required options. Topic and choice values
    /// are lowercased, letters uppercased; other text is kept as typed.
    pub fn new(
        spec: &'static CommandSpec,
        values: impl IntoIterator<Item = (String, Value)>,
    ) -> Result<Invocation, ParseError> {
        let mut checked = BTreeMap::new();
        for (name, value) in values {
            let option = spec.option(&name).ok_or_else(|| {
                ParseError(format!(
                    "/{} has no option `{}`: usage is /{}",
                    spec.name(),
                    super::truncate(&name, 20),
                    spec.usage()
                ))
            })?;
            if checked.contains_key(option.name) {
                return Err(ParseError(format!(
                    "`{}` is given twice: usage is /{}",
                    option.name,
                    spec.usage()
                )));
            }
            checked.insert(option.name, normalize(option, value)?);
        }
        if let Some(missing) = spec
            .options
            .iter()
            .find(|o| o.required && !checked.contains_key(o.name))
        {
            return Err(ParseError(format!(
                "usage: /{}, for example {} ({} is missing)",
                spec.usage(),
                spec.example,
                missing.name
            )));
        }
        Ok(Invocation {
            spec,
            values: checked,
        })
    }

    /// The command this invocation stands for (the entry's [`decode`](CommandSpec::decode)).
    pub fn decode(&self) -> Result<Command, ParseError> {
        (self.spec.decode)(self)
    }

    /// A text value as an owned string.
    pub fn string(&self, name: &str) -> Option<String> {
        self.text(name).map(str::to_string)
    }

    /// A text value (text, topic, id, choice, time, zone, days, duration, letter).
    pub fn text(&self, name: &str) -> Option<&str> {
        match self.values.get(name)? {
            Value::Text(text) | Value::User(text) | Value::Role(text) => Some(text),
            Value::Integer(_) => None,
        }
    }

    pub fn integer(&self, name: &str) -> Option<i64> {
        match self.values.get(name)? {
            Value::Integer(n) => Some(*n),
            _ => None,
        }
    }
}

/// One value made canonical for its option, or why it does not fit.
fn normalize(option: &OptionSpec, value: Value) -> Result<Value, ParseError> {
    let bad = |text: &str| {
        ParseError(format!(
            "{} must be {}, not `{}`",
            option.name,
            describe_kind(option.kind),
            super::truncate(text, 20)
        ))
    };
    Ok(match (option.kind, value) {
        (Kind::Integer { min, max }, Value::Integer(n)) => {
            if !(min..=max).contains(&n) {
                return Err(bad(&n.to_string()));
            }
            Value::Integer(n)
        }
        (Kind::Integer { min, max }, Value::Text(text)) => {
            let n = text.trim().parse::<i64>().map_err(|_| bad(&text))?;
            if !(min..=max).contains(&n) {
                return Err(bad(&text));
            }
            Value::Integer(n)
        }
        (Kind::User, Value::Text(text) | Value::User(text)) => {
            Value::User(text.trim().trim_start_matches('@').to_string())
        }
        (Kind::Role, Value::Text(text) | Value::Role(text)) => {
            Value::Role(text.trim().trim_start_matches('@').to_string())
        }
        (_, Value::Integer(n)) => return Err(bad(&n.to_string())),
        (_, Value::User(text) | Value::Role(text)) => return Err(bad(&text)),
        (kind, Value::Text(text)) => {
            let text = text.trim();
            if text.is_empty() {
                return Err(ParseError(format!("`{}` needs a value", option.name)));
            }
            Value::Text(match kind {
                Kind::Topic => text.to_lowercase(),
                Kind::Letter => {
                    if !kind.accepts(text) {
                        return Err(bad(text));
                    }
                    text.to_ascii_uppercase()
                }
                Kind::Choice { values, aliases } => {
                    let lower = text.to_ascii_lowercase();
                    match aliases.iter().find(|(alias, _)| *alias == lower) {
                        Some((_, value)) => value.to_string(),
                        None if values.contains(&lower.as_str()) => lower,
                        None => return Err(bad(text)),
                    }
                }
                _ => text.to_string(),
            })
        }
    })
}

fn describe_kind(kind: Kind) -> String {
    match kind {
        Kind::Integer { min, max } => format!("a number from {min} to {max}"),
        Kind::Choice { values, .. } => format!("one of {}", values.join(", ")),
        Kind::Letter => "a letter from A to D".to_string(),
        Kind::TimeOfDay => "a time like 09:30".to_string(),
        Kind::Zone => "a time zone like Europe/Berlin".to_string(),
        Kind::Days => "daily, weekdays or a list like mon,wed,fri".to_string(),
        Kind::Duration => "a duration like 8h or 90m".to_string(),
        _ => "text".to_string(),
    }
}

/// The entry a typed command names: its first word (or an alias) and, for a
/// group, the subcommand. Returns the entry and how many words it used.
pub fn find(
    words: &[&str],
    surface_text: bool,
) -> Result<(&'static CommandSpec, usize), ParseError> {
    let Some(first) = words.first().map(|w| w.to_ascii_lowercase()) else {
        return Err(ParseError(
            "type a command after `/`, for example /help".to_string(),
        ));
    };
    let candidates: Vec<&'static CommandSpec> = COMMANDS
        .iter()
        .copied()
        .filter(|c| surface_text || c.surface == Surface::Everywhere)
        .filter(|c| c.path[0] == first || c.aliases.contains(&first.as_str()))
        .collect();
    if candidates.is_empty() {
        return Err(ParseError(format!(
            "unknown command /{}: /help lists what I can do",
            super::truncate(&first, 32)
        )));
    }
    if let [single] = candidates.as_slice() {
        if single.path.len() == 1 {
            return Ok((single, 1));
        }
    }
    let sub = words.get(1).map(|w| w.to_ascii_lowercase());
    let default = DEFAULT_SUBCOMMANDS
        .iter()
        .find(|(group, _)| *group == first)
        .and_then(|(_, sub)| candidates.iter().find(|c| c.path.get(1) == Some(sub)));
    let named = candidates
        .iter()
        .find(|c| c.path.len() == 2 && sub.as_deref() == Some(c.path[1]));
    match (named, default) {
        (Some(spec), _) => Ok((spec, 2)),
        (None, Some(spec)) => Ok((spec, 1)),
        (None, None) => Err(ParseError(format!(
            "usage: {}",
            candidates
                .iter()
                .map(|c| format!("/{}", c.usage()))
                .collect::<Vec<_>>()
                .join(", ")
        ))),
    }
}

/// Parses the words after a command's path: `name:value` for the options the
/// command has (so `title:foo` in a question stays text), then positional words
/// by form, in the documented order. A free-text option takes every word left.
pub fn parse_words(spec: &'static CommandSpec, words: &[&str]) -> Result<Invocation, ParseError> {
    let usage = || {
        ParseError(format!(
            "usage: /{}, for example {}",
            spec.usage(),
            spec.example
        ))
    };
    let mut values: Vec<(String, Value)> = Vec::new();
    let mut positional: Vec<&str> = Vec::new();
    // A named free-text option (`reason:too short`) takes the words after it.
    let mut open_text: Option<usize> = None;
    for word in words {
        match word.split_once(':') {
            Some((name, value)) if spec.option(name).is_some() => {
                if value.is_empty() {
                    return Err(ParseError(format!("`{name}:` needs a value")));
                }
                let is_text = spec.option(name).is_some_and(|o| o.kind == Kind::Text);
                values.push((name.to_string(), Value::Text(value.to_string())));
                open_text = is_text.then(|| values.len() - 1);
            }
            _ => match open_text {
                Some(at) => {
                    if let Value::Text(text) = &mut values[at].1 {
                        text.push(' ');
                        text.push_str(word);
                    }
                }
                None => positional.push(word),
            },
        }
    }
    let named: Vec<&'static str> = values
        .iter()
        .filter_map(|(name, _)| spec.option(name).map(|o| o.name))
        .collect();
    if let Some(text) = spec.options.iter().find(|o| o.kind == Kind::Text) {
        // Leading words that fit a specific option (`/feedback down ...`),
        // or fill a required one (`/bank edit ID ...`), go there; the rest
        // is the text.
        let mut rest = positional.as_slice();
        for option in spec.options.iter().filter(|o| {
            (!o.kind.catch_all() || o.required) && !named.contains(&o.name) && o.kind != Kind::Text
        }) {
            match rest.split_first() {
                Some((word, after)) if option.kind.accepts(word) => {
                    values.push((option.name.to_string(), Value::Text(word.to_string())));
                    rest = after;
                }
                _ => break,
            }
        }
        if !rest.is_empty() {
            values.push((text.name.to_string(), Value::Text(rest.join(" "))));
        }
    } else {
        let mut free: Vec<&'static OptionSpec> = spec
            .options_static()
            .iter()
            .filter(|o| !named.contains(&o.name))
            .collect();
        for word in positional {
            let slot = free
                .iter()
                .position(|o| !o.kind.catch_all() && o.kind.accepts(word))
                .or_else(|| free.iter().position(|o| o.kind.accepts(word)))
                .ok_or_else(usage)?;
            let option = free.remove(slot);
            values.push((option.name.to_string(), Value::Text(word.to_string())));
        }
    }
    Invocation::new(spec, values)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::commands::{ask, leaderboard, quiz, schedule};

    #[test]
    fn paths_are_unique_and_texts_fit() {
        let mut paths = std::collections::HashSet::new();
        for spec in COMMANDS {
            assert!(paths.insert(spec.path), "{:?} twice", spec.path);
            assert!(spec.summary.len() <= 100, "{}", spec.name());
            for option in spec.options {
                assert!(option.description.len() <= 100, "{}", option.name);
            }
            if spec.path.len() == 2 {
                assert!(GROUPS.iter().any(|(g, _)| *g == spec.path[0]));
            }
        }
    }

    #[test]
    fn personal_and_reference_commands_work_anywhere_server_ones_in_servers() {
        let place = |path: &[&str]| {
            COMMANDS
                .iter()
                .find(|c| c.path == path)
                .unwrap_or_else(|| panic!("{path:?}"))
                .place()
        };
        for path in [
            &["practice", "start"][..],
            &["practice", "new"],
            &["practice", "reset"],
            &["ask"],
            &["show"],
            &["topics"],
            &["help"],
            &["stats"],
            &["question", "random"],
        ] {
            assert_eq!(place(path), Place::Anywhere, "{path:?}");
        }
        for path in [
            &["quiz", "start"][..],
            &["quiz", "schedules"],
            &["leaderboard"],
            &["unanswered"],
            &["reports"],
        ] {
            assert_eq!(place(path), Place::Server, "{path:?}");
        }
    }

    #[test]
    fn every_example_parses_to_its_own_command() {
        for spec in COMMANDS {
            let words: Vec<&str> = spec.example[1..].split_whitespace().collect();
            let (found, used) = find(&words, true).unwrap();
            assert_eq!(found.path, spec.path);
            let invocation = parse_words(found, &words[used..])
                .unwrap_or_else(|e| panic!("{}: {e}", spec.example));
            let command = invocation
                .decode()
                .unwrap_or_else(|e| panic!("{}: {e}", spec.example));
            assert_eq!(command.spec().path, spec.path);
        }
    }

    #[test]
    fn positional_words_go_by_form() {
        let spec = &schedule::SCHEDULE;
        let words = ["09:30", "Europe/Berlin", "8h", "docker", "5", "weekdays"];
        let inv = parse_words(spec, &words).unwrap();
        assert_eq!(inv.text("time"), Some("09:30"));
        assert_eq!(inv.text("zone"), Some("Europe/Berlin"));
        assert_eq!(inv.text("open"), Some("8h"));
        assert_eq!(inv.text("topic"), Some("docker"));
        assert_eq!(inv.integer("questions"), Some(5));
        assert_eq!(inv.text("days"), Some("weekdays"));
        let inv = parse_words(spec, &["tz:UTC", "time:07:05"]).unwrap();
        assert_eq!(inv.text("zone"), Some("UTC"));
        assert_eq!(inv.text("time"), Some("07:05"));
    }

    #[test]
    fn values_keep_their_case_except_topics_choices_and_letters() {
        let inv = parse_words(&leaderboard::LEADERBOARD, &["TODAY", "Docker"]).unwrap();
        assert_eq!(inv.text("period"), Some("day"));
        assert_eq!(inv.text("topic"), Some("docker"));
        let inv = parse_words(&quiz::ANSWER, &["c"]).unwrap();
        assert_eq!(inv.text("choice"), Some("C"));
        let inv = Invocation::new(
            &schedule::SCHEDULE,
            [
                ("time".to_string(), Value::Text("09:30".into())),
                ("zone".to_string(), Value::Text("America/New_York".into())),
                ("role".to_string(), Value::Role("<@&42>".into())),
            ],
        )
        .unwrap();
        assert_eq!(inv.text("zone"), Some("America/New_York"));
        assert_eq!(inv.text("role"), Some("<@&42>"));
    }

    #[test]
    fn bad_values_say_what_fits() {
        let start = &quiz::START;
        let e = parse_words(start, &["questions:0"]).unwrap_err();
        assert!(e.0.contains("1 to 20"), "{e}");
        let e = parse_words(start, &["questions:lots"]).unwrap_err();
        assert!(e.0.contains("questions"), "{e}");
        assert!(parse_words(start, &["docker", "3", "30", "extra"]).is_err());
        let e = parse_words(&ask::SHOW, &[]).unwrap_err();
        assert!(e.0.contains("id"), "{e}");
        assert!(parse_words(&quiz::ANSWER, &["E"]).is_err());
        assert!(parse_words(&quiz::ANSWER, &["A", "B"]).is_err());
        let e = Invocation::new(start, [("seconds".to_string(), Value::Integer(5))]).unwrap_err();
        assert!(e.0.contains("10 to 600"), "{e}");
    }
}
