//! The slash commands registered with Discord: every command of the surface,
//! with option descriptions, limits and choices (topics come from the bank).

use serenity::all::{CommandOptionType, CreateCommand, CreateCommandOption, Permissions};

use crate::commands::leaderboard::Span;
use crate::quiz::{MAX_QUESTIONS, MAX_SECONDS, MIN_SECONDS};

/// Discord allows at most 25 choices on an option.
const MAX_CHOICES: usize = 25;

/// The command list for `topics` (the bank's topics, offered as choices when
/// there are at most 25 of them).
pub fn definitions(topics: &[String]) -> Vec<CreateCommand> {
    let topic = |description: &str| {
        let mut option = CreateCommandOption::new(CommandOptionType::String, "topic", description);
        if topics.len() <= MAX_CHOICES {
            for t in topics {
                option = option.add_string_choice(t, t);
            }
        }
        option
    };
    let questions = CreateCommandOption::new(
        CommandOptionType::Integer,
        "questions",
        "how many questions",
    )
    .min_int_value(1)
    .max_int_value(MAX_QUESTIONS as u64);
    let subcommand = |name: &str, description: &str| {
        CreateCommandOption::new(CommandOptionType::SubCommand, name, description)
    };
    let mut period = CreateCommandOption::new(
        CommandOptionType::String,
        "period",
        "day, week, month or all time (default: week)",
    );
    for span in Span::ALL {
        period = period.add_string_choice(span.name(), span.name());
    }
    vec![
        CreateCommand::new("ask")
            .description("The best matching interview question, with its answer")
            .add_option(
                CreateCommandOption::new(
                    CommandOptionType::String,
                    "text",
                    "what you want to know",
                )
                .required(true)
                .max_length(500)
                .set_autocomplete(true),
            )
            .add_option(topic("only this topic")),
        CreateCommand::new("question")
            .description("A practice card")
            .add_option(
                subcommand("random", "a random card, answer hidden until revealed")
                    .add_sub_option(topic("only this topic")),
            ),
        CreateCommand::new("topics").description("Topics with question counts"),
        CreateCommand::new("quiz")
            .description("Quiz rounds in this channel")
            .add_option(
                subcommand("start", "a live round in this channel")
                    .add_sub_option(topic("only this topic"))
                    .add_sub_option(questions.clone())
                    .add_sub_option(
                        CreateCommandOption::new(
                            CommandOptionType::Integer,
                            "seconds",
                            "seconds per question",
                        )
                        .min_int_value(MIN_SECONDS as u64)
                        .max_int_value(MAX_SECONDS as u64),
                    ),
            )
            .add_option(subcommand(
                "stop",
                "end the running round (its starter or a moderator)",
            ))
            .add_option(
                subcommand("schedule", "a daily round for this channel (moderators)")
                    .add_sub_option(
                        CreateCommandOption::new(
                            CommandOptionType::String,
                            "time",
                            "HH:MM, 24-hour",
                        )
                        .required(true)
                        .max_length(5),
                    )
                    .add_sub_option(
                        CreateCommandOption::new(
                            CommandOptionType::String,
                            "zone",
                            "IANA time zone, for example Europe/Berlin",
                        )
                        .required(true)
                        .max_length(64),
                    )
                    .add_sub_option(
                        CreateCommandOption::new(
                            CommandOptionType::String,
                            "days",
                            "daily, weekdays, weekends, or days like mon,wed,fri",
                        )
                        .max_length(40),
                    )
                    .add_sub_option(topic("only this topic"))
                    .add_sub_option(questions)
                    .add_sub_option(
                        CreateCommandOption::new(
                            CommandOptionType::String,
                            "open",
                            "how long the round stays open, for example 8h",
                        )
                        .max_length(10),
                    )
                    .add_sub_option(
                        CreateCommandOption::new(
                            CommandOptionType::Integer,
                            "reminder",
                            "remind this many minutes before",
                        )
                        .min_int_value(1)
                        .max_int_value(24 * 60),
                    )
                    .add_sub_option(CreateCommandOption::new(
                        CommandOptionType::Role,
                        "role",
                        "the role the reminder mentions",
                    )),
            )
            .add_option(
                subcommand("unschedule", "remove this channel's schedules (moderators)")
                    .add_sub_option(
                        CreateCommandOption::new(
                            CommandOptionType::String,
                            "id",
                            "only this schedule",
                        )
                        .max_length(40),
                    ),
            )
            .add_option(subcommand("schedules", "this channel's schedules")),
        CreateCommand::new("leaderboard")
            .description("Standings for this server")
            .add_option(period)
            .add_option(topic("only this topic")),
        CreateCommand::new("stats")
            .description("Accuracy by topic, streak and rank")
            .add_option(CreateCommandOption::new(
                CommandOptionType::User,
                "user",
                "whose stats (default: yours)",
            )),
        CreateCommand::new("help").description("What the bot can do"),
    ]
}

/// The permission that makes a member a moderator.
pub const MODERATOR: Permissions = Permissions::MANAGE_GUILD;
