//! A server's own bank, grown in chat: `/suggest` (anyone), `/review next|approve|reject`
//! and `/bank edit|retire` (moderators). The rules live in [`crate::team`];
//! this file decodes the commands and words the outcomes.

use std::sync::Arc;

use super::Command;
use super::spec::{
    Access, CommandSpec, Kind, OptionSpec, Privacy, Surface, at_most, option, required,
};
use crate::bot::{Bot, Context};
use crate::clock::millis;
use crate::outbox::PostKind;
use crate::reply::{ButtonId, Reply};
use crate::store::{Draft, SuggestionRow};
use crate::team::import::{ImportReport, MAX_IMPORT_BYTES, Upload};
use crate::team::{
    MAX_ANSWER_CHARS, MAX_QUESTION_CHARS, MAX_SOURCE_CHARS, MAX_TOPIC_CHARS, Team, TeamError,
};

/// One operation on the server's team bank.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Request {
    /// A member's suggestion (fields as typed or from the form).
    Suggest(Fields),
    /// The oldest pending suggestion, with Approve and Reject.
    Next,
    /// Approves suggestion `number`, with the fields a moderator changed.
    Approve { number: i64, changes: Fields },
    /// Rejects suggestion `number`, saying why.
    Reject { number: i64, reason: String },
    /// Replaces fields of entry `id`.
    Edit { id: String, changes: Fields },
    /// Takes entry `id` out of search.
    Retire { id: String },
    /// Files a file's records as suggestions: `upload` when its text is at
    /// hand (pasted in the form, or an attachment the adapter fetched),
    /// else `file` as given (a path in the shell, an attachment's address).
    Import {
        file: Option<String>,
        upload: Option<Upload>,
        format: Option<String>,
        topic: Option<String>,
    },
}

/// The fields of an entry as typed; `None` where nothing was given.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Fields {
    pub question: Option<String>,
    pub answer: Option<String>,
    pub topic: Option<String>,
    pub source: Option<String>,
    /// Aliases separated by `|` or put one per line (the forms).
    pub aliases: Option<String>,
}

impl Fields {
    fn of(inv: &super::spec::Invocation) -> Fields {
        Fields {
            question: inv.string("question"),
            answer: inv.string("answer"),
            topic: inv.string("topic"),
            source: inv.string("source"),
            aliases: inv.string("aliases"),
        }
    }

    fn is_empty(&self) -> bool {
        *self == Fields::default()
    }

    /// `base` with these fields over it.
    fn over(&self, base: &Draft) -> Draft {
        Draft {
            question: self
                .question
                .clone()
                .unwrap_or_else(|| base.question.clone()),
            answer: self.answer.clone().unwrap_or_else(|| base.answer.clone()),
            topic: self.topic.clone().unwrap_or_else(|| base.topic.clone()),
            source: self.source.clone().or_else(|| base.source.clone()),
            aliases: match &self.aliases {
                Some(aliases) => split_aliases(aliases),
                None => base.aliases.clone(),
            },
        }
    }
}

fn split_aliases(text: &str) -> Vec<String> {
    text.split(['|', '\n'])
        .map(str::trim)
        .filter(|a| !a.is_empty())
        .map(str::to_string)
        .collect()
}

const QUESTION: OptionSpec = at_most(
    option("question", Kind::Text, "the question, as people ask it"),
    MAX_QUESTION_CHARS as u16,
);
const ANSWER: OptionSpec = at_most(
    option(
        "answer",
        Kind::Text,
        "the answer: what it is first, then why",
    ),
    MAX_ANSWER_CHARS as u16,
);
const TOPIC: OptionSpec = at_most(
    option("topic", Kind::Text, "one word, like docker or on-call"),
    30,
);
const SOURCE: OptionSpec = at_most(
    option("source", Kind::Text, "where the answer comes from (a link)"),
    MAX_SOURCE_CHARS as u16,
);
const ALIASES: OptionSpec = at_most(
    option(
        "aliases",
        Kind::Text,
        "other ways to ask it, separated by |",
    ),
    1000,
);
/// A text input of a form (a Discord modal, a Slack view): the same on both.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FormInput {
    /// The input's id (on Slack, its block's too): what the submission names.
    pub id: &'static str,
    /// At most 45 characters (Discord's limit).
    pub label: &'static str,
    /// At most 100 characters (Discord's limit).
    pub placeholder: &'static str,
    /// Several lines (Discord's paragraph style, Slack's multiline).
    pub long: bool,
    pub required: bool,
    /// The most characters it takes.
    pub max: usize,
}

