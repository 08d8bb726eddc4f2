//! A fake Slack on 127.0.0.1 for the real slack-morphism client: the Web API
//! (`/api/{method}`, GET or POST) and `response_url`s (`/response/{n}`) on one
//! axum port, Socket Mode's websocket (tokio-tungstenite) on another. It
//! records every HTTP request with the status it answered, answers the Web API
//! methods the adapter uses in the shapes slack-morphism parses, knows which
//! users are admins, owners or in which user groups, can fail the next calls of
//! a method with 5xx or rate limit them (429 + `Retry-After`), and sends
//! envelopes (`hello`, `slash_commands`, `interactive`, `events_api`,
//! `disconnect`) to the connected socket, noting when each envelope went out
//! and when its acknowledgement came back. Every wait is bounded. Every
//! `blocks` array and view the bot sends is also written to a dump
//! ([`dump_path`]) that `.ci/run` checks with the official `slack_sdk`'s Block
//! Kit models (tests/slack_sdk/check_blocks.py).

#![allow(dead_code)]

use std::collections::{HashMap, VecDeque};
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use tokio::net::TcpListener;
use tokio::sync::{Notify, mpsc};
use tokio_tungstenite::tungstenite::Message;

pub const TEAM_ID: &str = "T0FAKE0001";
pub const APP_ID: &str = "A0FAKE0001";
pub const BOT_USER: &str = "U0BOT00001";
pub const BOT_ID: &str = "B0BOT00001";
pub const CHANNEL_ID: &str = "C0CHAN0001";
/// The longest a test waits for the bot to do something.
pub const WAIT: Duration = Duration::from_secs(20);

/// One HTTP request the bot made, and what the fake answered.
#[derive(Debug, Clone)]
pub struct Request {
    pub method: String,
    pub path: String,
    /// The Web API method (`chat.postMessage`) for `/api/…` paths.
    pub api: Option<String>,
    /// The JSON body, or the form or query fields as a JSON object.
    pub body: Value,
    /// The `Authorization` header.
    pub auth: Option<String>,
    /// The status the fake answered with, and its JSON body.
    pub status: u16,
    pub response: Value,
    /// When it arrived.
    pub at: Instant,
}

impl Request {
    /// The response_url number of a `/response/{n}` request.
    pub fn response(&self) -> Option<u64> {
        self.path.strip_prefix("/response/")?.parse().ok()
    }

    pub fn is_api(&self, method: &str) -> bool {
        self.api.as_deref() == Some(method)
    }

    /// Answered with 200.
    pub fn ok(&self) -> bool {
        self.status == 200
    }

    /// The body as text, to look for words in.
    pub fn text(&self) -> String {
        self.body.to_string()
    }
}

/// An acknowledgement the bot sent on the socket.
#[derive(Debug, Clone)]
pub struct Ack {
    pub envelope_id: String,
    pub payload: Option<Value>,
    pub at: Instant,
}

/// What to answer the next call of a method with instead of success.
#[derive(Debug, Clone, Copy)]
enum Failure {
    Status(u16),
    RateLimited { retry_after_secs: u64 },
}

#[derive(Default)]
struct Shared {
    requests: Mutex<Vec<Request>>,
    changed: Notify,
    failures: Mutex<VecDeque<(String, Failure)>>,
    /// Per user id: (is_admin, is_owner).
    users: Mutex<HashMap<String, (bool, bool)>>,
    /// Per user group id: its members.
    groups: Mutex<HashMap<String, Vec<String>>>,
    next_ts: AtomicU64,
    next_response: AtomicU64,
    next_envelope: AtomicU64,
    /// Open socket connections (newest last): a way to send them frames.
    sockets: Mutex<Vec<mpsc::UnboundedSender<Value>>>,
    /// Socket connections accepted (each got a hello).
    connected: AtomicUsize,
    acks: Mutex<Vec<Ack>>,
    /// When each envelope went out, by envelope id (the latest sending).
    sent: Mutex<HashMap<String, Instant>>,
}

pub struct FakeSlack {
    pub http: SocketAddr,
    pub socket: SocketAddr,
    shared: Arc<Shared>,
    tasks: Vec<tokio::task::JoinHandle<()>>,
}

