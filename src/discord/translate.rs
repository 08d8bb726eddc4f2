//! Discord interactions as core input: who speaks where ([`Context`]), and the
//! [`Command`] a slash command or button stands for. No quiz or search logic:
//! option values go through the same parser as the shell's text.

use serenity::all::{
    ChannelId, CommandData, CommandDataOption, CommandDataOptionValue, GuildId, Member,
    Permissions, User,
};

use crate::bot::Context;
use crate::commands::{self, Command, ParseError};

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

/// The command a slash command stands for.
pub fn slash_command(data: &CommandData) -> Result<Command, ParseError> {
    let (name, options) = match data.options.first() {
        Some(CommandDataOption {
            name: sub,
            value: CommandDataOptionValue::SubCommand(inner),
            ..
        }) => (format!("{} {sub}", data.name), inner.as_slice()),
        _ => (data.name.clone(), data.options.as_slice()),
    };
    if name == "ask" {
        // Free text: never split into options.
        let text = text_of(options, "text").unwrap_or_default();
        if text.trim().is_empty() {
            return Err(ParseError("type what you want to know after /ask".into()));
        }
        return Ok(Command::Ask {
            text,
            topic: text_of(options, "topic"),
        });
    }
    let mut line = format!("/{name}");
    for option in options {
        let Some(value) = value_text(&option.value) else {
            continue;
        };
        if value.chars().any(char::is_whitespace) {
            return Err(ParseError(format!(
                "{}: no spaces, please (got “{}”)",
                option.name,
                commands::truncate(&value, 40)
            )));
        }
        line.push_str(&format!(" {}:{value}", option.name));
    }
    commands::parse(&line)
}

/// The text of a string option.
pub fn text_of(options: &[CommandDataOption], name: &str) -> Option<String> {
    options
        .iter()
        .find(|o| o.name == name)
        .and_then(|o| value_text(&o.value))
}

fn value_text(value: &CommandDataOptionValue) -> Option<String> {
    Some(match value {
        CommandDataOptionValue::String(s) => s.trim().to_string(),
        CommandDataOptionValue::Integer(i) => i.to_string(),
        CommandDataOptionValue::Number(n) => n.to_string(),
        CommandDataOptionValue::Boolean(b) => b.to_string(),
        CommandDataOptionValue::User(id) => format!("<@{id}>"),
        CommandDataOptionValue::Role(id) => format!("<@&{id}>"),
        CommandDataOptionValue::Channel(id) => format!("<#{id}>"),
        CommandDataOptionValue::Autocomplete { value, .. } => value.trim().to_string(),
        _ => return None,
    })
    .filter(|v| !v.is_empty())
}

/// The command a button stands for (see [`commands::from_choice`]).
pub fn button(custom_id: &str) -> Result<Command, ParseError> {
    commands::from_choice(custom_id)
        .ok_or_else(|| ParseError("this button is no longer in use".into()))
}