/// The suggest form's title where a platform allows 45 characters (Discord).
pub const SUGGEST_TITLE: &str = "Suggest a question for this server's bank";

/// The suggest form's inputs, in order: the fields of a suggestion.
pub const SUGGEST_INPUTS: [FormInput; 5] = [
    FormInput {
        id: "question",
        label: "Question",
        placeholder: "as people ask it, e.g. How do we roll back a deploy?",
        long: false,
        required: true,
        max: MAX_QUESTION_CHARS,
    },
    FormInput {
        id: "answer",
        label: "Answer",
        placeholder: "what it is first, then why",
        long: true,
        required: true,
        max: MAX_ANSWER_CHARS,
    },
    FormInput {
        id: "topic",
        label: "Topic",
        placeholder: "one word, like docker or on-call",
        long: false,
        required: true,
        max: MAX_TOPIC_CHARS,
    },
    FormInput {
        id: "source",
        label: "Source",
        placeholder: "optional: where the answer comes from (a link)",
        long: false,
        required: false,
        max: MAX_SOURCE_CHARS,
    },
    FormInput {
        id: "aliases",
        label: "Other ways to ask it",
        placeholder: "optional: one per line",
        long: true,
        required: false,
        max: 1000,
    },
];

/// The reject form's one input: why, told to the suggester.
pub const REJECT_INPUT: FormInput = FormInput {
    id: "reason",
    label: "Why? (the suggester is told)",
    placeholder: "e.g. the bank already answers this: api-014",
    long: false,
    required: true,
    max: MAX_REJECT_REASON,
};

/// The import form's title (Discord allows 45 characters, Slack 24).
pub const IMPORT_TITLE: &str = "Import questions";

/// The import form's inputs: the file's text pasted, its format, a topic.
pub const IMPORT_INPUTS: [FormInput; 3] = [
    FormInput {
        id: "text",
        label: "The file's text",
        placeholder: "Q: … A: … pairs, CSV with question,answer columns, or a Red trivia list",
        long: true,
        required: true,
        max: 4000,
    },
    FormInput {
        id: "format",
        label: "Format: text, csv or red-trivia",
        placeholder: "optional: text when not given",
        long: false,
        required: false,
        max: 20,
    },
    FormInput {
        id: "topic",
        label: "Topic of records that name none",
        placeholder: "optional: general when not given",
        long: false,
        required: false,
        max: MAX_TOPIC_CHARS,
    },
];

/// The name an import's pasted text goes by in what it reports.
pub const PASTED: &str = "pasted";

/// The longest reason a rejection gives.
pub const MAX_REJECT_REASON: usize = 300;

/// A form a platform opens instead of answering: the suggest form (with what
/// is known of the suggestion filled in) or the reject form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Form {
    Suggest(Fields),
    Reject {
        number: i64,
    },
    /// `/bank import` with no file: its text pasted.
    Import,
}

impl Form {
    /// The form a command opens where forms exist: `/suggest` without its
    /// question or its answer (what was given fills the form).
    pub fn of_command(command: &Command) -> Option<Form> {
        match command {
            Command::Team(Request::Suggest(fields))
                if fields.question.is_none() || fields.answer.is_none() =>
            {
                Some(Form::Suggest(fields.clone()))
            }
            Command::Team(Request::Import {
                file: None,
                upload: None,
                ..
            }) => Some(Form::Import),
            _ => None,
        }
    }

