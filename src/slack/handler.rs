//! One piece of Slack input, start to finish. Whatever brought it (a Socket
//! Mode envelope or an HTTP request) has already been acknowledged; here it is
//! handled once (its id claimed in the store, so a redelivery or a replay after
//! a restart does nothing), turned into a core command, answered by the core,
//! and the replies sent back: to the command's `response_url`, into the
//! channel (`chat.postMessage`, `chat.postEphemeral`), or, for a button of
//! the App Home (which is no conversation), into the person's direct messages
//! with the app ([`Reach::Direct`]). Quiz questions the bot posted are kept
//! up to date with `chat.update`. A 👎 opens the reason form, `/interview
//! suggest` without its question or answer and the "Suggest an answer" and
//! "Reject…" buttons their forms ([`super::modal`]); a form's submission
//! comes back here as the command it stands for. The App Home tab is
//! published here too (`views.publish`): the person's practice with a Start
//! button ([`commands::practice::home`]), their stats, the next rounds and the
//! week's top 5.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde::Serialize;
use slack_morphism::errors::SlackClientError;
use slack_morphism::prelude::*;
use tokio::sync::Semaphore;

use super::translate::{self, Slash};
use super::{Client, blocks};
use crate::bot::{Bot, Context};
use crate::commands::leaderboard::Span;
use crate::commands::spec::Access;
use crate::commands::team::Form;
use crate::commands::{self, Command, ParseError};
use crate::intake::{self, Seen};
use crate::posted::{Change, Editor, Posted, PostedQuestions};
use crate::reply::{Data, Reply};

/// The longest the replay check may hold a request up.
const REPLAY_CHECK_WITHIN: Duration = Duration::from_millis(500);
/// How long a moderator check is trusted.
const MODERATOR_CHECK_FOR: Duration = Duration::from_secs(300);
/// Inputs handled at once at most (a gate that stopping closes).
const MAX_IN_FLIGHT: u32 = 10_000;
/// Replies to a person get this many tries on a transient failure.
const REPLY_TRIES: u32 = 3;

/// What came in.
#[derive(Debug, Clone)]
pub enum Input {
    /// `/interview TEXT`.
    Slash(String),
    /// A button: its action id.
    Button(String),
    /// A form of ours, submitted: the command it stands for.
    Form(Command),
    /// A mention of the bot or a direct message to it.
    Message(String),
    /// The App Home tab was opened.
    Home,
}

/// Where the replies go.
#[derive(Debug, Clone)]
pub enum Reach {
    /// The `response_url` of a slash command or a button.
    ResponseUrl(SlackResponseUrl),
    /// Into the channel (mentions and direct messages).
    Channel,
    /// Into the person's direct messages with the app: a click on the App
    /// Home comes with neither a channel nor a `response_url`, so an
    /// ephemeral reply has nowhere to go (`chat.postEphemeral` needs a
    /// conversation, and the Home tab is none). A direct message
    /// (`chat.postMessage` to their user id) lands in the app's Messages tab,
    /// which only that person sees, and stays there, as practice reminders
    /// do; the buttons of that message answer privately at their
    /// `response_url` again.
    Direct,
}

/// One piece of input from a person, ready for [`Adapter::accept`].
#[derive(Debug, Clone)]
pub struct Incoming {
    /// Stable across Slack's redeliveries of the same input.
    pub key: String,
    pub team: String,
    pub user: String,
    pub channel: String,
    pub input: Input,
    pub reach: Reach,
    /// A click's trigger id, to open a form with (valid for 3 seconds).
    pub trigger: Option<String>,
}

impl Incoming {
    pub fn from_command(event: &SlackCommandEvent) -> Incoming {
        Incoming {
            key: format!("slack:command:{}", event.trigger_id.value()),
            team: event.team_id.to_string(),
            user: event.user_id.to_string(),
            channel: event.channel_id.to_string(),
            input: Input::Slash(event.text.clone().unwrap_or_default()),
            reach: Reach::ResponseUrl(event.response_url.clone()),
            // `/interview suggest` may open a form.
            trigger: Some(event.trigger_id.value().to_string()),
        }
    }

