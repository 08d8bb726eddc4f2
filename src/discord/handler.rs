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
    CreateAutocompleteResponse, CreateInteractionResponse, CreateInteractionResponseMessage, Http,
    Interaction, InteractionId, MessageId,
};
use serenity::builder::Builder;
use tokio::sync::oneshot;

use super::render;
use super::retry::retry;
use super::translate;
use crate::bot::Bot;
use crate::commands::truncate;
use crate::reply::{AckStatus, Data, Reply};
use crate::search::SearchOptions;

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

/// A quiz question message the bot posted, to edit as people answer.
struct Posted {
    channel: ChannelId,
    message: MessageId,
    reply: Reply,
    answered: usize,
}

pub struct Adapter {
    bot: Arc<Bot>,
    http: Arc<Http>,
    moderator_role: Option<u64>,
    seen: Mutex<Seen>,
    /// By (round, question number).
    posted: Mutex<HashMap<(String, i64), Posted>>,
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
            .respond(ack, command.id, &command.token, async {
                match parsed {
                    Ok(parsed) => self.bot.handle(&ctx, parsed).await,
                    Err(e) => vec![Reply::error(e.0)],
                }
            })
            .await;
        if let Some(first) = replies.first() {
            if matches!(first.data, Some(Data::Question { .. })) {
                self.track_response(&command.token, command.channel_id, first)
                    .await;
            }
        }
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
            .respond(ack, component.id, &component.token, async {
                match parsed {
                    Ok(parsed) => self.bot.handle(&ctx, parsed).await,
                    Err(e) => vec![Reply::error(e.0)],
                }
            })
            .await;
        for reply in &replies {
            if let Some(Data::AnswerAck {
                round,
                position,
                status: AckStatus::Recorded,
                ..
            }) = &reply.data
            {
                self.count_answer(round, *position).await;
            }
        }
    }

    async fn autocomplete(&self, command: CommandInteraction, ack: Ack) {
        let mut response = CreateAutocompleteResponse::new();
        if let Some(AutocompleteOption { value, .. }) = command.data.autocomplete() {
            for question in self.suggestions(&command, value) {
                let text = truncate(&question, CHOICE_TEXT);
                response = response.add_string_choice(text.clone(), text);
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

    /// Questions matching what the person has typed so far, best first.
    fn suggestions(&self, command: &CommandInteraction, typed: &str) -> Vec<String> {
        if typed.trim().is_empty() {
            return Vec::new();
        }
        let topic = translate::text_of(&command.data.options, "topic");
        let options = SearchOptions {
            topic,
            ..SearchOptions::top(SUGGESTIONS)
        };
        match self.bot.searcher().search(typed, &options) {
            Ok(found) => found
                .hits
                .iter()
                .filter_map(|h| self.bot.bank().get(&h.id))
                .map(|q| q.question.clone())
                .collect(),
            Err(e) => {
                tracing::warn!("discord: autocomplete search failed: {e}");
                Vec::new()
            }
        }
    }

    /// Runs `work` and sends its replies: the first as the interaction's
    /// response, the others as follow-ups. Work that outlasts [`DEFER_AFTER`]
    /// is deferred first.
    async fn respond(
        &self,
        ack: Ack,
        id: InteractionId,
        token: &str,
        work: impl Future<Output = Vec<Reply>>,
    ) -> Vec<Reply> {
        tokio::pin!(work);
        let replies = match tokio::time::timeout(DEFER_AFTER, &mut work).await {
            Ok(replies) => replies,
            Err(_) => {
                let defer =
                    CreateInteractionResponse::Defer(CreateInteractionResponseMessage::new());
                self.ack(ack, id, token, defer).await;
                return self.finish_deferred(token, work.await).await;
            }
        };
        let mut rest = replies.iter();
        if let Some(first) = rest.next() {
            let message = CreateInteractionResponse::Message(render::message(first).response());
            self.ack(ack, id, token, message).await;
        }
        for reply in rest {
            self.followup(token, reply).await;
        }
        replies
    }

    async fn finish_deferred(&self, token: &str, replies: Vec<Reply>) -> Vec<Reply> {
        let mut rest = replies.iter();
        if let Some(first) = rest.next() {
            let edit = render::message(first).edit_response();
            let sent = retry("deferred reply", || edit.clone().execute(&self.http, token)).await;
            if let Err(e) = sent {
                tracing::error!("discord: could not send a deferred reply: {e}");
            }
        }
        for reply in rest {
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
            self.posted
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .insert(
                    (round.clone(), *position),
                    Posted {
                        channel,
                        message,
                        reply: reply.clone(),
                        answered: 0,
                    },
                );
        }
    }

    /// Shows one more answer on the question's message.
    async fn count_answer(&self, round: &str, position: i64) {
        let update = {
            let mut posted = self.posted.lock().unwrap_or_else(|p| p.into_inner());
            let Some(p) = posted.get_mut(&(round.to_string(), position)) else {
                return;
            };
            p.answered += 1;
            let note = match p.answered {
                1 => "1 person has answered".to_string(),
                n => format!("{n} people have answered"),
            };
            (
                p.channel,
                p.message,
                render::question_update(&p.reply, &note, true),
            )
        };
        self.edit(update).await;
    }

    /// Closes the question's message: no more buttons, the right option shown.
    pub async fn close_question(&self, round: &str, position: i64, correct: &str) {
        let Some(p) = self
            .posted
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .remove(&(round.to_string(), position))
        else {
            return;
        };
        let note = format!("closed · answer {correct} · {} answered", p.answered);
        self.edit((
            p.channel,
            p.message,
            render::question_update(&p.reply, &note, false),
        ))
        .await;
    }

    async fn edit(
        &self,
        (channel, message, edit): (ChannelId, MessageId, serenity::all::EditMessage),
    ) {
        let sent = retry("question update", || {
            edit.clone().execute(&self.http, (channel, message, None))
        })
        .await;
        if let Err(e) = sent {
            tracing::warn!("discord: could not update a quiz question: {e}");
        }
    }
}