    /// The form a button opens instead of running a command: "Suggest an
    /// answer" (the refused query as the question) and "Reject…".
    pub fn of_button(id: &str) -> Option<Form> {
        match ButtonId::parse(id)? {
            ButtonId::Suggest { query } => Some(Form::Suggest(Fields {
                question: Some(query),
                ..Fields::default()
            })),
            ButtonId::ReviewReject { number } => Some(Form::Reject { number }),
            _ => None,
        }
    }

    /// The form's id, which its submission carries back.
    pub fn id(&self) -> String {
        match self {
            Form::Suggest(_) => ButtonId::SuggestForm.id(),
            Form::Reject { number } => ButtonId::ReviewReject { number: *number }.id(),
            Form::Import => ButtonId::ImportForm.id(),
        }
    }

    /// The command a submitted form `id` stands for, `value` giving each
    /// input's text by its id; `None` for other forms.
    pub fn submitted(id: &str, value: impl Fn(&str) -> Option<String>) -> Option<Command> {
        let text = |input: &str| value(input).filter(|v| !v.trim().is_empty());
        match ButtonId::parse(id)? {
            ButtonId::SuggestForm => Some(Command::Team(Request::Suggest(Fields {
                question: text("question"),
                answer: text("answer"),
                topic: text("topic"),
                source: text("source"),
                aliases: text("aliases"),
            }))),
            ButtonId::ReviewReject { number } => Some(Command::Team(Request::Reject {
                number,
                reason: text(REJECT_INPUT.id).unwrap_or_default(),
            })),
            ButtonId::ImportForm => Some(Command::Team(Request::Import {
                file: None,
                upload: Some(Upload {
                    name: PASTED.to_string(),
                    text: value("text").unwrap_or_default(),
                }),
                format: text("format"),
                topic: text("topic"),
            })),
            _ => None,
        }
    }
}

impl Fields {
    /// What the suggest form's input `id` starts with (aliases one per line).
    pub fn initial(&self, id: &str) -> Option<String> {
        let value = match id {
            "question" => &self.question,
            "answer" => &self.answer,
            "topic" => &self.topic,
            "source" => &self.source,
            "aliases" => {
                return self
                    .aliases
                    .as_deref()
                    .map(|a| split_aliases(a).join("\n"))
                    .filter(|a| !a.is_empty());
            }
            _ => return None,
        };
        value.clone().filter(|v| !v.is_empty())
    }
}

const NUMBER: OptionSpec = required(option(
    "number",
    Kind::Integer {
        min: 1,
        // Discord takes integer options up to 2^53 - 1 (its Int53Type).
        max: (1 << 53) - 1,
    },
    "the suggestion's number, from /review",
));

/// `/suggest`: its entry in the command table.
pub static SUGGEST: CommandSpec = CommandSpec {
    path: &["suggest"],
    aliases: &[],
    summary: "Suggest a question and answer for this server's own bank",
    details: "moderators review it with /review; on Discord and Slack /suggest opens a form",
    example: "/suggest question:How do we roll back a deploy? answer:Run the rollback job in CI. It redeploys the last green build. topic:ops",
    options: &[QUESTION, ANSWER, TOPIC, SOURCE, ALIASES],
    access: Access::Anyone,
    privacy: Privacy::Personal,
    surface: Surface::Everywhere,
    decode: |inv| Ok(Command::Team(Request::Suggest(Fields::of(inv)))),
};

/// `/review next`: its entry in the command table.
pub static REVIEW_NEXT: CommandSpec = CommandSpec {
    path: &["review", "next"],
    aliases: &[],
    summary: "The oldest suggestion waiting for review (moderators)",
    details: "with Approve and Reject",
    example: "/review",
    options: &[],
    access: Access::Moderator,
    privacy: Privacy::Personal,
    surface: Surface::Everywhere,
    decode: |_| Ok(Command::Team(Request::Next)),
};

/// `/review approve`: its entry in the command table.
pub static REVIEW_APPROVE: CommandSpec = CommandSpec {
    path: &["review", "approve"],
    aliases: &[],
    summary: "Approve a suggestion into this server's bank, edited if you like (moderators)",
    details: "fields given replace the suggested ones",
    example: "/review approve 3 topic:ops",
    options: &[NUMBER, QUESTION, ANSWER, TOPIC, SOURCE, ALIASES],
    access: Access::Moderator,
    privacy: Privacy::Personal,
    surface: Surface::Everywhere,
    decode: |inv| {
        Ok(Command::Team(Request::Approve {
            number: inv.integer("number").unwrap_or_default(),
            changes: Fields::of(inv),
        }))
    },
};