    /// A button click, or a submitted form of ours; other interactions are
    /// not ours.
    pub fn from_interaction(event: &SlackInteractionEvent) -> Option<Incoming> {
        let actions = match event {
            SlackInteractionEvent::BlockActions(actions) => actions,
            SlackInteractionEvent::ViewSubmission(submission) => {
                let (channel, command) = super::modal::submitted(&submission.view)?;
                return Some(Incoming {
                    key: format!("slack:view:{}", submission.view.state_params.id.value()),
                    team: submission.team.id.to_string(),
                    user: submission.user.id.to_string(),
                    channel,
                    input: Input::Form(command),
                    reach: Reach::Channel,
                    trigger: None,
                });
            }
            _ => return None,
        };
        let action = actions.actions.as_ref()?.first()?;
        let user = actions.user.as_ref()?.id.to_string();
        let channel = actions
            .channel
            .as_ref()
            .map(|c| c.id.to_string())
            .or_else(|| match &actions.container {
                SlackInteractionActionContainer::Message(m) => {
                    m.channel_id.as_ref().map(|c| c.to_string())
                }
                _ => None,
            });
        let (channel, reach) = match (channel, &actions.container, &actions.response_url) {
            (Some(channel), _, Some(url)) => (channel, Reach::ResponseUrl(url.clone())),
            (Some(channel), _, None) => (channel, Reach::Channel),
            // A button of a view (the App Home's Start): answered in the
            // person's direct messages, named by their user id.
            (None, SlackInteractionActionContainer::View(_), _) => (user.clone(), Reach::Direct),
            (None, ..) => return None,
        };
        Some(Incoming {
            key: format!("slack:action:{}", actions.trigger_id.value()),
            team: actions.team.id.to_string(),
            user,
            channel,
            input: Input::Button(action.action_id.to_string()),
            reach,
            trigger: Some(actions.trigger_id.value().to_string()),
        })
    }

    /// A mention, a direct message, or the App Home opening; other events
    /// (the bot's own messages among them) are not for us.
    pub fn from_event(callback: &SlackPushEventCallback) -> Option<Incoming> {
        let team = callback.team_id.to_string();
        let key = format!("slack:event:{}", callback.event_id.value());
        let (user, channel, input) = match &callback.event {
            SlackEventCallbackBody::AppMention(m) => (
                m.user.to_string(),
                m.channel.to_string(),
                Input::Message(m.content.text.clone().unwrap_or_default()),
            ),
            SlackEventCallbackBody::Message(m)
                if m.origin.channel_type.as_ref().map(|t| t.0.as_str()) == Some("im")
                    && m.subtype.is_none()
                    && m.sender.bot_id.is_none() =>
            {
                (
                    m.sender.user.as_ref()?.to_string(),
                    m.origin.channel.as_ref()?.to_string(),
                    Input::Message(m.content.as_ref()?.text.clone().unwrap_or_default()),
                )
            }
            SlackEventCallbackBody::AppHomeOpened(h)
                if h.tab.as_deref().is_none_or(|t| t == "home") =>
            {
                (h.user.to_string(), h.channel.to_string(), Input::Home)
            }
            _ => return None,
        };
        Some(Incoming {
            key,
            team,
            user,
            channel,
            input,
            reach: Reach::Channel,
            trigger: None,
        })
    }
}

/// Why a Web API call failed, for the outbox's retry decision.
#[derive(Debug, thiserror::Error)]
pub enum CallError {
    /// Worth another try (rate limits after the client's own retries, 5xx,
    /// lost connections).
    #[error("{0}")]
    Transient(String),
    /// Will not work (the channel is gone, the bot is not in it).
    #[error("{0}")]
    Permanent(String),
}

pub struct Adapter {
    bot: Arc<Bot>,
    client: Arc<Client>,
    token: SlackApiToken,
    moderator_group: Option<String>,
    /// By (team, user): whether they moderate, and since when that is known.
    moderators: Mutex<HashMap<(String, String), (bool, Instant)>>,
    /// Quiz questions posted, by channel and timestamp.
    posted: PostedQuestions<(String, SlackTs)>,
    /// One permit per input in flight; closed once stopping.
    gate: Arc<Semaphore>,
}

impl Adapter {
    pub fn new(
        bot: Arc<Bot>,
        client: Arc<Client>,
        token: SlackApiToken,
        moderator_group: Option<String>,
    ) -> Adapter {
        Adapter {
            bot,
            client,
            token,
            moderator_group,
            moderators: Mutex::default(),
            posted: PostedQuestions::default(),
            gate: Arc::new(Semaphore::new(MAX_IN_FLIGHT as usize)),
        }
    }