impl Drop for FakeSlack {
    fn drop(&mut self) {
        for task in &self.tasks {
            task.abort();
        }
    }
}

impl FakeSlack {
    pub async fn start() -> FakeSlack {
        let shared = Arc::new(Shared {
            next_ts: AtomicU64::new(1),
            next_response: AtomicU64::new(1),
            next_envelope: AtomicU64::new(1),
            ..Shared::default()
        });
        let socket_listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let socket = socket_listener.local_addr().unwrap();
        let http_listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let http = http_listener.local_addr().unwrap();
        let app = Router::new()
            .fallback(handle_http)
            .with_state((shared.clone(), socket));
        let http_task = tokio::spawn(async move {
            axum::serve(http_listener, app).await.unwrap();
        });
        let socket_shared = shared.clone();
        let socket_task = tokio::spawn(async move {
            loop {
                let Ok((stream, _)) = socket_listener.accept().await else {
                    return;
                };
                tokio::spawn(run_socket(stream, socket_shared.clone()));
            }
        });
        FakeSlack {
            http,
            socket,
            shared,
            tasks: vec![http_task, socket_task],
        }
    }

    /// The Web API base for `INTERVIEW_BOT__SLACK__API_URL`.
    pub fn api_url(&self) -> String {
        format!("http://{}/api", self.http)
    }

    /// A new response_url and its number.
    pub fn response_url(&self) -> (String, u64) {
        let n = self.shared.next_response.fetch_add(1, Ordering::Relaxed);
        (format!("http://{}/response/{n}", self.http), n)
    }

    /// `user` is a workspace admin and/or owner (users.info); others are neither.
    pub fn set_user(&self, user: &str, admin: bool, owner: bool) {
        self.shared
            .users
            .lock()
            .unwrap()
            .insert(user.to_string(), (admin, owner));
    }

    /// User group `group` has `members` (usergroups.users.list).
    pub fn set_group(&self, group: &str, members: &[&str]) {
        self.shared.groups.lock().unwrap().insert(
            group.to_string(),
            members.iter().map(|m| m.to_string()).collect(),
        );
    }

    /// The next `statuses.len()` calls of Web API `method` fail with these statuses.
    pub fn fail_next(&self, method: &str, statuses: &[u16]) {
        let mut failures = self.shared.failures.lock().unwrap();
        for status in statuses {
            failures.push_back((method.to_string(), Failure::Status(*status)));
        }
    }

    /// The next `count` calls of Web API `method` get a 429 with
    /// `Retry-After: retry_after_secs` and `{"ok":false,"error":"ratelimited"}`.
    pub fn rate_limit_next(&self, method: &str, count: usize, retry_after_secs: u64) {
        let mut failures = self.shared.failures.lock().unwrap();
        for _ in 0..count {
            failures.push_back((
                method.to_string(),
                Failure::RateLimited { retry_after_secs },
            ));
        }
    }

    pub fn requests(&self) -> Vec<Request> {
        self.shared.requests.lock().unwrap().clone()
    }

    pub fn count(&self, matches: impl Fn(&Request) -> bool) -> usize {
        self.requests().iter().filter(|r| matches(r)).count()
    }

    /// The successful calls of Web API `method`, oldest first.
    pub fn calls(&self, method: &str) -> Vec<Request> {
        self.requests()
            .into_iter()
            .filter(|r| r.is_api(method) && r.ok())
            .collect()
    }

    /// Waits until a request matches, and returns the first that does.
    pub async fn wait_for(&self, what: &str, matches: impl Fn(&Request) -> bool) -> Request {
        let deadline = Instant::now() + WAIT;
        loop {
            let changed = self.shared.changed.notified();
            if let Some(found) = self.requests().into_iter().find(|r| matches(r)) {
                return found;
            }
            let left = deadline.saturating_duration_since(Instant::now());
            assert!(
                !left.is_zero(),
                "no {what} within {WAIT:?}; requests: {:#?}",
                self.requests()
            );
            let _ = tokio::time::timeout(left.min(Duration::from_millis(200)), changed).await;
        }
    }

