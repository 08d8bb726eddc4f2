//! The slash commands registered with Discord, generated from the command
//! table ([`crate::commands::spec`]): every command of the surface with its
//! options' types, limits, choices (topics come from the bank) and
//! autocomplete. Commands typed only in text (`/answer`, `/next`, `/reveal`)
//! are buttons here.

use serenity::all::{CommandOptionType, CreateCommand, CreateCommandOption, Permissions};

use crate::commands::spec::{self, Autocomplete, CommandSpec, Kind, OptionSpec, Surface};

/// Discord allows at most 25 choices on an option.
const MAX_CHOICES: usize = 25;

/// [`definitions`] as the body of Discord's bulk overwrite: serenity writes
/// every field of every option (`max_value: null` on a string option,
/// `channel_types: []` and `autocomplete: false` on a subcommand), which Discord's OpenAPI
/// document does not describe for that option type; left out, they mean the
/// same (tests/common/discord_spec.rs checks the body).
pub fn registration_body(topics: &[String]) -> serde_json::Value {
    let mut body = serde_json::to_value(definitions(topics)).unwrap_or_default();
    prune(&mut body);
    body
}

/// Drops nulls, empty lists and a false `nsfw` or `autocomplete`, all the
/// way down.
fn prune(value: &mut serde_json::Value) {
    match value {
        serde_json::Value::Object(map) => {
            map.retain(|key, v| {
                !(v.is_null()
                    || v.as_array().is_some_and(Vec::is_empty)
                    || (matches!(key.as_str(), "nsfw" | "autocomplete")
                        && v == &serde_json::Value::Bool(false)))
            });
            map.values_mut().for_each(prune);
        }
        serde_json::Value::Array(items) => items.iter_mut().for_each(prune),
        _ => {}
    }
}

/// The command list, with `topics` (the bank's) offered as choices when there
/// are at most 25 of them.
pub fn definitions(topics: &[String]) -> Vec<CreateCommand> {
    let mut commands: Vec<CreateCommand> = Vec::new();
    let mut groups: Vec<(&str, CreateCommand)> = Vec::new();
    for command in spec::COMMANDS
        .iter()
        .filter(|c| c.surface == Surface::Everywhere)
    {
        match command.path {
            [name] => {
                let mut created = CreateCommand::new(*name).description(command.summary);
                for option in command.options {
                    created = created.add_option(option_of(option, topics));
                }
                commands.push(created);
            }
            [group, sub] => {
                let subcommand = subcommand_of(command, sub, topics);
                match groups.iter_mut().find(|(g, _)| g == group) {
                    Some((_, created)) => {
                        *created = created.clone().add_option(subcommand);
                    }
                    None => {
                        let description = spec::GROUPS
                            .iter()
                            .find(|(g, _)| g == group)
                            .map_or(*group, |(_, d)| *d);
                        groups.push((
                            group,
                            CreateCommand::new(*group)
                                .description(description)
                                .add_option(subcommand),
                        ));
                    }
                }
            }
            _ => unreachable!("command paths have one or two words"),
        }
    }
    commands.extend(groups.into_iter().map(|(_, c)| c));
    commands
}

fn subcommand_of(command: &CommandSpec, name: &str, topics: &[String]) -> CreateCommandOption {
    let mut created =
        CreateCommandOption::new(CommandOptionType::SubCommand, name, command.summary);
    for option in command.options {
        created = created.add_sub_option(option_of(option, topics));
    }
    created
}

/// Discord's option type for a kind of value.
pub fn option_type(kind: Kind) -> CommandOptionType {
    match kind {
        Kind::Integer { .. } => CommandOptionType::Integer,
        Kind::User => CommandOptionType::User,
        Kind::Role => CommandOptionType::Role,
        _ => CommandOptionType::String,
    }
}

fn option_of(option: &OptionSpec, topics: &[String]) -> CreateCommandOption {
    let mut created =
        CreateCommandOption::new(option_type(option.kind), option.name, option.description)
            .required(option.required);
    match option.kind {
        Kind::Integer { min, max } => {
            created = created.min_int_value(min as u64).max_int_value(max as u64);
        }
        Kind::Choice { values, .. } => {
            for value in values {
                created = created.add_string_choice(*value, *value);
            }
        }
        Kind::Topic if topics.len() <= MAX_CHOICES => {
            for topic in topics {
                created = created.add_string_choice(topic, topic);
            }
        }
        _ => {}
    }
    if let Some(length) = option.max_length {
        created = created.max_length(length);
    }
    if option.autocomplete == Autocomplete::Questions {
        created = created.set_autocomplete(true);
    }
    created
}

/// The permission that makes a member a moderator.
pub const MODERATOR: Permissions = Permissions::MANAGE_GUILD;
