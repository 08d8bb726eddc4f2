//! Discord interactions as core input: who speaks where ([`Context`]), and the
//! [`Command`] a slash command or button stands for. No quiz or search logic:
//! a slash command's options become the command table's typed values
//! ([`Invocation`]) directly, never text to parse again.

use serenity::all::{
    ChannelId, CommandData, CommandDataOption, CommandDataOptionValue, GuildId, Member,
    Permissions, User,
};

use crate::bot::Context;
use crate::commands::spec::{Invocation, Surface, Value};
use crate::commands::{self, Command, ParseError};
use crate::platform::Platform;

/// Who acts where. People are named by mention (`<@id>`), which Discord shows
/// as their name in leaderboards and reveals.
pub fn context(
    guild: Option<GuildId>,
    channel: ChannelId,
    user: &User,
    member: Option<&Member>,
    moderator_role: Option<u64>,
) -> Context {
    let guild = guild.map_or_else(|| format!("dm-{}", user.id), |g| g.to_string());
    let mut ctx = Context::new(&guild, &mention(user), &channel.to_string());
    ctx.platform = Platform::Discord;
    ctx.moderator = member.is_some_and(|m| is_moderator(m, moderator_role));
    ctx
}

pub fn mention(user: &User) -> String {
    format!("<@{}>", user.id)
}

/// Manage Server, Administrator, or the configured moderator role.
pub fn is_moderator(member: &Member, moderator_role: Option<u64>) -> bool {
    let by_permission = member
        .permissions
        .is_some_and(|p| p.contains(Permissions::MANAGE_GUILD) || p.administrator());
    let by_role = moderator_role.is_some_and(|role| member.roles.iter().any(|r| r.get() == role));
    by_permission || by_role
}

/// The command a slash command stands for, from the command table.
pub fn slash_command(data: &CommandData) -> Result<Command, ParseError> {
    let (path, options): (Vec<&str>, &[CommandDataOption]) = match data.options.first() {
        Some(CommandDataOption {
            name: sub,
            value: CommandDataOptionValue::SubCommand(inner),
            ..
        }) => (vec![data.name.as_str(), sub.as_str()], inner.as_slice()),
        _ => (vec![data.name.as_str()], data.options.as_slice()),
    };
    let spec = commands::COMMANDS
        .iter()
        .find(|c| c.surface == Surface::Everywhere && c.path == path.as_slice())
        .ok_or_else(|| {
            ParseError(format!(
                "/{} is not one of my commands any more: /help lists them",
                path.join(" ")
            ))
        })?;
    let values = options.iter().filter_map(|o| {
        let value = match &o.value {
            // An attached file: its address, fetched before the command runs
            // (see `super::attachment`).
            CommandDataOptionValue::Attachment(id) => {
                Value::Text(data.resolved.attachments.get(id)?.url.clone())
            }
            other => value_of(other)?,
        };
        Some((o.name.clone(), value))
    });
    commands::build(Invocation::new(spec, values)?)
}

/// A typed option value as the command table takes it.
fn value_of(value: &CommandDataOptionValue) -> Option<Value> {
    Some(match value {
        CommandDataOptionValue::String(s) => Value::Text(s.clone()),
        CommandDataOptionValue::Integer(i) => Value::Integer(*i),
        CommandDataOptionValue::User(id) => Value::User(format!("<@{id}>")),
        CommandDataOptionValue::Role(id) => Value::Role(format!("<@&{id}>")),
        CommandDataOptionValue::Autocomplete { value, .. } => Value::Text(value.clone()),
        _ => return None,
    })
}

/// The text of a string option (autocomplete's topic), through the same
/// decoding as a command's options.
pub fn text_of(options: &[CommandDataOption], name: &str) -> Option<String> {
    match value_of(&options.iter().find(|o| o.name == name)?.value)? {
        Value::Text(text) => Some(text.trim().to_string()).filter(|t| !t.is_empty()),
        _ => None,
    }
}

/// The command a button stands for (see [`commands::from_choice`]).
pub fn button(custom_id: &str) -> Result<Command, ParseError> {
    commands::from_choice(custom_id)
        .ok_or_else(|| ParseError("this button is no longer in use".into()))
}
