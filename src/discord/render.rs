//! Core replies as Discord messages: answers and quiz questions as embeds,
//! choices as buttons, everything within Discord's size limits. Fenced code
//! stays a Discord code block: text is fitted by [`markdown`], which never
//! cuts inside one, and an answer too long for one embed goes on in more
//! embeds of the same message.

use serenity::all::{
    ButtonStyle, CreateActionRow, CreateButton, CreateEmbed, CreateEmbedFooter,
    CreateInteractionResponseFollowup, CreateInteractionResponseMessage, CreateMessage,
    EditInteractionResponse, EditMessage,
};

use crate::markdown::truncate;
use crate::markdown::{self, Markdown};
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
const EMBEDS: usize = 10;
/// The last embed of an answer longer than one message holds.
const LEFT_OUT: &str = "… the rest of this answer is longer than one Discord message holds";
/// Embed colour of the bot's cards.
const COLOUR: u32 = 0x3B82F6;

/// A reply's parts, before they go into one of serenity's builders.
#[derive(Debug, Clone)]
pub struct Message {
    pub content: Option<String>,
    pub embed: Option<CreateEmbed>,
    /// More of an answer too long for `embed`'s description.
    pub more: Vec<CreateEmbed>,
    pub rows: Vec<CreateActionRow>,
    pub ephemeral: bool,
}

pub fn message(reply: &Reply) -> Message {
    let embed = embed(reply);
    let content = match embed {
        Some(_) => None,
        None => Some(markdown::fit(&reply.text, CONTENT, &Markdown)),
    };
    Message {
        content,
        embed,
        more: more(reply),
        rows: buttons(reply),
        ephemeral: reply.ephemeral,
    }
}

