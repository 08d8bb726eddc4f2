//! One interaction, start to finish: slash commands and buttons go to the core
//! and their replies back to Discord; autocomplete suggests questions. The
//! first response leaves within Discord's 3 seconds: work that is not done
//! after [`DEFER_AFTER`] is deferred first and the reply edited in later.
//! Each interaction is handled once, even when it is delivered twice.

use std::collections::{HashMap, HashSet, VecDeque};
use std::future::Future;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serenity::all::{
    AutocompleteOption, ChannelId, CommandInteraction, ComponentInteraction,
    CreateAutocompleteResponse, CreateInteractionResponse, CreateInteractionResponseMessage,
    EditMessage, Http, Interaction, InteractionId, MessageId,
};
use serenity::builder::Builder;
use tokio::sync::oneshot;

use super::render;
use super::retry::retry;
use super::translate;
use crate::bot::{Bot, Context};
use crate::commands::{Command, ParseError};
use crate::reply::{AckStatus, Data, Reply};

/// Work still running after this long is deferred (Discord allows 3 seconds).
pub const DEFER_AFTER: Duration = Duration::from_millis(1500);
/// Autocomplete offers at most this many questions (Discord's limit).
const SUGGESTIONS: usize = 25;
/// Choice names and values are at most 100 characters.
const CHOICE_TEXT: usize = 100;
/// Interaction ids remembered to drop a second delivery.
const REMEMBERED: usize = 10_000;

/// How the first response to an interaction goes out.
pub enum Ack {
    /// Over REST, to the interaction's callback (gateway mode).
    Rest,
    /// As the body of the HTTP response (interactions endpoint mode).
    Body(oneshot::Sender<CreateInteractionResponse>),
}

/// A quiz question message the bot posted, to edit as people answer. Its
/// edits go out one at a time (the async lock), and none after the close.
struct Posted {
    channel: ChannelId,
    message: MessageId,
    reply: Reply,
    answered: usize,
    closed: bool,
}

type PostedSlot = Arc<tokio::sync::Mutex<Posted>>;

pub struct Adapter {
    bot: Arc<Bot>,
    http: Arc<Http>,
    moderator_role: Option<u64>,
    seen: Mutex<Seen>,
    /// By (round, question number).
    posted: Mutex<HashMap<(String, i64), PostedSlot>>,
}

/// Recently handled interaction ids, oldest first.
#[derive(Default)]
struct Seen {
    order: VecDeque<InteractionId>,
    ids: HashSet<InteractionId>,
}

impl Seen {
    /// False when `id` was handled already.
    fn first_time(&mut self, id: InteractionId) -> bool {
        if !self.ids.insert(id) {
            return false;
        }
        self.order.push_back(id);
        if self.order.len() > REMEMBERED {
            if let Some(old) = self.order.pop_front() {
                self.ids.remove(&old);
            }
        }
        true
    }
}

impl Adapter {
    pub fn new(bot: Arc<Bot>, http: Arc<Http>, moderator_role: Option<u64>) -> Adapter {
        Adapter {
            bot,
            http,
            moderator_role,
            seen: Mutex::default(),
            posted: Mutex::default(),
        }
    }

    pub fn bot(&self) -> &Arc<Bot> {
        &self.bot
    }

    pub fn http(&self) -> &Arc<Http> {
        &self.http
    }

    /// Handles `interaction`; false (and nothing done) when it was handled before.
    pub async fn handle(&self, interaction: Interaction, ack: Ack) -> bool {
        let id = match &interaction {
            Interaction::Ping(p) => p.id,
            Interaction::Command(c) | Interaction::Autocomplete(c) => c.id,
            Interaction::Component(c) => c.id,
            Interaction::Modal(m) => m.id,
            _ => return false,
        };
        if !self
            .seen
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .first_time(id)
        {
            tracing::info!("discord: interaction {id} delivered again; ignored");
            return false;
        }
        match interaction {
            Interaction::Ping(_) => self.ack(ack, id, "", CreateInteractionResponse::Pong).await,
            Interaction::Command(command) => self.command(command, ack).await,
            Interaction::Autocomplete(command) => self.autocomplete(command, ack).await,
            Interaction::Component(component) => self.component(component, ack).await,
            _ => {}
        }
        true
    }