    pub fn bot(&self) -> &Arc<Bot> {
        &self.bot
    }

    /// Whether the adapter has stopped taking input.
    pub fn is_stopping(&self) -> bool {
        self.gate.is_closed()
    }

    /// Stops taking input and waits (at most `within`) for what is in flight;
    /// true when it all finished.
    pub async fn drain(&self, within: Duration) -> bool {
        let all = tokio::time::timeout(within, self.gate.acquire_many(MAX_IN_FLIGHT)).await;
        self.gate.close();
        matches!(all, Ok(Ok(_)))
    }

    /// Takes `incoming` to handle in the background (its envelope or request
    /// is acknowledged at once); false when stopping.
    pub fn accept(self: &Arc<Self>, incoming: Incoming) -> bool {
        let Ok(permit) = self.gate.clone().try_acquire_owned() else {
            return false;
        };
        let adapter = self.clone();
        tokio::spawn(async move {
            adapter.handle(incoming).await;
            drop(permit);
        });
        true
    }

    /// Handles `incoming` once: a redelivery or replay of input handled before
    /// does nothing.
    pub async fn handle(&self, incoming: Incoming) {
        if !self.first_time(&incoming.key).await {
            tracing::info!("slack: {} was handled before; ignored", incoming.key);
            return;
        }
        let mut ctx = translate::context(&incoming.team, &incoming.user, &incoming.channel);
        // "Suggest an answer" and "Reject…" only open their forms.
        if let Input::Button(id) = &incoming.input {
            if let Some(form) = Form::of_button(id) {
                return self.open_form(&incoming, &form).await;
            }
        }
        let parsed: Result<Command, Reply> = match &incoming.input {
            Input::Home => return self.publish_home(&ctx).await,
            Input::Slash(text) => match translate::slash(text) {
                Slash::Command(command) => Ok(command),
                Slash::Invalid(ParseError(e)) => Err(Reply::error(e)),
                Slash::Help(note) => Err(translate::help(note.as_deref())),
            },
            Input::Button(id) => translate::button(id).map_err(|e| Reply::error(e.0)),
            Input::Form(command) => Ok(command.clone()),
            Input::Message(text) => translate::message(text).map_err(|e| Reply::error(e.0)),
        };
        tracing::debug!("slack: {:?} from {} → {parsed:?}", incoming.input, ctx.user);
        // `/interview suggest` without its question or answer: the form asks.
        if let (Input::Slash(_), Some(form)) = (
            &incoming.input,
            parsed.as_ref().ok().and_then(Form::of_command),
        ) {
            return self.open_form(&incoming, &form).await;
        }
        let replies = match parsed {
            Ok(command) => {
                // Moderators may also stop a round someone else started.
                if command.spec().access == Access::Moderator
                    || matches!(command, Command::QuizStop)
                {
                    ctx.moderator = self.is_moderator(&incoming.team, &incoming.user).await;
                }
                let down_on = match &command {
                    Command::Feedback {
                        up: false,
                        entry: Some(entry),
                        ..
                    } => Some(entry.clone()),
                    _ => None,
                };
                let replies = commands::handle(&self.bot, &ctx, command).await;
                let voted_down = matches!(
                    replies.first().and_then(|r| r.data.as_ref()),
                    Some(Data::Vote { up: false, .. })
                );
                if let (Some(entry), Some(trigger), true) =
                    (down_on, incoming.trigger.as_deref(), voted_down)
                {
                    self.ask_reason(trigger, &entry, &incoming.channel).await;
                }
                replies
            }
            Err(reply) => vec![reply],
        };
        self.send(&incoming, &replies).await;
        self.after(&replies).await;
    }

    /// Opens the reason form for a 👎 on `entry` (the vote is already
    /// recorded; a form that cannot open only loses the chance of a reason).
    async fn ask_reason(&self, trigger: &str, entry: &str, channel: &str) {
        let view = super::modal::reason_form(entry, channel);
        if let Err(e) = self.views_open(trigger, view).await {
            tracing::warn!("slack: could not open the reason form (views.open): {e}");
        }
    }

