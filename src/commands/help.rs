//! `/help`: the command surface, generated from the command table
//! ([`super::COMMANDS`]) as each platform spells it.

use super::spec::{Access, CommandSpec, Privacy, Surface};
use super::{COMMANDS, Command};
use crate::platform::Platform;
use crate::reply::{CommandHelp, Data, Reply};

/// `/help`: its entry in the command table.
pub static HELP: CommandSpec = CommandSpec {
    path: &["help"],
    aliases: &[],
    summary: "What the bot can do",
    details: "",
    example: "/help",
    options: &[],
    access: Access::Anyone,
    privacy: Privacy::Personal,
    surface: Surface::Everywhere,
    decode: |_| Ok(Command::Help),
};

/// What the bot can do on `platform`, plus that platform's own commands
/// (`extra`: the shell's `/as`, `/in`, ...).
pub fn help(platform: Platform, extra: &[(&str, &str)]) -> Reply {
    let mut commands: Vec<CommandHelp> = COMMANDS
        .iter()
        .filter(|c| c.surface == Surface::Everywhere || platform.types_text_commands())
        .map(|c| CommandHelp {
            usage: format!("{}{}", platform.command_prefix(), c.usage()),
            description: c.description(),
        })
        .collect();
    commands.extend(extra.iter().map(|(usage, description)| CommandHelp {
        usage: usage.to_string(),
        description: description.to_string(),
    }));
    let mut text = String::from("I answer interview questions and run team quizzes:");
    for c in &commands {
        text.push_str(&format!("\n- {}: {}", c.usage, c.description));
    }
    if platform.types_text_commands() {
        text.push_str("\nPlain text without a command is asked as a question.");
    }
    Reply::private(text).with_data(Data::Help { commands })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::commands::spec::Surface;

    fn usages(reply: &Reply) -> Vec<String> {
        match &reply.data {
            Some(Data::Help { commands }) => commands.iter().map(|c| c.usage.clone()).collect(),
            other => panic!("not help: {other:?}"),
        }
    }

    #[test]
    fn each_platform_lists_exactly_its_surface_of_the_table() {
        let shell = usages(&help(Platform::Shell, &[("/quit", "leave")]));
        assert_eq!(shell.len(), COMMANDS.len() + 1);
        assert!(shell.contains(&"/quiz start [topic] [questions] [seconds]".to_string()));
        assert!(shell.contains(&"/answer [question] <choice>".to_string()));
        assert_eq!(shell.last().unwrap(), "/quit");
        let discord = usages(&help(Platform::Discord, &[]));
        let everywhere = COMMANDS
            .iter()
            .filter(|c| c.surface == Surface::Everywhere)
            .count();
        assert_eq!(discord.len(), everywhere);
        assert!(!discord.iter().any(|u| u.starts_with("/answer")));
        let slack = usages(&help(Platform::Slack, &[]));
        assert!(slack.iter().all(|u| u.starts_with("/interview ")));
        assert_eq!(slack.len(), COMMANDS.len());
    }
}
