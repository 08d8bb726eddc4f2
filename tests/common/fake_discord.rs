//! A fake Discord on 127.0.0.1 for the real serenity client: REST (axum) on one
//! port, the gateway (tokio-tungstenite) on another. It records every REST
//! request, answers with the shapes serenity parses, can fail the next requests
//! with chosen statuses or rate limit them as Discord does, and pushes
//! dispatches (INTERACTION_CREATE) to the shards that identified. Every wait is
//! bounded. It also notes when each request and each heartbeat arrived (for
//! benchmarks), and the heartbeat interval its HELLO asks for can be changed.
//! Every request body is checked against Discord's published OpenAPI
//! description of its route ([`spec`]): a violation is answered 400 as Discord
//! does ("Invalid Form Body") and fails the test when the fake is dropped.

#![allow(dead_code)]

#[path = "discord_spec.rs"]
pub mod spec;

use std::collections::VecDeque;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use tokio::net::TcpListener;
use tokio::sync::{Notify, mpsc};
use tokio_tungstenite::tungstenite::Message;

pub const APP_ID: &str = "100000000000000001";
pub const GUILD_ID: &str = "300000000000000001";
pub const CHANNEL_ID: &str = "400000000000000001";
/// The longest a test waits for the bot to do something.
pub const WAIT: Duration = Duration::from_secs(20);
/// The heartbeat interval HELLO asks for unless [`FakeDiscord::set_heartbeat_interval`] says otherwise.
pub const HEARTBEAT_INTERVAL: Duration = Duration::from_millis(45_000);

/// One REST request the bot made.
#[derive(Debug, Clone)]
pub struct Request {
    pub method: String,
    pub path: String,
    pub body: Value,
    /// When it arrived.
    pub at: Instant,
}

#[derive(Default)]
struct Shared {
    requests: Mutex<Vec<Request>>,
    changed: Notify,
    /// Statuses to answer the next matching requests with, instead of success.
    failures: Mutex<VecDeque<(String, u16)>>,
    /// Rate limits on requests whose path contains the part: how long each lasts,
    /// and since when (set by the first matching request).
    rate_limits: Mutex<Vec<RateLimit>>,
    /// (shard id, total) of each IDENTIFY, and a way to send it dispatches.
    shards: Mutex<Vec<([u64; 2], mpsc::UnboundedSender<Value>)>>,
    next_id: AtomicU64,
    resumes: std::sync::atomic::AtomicUsize,
    /// Channel messages created, after nonce de-duplication: (channel, id, body).
    created: Mutex<Vec<(String, String, Value)>>,
    /// (channel, nonce) of messages posted with `enforce_nonce`, and their ids.
    nonces: Mutex<std::collections::HashMap<(String, String), String>>,
    /// The interval HELLO asks for, in milliseconds (0: [`HEARTBEAT_INTERVAL`]).
    heartbeat_ms: AtomicU64,
    /// When each heartbeat (op 1) arrived after READY, on any connection.
    heartbeats: Mutex<Vec<Instant>>,
    /// Whether bodies are checked against Discord's OpenAPI document.
    checking: std::sync::atomic::AtomicBool,
    /// What the checks found, in order.
    violations: Mutex<Vec<String>>,
}

struct RateLimit {
    path_part: String,
    retry_after: Duration,
    since: Option<Instant>,
}

pub struct FakeDiscord {
    pub rest: SocketAddr,
    pub gateway: SocketAddr,
    shared: Arc<Shared>,
    tasks: Vec<tokio::task::JoinHandle<()>>,
}

impl Drop for FakeDiscord {
    fn drop(&mut self) {
        for task in &self.tasks {
            task.abort();
        }
        let violations = self.violations();
        if !violations.is_empty() && !std::thread::panicking() {
            panic!(
                "the bot sent Discord {} request(s) its OpenAPI document does not allow:\n{}",
                violations.len(),
                violations.join("\n")
            );
        }
    }
}