/// An answer card, quiz question, reveal, ranking or practice card as an
/// embed; short notes and errors stay plain text.
fn embed(reply: &Reply) -> Option<CreateEmbed> {
    let base = || CreateEmbed::new().colour(COLOUR);
    match reply.data.as_ref()? {
        Data::Answer { card, .. } => {
            let parts = answer_parts(reply)?;
            let mut pieces = answer_pieces(reply, parts.room()).into_iter();
            let mut embed = base()
                .title(parts.title)
                .description(pieces.next().unwrap_or_default())
                .field("Topic", &card.topic, true)
                .field("Id", &card.id, true);
            if let Some(source) = parts.source {
                embed = embed.field("Source", source, true);
            }
            if let Some(related) = parts.related {
                embed = embed.field("Related", related, false);
            }
            Some(embed.footer(CreateEmbedFooter::new(parts.footer)))
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
                    .description(markdown::fit(
                        &format!("{question}\n\n{}", options.join("\n")),
                        EMBED_DESCRIPTION,
                        &Markdown,
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
        | Data::Schedules { .. }
        | Data::PracticeCard { .. }
        | Data::PracticeAnswer { .. }
        | Data::PracticeDone { .. }
        | Data::PracticeReminder { .. } => {
            Some(base().description(markdown::fit(&reply.text, EMBED_DESCRIPTION, &Markdown)))
        }
        _ => None,
    }
}

/// An answer card's parts besides its answer, each within its limit.
struct AnswerParts {
    title: String,
    source: Option<String>,
    related: Option<String>,
    footer: String,
    /// Their characters, field names included.
    used: usize,
}

impl AnswerParts {
    /// What they leave of the embed for the answer.
    fn room(&self) -> usize {
        // Less the note that an answer too long for one message leaves the rest out.
        EMBED_TOTAL
            .saturating_sub(self.used + LEFT_OUT.chars().count())
            .min(EMBED_DESCRIPTION)
    }
}

/// An answer's parts (all of one message's embeds count towards Discord's
/// 6,000 characters).
fn answer_parts(reply: &Reply) -> Option<AnswerParts> {
    let Some(Data::Answer {
        card,
        related,
        rank,
        words_only,
        ..
    }) = &reply.data
    else {
        return None;
    };
    let title = truncate(&card.question, EMBED_TITLE);
    let source = card.source.as_deref().map(|s| truncate(s, FIELD_VALUE));
    let list: Vec<String> = related
        .iter()
        .map(|r| format!("- {} ({})", r.question, r.id))
        .collect();
    let related = (!list.is_empty()).then(|| truncate(&list.join("\n"), FIELD_VALUE));
    let footer = match words_only {
        Some(note) => format!("match {rank} · {note}"),
        None => format!("match {rank}"),
    };
    let used = [&title, &card.topic, &card.id, &footer]
        .iter()
        .map(|t| t.chars().count())
        .sum::<usize>()
        + source.as_deref().map_or(0, |s| s.chars().count())
        + related.as_deref().map_or(0, |s| s.chars().count())
        + "TopicIdSourceRelated".len();
    Some(AnswerParts {
        title,
        source,
        related,
        footer,
        used,
    })
}

/// An answer as shown (with its "/show" line when cut), in descriptions of at
/// most `room` characters, code blocks closed and reopened across them.
fn answer_pieces(reply: &Reply, room: usize) -> Vec<String> {
    let Some(Data::Answer {
        answer, continued, ..
    }) = &reply.data
    else {
        return Vec::new();
    };
    let shown = match continued {
        Some(line) => format!("{answer}\n\n{line}"),
        None => answer.clone(),
    };
    markdown::chunks(&shown, room, &Markdown)
}

/// The rest of an answer longer than its card's description, as embeds of
/// the same message while Discord's 6,000 characters per message last.
fn more(reply: &Reply) -> Vec<CreateEmbed> {
    let Some(parts) = answer_parts(reply) else {
        return Vec::new();
    };
    let pieces = answer_pieces(reply, parts.room());
    let mut used = parts.used + pieces.first().map_or(0, |p| p.chars().count());
    let mut embeds = Vec::new();
    let rest = pieces.get(1..).unwrap_or_default();
    for (i, piece) in rest.iter().enumerate() {
        // Room for the note that the rest is left out, unless this is the last piece.
        let (note, slot) = match i + 1 == rest.len() {
            true => (0, 0),
            false => (LEFT_OUT.chars().count(), 1),
        };
        let len = piece.chars().count();
        if used + len + note > EMBED_TOTAL || 2 + embeds.len() + slot > EMBEDS {
            tracing::warn!(title = %parts.title, "an answer is longer than one Discord message holds");
            embeds.push(CreateEmbed::new().colour(COLOUR).description(LEFT_OUT));
            break;
        }
        used += len;
        embeds.push(CreateEmbed::new().colour(COLOUR).description(piece));
    }
    embeds
}

/// The reply's buttons (see [`Reply::buttons`]) in action rows.
fn buttons(reply: &Reply) -> Vec<CreateActionRow> {
    let all: Vec<CreateButton> = reply
        .buttons()
        .iter()
        .map(|b| {
            CreateButton::new(truncate(&b.id, CUSTOM_ID))
                .label(truncate(&b.label, BUTTON_LABEL))
                .style(if b.primary {
                    ButtonStyle::Primary
                } else {
                    ButtonStyle::Secondary
                })
        })
        .collect();
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
        if !parts.more.is_empty() {
            builder = builder.add_embeds(parts.more);
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::reply::Card;

    fn answer(text: &str) -> Reply {
        Reply::public(text).with_data(Data::Answer {
            query: "q".into(),
            rank: 1,
            card: Card {
                id: "docker-004".into(),
                topic: "docker".into(),
                question: "A long one?".into(),
                difficulty: "hard".into(),
                source: None,
            },
            answer: text.into(),
            continued: None,
            score: 1.0,
            related: Vec::new(),
            words_only: None,
        })
    }

    /// Every embed's description, and the characters of all the embeds.
    fn descriptions(message: &Message) -> (Vec<String>, usize) {
        let embeds: Vec<serde_json::Value> = message
            .embed
            .iter()
            .chain(&message.more)
            .map(|e| serde_json::to_value(e).unwrap())
            .collect();
        let text = |v: &serde_json::Value| v.as_str().map_or(0, |s| s.chars().count());
        let total = embeds
            .iter()
            .map(|e| {
                text(&e["title"])
                    + text(&e["description"])
                    + text(&e["footer"]["text"])
                    + e["fields"].as_array().map_or(0, |f| {
                        f.iter().map(|f| text(&f["name"]) + text(&f["value"])).sum()
                    })
            })
            .sum();
        let texts = embeds
            .iter()
            .map(|e| e["description"].as_str().unwrap().to_string())
            .collect();
        (texts, total)
    }

    #[test]
    fn an_answer_longer_than_a_message_holds_ends_with_a_note() {
        let code: Vec<String> = (0..700).map(|i| format!("echo {i}")).collect();
        let text = format!("Why.\n\n```bash\n{}\n```", code.join("\n"));
        let (texts, total) = descriptions(&message(&answer(&text)));
        assert!(total <= EMBED_TOTAL, "{total}");
        assert!(texts.len() >= 2 && texts.len() <= EMBEDS);
        assert_eq!(texts.last().unwrap(), LEFT_OUT);
        for t in &texts[..texts.len() - 1] {
            assert!(t.chars().count() <= EMBED_DESCRIPTION);
            assert_eq!(t.matches("```").count() % 2, 0, "{t}");
        }
    }

    #[test]
    fn an_answer_that_fits_has_one_embed_and_no_note() {
        let text = "Why.\n\n```bash\nls\n```";
        let (texts, _) = descriptions(&message(&answer(text)));
        assert_eq!(texts, [text]);
    }
}