/// `/review reject`: its entry in the command table.
pub static REVIEW_REJECT: CommandSpec = CommandSpec {
    path: &["review", "reject"],
    aliases: &[],
    summary: "Reject a suggestion, saying why (moderators)",
    details: "the suggester is told the reason",
    example: "/review reject 3 the bank already answers this: api-014",
    options: &[
        NUMBER,
        at_most(
            required(option("reason", Kind::Text, "why, for the suggester")),
            MAX_REJECT_REASON as u16,
        ),
    ],
    access: Access::Moderator,
    privacy: Privacy::Personal,
    surface: Surface::Everywhere,
    decode: |inv| {
        Ok(Command::Team(Request::Reject {
            number: inv.integer("number").unwrap_or_default(),
            reason: inv.string("reason").unwrap_or_default(),
        }))
    },
};

const ENTRY_ID: OptionSpec = at_most(
    required(option("id", Kind::Id, "the entry's id, like 8138-004")),
    60,
);

/// `/bank edit`: its entry in the command table.
pub static BANK_EDIT: CommandSpec = CommandSpec {
    path: &["bank", "edit"],
    aliases: &[],
    summary: "Change an entry of this server's bank (moderators)",
    details: "fields given replace the entry's; searchable as edited at once",
    example: "/bank edit team-shell-001 answer:Run the rollback job. It redeploys the last green build.",
    options: &[ENTRY_ID, QUESTION, ANSWER, TOPIC, SOURCE, ALIASES],
    access: Access::Moderator,
    privacy: Privacy::Personal,
    surface: Surface::Everywhere,
    decode: |inv| {
        Ok(Command::Team(Request::Edit {
            id: inv.string("id").unwrap_or_default(),
            changes: Fields::of(inv),
        }))
    },
};

/// `/bank retire`: its entry in the command table.
pub static BANK_RETIRE: CommandSpec = CommandSpec {
    path: &["bank", "retire"],
    aliases: &[],
    summary: "Take an entry of this server's bank out of search (moderators)",
    details: "past answers keep naming it",
    example: "/bank retire team-shell-001",
    options: &[ENTRY_ID],
    access: Access::Moderator,
    privacy: Privacy::Personal,
    surface: Surface::Everywhere,
    decode: |inv| {
        Ok(Command::Team(Request::Retire {
            id: inv.string("id").unwrap_or_default(),
        }))
    },
};

/// `/bank import`: its entry in the command table.
pub static BANK_IMPORT: CommandSpec = CommandSpec {
    path: &["bank", "import"],
    aliases: &[],
    summary: "File a file's questions as suggestions for this server's bank (moderators)",
    details: "text, CSV or a Red trivia list, each record checked like /suggest, then reviewed with /review; attach it on Discord, paste it in the form on Slack, give its path in the shell",
    example: "/bank import file:team-questions.csv topic:ops",
    options: &[
        option(
            "file",
            Kind::File,
            "the file: text, CSV or a Red trivia list",
        ),
        at_most(
            option(
                "format",
                Kind::Text,
                "text, csv or red-trivia (else its name says)",
            ),
            20,
        ),
        at_most(
            option("topic", Kind::Text, "topic of records that name none"),
            MAX_TOPIC_CHARS as u16,
        ),
    ],
    access: Access::Moderator,
    privacy: Privacy::Personal,
    surface: Surface::Everywhere,
    decode: |inv| {
        Ok(Command::Team(Request::Import {
            file: inv.string("file"),
            upload: None,
            format: inv.string("format"),
            topic: inv.string("topic"),
        }))
    },
};

