//! One interaction, start to finish: slash commands, buttons and submitted
//! forms go to the core and their replies back to Discord; a 👎 answers with
//! the reason form, `/suggest` without its question or answer and the
//! "Suggest an answer" and "Reject…" buttons with their forms
//! ([`super::modal`]); autocomplete suggests questions. The
//! first response leaves within Discord's 3 seconds: work that is not done
//! after [`DEFER_AFTER`] is deferred first and the reply edited in later
//! (after [`DEFER_WHEN_BUSY`] when CPU work is backed up then, as in a burst:
//! the person sees "thinking…" soon rather than nothing).
//! Each command or button interaction is handled once, even when it is
//! delivered twice or replayed after a restart: its id is claimed in the store
//! for the replay window. A stopping adapter takes no new interactions and
//! lets the ones in flight finish ([`Adapter::drain`]).

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use serenity::all::{
    AutocompleteOption, ChannelId, CommandInteraction, ComponentInteraction,
    CreateAutocompleteResponse, CreateInteractionResponse, CreateInteractionResponseMessage,
    CreateModal, Http, Interaction, InteractionId, MessageId, ModalInteraction,
};
use serenity::builder::Builder;
use tokio::sync::{Semaphore, oneshot};

use super::render;
use super::retry::retry;
use super::translate;
use crate::bot::{Bot, Context};
use crate::commands::team::Form;
use crate::commands::{self, Command, ParseError};
use crate::intake::{self, Seen};
use crate::posted::{Change, Editor, Posted, PostedQuestions};
use crate::reply::{Data, Reply};

/// Work still running after this long is deferred (Discord allows 3 seconds).
pub const DEFER_AFTER: Duration = Duration::from_millis(1500);
/// Work still running after this long while CPU work is backed up (a burst
/// of searches: [`Bot::cpu_backed_up`]) is deferred then.
pub const DEFER_WHEN_BUSY: Duration = Duration::from_millis(250);
/// Autocomplete offers at most this many questions (Discord's limit).
const SUGGESTIONS: usize = 25;
/// Choice names and values are at most 100 characters.
const CHOICE_TEXT: usize = 100;
/// The longest the replay check may hold an interaction up.
const REPLAY_CHECK_WITHIN: Duration = Duration::from_millis(500);
/// Interactions handled at once at most (a gate that stopping closes).
const MAX_IN_FLIGHT: u32 = 10_000;

/// How the first response to an interaction goes out.
pub enum Ack {
    /// Over REST, to the interaction's callback (gateway mode).
    Rest,
    /// As the body of the HTTP response (interactions endpoint mode).
    Body(oneshot::Sender<CreateInteractionResponse>),
}

pub struct Adapter {
    bot: Arc<Bot>,
    http: Arc<Http>,
    moderator_role: Option<u64>,
    /// One permit per interaction in flight; closed once stopping.
    gate: Semaphore,
    /// Quiz questions posted, by channel and message.
    posted: PostedQuestions<(ChannelId, MessageId)>,
}

/// What became of an interaction offered to [`Adapter::handle`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Handled {
    Done,
    /// Handled before (a second delivery or a replay): nothing was done.
    Replay,
    /// The adapter is stopping: nothing was done.
    Stopping,
}

impl Adapter {
    pub fn new(bot: Arc<Bot>, http: Arc<Http>, moderator_role: Option<u64>) -> Adapter {
        Adapter {
            bot,
            http,
            moderator_role,
            gate: Semaphore::new(MAX_IN_FLIGHT as usize),
            posted: PostedQuestions::default(),
        }
    }

    pub fn bot(&self) -> &Arc<Bot> {
        &self.bot
    }

    pub fn http(&self) -> &Arc<Http> {
        &self.http
    }

    /// Whether the adapter has stopped taking interactions.
    pub fn is_stopping(&self) -> bool {
        self.gate.is_closed()
    }

    /// Stops taking interactions and waits (at most `within`) for those in
    /// flight to finish; true when they all did.
    pub async fn drain(&self, within: Duration) -> bool {
        let all = tokio::time::timeout(within, self.gate.acquire_many(MAX_IN_FLIGHT)).await;
        self.gate.close();
        matches!(all, Ok(Ok(_)))
    }