    /// Opens `form` with `incoming`'s trigger id; the person is told when it
    /// cannot open (a trigger id lasts 3 seconds).
    async fn open_form(&self, incoming: &Incoming, form: &Form) {
        let opened = match incoming.trigger.as_deref() {
            Some(trigger) => {
                let view = super::modal::form(form, &incoming.channel);
                self.views_open(trigger, view)
                    .await
                    .map_err(|e| e.to_string())
            }
            None => Err("no trigger id to open it with".to_string()),
        };
        if let Err(e) = opened {
            tracing::warn!("slack: could not open a form (views.open): {e}");
            let reply = Reply::error("the form did not open: try again");
            self.send(incoming, &[reply]).await;
        }
    }

    async fn views_open(&self, trigger: &str, view: SlackView) -> ClientResult<()> {
        let request = SlackApiViewsOpenRequest::new(trigger.to_string().into(), view);
        self.client
            .open_session(&self.token)
            .views_open(&request)
            .await
            .map(|_| ())
    }

    /// Claims `key` through the intake guard; false when it was claimed
    /// before. A store that does not answer lets the input through (logged).
    async fn first_time(&self, key: &str) -> bool {
        let now = jiff::Timestamp::now().as_millisecond();
        match intake::claim(self.bot.store(), key, now, REPLAY_CHECK_WITHIN).await {
            Seen::First => true,
            Seen::Again => false,
            Seen::Unknown(why) => {
                tracing::warn!("slack: {why}; handled anyway");
                true
            }
        }
    }

    /// Workspace admins and owners, and members of the moderator group.
    async fn is_moderator(&self, team: &str, user: &str) -> bool {
        let key = (team.to_string(), user.to_string());
        if let Some((known, at)) = self.lock_moderators().get(&key) {
            if at.elapsed() < MODERATOR_CHECK_FOR {
                return *known;
            }
        }
        let session = self.client.open_session(&self.token);
        let admin = match session
            .users_info(&SlackApiUsersInfoRequest::new(user.into()))
            .await
        {
            Ok(info) => {
                let flags = &info.user.flags;
                [flags.is_admin, flags.is_owner, flags.is_primary_owner]
                    .iter()
                    .any(|f| f.unwrap_or(false))
            }
            Err(e) => {
                tracing::warn!("slack: cannot look up {user} (users.info): {e}");
                false
            }
        };
        let in_group = match (&self.moderator_group, admin) {
            (Some(group), false) => match session
                .usergroups_users_list(&SlackApiUserGroupsUsersListRequest::new(
                    group.clone().into(),
                ))
                .await
            {
                Ok(list) => list.users.iter().any(|u| u.0 == user),
                Err(e) => {
                    tracing::warn!("slack: cannot read user group {group}: {e}");
                    false
                }
            },
            _ => false,
        };
        let moderator = admin || in_group;
        self.lock_moderators()
            .insert(key, (moderator, Instant::now()));
        moderator
    }

    fn lock_moderators(
        &self,
    ) -> std::sync::MutexGuard<'_, HashMap<(String, String), (bool, Instant)>> {
        self.moderators.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Sends `replies` where `incoming` asks: a public quiz question is posted
    /// (to be updated later), the rest answer the `response_url`, or go into
    /// the channel (ephemeral ones to the person only).
    async fn send(&self, incoming: &Incoming, replies: &[Reply]) {
        for reply in replies {
            if !reply.ephemeral && matches!(reply.data, Some(Data::Question { .. })) {
                match self.post_retried(&incoming.channel, reply).await {
                    Ok(ts) => {
                        self.track(&incoming.channel, ts, reply);
                        continue;
                    }
                    Err(e) => tracing::warn!(
                        "slack: could not post the question in {} ({e}); answering the command instead",
                        incoming.channel
                    ),
                }
            }
            let sent = match &incoming.reach {
                Reach::ResponseUrl(url) => self.respond(url, reply).await,
                Reach::Channel if reply.ephemeral => {
                    self.post_ephemeral(&incoming.channel, &incoming.user, reply)
                        .await
                }
                Reach::Channel => self
                    .post_retried(&incoming.channel, reply)
                    .await
                    .map(|_| ()),
                Reach::Direct => self.post_retried(&incoming.user, reply).await.map(|_| ()),
            };
            if let Err(e) = sent {
                tracing::error!("slack: could not reply in {}: {e}", incoming.channel);
            }
        }
    }

