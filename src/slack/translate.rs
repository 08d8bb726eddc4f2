//! Slack input as core input: who speaks where ([`Context`]), and the
//! [`Command`] that `/interview …` text, a mention, a direct message or a
//! button stands for, parsed by the command table as the shell's lines are
//! (`name:value` or by position). No quiz or search logic.

use crate::bot::Context;
use crate::commands::{self, Command, ParseError, spec};
use crate::platform::Platform;
use crate::reply::Reply;

/// Slack workspaces are stored as `slack:T…`, apart from Discord's guilds.
pub use crate::platform::SLACK_GUILD_PREFIX as GUILD_PREFIX;

/// What the people of a Slack workspace see as commands besides `/interview`.
pub use crate::platform::SLACK_EXTRAS;

/// `user` of workspace `team` in `channel`. People are named by mention
/// (`<@U…>`), which Slack shows as their name.
pub fn context(team: &str, user: &str, channel: &str) -> Context {
    let mut ctx = Context::new(&format!("{GUILD_PREFIX}{team}"), &mention(user), channel);
    ctx.platform = Platform::Slack;
    ctx
}

pub fn mention(user: &str) -> String {
    format!("<@{user}>")
}

/// The Slack user id in a mention made by [`mention`].
pub fn user_id(mention: &str) -> &str {
    mention
        .strip_prefix("<@")
        .and_then(|m| m.strip_suffix('>'))
        .unwrap_or(mention)
}

/// What `/interview TEXT` asks for.
#[derive(Debug)]
pub enum Slash {
    Command(Command),
    /// A known subcommand with options that do not parse.
    Invalid(ParseError),
    /// No subcommand, or one that does not exist: the help, with why.
    Help(Option<String>),
}

/// `/interview TEXT`: the first words name a subcommand of the command table.
pub fn slash(text: &str) -> Slash {
    let words: Vec<&str> = text
        .split_whitespace()
        .enumerate()
        .map(|(i, w)| if i == 0 { w.trim_start_matches('/') } else { w })
        .collect();
    if words.first().is_none_or(|w| w.is_empty()) {
        return Slash::Help(None);
    }
    match spec::find(&words, true) {
        Err(_) => Slash::Help(Some(format!(
            "`{}` is not one of my commands.",
            commands::truncate(words[0], 40)
        ))),
        Ok((found, used)) => {
            match spec::parse_words(found, &words[used..]).and_then(commands::build) {
                Ok(command) => Slash::Command(command),
                Err(e) => Slash::Invalid(e),
            }
        }
    }
}

/// A mention or a direct message: the bot's own mention is dropped, `/x …`
/// runs a command, anything else is asked as a question.
pub fn message(text: &str) -> Result<Command, ParseError> {
    let mut rest = text.trim();
    while let Some(after) = rest.strip_prefix("<@") {
        match after.split_once('>') {
            Some((_, tail)) => rest = tail.trim_start(),
            None => break,
        }
    }
    if rest.is_empty() {
        return Ok(Command::Help);
    }
    commands::parse(rest)
}

/// The command a button stands for (see [`commands::from_choice`]).
pub fn button(action_id: &str) -> Result<Command, ParseError> {
    commands::from_choice(action_id)
        .ok_or_else(|| ParseError("this button is no longer in use".into()))
}

/// The help as `/interview` spells it, after `note` when there is one.
pub fn help(note: Option<&str>) -> Reply {
    let mut reply = commands::help::help(Platform::Slack, Platform::Slack.help_extras());
    if let Some(note) = note {
        reply.text = format!("{note}\n{}", reply.text);
    }
    reply
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn subcommands_parse_like_the_shell() {
        assert!(matches!(
            slash("ask what is a docker volume"),
            Slash::Command(Command::Ask { ref text, .. }) if text == "what is a docker volume"
        ));
        assert!(matches!(
            slash("ask logging topic:python"),
            Slash::Command(Command::Ask { topic: Some(ref t), .. }) if t == "python"
        ));
        assert!(matches!(
            slash("quiz start"),
            Slash::Command(Command::QuizStart(_))
        ));
        assert!(matches!(
            slash("leaderboard week"),
            Slash::Command(Command::Leaderboard { .. })
        ));
    }

    #[test]
    fn nothing_or_an_unknown_subcommand_gets_the_help() {
        assert!(matches!(slash(""), Slash::Help(None)));
        assert!(matches!(slash("   "), Slash::Help(None)));
        match slash("frobnicate now") {
            Slash::Help(Some(note)) => assert!(note.contains("frobnicate"), "{note}"),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn bad_options_of_a_known_subcommand_say_so() {
        assert!(matches!(slash("quiz schedule 25:99"), Slash::Invalid(_)));
    }

    #[test]
    fn mentions_ask_questions_and_run_slash_commands() {
        assert!(matches!(
            message("<@U0BOT> what is a docker volume"),
            Ok(Command::Ask { ref text, .. }) if text == "what is a docker volume"
        ));
        assert!(matches!(message("<@U0BOT> /topics"), Ok(Command::Topics)));
        assert!(matches!(message("<@U0BOT>"), Ok(Command::Help)));
    }

    #[test]
    fn workspaces_are_kept_apart_from_discord_guilds() {
        let ctx = context("T123", "U9", "C1");
        assert_eq!(ctx.guild, "slack:T123");
        assert_eq!(ctx.user, "<@U9>");
        assert_eq!(user_id(&ctx.user), "U9");
        assert_eq!(ctx.platform, Platform::Slack);
    }
}
