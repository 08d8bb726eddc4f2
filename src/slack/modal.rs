//! The form a 👎 opens on Slack (`views.open` with the click's trigger id):
//! one optional short text, "What was wrong?". The vote is recorded on the
//! click; the reason arrives with the form's `view_submission` and is kept
//! with that vote. The form carries the entry in its callback id and the
//! channel in its private metadata, where the reply goes.

use slack_morphism::prelude::*;

use crate::commands::feedback::{MAX_REASON, parse_reason_form_id, reason_form_id};

/// The ids of the text input's block and element.
const REASON_BLOCK: &str = "reason";
const REASON_INPUT: &str = "reason";

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
    .with_block_id(REASON_BLOCK.into())
    .with_optional(true);
    SlackView::Modal(
        SlackModalView::new("Thanks for the 👎".into(), vec![block.into()])
            .with_submit("Send".into())
            .with_close("Skip".into())
            .with_callback_id(reason_form_id(entry).into())
            .with_private_metadata(channel.to_string()),
    )
}

/// A submitted reason form: (entry, channel, reason); `None` for other views.
pub fn submitted(view: &SlackStatefulView) -> Option<(String, String, Option<String>)> {
    let SlackView::Modal(modal) = &view.view else {
        return None;
    };
    let entry = parse_reason_form_id(modal.callback_id.as_ref()?.as_ref())?;
    let channel = modal.private_metadata.clone().filter(|c| !c.is_empty())?;
    let reason = view
        .state_params
        .state
        .as_ref()
        .and_then(|state| state.values.get(&REASON_BLOCK.into()))
        .and_then(|block| block.get(&REASON_INPUT.into()))
        .and_then(|value| value.value.clone());
    Some((entry, channel, reason))
}