    /// Handles `interaction` once: a replay of one handled before, or any
    /// interaction while stopping, does nothing.
    pub async fn handle(&self, interaction: Interaction, ack: Ack) -> Handled {
        let Ok(_in_flight) = self.gate.try_acquire() else {
            return Handled::Stopping;
        };
        let (id, remembered) = match &interaction {
            Interaction::Ping(p) => (p.id, false),
            // Suggestions change nothing: a replay is harmless, and a store
            // write per keystroke is not.
            Interaction::Autocomplete(c) => (c.id, false),
            Interaction::Command(c) => (c.id, true),
            Interaction::Component(c) => (c.id, true),
            Interaction::Modal(m) => (m.id, true),
            _ => return Handled::Done,
        };
        if remembered && !self.first_time(id).await {
            tracing::info!("discord: interaction {id} was handled before; ignored");
            return Handled::Replay;
        }
        match interaction {
            Interaction::Ping(_) => self.ack(ack, id, "", CreateInteractionResponse::Pong).await,
            Interaction::Command(command) => self.command(command, ack).await,
            Interaction::Autocomplete(command) => self.autocomplete(command, ack).await,
            Interaction::Component(component) => self.component(component, ack).await,
            Interaction::Modal(modal) => self.modal(modal, ack).await,
            _ => {}
        }
        Handled::Done
    }

    /// Claims `id` through the intake guard; false when it was claimed
    /// before. A store that does not answer lets the interaction through
    /// (logged): the quiz commands that could do harm fail on the same outage
    /// anyway. Bounded: Discord's 3 seconds start before the reply is deferred.
    async fn first_time(&self, id: InteractionId) -> bool {
        let now = jiff::Timestamp::now().as_millisecond();
        match intake::claim(
            self.bot.store(),
            &format!("discord:{id}"),
            now,
            REPLAY_CHECK_WITHIN,
        )
        .await
        {
            Seen::First => true,
            Seen::Again => false,
            Seen::Unknown(why) => {
                tracing::warn!("discord: {why}; handled anyway");
                true
            }
        }
    }

    async fn command(&self, command: CommandInteraction, ack: Ack) {
        let ctx = translate::context(
            command.guild_id,
            command.channel_id,
            &command.user,
            command.member.as_deref(),
            self.moderator_role,
        );
        let parsed = with_attachment(&command.data, translate::slash_command(&command.data)).await;
        tracing::debug!(
            "discord: /{} from {} → {parsed:?}",
            command.data.name,
            ctx.user
        );
        // `/suggest` without its question or answer: the form asks for them.
        if let Some(form) = parsed.as_ref().ok().and_then(Form::of_command) {
            let modal = CreateInteractionResponse::Modal(super::modal::form(&form));
            self.ack(ack, command.id, &command.token, modal).await;
            return;
        }
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
        // "Suggest an answer" and "Reject…" only open their forms.
        if let Some(form) = Form::of_button(&component.data.custom_id) {
            let modal = CreateInteractionResponse::Modal(super::modal::form(&form));
            self.ack(ack, component.id, &component.token, modal).await;
            return;
        }
        let parsed = translate::button(&component.data.custom_id);
        // A 👎 is recorded, then asks what was wrong.
        let form = match &parsed {
            Ok(Command::Feedback {
                up: false,
                entry: Some(entry),
                ..
            }) => Some(super::modal::reason_form(entry)),
            _ => None,
        };
        let personal = parsed.as_ref().map_or(true, Command::is_personal);
        let work = async {
            match parsed {
                Ok(parsed) => commands::handle(&self.bot, &ctx, parsed).await,
                Err(e) => vec![Reply::error(e.0)],
            }
        };
        let replies = self
            .respond_or_ask(ack, component.id, &component.token, personal, work, form)
            .await;
        self.after(&replies).await;
    }

