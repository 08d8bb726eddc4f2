//! `/help`: the command surface.

use crate::reply::{CommandHelp, Data, Reply};

/// Every command of the surface: usage and what it does.
const COMMANDS: [(&str, &str); 12] = [
    (
        "/ask <text> [topic:T]",
        "best matching question with its answer and related questions; /next shows the next match",
    ),
    (
        "/question random [topic]",
        "a random card to practise with; /reveal shows the answer",
    ),
    (
        "/show <id>",
        "one question of the bank with its answer, by id (docker-017)",
    ),
    ("/topics", "topics with question counts"),
    (
        "/quiz start [topic] [questions] [seconds]",
        "a live quiz round in this channel",
    ),
    (
        "/quiz stop",
        "ends the running round (starter or moderator)",
    ),
    (
        "/quiz schedule <HH:MM> <time zone> [days] [topic] [questions] [open]",
        "a daily round for this channel (moderators); days: daily, weekdays or mon,wed,fri; open: 8h; reminder:MIN role:NAME",
    ),
    (
        "/quiz unschedule [id], /quiz schedules",
        "remove this channel's schedules (moderators), list them with their next runs",
    ),
    (
        "/leaderboard [day|week|month|all] [topic]",
        "standings for this server or workspace",
    ),
    ("/stats [user]", "accuracy by topic, streak and rank"),
    ("/help", "this list"),
    (
        "/answer [N] <A-D>",
        "answers the open quiz question, or question N (the shell's button click)",
    ),
];

pub fn help() -> Reply {
    let commands: Vec<CommandHelp> = COMMANDS
        .iter()
        .map(|(usage, description)| CommandHelp {
            usage: usage.to_string(),
            description: description.to_string(),
        })
        .collect();
    let mut text = String::from("I answer interview questions and run team quizzes:");
    for c in &commands {
        text.push_str(&format!("\n- {}: {}", c.usage, c.description));
    }
    text.push_str("\nPlain text without a command is asked as a question.");
    Reply::private(text).with_data(Data::Help { commands })
}
