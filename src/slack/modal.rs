//! The forms the bot opens on Slack (`views.open` with a click's or a slash
//! command's trigger id), one function each: the 👎's "What was wrong?"
//! ([`reason_form`]), the suggest form ([`suggest_form`], from `/interview
//! suggest` without its question or answer, or "Suggest an answer" under a
//! refused ask) and the reject form ([`reject_form`], from "Reject…" under a
//! suggestion) and the import form ([`import_form`], from `/interview bank
//! import`: slash commands carry no files, so its text is pasted). A form carries its id (what it is for) in its callback id and
//! the channel it was opened from in its private metadata, where the reply
//! goes; its `view_submission` comes back through [`submitted`], which
//! dispatches on the callback id ([`commands::from_form`]).

use slack_morphism::prelude::*;

use crate::commands::feedback::{MAX_REASON, REASON_INPUT, reason_form_id};
use crate::commands::team::{
    Fields, Form, FormInput, IMPORT_INPUTS, IMPORT_TITLE, REJECT_INPUT, SUGGEST_INPUTS,
};
use crate::commands::{self, Command};

/// The longest a plain-text input may be on Slack.
const MAX_INPUT: usize = 3000;

/// The reason form for a 👎 on `entry`, given in `channel`.
pub fn reason_form(entry: &str, channel: &str) -> SlackView {
    let input = SlackBlockPlainTextInputElement::new()
        .with_action_id(REASON_INPUT.into())
        .with_max_length(MAX_REASON as u64)
        .with_placeholder("for example, it answers another question".into());
    let block = SlackInputBlock::new(
        "What was wrong?".into(),
        SlackInputBlockElement::PlainTextInput(input),
    )
    .with_block_id(REASON_INPUT.into())
    .with_optional(true);
    modal(
        "Thanks for the 👎",
        "Send",
        "Skip",
        reason_form_id(entry),
        channel,
        vec![block.into()],
    )
}

/// The suggest form, opened in `channel`, its inputs filled with what
/// `fields` already has. Titles are at most 24 characters on Slack.
pub fn suggest_form(fields: &Fields, channel: &str) -> SlackView {
    let blocks = SUGGEST_INPUTS
        .iter()
        .map(|spec| input(spec, fields.initial(spec.id)))
        .collect();
    modal(
        "Suggest a question",
        "Suggest",
        "Cancel",
        Form::Suggest(Fields::default()).id(),
        channel,
        blocks,
    )
}

/// The reject form of suggestion `number`, opened in `channel`.
pub fn reject_form(number: i64, channel: &str) -> SlackView {
    modal(
        &format!("Reject #{number}"),
        "Reject",
        "Cancel",
        Form::Reject { number }.id(),
        channel,
        vec![input(&REJECT_INPUT, None)],
    )
}

/// The import form, opened in `channel`: a file's text pasted (Slack
/// inputs hold 3,000 characters), its format and a topic.
pub fn import_form(channel: &str) -> SlackView {
    modal(
        IMPORT_TITLE,
        "Import",
        "Cancel",
        Form::Import.id(),
        channel,
        IMPORT_INPUTS.iter().map(|spec| input(spec, None)).collect(),
    )
}

/// The view for `form`, opened in `channel`.
pub fn form(form: &Form, channel: &str) -> SlackView {
    match form {
        Form::Suggest(fields) => suggest_form(fields, channel),
        Form::Reject { number } => reject_form(*number, channel),
        Form::Import => import_form(channel),
    }
}

fn modal(
    title: &str,
    submit: &str,
    close: &str,
    id: String,
    channel: &str,
    blocks: Vec<SlackBlock>,
) -> SlackView {
    SlackView::Modal(
        SlackModalView::new(title.into(), blocks)
            .with_submit(submit.into())
            .with_close(close.into())
            .with_callback_id(id.into())
            .with_private_metadata(channel.to_string()),
    )
}

/// An input block as `spec` describes it (its block and action ids both the
/// input's id), starting with `value`.
fn input(spec: &FormInput, value: Option<String>) -> SlackBlock {
    let max = spec.max.min(MAX_INPUT);
    let mut element = SlackBlockPlainTextInputElement::new()
        .with_action_id(spec.id.into())
        .with_max_length(max as u64)
        .with_multiline(spec.long)
        .with_placeholder(spec.placeholder.into());
    if let Some(value) = value {
        element = element.with_initial_value(crate::markdown::truncate(&value, max));
    }
    SlackInputBlock::new(
        spec.label.into(),
        SlackInputBlockElement::PlainTextInput(element),
    )
    .with_block_id(spec.id.into())
    .with_optional(!spec.required)
    .into()
}

/// A submitted form of ours: the channel it was opened from and the command
/// it stands for; `None` for other views.
pub fn submitted(view: &SlackStatefulView) -> Option<(String, Command)> {
    let SlackView::Modal(modal) = &view.view else {
        return None;
    };
    let id = modal.callback_id.as_ref()?;
    let channel = modal.private_metadata.clone().filter(|c| !c.is_empty())?;
    let state = view.state_params.state.as_ref();
    let value = |input: &str| {
        state
            .and_then(|state| state.values.get(&input.into()))
            .and_then(|block| block.get(&input.into()))
            .and_then(|value| value.value.clone())
    };
    let command = commands::from_form(id.as_ref(), value)?;
    Some((channel, command))
}
