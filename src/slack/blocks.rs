//! Core replies as Slack Block Kit: answers as sections with their topic, id
//! and source, a "Not it? Next match" button and buttons for related
//! questions; quiz questions with buttons A–D; reveals, standings and
//! leaderboards as formatted sections. Everything within Slack's limits, and
//! the reply's plain text as the notification fallback. Fenced code becomes a
//! Slack code block (```` ``` ```` without the language, which Slack would
//! show as text), and text is split into sections by [`markdown`], never
//! inside a code block: a block too long for one section is closed and
//! reopened.

use slack_morphism::prelude::*;

use crate::markdown::truncate;
use crate::markdown::{self, Style};
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
        .with_text(markdown::fit(&reply.text, FALLBACK_TEXT, &Mrkdwn))
        .with_blocks(blocks(reply, true))
}

/// A posted quiz question, updated: `note` says how many answered, or that it
/// closed (then without buttons).
pub fn question_update(original: &Reply, note: &str, open: bool) -> SlackMessageContent {
    let mut blocks = blocks(original, open);
    blocks.push(context(note));
    SlackMessageContent::new()
        .with_text(markdown::fit(&original.text, FALLBACK_TEXT, &Mrkdwn))
        .with_blocks(blocks)
}

/// The reply's blocks; `buttons` false leaves its buttons out.
pub fn blocks(reply: &Reply, buttons: bool) -> Vec<SlackBlock> {
    let mut blocks: Vec<SlackBlock> = match &reply.data {
        Some(Data::Answer {
            card,
            answer,
            continued,
            rank,
            words_only,
            ..
        }) => {
            let mut blocks = vec![header(&card.question)];
            blocks.extend(sections(answer));
            if let Some(line) = continued {
                blocks.extend(sections(line));
            }
            let mut facts = vec![
                format!("*Topic* {}", card.topic),
                format!("*Id* `{}`", card.id),
            ];
            if let Some(source) = &card.source {
                facts.push(format!("*Source* {source}"));
            }
            facts.push(format!("match {rank}"));
            facts.extend(words_only.iter().map(|note| format!("_{note}_")));
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
        _ => sections(&reply.text),
    };
    if buttons {
        blocks.extend(actions(reply));
    }
    blocks.truncate(BLOCKS);
    blocks
}

/// The reply's buttons (see [`Reply::buttons`]) in actions blocks.
fn actions(reply: &Reply) -> Vec<SlackBlock> {
    let all: Vec<SlackActionBlockElement> = reply
        .buttons()
        .iter()
        .map(|b| button(&b.id, &b.label, b.primary))
        .collect();
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

/// The core's markdown as sections of at most Slack's 3,000 characters, cut
/// between paragraphs and code blocks (see [`markdown::chunks`]).
fn sections(text: &str) -> Vec<SlackBlock> {
    markdown::chunks(text, SECTION_TEXT, &Mrkdwn)
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

/// The core's light markdown in Slack's mrkdwn: `**bold**` is `*bold*`, `- `
/// bullets are `• `, and fenced code is a Slack code block.
pub fn mrkdwn(text: &str) -> String {
    markdown::render(text, &Mrkdwn)
}

/// Slack's mrkdwn as a [`Style`]: code blocks open and close with a bare
/// ```` ``` ````, their `&`, `<` and `>` escaped (Slack would read `<…>` as a
/// link or mention) and runs of backticks broken.
struct Mrkdwn;

impl Style for Mrkdwn {
    fn prose(&self, text: &str) -> String {
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

    fn open(&self, _lang: &str) -> Option<String> {
        Some("```".to_string())
    }

    fn close(&self) -> Option<String> {
        Some("```".to_string())
    }

    fn code_line(&self, line: &str) -> String {
        let escaped = line
            .replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('>', "&gt;");
        markdown::break_backtick_runs(&escaped)
    }
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

    /// The texts of the reply's section blocks.
    fn section_texts(reply: &Reply) -> Vec<String> {
        let json = serde_json::to_value(blocks(reply, false)).unwrap();
        json.as_array()
            .unwrap()
            .iter()
            .filter(|b| b["type"] == "section")
            .map(|b| b["text"]["text"].as_str().unwrap().to_string())
            .collect()
    }

    #[test]
    fn fenced_code_becomes_a_slack_code_block_without_its_language() {
        let text = "**Redirect both:**\n\n```bash\ncmd > out.log 2>&1 **not bold**\n```\n- done";
        assert_eq!(
            mrkdwn(text),
            "*Redirect both:*\n\n```\ncmd &gt; out.log 2&gt;&amp;1 **not bold**\n```\n\n• done"
        );
        assert_eq!(section_texts(&Reply::public(text)), [mrkdwn(text)]);
    }

    #[test]
    fn a_code_block_longer_than_a_section_is_closed_and_reopened() {
        let lines: Vec<String> = (0..400).map(|i| format!("echo line {i}")).collect();
        let text = format!("Intro.\n\n```sh\n{}\n```", lines.join("\n"));
        let sections = section_texts(&Reply::public(text));
        assert!(sections.len() >= 2, "{} sections", sections.len());
        for s in &sections {
            assert!(s.chars().count() <= SECTION_TEXT);
            assert_eq!(s.matches("```").count() % 2, 0, "balanced: {s}");
        }
        let all = sections.join("\n");
        assert!(lines.iter().all(|l| all.contains(&format!("{l}\n"))));
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
