//! Core replies as Discord messages: answers and quiz questions as embeds,
//! choices as buttons, everything within Discord's size limits.

use serenity::all::{
    ButtonStyle, CreateActionRow, CreateButton, CreateEmbed, CreateEmbedFooter,
    CreateInteractionResponseFollowup, CreateInteractionResponseMessage, CreateMessage,
    EditInteractionResponse, EditMessage,
};

use crate::commands::ask::SHOW_CHOICE_PREFIX;
use crate::commands::truncate;
use crate::reply::{Data, Reply};

/// Discord's limits.
const CONTENT: usize = 2000;
const EMBED_TITLE: usize = 256;
const EMBED_DESCRIPTION: usize = 4096;
const FIELD_VALUE: usize = 1024;
const EMBED_TOTAL: usize = 6000;
const BUTTON_LABEL: usize = 80;
const CUSTOM_ID: usize = 100;
const BUTTONS_PER_ROW: usize = 5;
const ROWS: usize = 5;
/// Embed colour of the bot's cards.
const COLOUR: u32 = 0x3B82F6;

/// A reply's parts, before they go into one of serenity's builders.
#[derive(Debug, Clone)]
pub struct Message {
    pub content: Option<String>,
    pub embed: Option<CreateEmbed>,
    pub rows: Vec<CreateActionRow>,
    pub ephemeral: bool,
}

pub fn message(reply: &Reply) -> Message {
    let embed = embed(reply);
    let content = match embed {
        Some(_) => None,
        None => Some(truncate(&reply.text, CONTENT)),
    };
    Message {
        content,
        embed,
        rows: buttons(reply),
        ephemeral: reply.ephemeral,
    }
}

/// An answer card, quiz question, reveal or ranking as an embed; short notes
/// and errors stay plain text.
fn embed(reply: &Reply) -> Option<CreateEmbed> {
    let base = || CreateEmbed::new().colour(COLOUR);
    match reply.data.as_ref()? {
        Data::Answer {
            card,
            answer,
            related,
            rank,
            ..
        } => {
            let title = truncate(&card.question, EMBED_TITLE);
            let source = card.source.as_deref().map(|s| truncate(s, FIELD_VALUE));
            let list: Vec<String> = related
                .iter()
                .map(|r| format!("- {} ({})", r.question, r.id))
                .collect();
            let related = truncate(&list.join("\n"), FIELD_VALUE);
            let footer = format!("match {rank}");
            // Everything in one embed counts towards Discord's 6,000 characters.
            let used = [&title, &card.topic, &card.id, &related, &footer]
                .iter()
                .map(|t| t.chars().count())
                .sum::<usize>()
                + source.as_deref().map_or(0, |s| s.chars().count())
                + "TopicIdSourceRelated".len();
            let room = EMBED_TOTAL.saturating_sub(used).min(EMBED_DESCRIPTION);
            let mut embed = base()
                .title(title)
                .description(truncate(answer, room))
                .field("Topic", &card.topic, true)
                .field("Id", &card.id, true);
            if let Some(source) = source {
                embed = embed.field("Source", source, true);
            }
            if !list.is_empty() {
                embed = embed.field("Related", related, false);
            }
            Some(embed.footer(CreateEmbedFooter::new(footer)))
        }
        Data::Question {
            position,
            of,
            topic,
            question,
            choices,
            closes_at,
            ..
        } => {
            let options: Vec<String> = choices
                .iter()
                .map(|c| format!("**{}**: {}", c.id, c.label))
                .collect();
            Some(
                base()
                    .title(truncate(
                        &format!("Question {position} of {of}"),
                        EMBED_TITLE,
                    ))
                    .description(truncate(
                        &format!("{question}\n\n{}", options.join("\n")),
                        EMBED_DESCRIPTION,
                    ))
                    .field("Topic", topic, true)
                    .footer(CreateEmbedFooter::new(format!(
                        "first answer counts · closes {closes_at}"
                    ))),
            )
        }
        Data::Reveal { .. }
        | Data::Standings { .. }
        | Data::Leaderboard { .. }
        | Data::Stats(_)
        | Data::Card { .. }
        | Data::CardAnswer { .. }
        | Data::Topics { .. }
        | Data::Help { .. }
        | Data::Schedules { .. } => {
            Some(base().description(truncate(&reply.text, EMBED_DESCRIPTION)))
        }
        _ => None,
    }
}

/// The reply's choices as buttons, then one button per related question.
fn buttons(reply: &Reply) -> Vec<CreateActionRow> {
    // A quiz question's options are in its embed; its buttons are the letters.
    let letters = match &reply.data {
        Some(Data::Question { choices, .. }) => Some(choices),
        _ => None,
    };
    let mut all: Vec<CreateButton> = reply
        .choices
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let label = letters
                .and_then(|l| l.get(i))
                .map_or(c.label.as_str(), |l| l.id.as_str());
            // The quiz report button is not an option: it looks apart.
            let style = match crate::commands::quiz_report::parse_choice(&c.id) {
                Some(_) => ButtonStyle::Secondary,
                None => ButtonStyle::Primary,
            };
            CreateButton::new(truncate(&c.id, CUSTOM_ID))
                .label(truncate(label, BUTTON_LABEL))
                .style(style)
        })
        .collect();
    if let Some(Data::Answer { related, .. }) = &reply.data {
        all.extend(related.iter().map(|r| {
            CreateButton::new(truncate(
                &format!("{SHOW_CHOICE_PREFIX}{}", r.id),
                CUSTOM_ID,
            ))
            .label(truncate(&r.question, BUTTON_LABEL))
            .style(ButtonStyle::Secondary)
        }));
    }
    all.chunks(BUTTONS_PER_ROW)
        .take(ROWS)
        .map(|row| CreateActionRow::Buttons(row.to_vec()))
        .collect()
}

/// Puts a message's parts into one of serenity's builders (different types
/// with the same methods).
macro_rules! fill {
    ($builder:expr, $parts:expr) => {{
        let parts = $parts;
        let mut builder = $builder.components(parts.rows);
        if let Some(content) = parts.content {
            builder = builder.content(content);
        }
        if let Some(embed) = parts.embed {
            builder = builder.embed(embed);
        }
        builder
    }};
}

impl Message {
    pub fn response(self) -> CreateInteractionResponseMessage {
        let ephemeral = self.ephemeral;
        let message = fill!(CreateInteractionResponseMessage::new(), self);
        if ephemeral {
            message.ephemeral(true)
        } else {
            message
        }
    }

    pub fn followup(self) -> CreateInteractionResponseFollowup {
        let ephemeral = self.ephemeral;
        let message = fill!(CreateInteractionResponseFollowup::new(), self);
        if ephemeral {
            message.ephemeral(true)
        } else {
            message
        }
    }

    /// The deferred response, filled in (its content emptied if it has none).
    pub fn edit_response(mut self) -> EditInteractionResponse {
        self.content.get_or_insert_default();
        fill!(EditInteractionResponse::new(), self)
    }

    /// A post the bot makes by itself (scheduled rounds, reveals, standings).
    pub fn channel(self) -> CreateMessage {
        fill!(CreateMessage::new(), self)
    }
}

/// A posted quiz question, edited: how many have answered, or closed.
pub fn question_update(original: &Reply, note: &str, open: bool) -> EditMessage {
    let mut parts = message(original);
    let mut edit = EditMessage::new();
    if let Some(embed) = parts.embed.take() {
        edit = edit.embed(embed.field("Status", note, false));
    }
    edit.components(if open { parts.rows } else { Vec::new() })
}
