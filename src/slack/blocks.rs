//! Core replies as Slack Block Kit: answers as sections with their topic, id
//! and source, a "Not it? Next match" button and buttons for related
//! questions; quiz questions with buttons A–D; reveals, standings and
//! leaderboards as formatted sections. Everything within Slack's limits, and
//! the reply's plain text as the notification fallback.

use slack_morphism::prelude::*;

use crate::commands::ask::SHOW_CHOICE_PREFIX;
use crate::commands::truncate;
use crate::reply::{Data, Reply};

/// Slack's limits.
const SECTION_TEXT: usize = 3000;
const HEADER_TEXT: usize = 150;
const BUTTON_TEXT: usize = 75;
const ACTION_ID: usize = 255;
const ELEMENTS_PER_ACTIONS: usize = 25;
const BLOCKS: usize = 50;
const FALLBACK_TEXT: usize = 4000;

/// A reply as a message: blocks, and text for notifications.
pub fn content(reply: &Reply) -> SlackMessageContent {
    SlackMessageContent::new()
        .with_text(truncate(&mrkdwn(&reply.text), FALLBACK_TEXT))
        .with_blocks(blocks(reply, true))
}

/// A posted quiz question, updated: `note` says how many answered, or that it
/// closed (then without buttons).
pub fn question_update(original: &Reply, note: &str, open: bool) -> SlackMessageContent {
    let mut blocks = blocks(original, open);
    blocks.push(context(note));
    SlackMessageContent::new()
        .with_text(truncate(&mrkdwn(&original.text), FALLBACK_TEXT))
        .with_blocks(blocks)
}

/// The reply's blocks; `buttons` false leaves its buttons out.
pub fn blocks(reply: &Reply, buttons: bool) -> Vec<SlackBlock> {
    let mut blocks: Vec<SlackBlock> = match &reply.data {
        Some(Data::Answer {
            card, answer, rank, ..
        }) => {
            let mut blocks = vec![header(&card.question)];
            blocks.extend(sections(answer));
            let mut facts = vec![
                format!("*Topic* {}", card.topic),
                format!("*Id* `{}`", card.id),
            ];
            if let Some(source) = &card.source {
                facts.push(format!("*Source* {source}"));
            }
            facts.push(format!("match {rank}"));
            blocks.push(context(&facts.join("  ·  ")));
            blocks
        }
        Some(Data::Question {
            position,
            of,
            topic,
            question,
            choices,
            closes_at,
            ..
        }) => {
            let options: Vec<String> = choices
                .iter()
                .map(|c| format!("*{}*  {}", c.id, c.label))
                .collect();
            let mut blocks = vec![header(&format!("Question {position} of {of} · {topic}"))];
            blocks.extend(sections(&format!("{question}\n\n{}", options.join("\n"))));
            blocks.push(context(&format!(
                "first answer counts · closes {closes_at}"
            )));
            blocks
        }
        _ => sections(&mrkdwn(&reply.text)),
    };
    if buttons {
        blocks.extend(actions(reply));
    }
    blocks.truncate(BLOCKS);
    blocks
}

/// The reply's choices as buttons (a quiz question's show its letters), then
/// one button per related question.
fn actions(reply: &Reply) -> Vec<SlackBlock> {
    let letters = match &reply.data {
        Some(Data::Question { choices, .. }) => Some(choices),
        _ => None,
    };
    let mut all: Vec<SlackActionBlockElement> = reply
        .choices
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let label = letters
                .and_then(|l| l.get(i))
                .map_or(c.label.as_str(), |l| l.id.as_str());
            // The quiz report button is not an option: it looks apart.
            let primary = crate::commands::quiz_report::parse_choice(&c.id).is_none();
            button(&c.id, label, primary)
        })
        .collect();
    if let Some(Data::Answer { related, .. }) = &reply.data {
        all.extend(
            related
                .iter()
                .map(|r| button(&format!("{SHOW_CHOICE_PREFIX}{}", r.id), &r.question, false)),
        );
    }
    all.chunks(ELEMENTS_PER_ACTIONS)
        .map(|row| SlackActionsBlock::new(row.to_vec()).into())
        .collect()
}