    async fn command(&self, command: CommandInteraction, ack: Ack) {
        let ctx = translate::context(
            command.guild_id,
            command.channel_id,
            &command.user,
            command.member.as_deref(),
            self.moderator_role,
        );
        let parsed = translate::slash_command(&command.data);
        tracing::debug!(
            "discord: /{} from {} → {parsed:?}",
            command.data.name,
            ctx.user
        );
        let replies = self
            .run(&ctx, parsed, ack, command.id, &command.token)
            .await;
        if let Some(first) = replies.first() {
            if matches!(first.data, Some(Data::Question { .. })) {
                self.track_response(&command.token, command.channel_id, first)
                    .await;
            }
        }
        self.after(&replies).await;
    }

    async fn component(&self, component: ComponentInteraction, ack: Ack) {
        let ctx = translate::context(
            component.guild_id,
            component.channel_id,
            &component.user,
            component.member.as_ref(),
            self.moderator_role,
        );
        let parsed = translate::button(&component.data.custom_id);
        let replies = self
            .run(&ctx, parsed, ack, component.id, &component.token)
            .await;
        self.after(&replies).await;
    }

    /// Answers a parsed command (or says why it could not be parsed).
    async fn run(
        &self,
        ctx: &Context,
        parsed: Result<Command, ParseError>,
        ack: Ack,
        id: InteractionId,
        token: &str,
    ) -> Vec<Reply> {
        let personal = parsed.as_ref().map_or(true, Command::is_personal);
        self.respond(ack, id, token, personal, async {
            match parsed {
                Ok(parsed) => self.bot.handle(ctx, parsed).await,
                Err(e) => vec![Reply::error(e.0)],
            }
        })
        .await
    }

    /// Keeps posted quiz questions up to date with what replies and posts say:
    /// one more answer recorded, or a question closed (a stop reveals it too).
    pub async fn after(&self, replies: &[Reply]) {
        for reply in replies {
            match &reply.data {
                Some(Data::AnswerAck {
                    round,
                    position,
                    status: AckStatus::Recorded,
                    ..
                }) => self.count_answer(round, *position).await,
                Some(Data::Reveal {
                    round,
                    position,
                    correct,
                    ..
                }) => self.close_question(round, *position, correct).await,
                _ => {}
            }
        }
    }

    async fn autocomplete(&self, command: CommandInteraction, ack: Ack) {
        let mut response = CreateAutocompleteResponse::new();
        if let Some(AutocompleteOption { value, .. }) = command.data.autocomplete() {
            let topic = translate::text_of(&command.data.options, "topic");
            for question in self
                .bot
                .suggest(value, topic.as_deref(), SUGGESTIONS, CHOICE_TEXT)
            {
                response = response.add_string_choice(question.clone(), question);
            }
        }
        self.ack(
            ack,
            command.id,
            &command.token,
            CreateInteractionResponse::Autocomplete(response),
        )
        .await;
    }

    /// Runs `work` and sends its replies: the first as the interaction's
    /// response, the others as follow-ups. Work that outlasts [`DEFER_AFTER`]
    /// is deferred first.
    async fn respond(
        &self,
        ack: Ack,
        id: InteractionId,
        token: &str,
        personal: bool,
        work: impl Future<Output = Vec<Reply>>,
    ) -> Vec<Reply> {
        tokio::pin!(work);
        let replies = match tokio::time::timeout(DEFER_AFTER, &mut work).await {
            Ok(replies) => replies,
            Err(_) => {
                // The deferred message's privacy cannot change later.
                let mut message = CreateInteractionResponseMessage::new();
                if personal {
                    message = message.ephemeral(true);
                }
                let defer = CreateInteractionResponse::Defer(message);
                self.ack(ack, id, token, defer).await;
                return self.finish_deferred(token, work.await).await;
            }
        };
        // Discord shows "interaction failed" for an interaction left unanswered.
        let done = Reply::private("done");
        let first = replies.first().unwrap_or(&done);
        let message = CreateInteractionResponse::Message(render::message(first).response());
        self.ack(ack, id, token, message).await;
        for reply in replies.iter().skip(1) {
            self.followup(token, reply).await;
        }
        replies
    }

