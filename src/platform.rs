//! Which adapter a command came through, and the platform words that follow
//! from it: how a command is typed there (`/quiz stop` on Discord and in the
//! shell, `/interview quiz stop` on Slack), whether text-only commands exist,
//! and the platform's own ways in that `/help` lists.

/// Which adapter a command came through (help spells commands its way).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Platform {
    #[default]
    Shell,
    Discord,
    Slack,
}

/// Slack workspaces are stored as `slack:T…`, apart from Discord's guilds.
pub const SLACK_GUILD_PREFIX: &str = "slack:";

/// The outbox channel of a direct message to `user` (a practice reminder):
/// each adapter's sink opens the conversation with that person.
pub fn direct_channel(user: &str) -> String {
    format!("{DIRECT_PREFIX}{user}")
}

/// The person a [`direct_channel`] names, if `channel` is one.
pub fn direct_user(channel: &str) -> Option<&str> {
    channel.strip_prefix(DIRECT_PREFIX)
}

const DIRECT_PREFIX: &str = "direct:";

/// Slack's ways in besides `/interview`, listed after the commands in `/help`.
pub const SLACK_EXTRAS: &[(&str, &str)] = &[(
    "@interview-bot QUESTION",
    "ask by mentioning me in a channel, or in a direct message with me",
)];

impl Platform {
    /// Its name in logs and metrics.
    pub fn name(self) -> &'static str {
        match self {
            Platform::Shell => "shell",
            Platform::Discord => "discord",
            Platform::Slack => "slack",
        }
    }

    /// How a command is typed there: `/` or Slack's `/interview `.
    pub fn command_prefix(self) -> &'static str {
        match self {
            Platform::Shell | Platform::Discord => "/",
            Platform::Slack => "/interview ",
        }
    }

    /// A command as people type it there: `command("quiz stop")` is
    /// `/quiz stop`, or `/interview quiz stop` on Slack.
    pub fn command(self, words: &str) -> String {
        format!("{}{words}", self.command_prefix())
    }

    /// The platform's own ways in, listed after the commands in `/help`.
    pub fn help_extras(self) -> &'static [(&'static str, &'static str)] {
        match self {
            Platform::Slack => SLACK_EXTRAS,
            Platform::Shell | Platform::Discord => &[],
        }
    }

    /// Whether text-only commands (`/answer`, `/next`, `/reveal`) are typed
    /// there; on Discord buttons do their work.
    pub fn types_text_commands(self) -> bool {
        !matches!(self, Platform::Discord)
    }

    /// Whether buttons there can open forms (Discord modals, Slack views);
    /// the shell types every field.
    pub fn opens_forms(self) -> bool {
        !matches!(self, Platform::Shell)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn commands_are_spelled_the_platforms_way() {
        assert_eq!(Platform::Shell.command("quiz stop"), "/quiz stop");
        assert_eq!(Platform::Discord.command("quiz stop"), "/quiz stop");
        assert_eq!(Platform::Slack.command("quiz stop"), "/interview quiz stop");
    }
}