/// Panics unless `body` is an interaction callback as Discord's OpenAPI
/// document describes it (the answer of an interactions endpoint).
pub fn assert_callback(body: &Value) {
    if let Some(spec) = spec::Spec::get() {
        let violations = spec.callback_violations(body);
        assert!(
            violations.is_empty(),
            "an interaction response Discord's OpenAPI document does not allow: {body}\n{}",
            violations.join("\n")
        );
    }
}

impl FakeDiscord {
    pub async fn start() -> FakeDiscord {
        let shared = Arc::new(Shared {
            next_id: AtomicU64::new(900_000_000_000_000_001),
            checking: spec::Spec::get().is_some().into(),
            ..Shared::default()
        });
        let gateway_listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let gateway = gateway_listener.local_addr().unwrap();
        let rest_listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let rest = rest_listener.local_addr().unwrap();
        let app = Router::new()
            .fallback(handle_rest)
            .with_state((shared.clone(), gateway));
        let rest_task = tokio::spawn(async move {
            axum::serve(rest_listener, app).await.unwrap();
        });
        let gateway_shared = shared.clone();
        let gateway_task = tokio::spawn(async move {
            loop {
                let Ok((stream, _)) = gateway_listener.accept().await else {
                    return;
                };
                tokio::spawn(run_shard(stream, gateway_shared.clone()));
            }
        });
        FakeDiscord {
            rest,
            gateway,
            shared,
            tasks: vec![rest_task, gateway_task],
        }
    }

    pub fn api_url(&self) -> String {
        format!("http://{}", self.rest)
    }

    pub fn requests(&self) -> Vec<Request> {
        self.shared.requests.lock().unwrap().clone()
    }

    /// Request bodies Discord's OpenAPI document does not allow, so far.
    pub fn violations(&self) -> Vec<String> {
        self.shared.violations.lock().unwrap().clone()
    }

    /// Turns the checks of request bodies off (benchmarks) or back on.
    pub fn check_bodies(&self, on: bool) {
        let on = on && spec::Spec::get().is_some();
        self.shared.checking.store(on, Ordering::Relaxed);
    }

    /// Rate limits requests whose path contains `path_part` as Discord does: the
    /// next one gets a 429 with `{"message": "You are being rate limited.",
    /// "retry_after": SECONDS, "global": false}` and the `Retry-After`,
    /// `X-RateLimit-Reset-After` and `X-RateLimit-Scope` headers, and so does
    /// every other one until `retry_after` has passed since that first 429.
    pub fn rate_limit_next(&self, path_part: &str, retry_after: Duration) {
        self.shared.rate_limits.lock().unwrap().push(RateLimit {
            path_part: path_part.to_string(),
            retry_after,
            since: None,
        });
    }

    /// The path and arrival time of each matching request (bodies not copied).
    pub fn arrivals(&self, matches: impl Fn(&Request) -> bool) -> Vec<(String, Instant)> {
        let requests = self.shared.requests.lock().unwrap();
        requests
            .iter()
            .filter(|r| matches(r))
            .map(|r| (r.path.clone(), r.at))
            .collect()
    }

    /// The heartbeat interval HELLO asks for on connections opened from now on.
    pub fn set_heartbeat_interval(&self, interval: Duration) {
        let ms = u64::try_from(interval.as_millis())
            .unwrap_or(u64::MAX)
            .max(1);
        self.shared.heartbeat_ms.store(ms, Ordering::Relaxed);
    }

    /// When each heartbeat from the bot arrived (after READY), oldest first.
    pub fn heartbeats(&self) -> Vec<Instant> {
        self.shared.heartbeats.lock().unwrap().clone()
    }

    /// The next `count` requests whose path contains `path_part` fail with `status`.
    pub fn fail_next(&self, path_part: &str, statuses: &[u16]) {
        let mut failures = self.shared.failures.lock().unwrap();
        for status in statuses {
            failures.push_back((path_part.to_string(), *status));
        }
    }

    /// Waits until a request matches, and returns it.
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