impl Request {
    /// The command table's entry for this request.
    pub fn spec(&self) -> &'static CommandSpec {
        match self {
            Request::Suggest(_) => &SUGGEST,
            Request::Next => &REVIEW_NEXT,
            Request::Approve { .. } => &REVIEW_APPROVE,
            Request::Reject { .. } => &REVIEW_REJECT,
            Request::Edit { .. } => &BANK_EDIT,
            Request::Retire { .. } => &BANK_RETIRE,
            Request::Import { .. } => &BANK_IMPORT,
        }
    }

    /// The request a review button sends; `None` for other buttons.
    pub fn from_button(button: ButtonId) -> Option<Request> {
        match button {
            ButtonId::ReviewApprove { number } => Some(Request::Approve {
                number,
                changes: Fields::default(),
            }),
            _ => None,
        }
    }
}

/// Runs one team-bank request in `ctx`'s server.
pub async fn handle(bot: &Arc<Bot>, ctx: &Context, request: Request) -> Reply {
    let library = bot.library();
    let team = Team {
        store: bot.store(),
        library: &library,
        banks: bot.team_banks(),
        limits: bot.team_limits(),
    };
    let server = ctx.guild.as_str();
    let now = millis(bot.now());
    match request {
        Request::Suggest(fields) => {
            let draft = fields.over(&Draft {
                question: String::new(),
                answer: String::new(),
                topic: String::new(),
                source: None,
                aliases: Vec::new(),
            });
            match team.suggest(server, &ctx.user, &draft, now).await {
                Ok(number) => Reply::private(format!(
                    "Thanks: suggestion #{number} (“{}”) waits for a moderator's review. You will be told the outcome.",
                    super::truncate(&draft.question, 120)
                )),
                Err(e) => failed("your suggestion was not filed", e),
            }
        }
        Request::Next => next(bot, server).await,
        Request::Approve { number, changes } => {
            let edited = match changes.is_empty() {
                true => None,
                false => match bot.store().suggestion(server, number).await {
                    Ok(Some(suggestion)) => Some(changes.over(&suggestion.draft)),
                    Ok(None) => return failed("nothing approved", TeamError::NoSuggestion(number)),
                    Err(e) => return failed("nothing approved", e.into()),
                },
            };
            match team
                .approve(server, number, &ctx.user, edited.as_ref(), now)
                .await
            {
                Ok(entry) => {
                    let id = entry.id.clone();
                    if let Some(suggester) = &entry.suggester {
                        let post = PostKind::SuggestionReviewed {
                            server: server.to_string(),
                            number,
                            question: entry.draft.question.clone(),
                            entry: Some(id.clone()),
                            reason: None,
                        };
                        tell(bot, ctx, suggester, post).await;
                    }
                    Reply::private(format!(
                        "Approved: suggestion #{number} is `{id}`, searchable here now (/show {id}). Edit it with /bank edit {id}, retire it with /bank retire {id}."
                    ))
                }
                Err(e) => failed("nothing approved", e),
            }
        }
        Request::Reject { number, reason } => {
            match team.reject(server, number, &ctx.user, &reason, now).await {
                Ok(rejected) => {
                    tell(
                        bot,
                        ctx,
                        &rejected.suggestion.suggester,
                        PostKind::SuggestionReviewed {
                            server: server.to_string(),
                            number,
                            question: rejected.suggestion.draft.question,
                            entry: None,
                            reason: Some(rejected.reason),
                        },
                    )
                    .await;
                    Reply::private(format!(
                        "Rejected suggestion #{number}; its suggester is told why."
                    ))
                }
                Err(e) => failed("nothing rejected", e),
            }
        }
        Request::Edit { id, changes } => {
            if changes.is_empty() {
                return Reply::error(
                    "say what to change: question:, answer:, topic:, source: or aliases:",
                );
            }
            let entry = match bot.store().team_entry(server, &id).await {
                Ok(Some(entry)) => entry,
                Ok(None) => return failed("nothing changed", TeamError::NoEntry(id)),
                Err(e) => return failed("nothing changed", e.into()),
            };
            let draft = changes.over(&entry.draft);
            match team.edit(server, &id, &draft, &ctx.user, now).await {
                Ok(()) => Reply::private(format!("Edited `{id}`: searchable as edited now.")),
                Err(e) => failed("nothing changed", e),
            }
        }
        Request::Import {
            file,
            upload,
            format,
            topic,
        } => {
            let format = match format.map(|f| f.parse::<crate::bank::import::Format>()) {
                Some(Err(e)) => return Reply::error(e),
                Some(Ok(format)) => Some(format),
                None => None,
            };
            let upload = match (upload, file) {
                (Some(upload), _) => upload,
                (None, Some(path)) if ctx.platform == crate::platform::Platform::Shell => {
                    match read_local(&path) {
                        Ok(upload) => upload,
                        Err(e) => return Reply::error(e),
                    }
                }
                (None, _) if ctx.platform == crate::platform::Platform::Shell => {
                    return Reply::error(
                        "give the file's path: /bank import file:PATH (text, CSV or a Red trivia list)",
                    );
                }
                (None, _) => {
                    return Reply::error(
                        "attach the file to /bank import (text, CSV or a Red trivia list), or run /bank import alone and paste it in the form",
                    );
                }
            };
            let topic = topic.as_deref();
            match team
                .import(server, &ctx.user, &upload, format, topic, now)
                .await
            {
                Ok(report) => imported(&report),
                Err(e) => failed("nothing imported", e),
            }
        }
        Request::Retire { id } => match team.retire(server, &id, &ctx.user, now).await {
            Ok(()) => Reply::private(format!(
                "Retired `{id}`: it no longer shows in search here; past answers keep its history."
            )),
            Err(e) => failed("nothing retired", e),
        },
    }
}