    /// Waits until `count` requests match, and returns them.
    pub async fn wait_for_count(
        &self,
        what: &str,
        count: usize,
        matches: impl Fn(&Request) -> bool,
    ) -> Vec<Request> {
        let deadline = Instant::now() + WAIT;
        loop {
            let changed = self.shared.changed.notified();
            let found: Vec<Request> = self.requests().into_iter().filter(|r| matches(r)).collect();
            if found.len() >= count {
                return found;
            }
            let left = deadline.saturating_duration_since(Instant::now());
            assert!(
                !left.is_zero(),
                "{} of {count} {what} within {WAIT:?}; requests: {:#?}",
                found.len(),
                self.requests()
            );
            let _ = tokio::time::timeout(left.min(Duration::from_millis(200)), changed).await;
        }
    }

    /// The first POST to response_url `n`.
    pub async fn response(&self, n: u64) -> Value {
        self.wait_for(&format!("reply at response_url {n}"), |r| {
            r.method == "POST" && r.response() == Some(n)
        })
        .await
        .body
    }

    /// Every POST to response_url `n` so far.
    pub fn responses(&self, n: u64) -> Vec<Value> {
        self.requests()
            .into_iter()
            .filter(|r| r.method == "POST" && r.response() == Some(n))
            .map(|r| r.body)
            .collect()
    }

