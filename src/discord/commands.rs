//! The slash commands registered with Discord, generated from the command
//! table ([`crate::commands::spec`]): every command of the surface with its
//! options' types, limits, choices (topics come from the bank) and
//! autocomplete. Commands typed only in text (`/answer`, `/next`, `/reveal`)
//! are buttons here.
//!
//! Where each command can be used follows the table's [`Place`]: commands
//! that work anywhere (practice, ask, show, topics, help, stats, ...) are
//! registered for both installs, to a server and to a person (a user
//! install), in servers, in direct messages with the bot and in other private
//! conversations; server-only ones (quiz rounds, the leaderboard, moderators'
//! commands) for a server install, in servers only. A group (`/quiz`,
//! `/practice`) is one Discord command, so it is server-only when any of its
//! subcommands is.

use serenity::all::{
    CommandOptionType, CreateCommand, CreateCommandOption, InstallationContext, InteractionContext,
    Permissions,
};

use crate::commands::spec::{self, Autocomplete, CommandSpec, Kind, OptionSpec, Place, Surface};

/// Discord allows at most 25 choices on an option.
const MAX_CHOICES: usize = 25;

/// Where commands are registered: for everyone (global commands), or to one
/// guild for development.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    Global,
    Guild,
}

/// [`definitions`] as the body of Discord's bulk overwrite: serenity writes
/// every field of every option (`max_value: null` on a string option,
/// `channel_types: []` and `autocomplete: false` on a subcommand), which Discord's OpenAPI
/// document does not describe for that option type; left out, they mean the
/// same (tests/common/discord_spec.rs checks the body). Installs and contexts
/// are for global commands only, as Discord documents them, so a development
/// guild's registration leaves them out.
pub fn registration_body(topics: &[String], scope: Scope) -> serde_json::Value {
    let mut body = serde_json::to_value(definitions(topics)).unwrap_or_default();
    prune(&mut body);
    if scope == Scope::Guild {
        for command in body.as_array_mut().into_iter().flatten() {
            if let Some(fields) = command.as_object_mut() {
                fields.remove("integration_types");
                fields.remove("contexts");
            }
        }
    }
    body
}

/// Where a command of `place` is offered: the installs (to a server, to a
/// person) and the contexts (a server, a direct message with the bot, other
/// private conversations) Discord shows it in.
pub fn reach(place: Place) -> (Vec<InstallationContext>, Vec<InteractionContext>) {
    match place {
        Place::Anywhere => (
            vec![InstallationContext::Guild, InstallationContext::User],
            vec![
                InteractionContext::Guild,
                InteractionContext::BotDm,
                InteractionContext::PrivateChannel,
            ],
        ),
        Place::Server => (
            vec![InstallationContext::Guild],
            vec![InteractionContext::Guild],
        ),
    }
}

/// `command` offered where `place` says.
fn placed(command: CreateCommand, place: Place) -> CreateCommand {
    let (installs, contexts) = reach(place);
    command.integration_types(installs).contexts(contexts)
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
    let mut groups: Vec<(&str, CreateCommand, Place)> = Vec::new();
    for command in crate::commands::COMMANDS
        .iter()
        .filter(|c| c.surface == Surface::Everywhere)
    {
        match command.path {
            [name] => {
                let mut created = CreateCommand::new(*name).description(command.summary);
                for option in command.options {
                    created = created.add_option(option_of(option, topics));
                }
                commands.push(placed(created, command.place()));
            }
            [group, sub] => {
                let subcommand = subcommand_of(command, sub, topics);
                match groups.iter_mut().find(|(g, ..)| g == group) {
                    Some((_, created, place)) => {
                        *created = created.clone().add_option(subcommand);
                        if command.place() == Place::Server {
                            *place = Place::Server;
                        }
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
                            command.place(),
                        ));
                    }
                }
            }
            _ => unreachable!("command paths have one or two words"),
        }
    }
    commands.extend(
        groups
            .into_iter()
            .map(|(_, created, place)| placed(created, place)),
    );
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
        Kind::File => CommandOptionType::Attachment,
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_guilds_registration_leaves_installs_and_contexts_out() {
        let global = registration_body(&[], Scope::Global);
        let guild = registration_body(&[], Scope::Guild);
        let commands = global.as_array().unwrap();
        assert!(commands.iter().all(|c| c["contexts"].is_array()));
        assert!(
            guild
                .as_array()
                .unwrap()
                .iter()
                .all(|c| c.get("integration_types").is_none() && c.get("contexts").is_none())
        );
        let practice = commands.iter().find(|c| c["name"] == "practice").unwrap();
        assert_eq!(practice["integration_types"], serde_json::json!([0, 1]));
        assert_eq!(practice["contexts"], serde_json::json!([0, 1, 2]));
        let quiz = commands.iter().find(|c| c["name"] == "quiz").unwrap();
        assert_eq!(quiz["integration_types"], serde_json::json!([0]));
        assert_eq!(quiz["contexts"], serde_json::json!([0]));
    }
}