/// A file on the shell's own machine, read for `/bank import` (only the
/// shell reads paths: elsewhere a file is attached).
fn read_local(path: &str) -> Result<Upload, String> {
    let path = std::path::Path::new(path.trim());
    let size = std::fs::metadata(path)
        .map_err(|e| format!("cannot read {}: {e}", path.display()))?
        .len();
    if size > MAX_IMPORT_BYTES as u64 {
        return Err(format!(
            "{} is {} KB, larger than the {} KB an import reads: split it",
            path.display(),
            size / 1024,
            MAX_IMPORT_BYTES / 1024
        ));
    }
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    let name = path
        .file_name()
        .map_or_else(|| PASTED.to_string(), |n| n.to_string_lossy().into_owned());
    Ok(Upload { name, text })
}

/// Records of an import shown at most, refused ones.
const REFUSED_SHOWN: usize = 10;

/// What an import filed and what it could not, as `file:line: what`.
fn imported(report: &ImportReport) -> Reply {
    let mut text = match report.filed.as_slice() {
        [] => "Nothing was filed.".to_string(),
        [one] => format!("Filed suggestion #{one}: /review shows it."),
        [first, .., last] => format!(
            "Filed {} suggestions (#{first} to #{last}): /review shows them one at a time.",
            report.filed.len()
        ),
    };
    if !report.refused.is_empty() {
        text.push_str(&format!(
            "

Not filed ({}):",
            report.refused.len()
        ));
        for line in report.refused.iter().take(REFUSED_SHOWN) {
            text.push_str(&format!(
                "
- {}",
                super::truncate(line, 300)
            ));
        }
        if report.refused.len() > REFUSED_SHOWN {
            text.push_str(&format!(
                "
- and {} more",
                report.refused.len() - REFUSED_SHOWN
            ));
        }
    }
    Reply::private(text)
}

/// The oldest pending suggestion, as a moderator reviews it.
async fn next(bot: &Bot, server: &str) -> Reply {
    let store = bot.store();
    let (pending, waiting) = match async {
        Ok::<_, crate::store::StoreError>((
            store.pending_suggestions(server, 1).await?,
            store.pending_count(server).await?,
        ))
    }
    .await
    {
        Ok(found) => found,
        Err(e) => return failed("cannot show suggestions", e.into()),
    };
    let Some(suggestion) = pending.into_iter().next() else {
        return Reply::private("No suggestions wait for review.");
    };
    review_card(&suggestion, waiting)
}