    /// Answers through a `response_url`: in the channel, or to the person only.
    async fn respond(&self, url: &SlackResponseUrl, reply: &Reply) -> Result<(), CallError> {
        #[derive(Serialize)]
        struct Response {
            response_type: &'static str,
            replace_original: bool,
            #[serde(flatten)]
            content: SlackMessageContent,
        }
        let body = Response {
            response_type: if reply.ephemeral {
                "ephemeral"
            } else {
                "in_channel"
            },
            replace_original: false,
            content: blocks::content(reply),
        };
        retried("response", || async {
            let span = tracing::debug_span!("slack response_url");
            let context = SlackClientApiCallContext {
                rate_control_params: None,
                token: None,
                tracing_span: &span,
                is_sensitive_url: true,
            };
            self.client
                .http_api
                .connector
                .http_post_uri::<_, SlackApiPostWebhookMessageResponse>(
                    url.value().clone(),
                    &body,
                    context,
                )
                .await
                .map(|_| ())
        })
        .await
    }

    /// Posts `reply` in `channel`; the message's timestamp (its id).
    pub async fn post(&self, channel: &str, reply: &Reply) -> Result<SlackTs, CallError> {
        let request = SlackApiChatPostMessageRequest::new(channel.into(), blocks::content(reply));
        let session = self.client.open_session(&self.token);
        session
            .chat_post_message(&request)
            .await
            .map(|r| r.ts)
            .map_err(classify)
    }

    /// [`Adapter::post`], tried again on a transient failure (a person waits
    /// for this one; the outbox retries posts by itself).
    async fn post_retried(&self, channel: &str, reply: &Reply) -> Result<SlackTs, CallError> {
        let request = SlackApiChatPostMessageRequest::new(channel.into(), blocks::content(reply));
        retried("post", || async {
            self.client
                .open_session(&self.token)
                .chat_post_message(&request)
                .await
                .map(|posted| posted.ts)
        })
        .await
    }

    async fn post_ephemeral(
        &self,
        channel: &str,
        user: &str,
        reply: &Reply,
    ) -> Result<(), CallError> {
        let request = SlackApiChatPostEphemeralRequest::new(
            channel.into(),
            user.into(),
            blocks::content(reply),
        );
        retried("ephemeral reply", || async {
            self.client
                .open_session(&self.token)
                .chat_post_ephemeral(&request)
                .await
                .map(|_| ())
        })
        .await
    }

    /// Remembers a posted quiz question, to update as people answer.
    pub fn track(&self, channel: &str, ts: SlackTs, reply: &Reply) {
        self.posted.track((channel.to_string(), ts), reply);
    }

    /// Keeps posted quiz questions up to date with what replies and posts say:
    /// one more answer recorded, or a question closed.
    pub async fn after(&self, replies: &[Reply]) {
        self.posted.after(replies, self).await;
    }

    /// The App Home tab: the person's practice (due today, streak, cards
    /// learned) with a Start button, their quiz stats, the workspace's next
    /// scheduled rounds, and this week's top 5.
    async fn publish_home(&self, ctx: &Context) {
        let practice = commands::practice::home(&self.bot, ctx).await;
        let stats = commands::leaderboard::quiz_stats(&self.bot, ctx).await;
        let board = commands::handle(
            &self.bot,
            ctx,
            Command::Leaderboard {
                span: Span::Week,
                topic: None,
            },
        )
        .await;
        let mut text = vec!["*Your stats*".to_string(), blocks::mrkdwn(&stats.text)];
        text.push(self.next_rounds(ctx).await);
        text.push("*This week*".to_string());
        text.extend(board.iter().map(|r| top_lines(&blocks::mrkdwn(&r.text), 5)));
        let mut shown = blocks::blocks(&practice, true);
        shown.push(SlackDividerBlock::new().into());
        shown.extend(blocks::blocks(&Reply::private(text.join("\n\n")), false));
        let home = SlackHomeView::new(shown);
        let request = SlackApiViewsPublishRequest::new(
            translate::user_id(&ctx.user).into(),
            SlackView::Home(home),
        );
        let sent = retried("app home", || async {
            self.client
                .open_session(&self.token)
                .views_publish(&request)
                .await
                .map(|_| ())
        })
        .await;
        if let Err(e) = sent {
            tracing::warn!("slack: could not publish the App Home tab: {e}");
        }
    }