    async fn finish_deferred(&self, token: &str, replies: Vec<Reply>) -> Vec<Reply> {
        let done = Reply::private("done");
        let edit = render::message(replies.first().unwrap_or(&done)).edit_response();
        let sent = retry("deferred reply", || edit.clone().execute(&self.http, token)).await;
        if let Err(e) = sent {
            tracing::error!("discord: could not send a deferred reply: {e}");
        }
        for reply in replies.iter().skip(1) {
            self.followup(token, reply).await;
        }
        replies
    }

    async fn followup(&self, token: &str, reply: &Reply) {
        let message = render::message(reply).followup();
        let sent = retry("follow-up", || {
            message.clone().execute(&self.http, (None, token))
        })
        .await;
        if let Err(e) = sent {
            tracing::error!("discord: could not send a follow-up: {e}");
        }
    }

    async fn ack(
        &self,
        ack: Ack,
        id: InteractionId,
        token: &str,
        response: CreateInteractionResponse,
    ) {
        match ack {
            Ack::Body(body) => {
                if body.send(response).is_err() {
                    tracing::warn!("discord: interaction {id} was answered too late");
                }
            }
            Ack::Rest => {
                let sent = retry("interaction response", || {
                    response.clone().execute(&self.http, (id, token))
                })
                .await;
                if let Err(e) = sent {
                    tracing::error!("discord: could not answer interaction {id}: {e}");
                }
            }
        }
    }

    /// Remembers the quiz question just sent as an interaction's response.
    async fn track_response(&self, token: &str, channel: ChannelId, reply: &Reply) {
        match retry("original response", || {
            self.http.get_original_interaction_response(token)
        })
        .await
        {
            Ok(message) => self.track(channel, message.id, reply),
            Err(e) => tracing::warn!("discord: the quiz question's message is unknown: {e}"),
        }
    }

    /// Remembers a posted quiz question, to edit as people answer.
    pub fn track(&self, channel: ChannelId, message: MessageId, reply: &Reply) {
        if let Some(Data::Question {
            round, position, ..
        }) = &reply.data
        {
            let posted = Posted {
                channel,
                message,
                reply: reply.clone(),
                answered: 0,
                closed: false,
            };
            self.posted
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .insert((round.clone(), *position), Arc::new(posted.into()));
        }
    }

    fn slot(&self, round: &str, position: i64) -> Option<PostedSlot> {
        let posted = self.posted.lock().unwrap_or_else(|p| p.into_inner());
        posted.get(&(round.to_string(), position)).cloned()
    }

    /// Shows one more answer on the question's message.
    async fn count_answer(&self, round: &str, position: i64) {
        let Some(slot) = self.slot(round, position) else {
            return;
        };
        let mut p = slot.lock().await;
        if p.closed {
            return;
        }
        p.answered += 1;
        let note = match p.answered {
            1 => "1 person has answered".to_string(),
            n => format!("{n} people have answered"),
        };
        let update = render::question_update(&p.reply, &note, true);
        self.edit(p.channel, p.message, update).await;
    }

    /// Closes the question's message: no more buttons, the right option shown.
    async fn close_question(&self, round: &str, position: i64, correct: &str) {
        let removed = self
            .posted
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .remove(&(round.to_string(), position));
        let Some(slot) = removed else {
            return;
        };
        let mut p = slot.lock().await;
        p.closed = true;
        let note = format!("closed · answer {correct} · {} answered", p.answered);
        let update = render::question_update(&p.reply, &note, false);
        self.edit(p.channel, p.message, update).await;
    }

    async fn edit(&self, channel: ChannelId, message: MessageId, edit: EditMessage) {
        let sent = retry("question update", || {
            edit.clone().execute(&self.http, (channel, message, None))
        })
        .await;
        if let Err(e) = sent {
            tracing::warn!("discord: could not update a quiz question: {e}");
        }
    }
}