fn button(action_id: &str, label: &str, primary: bool) -> SlackActionBlockElement {
    let mut button = SlackBlockButtonElement::new(truncate(label, BUTTON_TEXT).into())
        .with_action_id(truncate(action_id, ACTION_ID).into())
        .with_value(truncate(action_id, ACTION_ID));
    if primary {
        button = button.with_style(SlackBlockButtonStyle::Primary);
    }
    SlackActionBlockElement::Button(button)
}

fn header(text: &str) -> SlackBlock {
    SlackHeaderBlock::new(truncate(text, HEADER_TEXT).into()).into()
}

fn context(text: &str) -> SlackBlock {
    SlackContextBlock::new(vec![SlackContextBlockElement::MarkDown(
        SlackBlockMarkDownText::new(truncate(text, SECTION_TEXT)),
    )])
    .into()
}

/// Text as sections of at most Slack's 3,000 characters, cut at paragraph
/// (then line) boundaries.
fn sections(text: &str) -> Vec<SlackBlock> {
    let mut chunks: Vec<String> = Vec::new();
    for paragraph in text.split("\n\n") {
        let joined = match chunks.last() {
            Some(last) => format!("{last}\n\n{paragraph}"),
            None => paragraph.to_string(),
        };
        if chunks.is_empty() || joined.chars().count() > SECTION_TEXT {
            chunks.push(paragraph.to_string());
        } else if let Some(last) = chunks.last_mut() {
            *last = joined;
        }
    }
    chunks
        .into_iter()
        .filter(|c| !c.trim().is_empty())
        .map(|c| {
            SlackSectionBlock::new()
                .with_text(SlackBlockText::MarkDown(SlackBlockMarkDownText::new(
                    truncate(&c, SECTION_TEXT),
                )))
                .into()
        })
        .collect()
}

/// The core's light markdown in Slack's mrkdwn: `**bold**` is `*bold*`, and
/// `- ` bullets are `• `.
pub fn mrkdwn(text: &str) -> String {
    text.lines()
        .map(|line| {
            let line = line.replace("**", "*");
            match line.strip_prefix("- ") {
                Some(rest) => format!("• {rest}"),
                None => line,
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::reply::Choice;

    #[test]
    fn bold_and_bullets_become_mrkdwn() {
        assert_eq!(
            mrkdwn("**Leaderboard**\n- <@U1> 3\n- <@U2> 1"),
            "*Leaderboard*\n• <@U1> 3\n• <@U2> 1"
        );
    }

    #[test]
    fn long_text_is_split_into_sections_within_the_limit() {
        let paragraph = "word ".repeat(500);
        let text = [paragraph.as_str(); 4].join("\n\n");
        let blocks = sections(&text);
        assert!(blocks.len() >= 2, "{} sections", blocks.len());
        for block in blocks {
            let json = serde_json::to_value(&block).unwrap();
            let text = json["text"]["text"].as_str().unwrap();
            assert!(text.chars().count() <= SECTION_TEXT);
        }
    }

    #[test]
    fn choices_become_buttons_with_their_ids() {
        let mut reply = Reply::public("pick");
        reply.choices = vec![Choice::new("ask:next", "Not it? Next match")];
        let json = serde_json::to_value(blocks(&reply, true)).unwrap();
        let actions = json
            .as_array()
            .unwrap()
            .iter()
            .find(|b| b["type"] == "actions")
            .expect("an actions block");
        assert_eq!(actions["elements"][0]["action_id"], "ask:next");
        assert_eq!(actions["elements"][0]["text"]["text"], "Not it? Next match");
        let without = serde_json::to_value(blocks(&reply, false)).unwrap();
        assert!(
            without
                .as_array()
                .unwrap()
                .iter()
                .all(|b| b["type"] != "actions")
        );
    }
}