    /// Waits until `count` socket connections have been opened (each greeted
    /// with hello).
    pub async fn wait_for_connections(&self, count: usize) {
        let deadline = Instant::now() + WAIT;
        while self.shared.connected.load(Ordering::Relaxed) < count {
            assert!(
                Instant::now() < deadline,
                "{} of {count} socket connections within {WAIT:?}; requests: {:#?}",
                self.shared.connected.load(Ordering::Relaxed),
                self.requests()
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Socket connections opened so far.
    pub fn connections(&self) -> usize {
        self.shared.connected.load(Ordering::Relaxed)
    }

    /// Sends `frame` as it is to the newest open connection.
    pub fn send_frame(&self, frame: &Value) {
        if let Some(id) = frame["envelope_id"].as_str() {
            self.shared
                .sent
                .lock()
                .unwrap()
                .insert(id.to_string(), Instant::now());
        }
        let sockets = self.shared.sockets.lock().unwrap();
        let sent = sockets
            .iter()
            .rev()
            .any(|s| !s.is_closed() && s.send(frame.clone()).is_ok());
        assert!(sent, "no socket connection is open");
    }

    /// An envelope of `kind` carrying `payload`, with a new envelope id.
    pub fn envelope(&self, kind: &str, payload: Value) -> Value {
        let n = self.shared.next_envelope.fetch_add(1, Ordering::Relaxed);
        json!({
            "envelope_id": format!("env-{n:04}-{kind}"),
            "type": kind,
            "accepts_response_payload": kind != "events_api",
            "payload": payload,
            "retry_attempt": 0,
            "retry_reason": ""
        })
    }

    /// Sends `/interview TEXT` by `user` in `channel`; returns the envelope
    /// and the number of its response_url.
    pub fn slash(&self, user: &str, channel: &str, text: &str) -> (Value, u64) {
        let (url, n) = self.response_url();
        let envelope = self.envelope("slash_commands", slash_payload(user, channel, text, &url));
        self.send_frame(&envelope);
        (envelope, n)
    }

    /// A click on button `action_id` of message `message_ts` by `user`;
    /// returns the envelope (not yet sent) and its response_url's number.
    pub fn click(
        &self,
        user: &str,
        channel: &str,
        action_id: &str,
        message_ts: &str,
    ) -> (Value, u64) {
        let (url, n) = self.response_url();
        let envelope = self.envelope(
            "interactive",
            click_payload(user, channel, action_id, message_ts, &url),
        );
        (envelope, n)
    }

    /// A click on button `action_id` of `user`'s App Home (`view`, as
    /// `views.publish` received it); returns the envelope (not yet sent).
    /// A view's buttons come with neither a channel nor a response_url.
    pub fn home_click(&self, user: &str, action_id: &str, view: &Value) -> Value {
        self.envelope("interactive", home_click_payload(user, action_id, view))
    }

    /// Sends an Events API event (`app_mention`, `message`, ...); returns the envelope.
    pub fn event(&self, event: Value) -> Value {
        let id = format!("Ev{:010}", fastrand::u64(..10_000_000_000));
        let envelope = self.envelope("events_api", event_callback(event, &id));
        self.send_frame(&envelope);
        envelope
    }

    /// Asks the newest connection to go away, as Slack does before it
    /// refreshes a connection: `{"type":"disconnect","reason":"refresh_requested"}`.
    /// New envelopes go to connections opened after it.
    pub fn disconnect(&self) {
        let mut sockets = self.shared.sockets.lock().unwrap();
        let frame = json!({
            "type": "disconnect",
            "reason": "refresh_requested",
            "debug_info": {"host": "fake-slack"}
        });
        if let Some(newest) = sockets.iter().rposition(|s| !s.is_closed()) {
            let socket = sockets.remove(newest);
            let _ = socket.send(frame);
            // The connection is retired: closed a little later, as Slack does.
            let _ = socket.send(json!({"close_after_ms": 2000}));
        } else {
            panic!("no socket connection is open");
        }
    }

    /// Every acknowledgement so far.
    pub fn acks(&self) -> Vec<Ack> {
        self.shared.acks.lock().unwrap().clone()
    }

    /// The acknowledgements of envelope `id`.
    pub fn acks_of(&self, id: &str) -> Vec<Ack> {
        self.acks()
            .into_iter()
            .filter(|a| a.envelope_id == id)
            .collect()
    }

    /// Waits for the acknowledgement of `envelope`; returns it and how long
    /// after the envelope went out it came.
    pub async fn ack(&self, envelope: &Value) -> (Ack, Duration) {
        let id = envelope["envelope_id"].as_str().expect("an envelope id");
        let deadline = Instant::now() + WAIT;
        loop {
            if let Some(ack) = self.acks_of(id).into_iter().next() {
                let sent = self.shared.sent.lock().unwrap().get(id).copied();
                let after = sent.map_or(Duration::ZERO, |s| ack.at.saturating_duration_since(s));
                return (ack, after);
            }
            assert!(
                Instant::now() < deadline,
                "no ack of {id} within {WAIT:?}; acks: {:?}",
                self.acks()
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
}

/// A slash command's payload (`/interview TEXT`), as Slack sends it.
pub fn slash_payload(user: &str, channel: &str, text: &str, response_url: &str) -> Value {
    json!({
        "token": "deprecated-verification-token",
        "team_id": TEAM_ID,
        "team_domain": "fake",
        "channel_id": channel,
        "channel_name": "general",
        "user_id": user,
        "user_name": user.to_lowercase(),
        "command": "/interview",
        "text": text,
        "api_app_id": APP_ID,
        "is_enterprise_install": "false",
        "response_url": response_url,
        "trigger_id": format!("trigger-{}", fastrand::u64(..))
    })
}

/// A `block_actions` payload: `user` clicked button `action_id` on message
/// `message_ts` in `channel`.
pub fn click_payload(
    user: &str,
    channel: &str,
    action_id: &str,
    message_ts: &str,
    response_url: &str,
) -> Value {
    json!({
        "type": "block_actions",
        "team": {"id": TEAM_ID, "domain": "fake"},
        "user": {"id": user, "username": user.to_lowercase(), "name": user.to_lowercase(), "team_id": TEAM_ID},
        "api_app_id": APP_ID,
        "token": "deprecated-verification-token",
        "container": {"type": "message", "message_ts": message_ts, "channel_id": channel, "is_ephemeral": false},
        "trigger_id": format!("trigger-{}", fastrand::u64(..)),
        "channel": {"id": channel, "name": "general"},
        "message": {"type": "message", "ts": message_ts, "text": "a question", "user": BOT_USER, "bot_id": BOT_ID},
        "response_url": response_url,
        "actions": [{
            "type": "button",
            "action_id": action_id,
            "block_id": "actions-1",
            "text": {"type": "plain_text", "text": "button"},
            "value": action_id,
            "action_ts": format!("{}.000100", 1_800_000_000 + fastrand::u32(..1000))
        }]
    })
}

/// A `block_actions` payload from a view: `user` clicked button `action_id`
/// on their App Home, `view` as `views.publish` received it. As Slack sends
/// it: the container is the view, and there is no channel, no message and no
/// response_url.
pub fn home_click_payload(user: &str, action_id: &str, view: &Value) -> Value {
    let mut view = view.clone();
    let id = format!("V0HOME{:04}", fastrand::u32(..10_000));
    view["id"] = json!(id);
    view["team_id"] = json!(TEAM_ID);
    view["hash"] = json!("1800000000.fakehash");
    view["app_id"] = json!(APP_ID);
    view["bot_id"] = json!(BOT_ID);
    view["state"] = json!({"values": {}});
    view["root_view_id"] = json!(id);
    view["previous_view_id"] = Value::Null;
    json!({
        "type": "block_actions",
        "team": {"id": TEAM_ID, "domain": "fake"},
        "user": {"id": user, "username": user.to_lowercase(), "name": user.to_lowercase(), "team_id": TEAM_ID},
        "api_app_id": APP_ID,
        "token": "deprecated-verification-token",
        "container": {"type": "view", "view_id": id},
        "trigger_id": format!("trigger-{}", fastrand::u64(..)),
        "view": view,
        "state": {"values": {}},
        "actions": [{
            "type": "button",
            "action_id": action_id,
            "block_id": "home-actions",
            "text": {"type": "plain_text", "text": "Start"},
            "value": action_id,
            "action_ts": format!("{}.000100", 1_800_000_000 + fastrand::u32(..1000))
        }]
    })
}

/// A `view_submission` payload: `user` submitted `view` (as `views.open`
/// received it) with `reason` typed into its text input (`None`: left empty).
pub fn view_submission_payload(user: &str, view: &Value, reason: Option<&str>) -> Value {
    view_submission_with(user, view, |_| reason.map(str::to_string))
}

/// A `view_submission` payload: `user` submitted `view` (as `views.open`
/// received it) with `typed(block id)` typed into each input block (`None`:
/// left empty).
pub fn view_submission_with(
    user: &str,
    view: &Value,
    typed: impl Fn(&str) -> Option<String>,
) -> Value {
    let mut view = view.clone();
    view["id"] = json!(format!("V0MODAL{:04}", fastrand::u32(..10_000)));
    view["team_id"] = json!(TEAM_ID);
    view["hash"] = json!("1800000000.fakehash");
    view["app_id"] = json!(APP_ID);
    view["bot_id"] = json!(BOT_ID);
    let mut values = serde_json::Map::new();
    for block in view["blocks"].as_array().cloned().unwrap_or_default() {
        if block["type"] == "input" {
            let action = block["element"]["action_id"]
                .as_str()
                .unwrap_or("")
                .to_string();
            let block_id = block["block_id"].as_str().unwrap_or("").to_string();
            let mut value = serde_json::Map::new();
            value.insert(
                action,
                json!({"type": "plain_text_input", "value": typed(&block_id)}),
            );
            values.insert(block_id, Value::Object(value));
        }
    }
    view["state"] = json!({"values": values});
    json!({
        "type": "view_submission",
        "team": {"id": TEAM_ID, "domain": "fake"},
        "user": {"id": user, "username": user.to_lowercase(), "name": user.to_lowercase(), "team_id": TEAM_ID},
        "api_app_id": APP_ID,
        "token": "deprecated-verification-token",
        "trigger_id": format!("trigger-{}", fastrand::u64(..)),
        "view": view
    })
}

/// An `app_mention` event by `user` in `channel`.
pub fn mention_event(user: &str, channel: &str, text: &str) -> Value {
    json!({
        "type": "app_mention",
        "user": user,
        "text": text,
        "ts": "1800000000.000200",
        "channel": channel,
        "event_ts": "1800000000.000200"
    })
}

/// `user` opened the bot's App Home tab (its conversation is `channel`).
pub fn home_opened_event(user: &str, channel: &str) -> Value {
    json!({
        "type": "app_home_opened",
        "user": user,
        "channel": channel,
        "tab": "home",
        "event_ts": "1800000000.000400"
    })
}

/// A direct message (`message` in an `im` channel) from `user`.
pub fn dm_event(user: &str, channel: &str, text: &str) -> Value {
    json!({
        "type": "message",
        "channel": channel,
        "user": user,
        "text": text,
        "ts": "1800000000.000300",
        "event_ts": "1800000000.000300",
        "channel_type": "im"
    })
}

/// `event` wrapped as an Events API `event_callback`.
pub fn event_callback(event: Value, event_id: &str) -> Value {
    json!({
        "token": "deprecated-verification-token",
        "team_id": TEAM_ID,
        "api_app_id": APP_ID,
        "event": event,
        "type": "event_callback",
        "event_id": event_id,
        "event_time": 1_800_000_000,
        "authorizations": [{"team_id": TEAM_ID, "user_id": BOT_USER, "is_bot": true, "is_enterprise_install": false}]
    })
}

/// The fields of a form or query string, as a JSON object of strings.
fn form_fields(encoded: &str) -> Value {
    let url = reqwest::Url::parse(&format!("http://fake/?{encoded}")).unwrap();
    Value::Object(
        url.query_pairs()
            .map(|(k, v)| (k.into_owned(), Value::String(v.into_owned())))
            .collect(),
    )
}

async fn handle_http(
    State((shared, socket)): State<(Arc<Shared>, SocketAddr)>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let at = Instant::now();
    let path = uri.path().to_string();
    let text = String::from_utf8_lossy(&body).to_string();
    let mut fields = if text.trim().is_empty() {
        json!({})
    } else {
        serde_json::from_str(&text).unwrap_or_else(|_| form_fields(&text))
    };
    if let (Some(query), Some(object)) = (uri.query(), fields.as_object_mut()) {
        if let Value::Object(pairs) = form_fields(query) {
            object.extend(pairs);
        }
    }
    let api = path.strip_prefix("/api/").map(str::to_string);
    let (status, response, retry_after) = answer(&shared, socket, api.as_deref(), &path, &fields);
    let request = Request {
        method: method.to_string(),
        path,
        api,
        body: fields,
        auth: headers
            .get("authorization")
            .and_then(|v| v.to_str().ok())
            .map(str::to_string),
        status: status.as_u16(),
        response: response.clone(),
        at,
    };
    dump(&request);
    shared.requests.lock().unwrap().push(request);
    shared.changed.notify_waiters();
    let mut headers = vec![(
        axum::http::header::CONTENT_TYPE,
        "application/json".to_string(),
    )];
    if let Some(seconds) = retry_after {
        headers.push((axum::http::header::RETRY_AFTER, seconds.to_string()));
    }
    let headers: HeaderMap = headers
        .into_iter()
        .map(|(k, v)| (k, v.parse().unwrap()))
        .collect();
    (status, headers, response.to_string()).into_response()
}

/// Where the blocks and views the bot sent are written, one JSON object a
/// line (`INTERVIEW_BOT_TEST_SLACK_DUMP`, else `target/slack-dump/` with one
/// file per test process).
pub fn dump_path() -> std::path::PathBuf {
    match std::env::var_os("INTERVIEW_BOT_TEST_SLACK_DUMP") {
        Some(path) => path.into(),
        None => std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("target/slack-dump")
            .join(format!(
                "{}-{}.jsonl",
                env!("CARGO_CRATE_NAME"),
                std::process::id()
            )),
    }
}

/// Appends the blocks or view of `request` to [`dump_path`]:
/// `{"source": "chat.postMessage", "blocks": [...]}` or `{"source":
/// "views.open", "view": {...}}`.
fn dump(request: &Request) {
    use std::io::Write;
    static FILE: Mutex<Option<std::fs::File>> = Mutex::new(None);
    let source = request
        .api
        .clone()
        .unwrap_or_else(|| "response_url".to_string());
    let parsed = |v: &Value| match v {
        Value::String(text) => serde_json::from_str(text).unwrap_or(Value::Null),
        other => other.clone(),
    };
    let mut lines = Vec::new();
    let blocks = parsed(&request.body["blocks"]);
    if blocks.is_array() {
        lines.push(json!({"source": source, "blocks": blocks}));
    }
    let view = parsed(&request.body["view"]);
    if view.is_object() {
        lines.push(json!({"source": source, "view": view}));
    }
    if lines.is_empty() {
        return;
    }
    let mut file = FILE.lock().unwrap_or_else(|e| e.into_inner());
    if file.is_none() {
        let path = dump_path();
        if let Some(dir) = path.parent() {
            let _ = std::fs::create_dir_all(dir);
        }
        *file = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&path)
            .ok();
    }
    if let Some(file) = file.as_mut() {
        for line in lines {
            let _ = writeln!(file, "{line}");
        }
    }
}

/// What the fake answers a request with: status, JSON body, and the
/// `Retry-After` seconds of a 429.
fn answer(
    shared: &Shared,
    socket: SocketAddr,
    api: Option<&str>,
    path: &str,
    body: &Value,
) -> (StatusCode, Value, Option<u64>) {
    if path.starts_with("/response/") {
        return ok(json!({"ok": true}));
    }
    let Some(api) = api else {
        return (
            StatusCode::NOT_FOUND,
            json!({"ok": false, "error": "not_found"}),
            None,
        );
    };
    let failure = {
        let mut failures = shared.failures.lock().unwrap();
        let at = failures.iter().position(|(m, _)| m == api);
        at.and_then(|i| failures.remove(i)).map(|(_, f)| f)
    };
    match failure {
        Some(Failure::RateLimited { retry_after_secs }) => {
            return (
                StatusCode::TOO_MANY_REQUESTS,
                json!({"ok": false, "error": "ratelimited"}),
                Some(retry_after_secs),
            );
        }
        Some(Failure::Status(status)) => {
            return (
                StatusCode::from_u16(status).unwrap(),
                json!({"ok": false, "error": "fatal_error"}),
                None,
            );
        }
        None => {}
    }
    let channel = body["channel"].as_str().unwrap_or(CHANNEL_ID).to_string();
    let ts = || {
        let n = shared.next_ts.fetch_add(1, Ordering::Relaxed);
        format!("1800000000.{n:06}")
    };
    match api {
        "apps.connections.open" => ok(json!({
            "ok": true,
            "url": format!("ws://{socket}/link/?ticket=fake-{}", fastrand::u32(..))
        })),
        "auth.test" => ok(json!({
            "ok": true, "url": "https://fake.slack.com/", "team": "Fake", "user": "interview-bot",
            "team_id": TEAM_ID, "user_id": BOT_USER, "bot_id": BOT_ID, "is_enterprise_install": false
        })),
        "chat.postMessage" => {
            let ts = ts();
            ok(json!({
                "ok": true, "channel": channel, "ts": ts,
                "message": {
                    "type": "message", "ts": ts, "user": BOT_USER, "bot_id": BOT_ID,
                    "text": body["text"].as_str().unwrap_or("")
                }
            }))
        }
        "chat.update" => {
            let ts = body["ts"].as_str().unwrap_or("1800000000.000000");
            ok(json!({
                "ok": true, "channel": channel, "ts": ts, "text": body["text"].as_str().unwrap_or(""),
                "message": {"user": BOT_USER, "bot_id": BOT_ID, "text": body["text"].as_str().unwrap_or("")}
            }))
        }
        "chat.postEphemeral" => ok(json!({"ok": true, "message_ts": ts()})),
        "users.info" => {
            let user = body["user"].as_str().unwrap_or("");
            let (admin, owner) = shared
                .users
                .lock()
                .unwrap()
                .get(user)
                .copied()
                .unwrap_or((false, false));
            ok(json!({"ok": true, "user": {
                "id": user, "team_id": TEAM_ID, "name": user.to_lowercase(), "deleted": false,
                "real_name": user, "tz": "Europe/Berlin", "tz_label": "Central European Time", "tz_offset": 3600,
                "is_admin": admin, "is_owner": owner, "is_primary_owner": false,
                "is_restricted": false, "is_ultra_restricted": false, "is_bot": false, "is_app_user": false,
                "updated": 1_800_000_000
            }}))
        }
        "usergroups.users.list" => {
            let group = body["usergroup"].as_str().unwrap_or("");
            match shared.groups.lock().unwrap().get(group) {
                Some(members) => ok(json!({"ok": true, "users": members})),
                None => ok(json!({"ok": false, "error": "no_such_subteam"})),
            }
        }
        "views.open" => {
            let mut view = match &body["view"] {
                Value::String(text) => serde_json::from_str(text).unwrap_or(Value::Null),
                other => other.clone(),
            };
            if body["trigger_id"].as_str().is_none_or(str::is_empty) {
                return ok(json!({"ok": false, "error": "invalid_trigger_id"}));
            }
            if view.is_object() {
                view["id"] = json!(format!("V0MODAL{:04}", fastrand::u32(..10_000)));
                view["team_id"] = json!(TEAM_ID);
                view["hash"] = json!("1800000000.fakehash");
                view["app_id"] = json!(APP_ID);
                view["bot_id"] = json!(BOT_ID);
                view["state"] = json!({"values": {}});
            }
            ok(json!({"ok": true, "view": view}))
        }
        "views.publish" => {
            let mut view = match &body["view"] {
                Value::String(text) => serde_json::from_str(text).unwrap_or(Value::Null),
                other => other.clone(),
            };
            if view.is_object() {
                view["id"] = json!(format!("V0VIEW{:04}", fastrand::u32(..10_000)));
                view["team_id"] = json!(TEAM_ID);
                view["hash"] = json!("1800000000.fakehash");
                view["app_id"] = json!(APP_ID);
                view["bot_id"] = json!(BOT_ID);
            }
            ok(json!({"ok": true, "view": view}))
        }
        _ => ok(json!({"ok": false, "error": "unknown_method"})),
    }
}

fn ok(body: Value) -> (StatusCode, Value, Option<u64>) {
    (StatusCode::OK, body, None)
}

/// One Socket Mode connection: hello, then frames queued by the test sent,
/// and acknowledgements noted.
async fn run_socket(stream: tokio::net::TcpStream, shared: Arc<Shared>) {
    let Ok(ws) = tokio_tungstenite::accept_async(stream).await else {
        return;
    };
    let (mut out, mut incoming) = ws.split();
    let hello = json!({
        "type": "hello",
        "num_connections": 1,
        "debug_info": {"host": "fake-slack", "build_number": 1, "approximate_connection_time": 18060},
        "connection_info": {"app_id": APP_ID}
    });
    if out.send(Message::Text(hello.to_string())).await.is_err() {
        return;
    }
    let (sender, mut frames) = mpsc::unbounded_channel::<Value>();
    shared.sockets.lock().unwrap().push(sender);
    shared.connected.fetch_add(1, Ordering::Relaxed);
    let mut close_at: Option<tokio::time::Instant> = None;
    loop {
        let closing = async move {
            match close_at {
                Some(at) => tokio::time::sleep_until(at).await,
                None => std::future::pending().await,
            }
        };
        tokio::select! {
            frame = incoming.next() => match frame {
                Some(Ok(Message::Text(text))) => {
                    let at = Instant::now();
                    let value: Value = serde_json::from_str(&text).unwrap_or(Value::Null);
                    if let Some(id) = value["envelope_id"].as_str() {
                        shared.acks.lock().unwrap().push(Ack {
                            envelope_id: id.to_string(),
                            payload: value.get("payload").cloned(),
                            at,
                        });
                    }
                }
                Some(Ok(Message::Close(_))) | None | Some(Err(_)) => return,
                Some(Ok(_)) => {}
            },
            Some(frame) = frames.recv() => {
                if let Some(ms) = frame.get("close_after_ms").and_then(Value::as_u64) {
                    close_at = Some(tokio::time::Instant::now() + Duration::from_millis(ms));
                    continue;
                }
                if out.send(Message::Text(frame.to_string())).await.is_err() {
                    return;
                }
            }
            _ = closing => {
                let _ = out.send(Message::Close(None)).await;
                return;
            }
        }
    }
}
