//! `/help`: the command surface, marking what is not built yet.

use crate::reply::{CommandHelp, Data, Reply};

/// Every command of the surface: usage, what it does, whether it works yet.
const COMMANDS: [(&str, &str, bool); 11] = [
    (
        "/ask <text> [topic:T]",
        "best matching question with its answer and related questions; /next shows the next match",
        true,
    ),
    (
        "/question random [topic]",
        "a random card to practise with; /reveal shows the answer",
        true,
    ),
    ("/topics", "topics with question counts", true),
    (
        "/quiz start [topic] [questions] [seconds]",
        "a live quiz round in this channel",
        true,
    ),
    (
        "/quiz stop",
        "ends the running round (starter or moderator)",
        true,
    ),
    (
        "/quiz schedule <HH:MM> <time zone> [days] [topic] [questions]",
        "a daily round for this channel (moderators)",
        false,
    ),
    (
        "/quiz unschedule, /quiz schedules",
        "manage this channel's schedules",
        false,
    ),
    (
        "/leaderboard [day|week|month|all] [topic]",
        "standings for this server or workspace",
        true,
    ),
    ("/stats [user]", "accuracy by topic, streak and rank", true),
    ("/help", "this list", true),
    (
        "/answer [N] <A-D>",
        "answers the open quiz question, or question N (the shell's button click)",
        true,
    ),
];

pub fn help() -> Reply {
    let commands: Vec<CommandHelp> = COMMANDS
        .iter()
        .map(|(usage, description, available)| CommandHelp {
            usage: usage.to_string(),
            description: description.to_string(),
            available: *available,
        })
        .collect();
    let mut text = String::from("I answer interview questions and run team quizzes:");
    for c in &commands {
        let soon = if c.available { "" } else { " (coming soon)" };
        text.push_str(&format!("\n- {}: {}{soon}", c.usage, c.description));
    }
    text.push_str("\nPlain text without a command is asked as a question.");
    Reply::private(text).with_data(Data::Help { commands })
}

/// The reply for a command that is announced but not built yet.
pub fn coming(name: &str) -> Reply {
    Reply::private(format!(
        "/{name} is coming soon: daily scheduled rounds are being built. /help lists what works today."
    ))
}