    /// The interaction callback for interaction `id`.
    pub async fn callback(&self, id: &str) -> Value {
        let path = format!("/api/v10/interactions/{id}/");
        self.wait_for(&format!("callback for interaction {id}"), |r| {
            r.method == "POST" && r.path.starts_with(&path) && r.path.ends_with("/callback")
        })
        .await
        .body
    }

    /// Channel messages created, once each: a repeat of a message whose nonce
    /// Discord has seen (with `enforce_nonce`) returns the first and adds nothing.
    pub fn created_messages(&self) -> Vec<(String, String, Value)> {
        self.shared.created.lock().unwrap().clone()
    }

    pub fn count(&self, matches: impl Fn(&Request) -> bool) -> usize {
        self.requests().iter().filter(|r| matches(r)).count()
    }

    /// Waits until `count` shards have identified; returns their [id, total].
    pub async fn wait_for_shards(&self, count: usize) -> Vec<[u64; 2]> {
        let deadline = Instant::now() + WAIT;
        loop {
            let shards: Vec<[u64; 2]> = self
                .shared
                .shards
                .lock()
                .unwrap()
                .iter()
                .map(|s| s.0)
                .collect();
            if shards.len() >= count {
                return shards;
            }
            assert!(
                Instant::now() < deadline,
                "{count} shards did not identify within {WAIT:?}: {shards:?}"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Sends a dispatch to the newest connection that is still open.
    pub fn dispatch(&self, event: &str, data: Value) {
        let shards = self.shared.shards.lock().unwrap();
        let sent = shards
            .iter()
            .rev()
            .any(|(_, sender)| sender.send(json!({"t": event, "d": data})).is_ok());
        assert!(sent, "no shard is connected");
    }

    /// Closes every gateway connection with a code that allows resuming.
    pub fn drop_connections(&self) {
        for (_, sender) in self.shared.shards.lock().unwrap().iter() {
            let _ = sender.send(json!({"close": 4000}));
        }
    }

    /// Waits until `count` sessions have been resumed.
    pub async fn wait_for_resumes(&self, count: usize) {
        let deadline = Instant::now() + WAIT;
        while self.shared.resumes.load(Ordering::Relaxed) < count {
            assert!(Instant::now() < deadline, "no resume within {WAIT:?}");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}

async fn handle_rest(
    State((shared, gateway)): State<(Arc<Shared>, SocketAddr)>,
    method: Method,
    uri: Uri,
    body: Bytes,
) -> Response {
    let at = Instant::now();
    let path = uri.path().to_string();
    let raw = body;
    let body: Value = serde_json::from_slice(&raw).unwrap_or(Value::Null);
    let violations = match shared.checking.load(Ordering::Relaxed) {
        true => match spec::Spec::get() {
            Some(_) if body.is_null() && !raw.is_empty() => {
                vec![format!("{method} {path}: the body is not JSON")]
            }
            Some(spec) => spec.violations(method.as_str(), &path, &body),
            None => Vec::new(),
        },
        false => Vec::new(),
    };
    shared.requests.lock().unwrap().push(Request {
        method: method.to_string(),
        path: path.clone(),
        body: body.clone(),
        at,
    });
    shared.changed.notify_waiters();
    let failure = {
        let mut failures = shared.failures.lock().unwrap();
        let at = failures
            .iter()
            .position(|(part, _)| path.contains(part.as_str()));
        at.and_then(|i| failures.remove(i))
    };
    if let Some(left) = rate_limited(&shared, &path) {
        let seconds = left.as_secs_f64();
        let body = json!({"message": "You are being rate limited.", "retry_after": seconds, "global": false});
        return (
            StatusCode::TOO_MANY_REQUESTS,
            [
                (
                    axum::http::header::CONTENT_TYPE,
                    "application/json".to_string(),
                ),
                (axum::http::header::RETRY_AFTER, seconds.ceil().to_string()),
                (
                    axum::http::HeaderName::from_static("x-ratelimit-reset-after"),
                    format!("{seconds:.3}"),
                ),
                (
                    axum::http::HeaderName::from_static("x-ratelimit-scope"),
                    "user".to_string(),
                ),
            ],
            body.to_string(),
        )
            .into_response();
    }
    if !violations.is_empty() {
        let why = violations.join("; ");
        shared.violations.lock().unwrap().extend(violations);
        let body = json!({"message": format!("Invalid Form Body: {why}"), "code": 50035});
        return reply(StatusCode::BAD_REQUEST, body);
    }
    if let Some((_, status)) = failure {
        let body =
            json!({"message": "fake failure", "code": 0, "retry_after": 0.01, "global": false});
        return reply(StatusCode::from_u16(status).unwrap(), body);
    }
    let sent = body.get("data").filter(|d| d.is_object()).unwrap_or(&body);
    if let Some(why) = over_limits(sent) {
        let body = json!({"message": format!("Invalid Form Body: {why}"), "code": 50035});
        return reply(StatusCode::BAD_REQUEST, body);
    }
    let id = shared.next_id.fetch_add(1, Ordering::Relaxed).to_string();
    let parts: Vec<&str> = path.trim_start_matches("/api/v10/").split('/').collect();
    match (method.as_str(), parts.as_slice()) {
        ("GET", ["gateway"]) => ok(json!({"url": format!("ws://{gateway}")})).into_response(),
        ("GET", ["gateway", "bot"]) => ok(json!({
            "url": format!("ws://{gateway}"),
            "shards": 1,
            "session_start_limit": {"total": 1000, "remaining": 1000, "reset_after": 0, "max_concurrency": 1}
        }))
        .into_response(),
        ("PUT", ["applications", _, "commands"]) | ("PUT", ["applications", _, "guilds", _, "commands"]) => {
            let echoed: Vec<Value> = body
                .as_array()
                .cloned()
                .unwrap_or_default()
                .into_iter()
                .enumerate()
                .map(|(i, mut c)| {
                    c["id"] = json!(format!("80000000000000000{}", i + 1));
                    c["application_id"] = json!(APP_ID);
                    c["version"] = json!("1");
                    c["type"] = json!(1);
                    if c.get("description").is_none() {
                        c["description"] = json!("");
                    }
                    c
                })
                .collect();
            ok(Value::Array(echoed)).into_response()
        }
        ("POST", ["interactions", _, _, "callback"]) => StatusCode::NO_CONTENT.into_response(),
        ("POST", ["channels", channel, "messages"]) => {
            let nonce = body["nonce"].as_str().filter(|_| body["enforce_nonce"] == true);
            let key = nonce.map(|n| (channel.to_string(), n.to_string()));
            let mut nonces = shared.nonces.lock().unwrap();
            if let Some(existing) = key.as_ref().and_then(|k| nonces.get(k)) {
                return ok(message(existing, channel, &body)).into_response();
            }
            if let Some(key) = key {
                nonces.insert(key, id.clone());
            }
            shared
                .created
                .lock()
                .unwrap()
                .push((channel.to_string(), id.clone(), body.clone()));
            ok(message(&id, channel, &body)).into_response()
        }
        (_, ["webhooks", ..]) | ("PATCH", ["channels", _, "messages", _]) => {
            let channel = if parts[0] == "channels" { parts[1] } else { CHANNEL_ID };
            let message_id = match parts.as_slice() {
                ["channels", _, "messages", mid] => mid.to_string(),
                _ => id,
            };
            ok(message(&message_id, channel, &body)).into_response()
        }
        _ => StatusCode::NOT_FOUND.into_response(),
    }
}

/// Which of Discord's message limits `sent` breaks, if any.
fn over_limits(sent: &Value) -> Option<String> {
    let chars = |v: &Value| v.as_str().map_or(0, |s| s.chars().count());
    let over =
        |what: &str, v: &Value, max: usize| (chars(v) > max).then(|| format!("{what} over {max}"));
    let list = |v: &Value| v.as_array().cloned().unwrap_or_default();
    if let Some(why) = over("content", &sent["content"], 2000) {
        return Some(why);
    }
    for embed in list(&sent["embeds"]) {
        let fields = list(&embed["fields"]);
        let mut total =
            chars(&embed["title"]) + chars(&embed["description"]) + chars(&embed["footer"]["text"]);
        for field in &fields {
            total += chars(&field["name"]) + chars(&field["value"]);
            if let Some(why) = over("field value", &field["value"], 1024) {
                return Some(why);
            }
        }
        let checks = [
            over("embed title", &embed["title"], 256),
            over("embed description", &embed["description"], 4096),
            (fields.len() > 25).then(|| "over 25 fields".to_string()),
            (total > 6000).then(|| "embed over 6000".to_string()),
        ];
        if let Some(why) = checks.into_iter().flatten().next() {
            return Some(why);
        }
    }
    let rows = list(&sent["components"]);
    if rows.len() > 5 {
        return Some("over 5 rows".into());
    }
    for row in rows {
        let buttons = list(&row["components"]);
        if buttons.len() > 5 {
            return Some("over 5 buttons in a row".into());
        }
        for b in buttons {
            if let Some(why) = over("button label", &b["label"], 80)
                .or_else(|| over("custom_id", &b["custom_id"], 100))
            {
                return Some(why);
            }
        }
    }
    let choices = list(&sent["choices"]);
    if choices.len() > 25 {
        return Some("over 25 choices".into());
    }
    for c in choices {
        if let Some(why) =
            over("choice name", &c["name"], 100).or_else(|| over("choice value", &c["value"], 100))
        {
            return Some(why);
        }
    }
    None
}

/// How long `path` is still rate limited, starting a limit armed by
/// [`FakeDiscord::rate_limit_next`] if this is its first request; `None` when it
/// may pass (an expired limit is dropped).
fn rate_limited(shared: &Shared, path: &str) -> Option<Duration> {
    let mut limits = shared.rate_limits.lock().unwrap();
    let at = limits
        .iter()
        .position(|l| path.contains(l.path_part.as_str()))?;
    let limit = &mut limits[at];
    let since = *limit.since.get_or_insert_with(Instant::now);
    match limit.retry_after.checked_sub(since.elapsed()) {
        Some(left) if !left.is_zero() => Some(left),
        _ => {
            limits.remove(at);
            None
        }
    }
}

fn reply(status: StatusCode, body: Value) -> Response {
    (
        status,
        [(axum::http::header::CONTENT_TYPE, "application/json")],
        body.to_string(),
    )
        .into_response()
}

fn ok(body: Value) -> OkJson {
    OkJson(body)
}

/// A 200 answer with a JSON body.
struct OkJson(Value);

impl IntoResponse for OkJson {
    fn into_response(self) -> Response {
        reply(StatusCode::OK, self.0)
    }
}

/// A Message as serenity parses it, carrying what was sent.
fn message(id: &str, channel: &str, sent: &Value) -> Value {
    json!({
        "id": id, "channel_id": channel,
        "author": {"id": APP_ID, "username": "interview-bot", "bot": true},
        "content": sent.get("content").cloned().unwrap_or(json!("")),
        "timestamp": "2026-01-01T00:00:00.000000+00:00", "edited_timestamp": null,
        "tts": false, "mention_everyone": false, "mentions": [], "mention_roles": [],
        "attachments": [], "embeds": [], "pinned": false, "type": 0, "flags": 0
    })
}

/// One shard's connection: HELLO, IDENTIFY, READY, then heartbeats noted and
/// answered and queued dispatches sent with increasing sequence numbers.
async fn run_shard(stream: tokio::net::TcpStream, shared: Arc<Shared>) {
    let Ok(ws) = tokio_tungstenite::accept_async(stream).await else {
        return;
    };
    let (mut out, mut incoming) = ws.split();
    let interval = match shared.heartbeat_ms.load(Ordering::Relaxed) {
        0 => HEARTBEAT_INTERVAL.as_millis() as u64,
        ms => ms,
    };
    let hello = json!({"op": 10, "d": {"heartbeat_interval": interval}});
    if out.send(Message::Text(hello.to_string())).await.is_err() {
        return;
    }
    let (sender, mut dispatches) = mpsc::unbounded_channel::<Value>();
    let mut seq = 0u64;
    while let Some(Ok(frame)) = incoming.next().await {
        let Message::Text(text) = frame else {
            if matches!(frame, Message::Close(_)) {
                return;
            }
            continue;
        };
        let Ok(payload) = serde_json::from_str::<Value>(&text) else {
            continue;
        };
        if payload["op"] == 6 {
            // RESUME: the session id names the shard (see READY below).
            let session = payload["d"]["session_id"].as_str().unwrap_or("");
            let numbers: Vec<u64> = session
                .trim_start_matches("session-")
                .split('-')
                .filter_map(|n| n.parse().ok())
                .collect();
            let shard = [
                numbers.first().copied().unwrap_or(0),
                numbers.get(1).copied().unwrap_or(1),
            ];
            seq = payload["d"]["seq"].as_u64().unwrap_or(0) + 1;
            let resumed = json!({"op": 0, "s": seq, "t": "RESUMED", "d": {}});
            if out.send(Message::Text(resumed.to_string())).await.is_err() {
                return;
            }
            shared.shards.lock().unwrap().push((shard, sender.clone()));
            shared.resumes.fetch_add(1, Ordering::Relaxed);
            break;
        }
        if payload["op"] == 2 {
            let shard = [
                payload["d"]["shard"][0].as_u64().unwrap_or(0),
                payload["d"]["shard"][1].as_u64().unwrap_or(1),
            ];
            seq += 1;
            let ready = json!({"op": 0, "s": seq, "t": "READY", "d": {
                "v": 10,
                "user": {"id": APP_ID, "username": "interview-bot", "discriminator": "0", "avatar": null, "bot": true},
                "guilds": [],
                "session_id": format!("session-{}-{}", shard[0], shard[1]),
                "resume_gateway_url": "ws://127.0.0.1:1",
                "shard": shard,
                "application": {"id": APP_ID, "flags": 0}
            }});
            if out.send(Message::Text(ready.to_string())).await.is_err() {
                return;
            }
            shared.shards.lock().unwrap().push((shard, sender.clone()));
            break;
        }
    }
    loop {
        tokio::select! {
            frame = incoming.next() => match frame {
                Some(Ok(Message::Text(text))) => {
                    let at = Instant::now();
                    let payload: Value = serde_json::from_str(&text).unwrap_or(Value::Null);
                    if payload["op"] == 1 {
                        shared.heartbeats.lock().unwrap().push(at);
                        let _ = out.send(Message::Text(json!({"op": 11}).to_string())).await;
                    }
                }
                Some(Ok(Message::Close(_))) | None | Some(Err(_)) => return,
                Some(Ok(_)) => {}
            },
            Some(mut dispatch) = dispatches.recv() => {
                if let Some(code) = dispatch.get("close").and_then(Value::as_u64) {
                    let frame = tokio_tungstenite::tungstenite::protocol::CloseFrame {
                        code: (code as u16).into(),
                        reason: "fake reconnect".into(),
                    };
                    let _ = out.send(Message::Close(Some(frame))).await;
                    return;
                }
                seq += 1;
                dispatch["op"] = json!(0);
                dispatch["s"] = json!(seq);
                if out.send(Message::Text(dispatch.to_string())).await.is_err() {
                    return;
                }
            }
        }
    }
}

/// A guild member as interactions carry it; `permissions` is Discord's bit set.
pub fn member(user_id: &str, name: &str, permissions: u64, roles: &[&str]) -> Value {
    json!({
        "user": {"id": user_id, "username": name, "discriminator": "0", "global_name": name, "avatar": null},
        "roles": roles, "permissions": permissions.to_string(),
        "joined_at": "2026-01-01T00:00:00.000000+00:00",
        "deaf": false, "mute": false, "flags": 0, "pending": false, "nick": null
    })
}

fn interaction_base(id: &str, kind: u8, member: Value) -> Value {
    json!({
        "id": id, "application_id": APP_ID, "type": kind,
        "guild_id": GUILD_ID, "channel_id": CHANNEL_ID,
        "channel": {"id": CHANNEL_ID, "type": 0},
        "member": member,
        "token": format!("token-{id}"), "version": 1,
        "app_permissions": "2147485696", "locale": "en-US", "guild_locale": "en-US",
        "entitlements": [], "authorizing_integration_owners": {"0": GUILD_ID},
        "context": 0, "attachment_size_limit": 10485760
    })
}

/// `interaction` as sent in channel `channel` instead of [`CHANNEL_ID`].
pub fn in_channel(mut interaction: Value, channel: &str) -> Value {
    interaction["channel_id"] = json!(channel);
    interaction["channel"]["id"] = json!(channel);
    interaction
}

/// A slash command (type 2) with its options, as Discord sends it.
pub fn slash(id: &str, name: &str, options: Value, member: Value) -> Value {
    let mut interaction = interaction_base(id, 2, member);
    interaction["data"] =
        json!({"id": "800000000000000001", "name": name, "type": 1, "options": options});
    interaction
}

/// An autocomplete request (type 4) for a command's focused option.
pub fn autocomplete(id: &str, name: &str, options: Value, member: Value) -> Value {
    let mut interaction = interaction_base(id, 4, member);
    interaction["data"] =
        json!({"id": "800000000000000001", "name": name, "type": 1, "options": options});
    interaction
}

/// A submitted form (a modal submit, type 5): `custom_id` is the form's,
/// `values` the text inputs' (custom id, value) pairs, one per row.
pub fn modal_submit(id: &str, custom_id: &str, values: &[(&str, &str)], member: Value) -> Value {
    let mut interaction = interaction_base(id, 5, member);
    let rows: Vec<Value> = values
        .iter()
        .map(|(input, value)| {
            json!({"type": 1, "components": [{"type": 4, "custom_id": input, "value": value}]})
        })
        .collect();
    interaction["data"] = json!({"custom_id": custom_id, "components": rows});
    interaction
}

/// A button click (type 3) on message `message_id`.
pub fn click(id: &str, custom_id: &str, message_id: &str, member: Value) -> Value {
    let mut interaction = interaction_base(id, 3, member);
    interaction["data"] = json!({"custom_id": custom_id, "component_type": 2});
    interaction["message"] = message(message_id, CHANNEL_ID, &json!({"content": ""}));
    interaction
}

/// `interaction` as it comes from a direct message with the bot, from a
/// person who installed the app for themselves: no guild and no member (the
/// person is `user`), a DM channel (`channel`, type 1), context 1 (BOT_DM),
/// authorized by the user install (`"1"`).
pub fn in_direct_message(mut interaction: Value, channel: &str) -> Value {
    let fields = interaction.as_object_mut().expect("an interaction");
    let member = fields.remove("member").unwrap_or(Value::Null);
    fields.remove("guild_id");
    fields.remove("guild_locale");
    let user = member["user"].clone();
    let user_id = user["id"].as_str().unwrap_or_default().to_string();
    fields.insert("user".into(), user.clone());
    fields.insert("channel_id".into(), json!(channel));
    fields.insert(
        "channel".into(),
        json!({"id": channel, "type": 1, "recipients": [user]}),
    );
    fields.insert("context".into(), json!(1));
    fields.insert(
        "authorizing_integration_owners".into(),
        json!({"1": user_id}),
    );
    if let Some(message) = fields.get_mut("message") {
        message["channel_id"] = json!(channel);
        // A click on an ephemeral reply: the message says so.
        message["flags"] = json!(64);
    }
    interaction
}

/// `interaction` in a server that never added the bot, from a person who
/// installed the app for themselves: the guild and member are there, but the
/// only authorization is the user install (`"1"`) and the bot itself has no
/// permissions in the channel.
pub fn user_installed_in_guild(mut interaction: Value) -> Value {
    let user_id = interaction["member"]["user"]["id"].clone();
    interaction["authorizing_integration_owners"] = json!({"1": user_id});
    interaction["app_permissions"] = json!("0");
    interaction
}