    /// The workspace's scheduled rounds, soonest first.
    async fn next_rounds(&self, ctx: &Context) -> String {
        let schedules = match self.bot.store().schedules().await {
            Ok(all) => all,
            Err(e) => return format!("*Next rounds*\nunknown just now ({e})"),
        };
        let now = self.bot.now();
        let mut next: Vec<(jiff::Timestamp, String)> = schedules
            .iter()
            .filter(|s| s.guild == ctx.guild)
            .filter_map(|s| {
                let rule = crate::schedule::rule_of(s)?;
                let at = rule.next_after(now)?;
                let local = at
                    .to_zoned_datetime(rule.zone.clone())
                    .strftime("%a %d %b %H:%M %Z");
                Some((at, format!("• {local} in <#{}>", s.channel)))
            })
            .collect();
        next.sort();
        if next.is_empty() {
            return "*Next rounds*\nnone scheduled: `/interview quiz schedule 09:30 Europe/Berlin` sets one up".to_string();
        }
        let lines: Vec<String> = next.into_iter().take(5).map(|(_, l)| l).collect();
        format!("*Next rounds*\n{}", lines.join("\n"))
    }
}

/// The first `n` ranked lines of a leaderboard's text, with its heading.
fn top_lines(text: &str, n: usize) -> String {
    let mut lines = text.lines();
    let mut kept: Vec<&str> = lines.next().into_iter().collect();
    kept.extend(lines.take(n));
    kept.join("\n")
}

/// Runs a Web API call up to [`REPLY_TRIES`] times while it fails transiently
/// (the client itself waits out 429s).
async fn retried<T, F, Fut>(what: &str, call: F) -> Result<T, CallError>
where
    F: Fn() -> Fut,
    Fut: std::future::Future<Output = ClientResult<T>>,
{
    let mut pause = Duration::from_millis(500);
    for attempt in 1..=REPLY_TRIES {
        match call().await.map_err(classify) {
            Ok(done) => return Ok(done),
            Err(CallError::Transient(e)) if attempt < REPLY_TRIES => {
                tracing::warn!("slack: {what} failed ({e}); retrying in {pause:?}");
                tokio::time::sleep(pause).await;
                pause *= 2;
            }
            Err(e) => return Err(e),
        }
    }
    unreachable!("the last attempt returns")
}

/// Whether a failed call is worth another try: errors about the channel or
/// the message never get better; anything else (rate limits after the
/// client's own retries, 5xx, lost connections, a token being rotated) may.
pub fn classify(error: SlackClientError) -> CallError {
    const NEVER_WORKS: &[&str] = &[
        "channel_not_found",
        "not_in_channel",
        "is_archived",
        "msg_too_long",
        "no_text",
        "invalid_blocks",
        "invalid_arguments",
        "restricted_action",
        "user_not_found",
        "message_not_found",
        "cant_update_message",
        "not_found",
    ];
    match &error {
        SlackClientError::ApiError(api) if NEVER_WORKS.contains(&api.code.as_str()) => {
            CallError::Permanent(format!("slack said {}", api.code))
        }
        SlackClientError::HttpError(http)
            if http.status_code.is_client_error() && http.status_code.as_u16() != 429 =>
        {
            CallError::Permanent(error.to_string())
        }
        _ => CallError::Transient(error.to_string()),
    }
}

/// A quiz question's message shows how many have answered, then the right
/// option without buttons once it closes.
impl Editor<(String, SlackTs)> for Adapter {
    async fn edit(&self, posted: &Posted<(String, SlackTs)>, change: Change<'_>) {
        let (channel, ts) = &posted.place;
        let note = change.note(|correct| format!("*{correct}*"));
        let request = SlackApiChatUpdateRequest::new(
            channel.as_str().into(),
            blocks::question_update(&posted.reply, &note, change.open()),
            ts.clone(),
        );
        let sent = retried("question update", || async {
            self.client
                .open_session(&self.token)
                .chat_update(&request)
                .await
                .map(|_| ())
        })
        .await;
        if let Err(e) = sent {
            tracing::warn!("slack: could not update a quiz question: {e}");
        }
    }
}
