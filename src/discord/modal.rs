//! The form a 👎 opens on Discord: one optional short text, "What was wrong?".
//! The vote is recorded on the press; the reason arrives with the form's
//! submission (a modal submit interaction) and is kept with that vote.

use serenity::all::{
    ActionRowComponent, CreateActionRow, CreateInputText, CreateModal, InputTextStyle,
    ModalInteractionData,
};

use crate::commands::feedback::{MAX_REASON, parse_reason_form_id, reason_form_id};
use crate::commands::{Command, ParseError};

/// The text input's id in the form.
const REASON_INPUT: &str = "reason";

/// The reason form for a 👎 on `entry`.
pub fn reason_form(entry: &str) -> CreateModal {
    let input = CreateInputText::new(InputTextStyle::Short, "What was wrong?", REASON_INPUT)
        .placeholder("optional: for example, it answers another question")
        .required(false)
        .max_length(MAX_REASON as u16);
    CreateModal::new(reason_form_id(entry), "Thanks for the 👎")
        .components(vec![CreateActionRow::InputText(input)])
}

/// The command a submitted form stands for.
pub fn command(data: &ModalInteractionData) -> Result<Command, ParseError> {
    let entry = parse_reason_form_id(&data.custom_id)
        .ok_or_else(|| ParseError("this form is not one of mine".to_string()))?;
    let reason = data
        .components
        .iter()
        .flat_map(|row| &row.components)
        .find_map(|component| match component {
            ActionRowComponent::InputText(input) if input.custom_id == REASON_INPUT => {
                input.value.clone()
            }
            _ => None,
        });
    Ok(Command::FeedbackReason { entry, reason })
}