/// A suggestion as a moderator sees it, with Approve (and Reject, a form on
/// the platforms).
fn review_card(s: &SuggestionRow, waiting: i64) -> Reply {
    let d = &s.draft;
    let mut text = format!(
        "**Suggestion #{}** ({waiting} waiting) by {}, topic {}\n\n**{}**\n\n{}",
        s.number, s.suggester, d.topic, d.question, d.answer
    );
    if !d.aliases.is_empty() {
        text.push_str(&format!("\n\nAlso asked as: {}", d.aliases.join(" | ")));
    }
    if let Some(source) = &d.source {
        text.push_str(&format!("\nSource: {source}"));
    }
    text.push_str(&format!(
        "\n\n/review approve {n} (add question:, answer:, topic:… to edit it first) · /review reject {n} <reason>",
        n = s.number
    ));
    Reply::private(text)
        .with_choice(ButtonId::ReviewApprove { number: s.number }.choice("Approve"))
        .with_choice(ButtonId::ReviewReject { number: s.number }.choice("Reject…"))
}

/// Queues a direct message to `user` saying how their suggestion was reviewed.
async fn tell(bot: &Bot, ctx: &Context, user: &str, post: PostKind) {
    let now = millis(bot.now());
    let post = post.to_post(&ctx.guild, &crate::platform::direct_channel(user), now);
    match bot.store().enqueue(&[post], now).await {
        Ok(()) => bot.wake(),
        Err(e) => tracing::warn!("the suggester was not told the review's outcome: {e}"),
    }
}

/// `what` did not happen, and why, as the person can act on it.
fn failed(what: &str, error: TeamError) -> Reply {
    match error {
        TeamError::Store(e) => crate::render::not_done(what, e),
        TeamError::Invalid(problems) => Reply::error(format!(
            "{what}; fix these and try again:\n- {}",
            problems.join("\n- ")
        )),
        other => Reply::error(format!("{what}: {other}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forms_open_from_buttons_and_bare_suggest_and_come_back_as_commands() {
        let bare = Command::Team(Request::Suggest(Fields::default()));
        assert_eq!(
            Form::of_command(&bare),
            Some(Form::Suggest(Fields::default()))
        );
        let whole = Command::Team(Request::Suggest(Fields {
            question: Some("q".into()),
            answer: Some("a".into()),
            ..Fields::default()
        }));
        assert_eq!(Form::of_command(&whole), None, "typed whole: filed as is");
        let button = ButtonId::suggest("how do we roll back?").id();
        let Some(Form::Suggest(fields)) = Form::of_button(&button) else {
            panic!("the suggest button opens the suggest form");
        };
        assert_eq!(
            fields.initial("question").as_deref(),
            Some("how do we roll back?")
        );
        let reject = ButtonId::ReviewReject { number: 7 }.id();
        assert_eq!(Form::of_button(&reject), Some(Form::Reject { number: 7 }));

        let typed = |id: &str| match id {
            "question" => Some("How do we roll back?".to_string()),
            "answer" => Some("Run the rollback job.".to_string()),
            "topic" => Some("ops".to_string()),
            "source" => Some("  ".to_string()),
            "aliases" => Some("undo a deploy\nrevert a release\n".to_string()),
            _ => None,
        };
        let Some(Command::Team(Request::Suggest(fields))) =
            Form::submitted(&Form::Suggest(Fields::default()).id(), typed)
        else {
            panic!("a suggestion");
        };
        assert_eq!(fields.source, None, "blank is not given");
        let draft = fields.over(&Draft {
            question: String::new(),
            answer: String::new(),
            topic: String::new(),
            source: None,
            aliases: Vec::new(),
        });
        assert_eq!(draft.aliases, ["undo a deploy", "revert a release"]);
        assert_eq!(
            Form::submitted(&Form::Reject { number: 7 }.id(), |_| Some(
                "dup".to_string()
            )),
            Some(Command::Team(Request::Reject {
                number: 7,
                reason: "dup".into()
            }))
        );
        assert_eq!(Form::submitted("feedback-reason:x", |_| None), None);
    }
}
