//! The forms (modals) the bot opens on Discord, one function each: the 👎's
//! "What was wrong?" ([`reason_form`]), the suggest form ([`suggest_form`],
//! from `/suggest` without its question or answer, or "Suggest an answer"
//! under a refused `/ask`) and the reject form ([`reject_form`], from
//! "Reject…" under a suggestion), and the import form ([`import_form`], from
//! `/bank import` with no file attached). A form's submission (a modal submit
//! interaction) comes back with the form's custom id, and [`command`] turns
//! it into the command it stands for ([`commands::from_form`] dispatches on
//! the id). Which form a button or command opens is the core's
//! ([`Form::of_button`], [`Form::of_command`]).

use serenity::all::{
    ActionRowComponent, CreateActionRow, CreateInputText, CreateModal, InputTextStyle,
    ModalInteractionData,
};

use crate::commands::feedback::{MAX_REASON, REASON_INPUT, reason_form_id};
use crate::commands::team::{
    FormInput, IMPORT_INPUTS, IMPORT_TITLE, REJECT_INPUT, SUGGEST_INPUTS, SUGGEST_TITLE,
};
use crate::commands::{self, Command, ParseError, team::Fields, team::Form};

/// The reason form for a 👎 on `entry`.
pub fn reason_form(entry: &str) -> CreateModal {
    let input = CreateInputText::new(InputTextStyle::Short, "What was wrong?", REASON_INPUT)
        .placeholder("optional: for example, it answers another question")
        .required(false)
        .max_length(MAX_REASON as u16);
    CreateModal::new(reason_form_id(entry), "Thanks for the 👎")
        .components(vec![CreateActionRow::InputText(input)])
}

/// The suggest form, its inputs filled with what `fields` already has.
pub fn suggest_form(fields: &Fields) -> CreateModal {
    let rows = SUGGEST_INPUTS
        .iter()
        .map(|spec| CreateActionRow::InputText(input(spec, fields.initial(spec.id))))
        .collect();
    CreateModal::new(Form::Suggest(Fields::default()).id(), SUGGEST_TITLE).components(rows)
}

/// The reject form of suggestion `number`: why, told to the suggester.
pub fn reject_form(number: i64) -> CreateModal {
    CreateModal::new(
        Form::Reject { number }.id(),
        format!("Reject suggestion #{number}"),
    )
    .components(vec![CreateActionRow::InputText(input(&REJECT_INPUT, None))])
}

/// The import form: a file's text pasted, its format and a topic.
pub fn import_form() -> CreateModal {
    let rows = IMPORT_INPUTS
        .iter()
        .map(|spec| CreateActionRow::InputText(input(spec, None)))
        .collect();
    CreateModal::new(Form::Import.id(), IMPORT_TITLE).components(rows)
}

/// The modal for `form`.
pub fn form(form: &Form) -> CreateModal {
    match form {
        Form::Suggest(fields) => suggest_form(fields),
        Form::Reject { number } => reject_form(*number),
        Form::Import => import_form(),
    }
}

/// A text input as `spec` describes it, starting with `value`.
fn input(spec: &FormInput, value: Option<String>) -> CreateInputText {
    let style = match spec.long {
        true => InputTextStyle::Paragraph,
        false => InputTextStyle::Short,
    };
    let mut input = CreateInputText::new(style, spec.label, spec.id)
        .placeholder(spec.placeholder)
        .required(spec.required)
        .max_length(spec.max as u16);
    if let Some(value) = value {
        input = input.value(crate::markdown::truncate(&value, spec.max));
    }
    input
}

/// The command a submitted form stands for.
pub fn command(data: &ModalInteractionData) -> Result<Command, ParseError> {
    let value = |id: &str| {
        data.components
            .iter()
            .flat_map(|row| &row.components)
            .find_map(|component| match component {
                ActionRowComponent::InputText(input) if input.custom_id == id => {
                    input.value.clone()
                }
                _ => None,
            })
    };
    commands::from_form(&data.custom_id, value)
        .ok_or_else(|| ParseError("this form is not one of mine".to_string()))
}