    /// A submitted form: the reason for a 👎, a suggestion, the reason for a
    /// rejection.
    async fn modal(&self, modal: ModalInteraction, ack: Ack) {
        let ctx = translate::context(
            modal.guild_id,
            modal.channel_id,
            &modal.user,
            modal.member.as_ref(),
            self.moderator_role,
        );
        let parsed = super::modal::command(&modal.data);
        self.run(&ctx, parsed, ack, modal.id, &modal.token).await;
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
                Ok(parsed) => commands::handle(&self.bot, ctx, parsed).await,
                Err(e) => vec![Reply::error(e.0)],
            }
        })
        .await
    }

    /// Keeps posted quiz questions up to date with what replies and posts say:
    /// one more answer recorded, or a question closed (a stop reveals it too).
    pub async fn after(&self, replies: &[Reply]) {
        self.posted.after(replies, self).await;
    }

    async fn autocomplete(&self, command: CommandInteraction, ack: Ack) {
        let mut response = CreateAutocompleteResponse::new();
        if let Some(AutocompleteOption { value, .. }) = command.data.autocomplete() {
            let topic = translate::text_of(&command.data.options, "topic");
            let server = command
                .guild_id
                .map_or_else(|| format!("dm-{}", command.user.id), |g| g.to_string());
            for question in self
                .bot
                .suggest(&server, value, topic.as_deref(), SUGGESTIONS, CHOICE_TEXT)
                .await
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
    /// (or [`DEFER_WHEN_BUSY`] when CPU work is backed up by then) is
    /// deferred first.
    async fn respond(
        &self,
        ack: Ack,
        id: InteractionId,
        token: &str,
        personal: bool,
        work: impl Future<Output = Vec<Reply>>,
    ) -> Vec<Reply> {
        self.respond_or_ask(ack, id, token, personal, work, None)
            .await
    }

    /// [`Adapter::respond`]; with `form`, a recorded 👎 is answered with that
    /// form instead of a message (unless the work had to be deferred: a
    /// deferred response cannot become a form).
    async fn respond_or_ask(
        &self,
        ack: Ack,
        id: InteractionId,
        token: &str,
        personal: bool,
        work: impl Future<Output = Vec<Reply>>,
        form: Option<CreateModal>,
    ) -> Vec<Reply> {
        tokio::pin!(work);
        let soon = tokio::time::timeout(DEFER_WHEN_BUSY, &mut work).await;
        let done = match soon {
            Ok(replies) => Ok(replies),
            Err(_) if self.bot.cpu_backed_up() => Err(()),
            Err(_) => {
                let rest = DEFER_AFTER.saturating_sub(DEFER_WHEN_BUSY);
                tokio::time::timeout(rest, &mut work).await.map_err(|_| ())
            }
        };
        let replies = match done {
            Ok(replies) => replies,
            Err(()) => {
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
        let voted_down = matches!(
            replies.first().and_then(|r| r.data.as_ref()),
            Some(Data::Vote { up: false, .. })
        );
        if let (Some(form), true) = (form, voted_down) {
            self.ack(ack, id, token, CreateInteractionResponse::Modal(form))
                .await;
            return replies;
        }
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
        self.posted.track((channel, message), reply);
    }
}

/// A quiz question's message shows how many have answered, then the right
/// option without buttons once it closes.
impl Editor<(ChannelId, MessageId)> for Adapter {
    async fn edit(&self, posted: &Posted<(ChannelId, MessageId)>, change: Change<'_>) {
        let update =
            render::question_update(&posted.reply, &change.note(str::to_string), change.open());
        let sent = retry("question update", || {
            update
                .clone()
                .execute(&self.http, (posted.place.0, posted.place.1, None))
        })
        .await;
        if let Err(e) = sent {
            tracing::warn!("discord: could not update a quiz question: {e}");
        }
    }
}

/// `parsed` with the file of a `/bank import` fetched: the core takes the
/// file's text, never its address (see [`super::attachment`]).
async fn with_attachment(
    data: &serenity::all::CommandData,
    parsed: Result<Command, ParseError>,
) -> Result<Command, ParseError> {
    use crate::commands::team::Request;
    let Ok(Command::Team(Request::Import {
        file: Some(url),
        upload: None,
        format,
        topic,
    })) = parsed
    else {
        return parsed;
    };
    let upload = super::attachment::fetch(data, &url)
        .await
        .map_err(ParseError)?;
    Ok(Command::Team(Request::Import {
        file: None,
        upload: Some(upload),
        format,
        topic,
    }))
}
