//! The Slack adapter end to end: the real slack-morphism client against a fake
//! Slack on 127.0.0.1 (tests/common/fake_slack.rs). Socket Mode envelopes in,
//! acknowledged at once, replies at the response_url or through the Web API;
//! quiz buttons counted once; the moderator check (admins, owners, a user
//! group); mentions and direct messages; a refreshed connection; HTTP mode's
//! signature, age and replay checks; 429s waited out; one scheduled post with
//! two processes on one PostgreSQL. Every wait is bounded.

use std::sync::Arc;
use std::time::{Duration, Instant};

mod common;
#[path = "common/fake_slack.rs"]
mod fake;
#[path = "common/fake_discord.rs"]
mod fake_discord;

use fake::{CHANNEL_ID, FakeSlack};
use interview_bot::bot::Bot;
use interview_bot::clock::{Clock, FakeClock, SystemClock};
use interview_bot::config::Settings;
use interview_bot::slack::{self, Running};
use serde_json::{Value, json};

/// A workspace admin (users.info `is_admin`).
const ALICE: &str = "U0ALICE001";
/// Nobody special.
const BOB: &str = "U0BOB00001";
/// A member of the moderator user group.
const CAROL: &str = "U0CAROL001";
/// A workspace owner (users.info `is_owner`).
const DAVE: &str = "U0DAVE0001";
const MODERATORS: &str = "S0MODS0001";
const SECRET: &str = "8f742231b10e8888abcd99yyyzzz85a5";
/// Slack's limit for acknowledging an envelope or a request.
const ACK_LIMIT: Duration = Duration::from_secs(3);

struct Setup {
    fake: FakeSlack,
    running: Running,
    dir: tempfile::TempDir,
    database: String,
}

impl Setup {
    /// Stops the adapter and hands back what a restart needs.
    async fn stop(self) -> (FakeSlack, tempfile::TempDir, String) {
        self.running.stop().await;
        (self.fake, self.dir, self.database)
    }

    async fn rows(&self, sql: &str) -> i64 {
        rows(&self.database, sql).await
    }
}

/// The count `sql` (a `SELECT COUNT(*) …`) gives on `database`.
async fn rows(database: &str, sql: &str) -> i64 {
    use sqlx::Connection;
    if database.starts_with("sqlite:") {
        let mut conn = sqlx::SqliteConnection::connect(database).await.unwrap();
        sqlx::query_scalar(sqlx::AssertSqlSafe(sql.to_string()))
            .fetch_one(&mut conn)
            .await
            .unwrap()
    } else {
        let mut conn = sqlx::PgConnection::connect(database).await.unwrap();
        sqlx::query_scalar(sqlx::AssertSqlSafe(sql.to_string()))
            .fetch_one(&mut conn)
            .await
            .unwrap()
    }
}

fn settings(index: &std::path::Path, database: &str, extra: &[(&str, String)]) -> Settings {
    let mut env = vec![
        (
            "INTERVIEW_BOT__INDEX__DIR".to_string(),
            index.display().to_string(),
        ),
        (
            "INTERVIEW_BOT__DATABASE__URL".to_string(),
            database.to_string(),
        ),
        (
            "INTERVIEW_BOT__MODEL__ENABLED".to_string(),
            "false".to_string(),
        ),
        ("SLACK_BOT_TOKEN".to_string(), "xoxb-test-bot".to_string()),
        ("SLACK_APP_TOKEN".to_string(), "xapp-test-app".to_string()),
        ("SLACK_SIGNING_SECRET".to_string(), SECRET.to_string()),
        (
            "INTERVIEW_BOT__SLACK__CONNECTIONS".to_string(),
            "1".to_string(),
        ),
    ];
    env.extend(extra.iter().map(|(k, v)| (k.to_string(), v.clone())));
    Settings::load_from(None, env).expect("settings load")
}

/// The adapter in Socket Mode on a fresh SQLite file, connected to a fresh
/// fake whose ALICE is an admin, DAVE an owner and CAROL in [`MODERATORS`].
async fn start(extra: &[(&str, String)]) -> Setup {
    let fake = FakeSlack::start().await;
    fake.set_user(ALICE, true, false);
    fake.set_user(DAVE, false, true);
    fake.set_group(MODERATORS, &[CAROL]);
    let dir = tempfile::tempdir().unwrap();
    let database = common::fresh_sqlite(dir.path());
    let setup = start_in(fake, dir, database, Arc::new(SystemClock), extra).await;
    setup.fake.wait_for_connections(1).await;
    setup
}

/// The adapter on `database` (its index in `dir`), connected to `fake`.
async fn start_in(
    fake: FakeSlack,
    dir: tempfile::TempDir,
    database: String,
    clock: Arc<dyn Clock>,
    extra: &[(&str, String)],
) -> Setup {
    let mut all = vec![("INTERVIEW_BOT__SLACK__API_URL", fake.api_url())];
    all.extend(extra.iter().cloned());
    let settings = settings(&dir.path().join("index"), &database, &all);
    let bot = Arc::new(Bot::from_settings(&settings, clock).await.unwrap());
    let running = slack::start(&settings.slack, bot)
        .await
        .expect("the adapter starts");
    Setup {
        fake,
        running,
        dir,
        database,
    }
}

/// Every block of `message` (a response_url body or a Web API call) whose
/// `type` is `kind`.
fn blocks_of<'a>(message: &'a Value, kind: &str) -> Vec<&'a Value> {
    message["blocks"]
        .as_array()
        .map(|b| b.iter().filter(|b| b["type"] == kind).collect())
        .unwrap_or_default()
}

/// The action ids of every button in `message`, in order.
fn buttons(message: &Value) -> Vec<String> {
    blocks_of(message, "actions")
        .iter()
        .flat_map(|b| b["elements"].as_array().cloned().unwrap_or_default())
        .filter_map(|e| e["action_id"].as_str().map(str::to_string))
        .collect()
}

/// Everything a person sees of `message`: its text and its blocks, as one string.
fn shown(message: &Value) -> String {
    format!("{} {}", message["text"], message["blocks"])
}

/// Starts a one-question round in `channel` by ALICE (an admin); returns the
/// question's post (chat.postMessage's body and the ts the fake gave it).
async fn start_round(setup: &Setup, channel: &str) -> (Value, String) {
    let (envelope, _) = setup
        .fake
        .slash(ALICE, channel, "quiz start questions:1 seconds:600");
    setup.fake.ack(&envelope).await;
    let post = setup
        .fake
        .wait_for("the question's post", |r| {
            r.is_api("chat.postMessage")
                && r.ok()
                && r.body["channel"] == channel
                && r.text().contains("Question 1 of 1")
        })
        .await;
    let ts = post.response["ts"].as_str().unwrap().to_string();
    (post.body, ts)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_slash_command_is_acked_at_once_and_answered_at_its_response_url() {
    let setup = start(&[]).await;
    let open = setup
        .fake
        .wait_for("apps.connections.open", |r| {
            r.is_api("apps.connections.open")
        })
        .await;
    assert_eq!(
        open.auth.as_deref(),
        Some("Bearer xapp-test-app"),
        "Socket Mode opens with the app token"
    );

    let (envelope, n) = setup
        .fake
        .slash(ALICE, CHANNEL_ID, "ask what is a docker volume");
    let (ack, after) = setup.fake.ack(&envelope).await;
    assert!(
        after < ACK_LIMIT,
        "the envelope was acknowledged after {after:?}"
    );
    assert_eq!(setup.fake.acks_of(&ack.envelope_id).len(), 1);
    assert_eq!(
        ack.payload, None,
        "a bare acknowledgement: the reply goes to the response_url"
    );

    let answer = setup.fake.response(n).await;
    assert_eq!(
        answer["response_type"], "in_channel",
        "an answer is public: {answer}"
    );
    let header = blocks_of(&answer, "header");
    let title = header[0]["text"]["text"].as_str().unwrap_or_default();
    assert!(title.to_lowercase().contains("volume"), "{answer}");
    let facts = blocks_of(&answer, "context")
        .iter()
        .map(|b| b.to_string())
        .collect::<String>();
    assert!(facts.contains("docker"), "the topic is shown: {facts}");
    assert!(
        facts.contains("`docker-"),
        "the question's id is shown: {facts}"
    );
    assert!(
        answer["text"].as_str().is_some_and(|t| !t.is_empty()),
        "a fallback text for notifications: {answer}"
    );
    let ids = buttons(&answer);
    assert_eq!(ids.first().map(String::as_str), Some("ask:next"), "{ids:?}");
    assert!(
        ids.iter().any(|id| id.starts_with("feedback:up:docker-"))
            && ids.iter().any(|id| id.starts_with("feedback:down:docker-")),
        "answers carry 👍/👎: {ids:?}"
    );
    let related: Vec<String> = ids
        .iter()
        .filter(|id| id.starts_with("ask:show:"))
        .cloned()
        .collect();
    assert!(
        !related.is_empty() && related.iter().all(|id| id.starts_with("ask:show:docker-")),
        "related questions of the same topic: {ids:?}"
    );

    // "Not it?" answers with the next match, at the click's own response_url.
    let (click, m) = setup
        .fake
        .click(ALICE, CHANNEL_ID, "ask:next", "1800000000.000001");
    setup.fake.send_frame(&click);
    let (_, after) = setup.fake.ack(&click).await;
    assert!(
        after < ACK_LIMIT,
        "the click was acknowledged after {after:?}"
    );
    let next = setup.fake.response(m).await;
    assert!(shown(&next).contains("match 2"), "{next}");

    // A related question's button shows that question.
    let related = related[0].clone();
    let (click, k) = setup
        .fake
        .click(ALICE, CHANNEL_ID, &related, "1800000000.000001");
    setup.fake.send_frame(&click);
    let shown_entry = setup.fake.response(k).await;
    let id = related.trim_start_matches("ask:show:");
    assert!(shown(&shown_entry).contains(id), "{related}: {shown_entry}");
    setup.running.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unknown_subcommands_get_the_help_and_personal_replies_are_ephemeral() {
    let setup = start(&[]).await;
    let (_, n) = setup.fake.slash(BOB, CHANNEL_ID, "frobnicate now");
    let help = setup.fake.response(n).await;
    assert_eq!(help["response_type"], "ephemeral", "{help}");
    let text = shown(&help);
    assert!(
        text.contains("frobnicate"),
        "says what was not understood: {text}"
    );
    assert!(text.contains("/interview quiz start"), "{text}");
    assert!(text.contains("/interview leaderboard"), "{text}");

    let (_, n) = setup.fake.slash(BOB, CHANNEL_ID, "");
    let bare = setup.fake.response(n).await;
    assert!(shown(&bare).contains("/interview ask"), "{bare}");

    let (_, n) = setup.fake.slash(BOB, CHANNEL_ID, "leaderboard week");
    let board = setup.fake.response(n).await;
    assert_eq!(board["response_type"], "in_channel", "{board}");
    assert!(
        board["text"].as_str().is_some_and(|t| !t.is_empty()),
        "{board}"
    );
    let (_, n) = setup.fake.slash(BOB, CHANNEL_ID, "leaderboard fortnight");
    let bad = setup.fake.response(n).await;
    assert_eq!(
        bad["response_type"], "ephemeral",
        "bad input is told privately: {bad}"
    );

    let (_, n) = setup.fake.slash(BOB, CHANNEL_ID, "stats");
    let stats = setup.fake.response(n).await;
    assert_eq!(stats["response_type"], "ephemeral", "{stats}");
    setup.running.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_quiz_answer_counts_once_even_when_delivered_twice() {
    let setup = start(&[]).await;
    let (question, ts) = start_round(&setup, CHANNEL_ID).await;
    let post = setup
        .fake
        .wait_for("the question's post", |r| r.is_api("chat.postMessage"))
        .await;
    assert_eq!(post.auth.as_deref(), Some("Bearer xoxb-test-bot"));
    let ids = buttons(&question);
    assert_eq!(ids.len(), 5, "A to D and the report: {question}");
    assert!(ids[4].starts_with("quiz-report:"), "{ids:?}");
    for (id, letter) in ids.iter().zip(["A", "B", "C", "D"]) {
        assert!(
            id.starts_with("quiz:") && id.ends_with(&format!(":1:{letter}")),
            "{ids:?}"
        );
    }

    // Slack redelivers an envelope it thinks was not acknowledged: the same
    // envelope, twice.
    let (click, n) = setup.fake.click(BOB, CHANNEL_ID, &ids[1], &ts);
    setup.fake.send_frame(&click);
    let mut again = click.clone();
    again["retry_attempt"] = json!(1);
    again["retry_reason"] = json!("timeout");
    setup.fake.send_frame(&again);
    let first = setup.fake.response(n).await;
    assert_eq!(first["response_type"], "ephemeral", "{first}");
    assert!(
        shown(&first).contains("recorded: B for question 1"),
        "{first}"
    );
    // Give the repeated delivery time to be (wrongly) counted.
    tokio::time::sleep(Duration::from_millis(1000)).await;
    let replies = setup.fake.responses(n);
    let recorded = replies
        .iter()
        .filter(|r| shown(r).contains("recorded"))
        .count();
    assert_eq!(recorded, 1, "told twice it was recorded: {replies:#?}");
    let id = click["envelope_id"].as_str().unwrap();
    assert_eq!(
        setup.fake.acks_of(id).len(),
        2,
        "both deliveries are acknowledged (or Slack keeps sending it)"
    );

    // A second click (a new envelope) is told the first counts.
    let (other, m) = setup.fake.click(BOB, CHANNEL_ID, &ids[2], &ts);
    setup.fake.send_frame(&other);
    let second = setup.fake.response(m).await;
    assert!(
        shown(&second).contains("you already answered B; the first answer counts"),
        "{second}"
    );

    // The question's message shows one answer.
    let update = setup
        .fake
        .wait_for("the question's update", |r| {
            r.is_api("chat.update") && r.ok() && r.body["ts"] == ts.as_str()
        })
        .await;
    assert_eq!(update.body["channel"], CHANNEL_ID);
    assert!(
        update.text().contains("1 person has answered"),
        "{}",
        update.body
    );
    assert_eq!(
        buttons(&update.body).len(),
        5,
        "still open: {}",
        update.body
    );

    // The store holds exactly one answer of bob's, B.
    assert_eq!(setup.rows("SELECT COUNT(*) FROM answers").await, 1);
    assert_eq!(
        setup
            .rows(&format!(
                "SELECT COUNT(*) FROM answers WHERE user_id = '<@{BOB}>' AND choice = 'B' AND guild = 'slack:{}' AND channel = '{CHANNEL_ID}'",
                fake::TEAM_ID
            ))
            .await,
        1
    );
    setup.running.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn at_the_close_the_question_loses_its_buttons_and_the_reveal_is_posted() {
    let setup = start(&[]).await;
    let (envelope, _) = setup
        .fake
        .slash(ALICE, CHANNEL_ID, "quiz start questions:1 seconds:10");
    setup.fake.ack(&envelope).await;
    let post = setup
        .fake
        .wait_for("the question's post", |r| {
            r.is_api("chat.postMessage") && r.ok() && r.text().contains("Question 1 of 1")
        })
        .await;
    let ts = post.response["ts"].as_str().unwrap().to_string();
    let ids = buttons(&post.body);
    let (click, n) = setup.fake.click(BOB, CHANNEL_ID, &ids[0], &ts);
    setup.fake.send_frame(&click);
    let recorded = setup.fake.response(n).await;
    assert!(shown(&recorded).contains("recorded: A"), "{recorded}");

    let closed = setup
        .fake
        .wait_for("the question closed", |r| {
            r.is_api("chat.update")
                && r.ok()
                && r.body["ts"] == ts.as_str()
                && r.text().contains("closed")
        })
        .await;
    assert!(buttons(&closed.body).is_empty(), "{}", closed.body);
    assert!(closed.text().contains("1 answered"), "{}", closed.body);
    let reveal = setup
        .fake
        .wait_for("the reveal", |r| {
            r.is_api("chat.postMessage") && r.ok() && r.text().contains("Question 1 closed")
        })
        .await;
    assert_eq!(reveal.body["channel"], CHANNEL_ID);
    assert!(reveal.text().contains("1 answered"), "{}", reveal.body);
    setup
        .fake
        .wait_for("the standings", |r| {
            r.is_api("chat.postMessage") && r.ok() && r.text().contains("Round over")
        })
        .await;
    setup.running.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn opening_the_app_home_publishes_stats_next_rounds_and_the_week() {
    let setup = start(&[]).await;
    let (_, n) = setup
        .fake
        .slash(ALICE, CHANNEL_ID, "quiz schedule 09:30 Europe/Berlin");
    let created = setup.fake.response(n).await;
    assert!(
        shown(&created).contains("Daily quiz scheduled"),
        "{created}"
    );
    let opened = setup.fake.event(fake::home_opened_event(BOB, "D0HOME0001"));
    setup.fake.ack(&opened).await;
    let publish = setup
        .fake
        .wait_for("the App Home", |r| r.is_api("views.publish"))
        .await;
    assert_eq!(publish.body["user_id"], BOB, "{}", publish.body);
    let view = match &publish.body["view"] {
        Value::String(text) => serde_json::from_str(text).unwrap(),
        other => other.clone(),
    };
    assert_eq!(view["type"], "home", "{view}");
    let text = view["blocks"].to_string();
    for part in [
        "Your practice",
        "0 cards due today · streak 0 days · 0 cards learned",
        "Your stats",
        "Next rounds",
        &format!("<#{CHANNEL_ID}>"),
        "This week",
    ] {
        assert!(text.contains(part), "no {part:?} in {text}");
    }
    assert_eq!(buttons(&view), ["practice:next:"], "{view}");
    setup.running.stop().await;
}

/// The view of a `views.publish` call (a JSON string in a form, or an object).
fn published_view(publish: &fake::Request) -> Value {
    match &publish.body["view"] {
        Value::String(text) => serde_json::from_str(text).unwrap(),
        other => other.clone(),
    }
}

/// The adapter in Socket Mode on a fresh SQLite file, on `clock`.
async fn start_at(clock: Arc<FakeClock>) -> Setup {
    let fake = FakeSlack::start().await;
    let dir = tempfile::tempdir().unwrap();
    let database = common::fresh_sqlite(dir.path());
    let setup = start_in(fake, dir, database, clock, &[]).await;
    setup.fake.wait_for_connections(1).await;
    setup
}

/// Monday 23 November 2026, 07:00 UTC.
fn monday_morning() -> jiff::Timestamp {
    "2026-11-23T07:00:00Z".parse().unwrap()
}

/// Waits until the response_url `n` has been answered `count` times; returns
/// its answers.
async fn responses(setup: &Setup, n: u64, count: usize) -> Vec<Value> {
    let deadline = Instant::now() + fake::WAIT;
    loop {
        let answers = setup.fake.responses(n);
        if answers.len() >= count {
            return answers;
        }
        assert!(
            Instant::now() < deadline,
            "{} answer(s) at response_url {n}: {answers:#?}",
            answers.len()
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// BOB's first practice card by `/interview practice new`: its entry and
/// the Show answer button.
async fn first_card(setup: &Setup) -> (String, String) {
    let (_, n) = setup.fake.slash(BOB, CHANNEL_ID, "practice new");
    let card = setup.fake.response(n).await;
    assert_eq!(card["response_type"], "ephemeral", "{card}");
    let text = shown(&card);
    assert!(text.contains("new card · "), "{card}");
    assert!(text.contains("/interview reveal"), "{card}");
    let ids = buttons(&card);
    assert_eq!(ids.len(), 1, "{card}");
    let entry = ids[0]
        .strip_prefix("practice:reveal:0:")
        .unwrap_or_else(|| panic!("{ids:?}"))
        .to_string();
    (entry, ids[0].clone())
}

/// `/interview practice new`, Show answer, then the grade buttons: every
/// reply at the response_url, ephemeral. A grade whose envelope Slack
/// delivers twice is answered and counted once (when the card comes back,
/// then "nothing due"); a second click of the button is told the first grade
/// counts; the card comes back within the session.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_practice_session_is_private_and_a_grade_counts_once() {
    let clock = Arc::new(FakeClock::new(monday_morning()));
    let setup = start_at(clock.clone()).await;
    let (entry, reveal) = first_card(&setup).await;

    let (click, n) = setup
        .fake
        .click(BOB, CHANNEL_ID, &reveal, "1800000000.000001");
    setup.fake.send_frame(&click);
    let answer = setup.fake.response(n).await;
    assert_eq!(answer["response_type"], "ephemeral", "{answer}");
    assert!(
        shown(&answer)
            .contains("How well did you know it? (/interview grade again|hard|good|easy)"),
        "{answer}"
    );
    let grades: Vec<String> = ["again", "hard", "good", "easy"]
        .iter()
        .map(|g| format!("practice:grade:{g}:0:{entry}"))
        .collect();
    assert_eq!(buttons(&answer), grades, "{answer}");

    // Good, the envelope delivered twice.
    let (click, m) = setup
        .fake
        .click(BOB, CHANNEL_ID, &grades[2], "1800000000.000002");
    setup.fake.send_frame(&click);
    let mut again = click.clone();
    again["retry_attempt"] = json!(1);
    again["retry_reason"] = json!("timeout");
    setup.fake.send_frame(&again);
    let answers = responses(&setup, m, 2).await;
    assert!(
        shown(&answers[0]).contains("Good: back later today"),
        "{answers:#?}"
    );
    assert!(
        shown(&answers[1]).contains("Nothing due now."),
        "{answers:#?}"
    );
    assert!(answers.iter().all(|a| a["response_type"] == "ephemeral"));
    // Give the repeated delivery time to be (wrongly) answered.
    tokio::time::sleep(Duration::from_millis(1000)).await;
    assert_eq!(
        setup.fake.responses(m).len(),
        2,
        "{:#?}",
        setup.fake.responses(m)
    );
    assert_eq!(setup.rows("SELECT COUNT(*) FROM practice_reviews").await, 1);

    // A second click on Good (a new envelope) changes nothing.
    let (click, k) = setup
        .fake
        .click(BOB, CHANNEL_ID, &grades[2], "1800000000.000002");
    setup.fake.send_frame(&click);
    let told = setup.fake.response(k).await;
    assert!(
        shown(&told).contains("graded already: your first grade counts"),
        "{told}"
    );
    assert_eq!(setup.rows("SELECT COUNT(*) FROM practice_reviews").await, 1);

    // Within the session the card comes back: `/interview practice` deals it.
    clock.set(monday_morning() + jiff::SignedDuration::from_mins(11));
    let (_, j) = setup.fake.slash(BOB, CHANNEL_ID, "practice");
    let back = setup.fake.response(j).await;
    assert_eq!(back["response_type"], "ephemeral", "{back}");
    assert_eq!(
        buttons(&back),
        [format!("practice:reveal:1:{entry}")],
        "{back}"
    );
    setup.running.stop().await;
}

/// The App Home shows the person's practice with the right counts (due
/// today, streak, cards learned) and a Start button; a click on Start (a
/// view's button: no channel, no response_url) deals the due card in the
/// person's direct messages with the app, whose buttons go on privately.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_app_home_shows_practice_and_its_start_button_deals_in_a_direct_message() {
    let clock = Arc::new(FakeClock::new(monday_morning()));
    let setup = start_at(clock.clone()).await;
    let (entry, reveal) = first_card(&setup).await;
    let (click, n) = setup
        .fake
        .click(BOB, CHANNEL_ID, &reveal, "1800000000.000001");
    setup.fake.send_frame(&click);
    setup.fake.response(n).await;
    let (click, m) = setup.fake.click(
        BOB,
        CHANNEL_ID,
        &format!("practice:grade:again:0:{entry}"),
        "1800000000.000002",
    );
    setup.fake.send_frame(&click);
    let answers = responses(&setup, m, 2).await;
    assert!(
        shown(&answers[0]).contains("Again: back later today"),
        "{answers:#?}"
    );
    // A minute later the card is due again.
    clock.set(monday_morning() + jiff::SignedDuration::from_mins(2));

    let opened = setup.fake.event(fake::home_opened_event(BOB, "D0HOME0001"));
    setup.fake.ack(&opened).await;
    let publish = setup
        .fake
        .wait_for("the App Home", |r| r.is_api("views.publish"))
        .await;
    assert_eq!(publish.body["user_id"], BOB, "{}", publish.body);
    let view = published_view(&publish);
    assert_eq!(view["type"], "home", "{view}");
    let text = view["blocks"].to_string();
    assert!(text.contains("*Your practice*"), "{text}");
    assert!(
        text.contains("1 card due today · streak 1 day · 1 card learned"),
        "{text}"
    );
    assert!(
        !text.contains("*Practice*:"),
        "practice is shown once, not again in the stats: {text}"
    );
    assert_eq!(buttons(&view), ["practice:next:"], "{view}");

    // Start, on the Home tab: the due card, in BOB's direct messages.
    let start = setup.fake.home_click(BOB, "practice:next:", &view);
    setup.fake.send_frame(&start);
    let (_, after) = setup.fake.ack(&start).await;
    assert!(after < ACK_LIMIT, "acknowledged after {after:?}");
    let dealt = setup
        .fake
        .wait_for("the card in a direct message", |r| {
            r.is_api("chat.postMessage") && r.ok() && r.body["channel"] == BOB
        })
        .await;
    let reveal = format!("practice:reveal:1:{entry}");
    assert_eq!(buttons(&dealt.body), [reveal.as_str()], "{}", dealt.body);
    assert_eq!(setup.fake.count(|r| r.is_api("chat.postEphemeral")), 0);

    // Its Show answer, clicked in the direct message, answers privately.
    let (click, k) = setup
        .fake
        .click(BOB, "D0HOME0001", &reveal, "1800000000.000003");
    setup.fake.send_frame(&click);
    let answer = setup.fake.response(k).await;
    assert_eq!(answer["response_type"], "ephemeral", "{answer}");
    assert_eq!(buttons(&answer).len(), 4, "{answer}");
    assert!(
        buttons(&answer)[2].starts_with("practice:grade:good:1:"),
        "{answer}"
    );
    setup.running.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn schedules_need_a_moderator_and_a_denied_user_is_told_why() {
    let setup = start(&[(
        "INTERVIEW_BOT__SLACK__MODERATOR_GROUP",
        MODERATORS.to_string(),
    )])
    .await;
    let schedule = "quiz schedule 09:30 Europe/Berlin";
    let (_, n) = setup.fake.slash(BOB, CHANNEL_ID, schedule);
    let denied = setup.fake.response(n).await;
    assert_eq!(denied["response_type"], "ephemeral", "{denied}");
    assert!(shown(&denied).contains("moderator"), "{denied}");
    assert_eq!(
        setup.rows("SELECT COUNT(*) FROM schedules").await,
        0,
        "a refused schedule is not stored"
    );

    let (_, n) = setup.fake.slash(ALICE, CHANNEL_ID, schedule);
    let created = setup.fake.response(n).await;
    assert!(
        shown(&created).contains("Daily quiz scheduled"),
        "an admin may: {created}"
    );
    assert_eq!(setup.rows("SELECT COUNT(*) FROM schedules").await, 1);

    // An owner and a member of the moderator group may too (each in a channel
    // of its own: a channel's daily windows may not overlap).
    for (who, channel) in [(DAVE, "C0CHAN0003"), (CAROL, "C0CHAN0004")] {
        let (_, n) = setup
            .fake
            .slash(who, channel, "quiz schedule 10:30 Europe/Berlin");
        let reply = setup.fake.response(n).await;
        assert!(
            shown(&reply).contains("Daily quiz scheduled"),
            "{who}: {reply}"
        );
    }
    assert_eq!(setup.rows("SELECT COUNT(*) FROM schedules").await, 3);
    let asked = setup.fake.count(|r| r.is_api("users.info"));
    assert!(asked >= 1, "users.info was never asked");
    setup.running.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_mention_and_a_direct_message_are_answered_in_their_channel() {
    let setup = start(&[]).await;
    let mention = setup.fake.event(fake::mention_event(
        ALICE,
        CHANNEL_ID,
        &format!("<@{}> what is a docker volume", fake::BOT_USER),
    ));
    let (_, after) = setup.fake.ack(&mention).await;
    assert!(
        after < ACK_LIMIT,
        "the event was acknowledged after {after:?}"
    );
    let post = setup
        .fake
        .wait_for("the answer to the mention", |r| {
            r.is_api("chat.postMessage") && r.ok() && r.body["channel"] == CHANNEL_ID
        })
        .await;
    assert!(
        post.text().to_lowercase().contains("volume"),
        "{}",
        post.body
    );
    assert!(
        buttons(&post.body).contains(&"ask:next".to_string()),
        "{}",
        post.body
    );

    let dm = "D0DIRECT01";
    setup
        .fake
        .event(fake::dm_event(BOB, dm, "difference between tcp and udp"));
    let post = setup
        .fake
        .wait_for("the answer to the direct message", |r| {
            r.is_api("chat.postMessage") && r.ok() && r.body["channel"] == dm
        })
        .await;
    assert!(post.text().contains("TCP"), "{}", post.body);

    // The bot's own messages (its answers echoed back as events) are not
    // answered, or it would talk to itself forever.
    let mut own = fake::dm_event(fake::BOT_USER, dm, "difference between tcp and udp");
    own["bot_id"] = json!(fake::BOT_ID);
    own["subtype"] = json!("bot_message");
    let echo = setup.fake.event(own);
    setup.fake.ack(&echo).await;
    tokio::time::sleep(Duration::from_millis(1000)).await;
    assert_eq!(
        setup
            .fake
            .count(|r| r.is_api("chat.postMessage") && r.body["channel"] == dm),
        1,
        "the bot answered its own message"
    );
    setup.running.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_disconnect_reconnects_and_commands_still_work() {
    let setup = start(&[]).await;
    assert_eq!(setup.fake.count(|r| r.is_api("apps.connections.open")), 1);
    setup.fake.disconnect();
    setup.fake.wait_for_connections(2).await;
    assert_eq!(
        setup
            .fake
            .count(|r| r.is_api("apps.connections.open") && r.ok()),
        2,
        "a new websocket URL for the new connection"
    );
    let (envelope, n) = setup.fake.slash(BOB, CHANNEL_ID, "topics");
    setup.fake.ack(&envelope).await;
    let topics = setup.fake.response(n).await;
    assert!(shown(&topics).contains("docker"), "{topics}");
    setup.running.stop().await;
}

/// A quiz question posted while chat.postMessage is rate limited is posted
/// after the Retry-After, and once; after a 500 it still arrives, once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rate_limited_post_waits_for_retry_after_and_is_posted_once() {
    let setup = start(&[]).await;
    setup.fake.rate_limit_next("chat.postMessage", 1, 1);
    let (question, _) = start_round(&setup, CHANNEL_ID).await;
    assert!(shown(&question).contains("Question 1 of 1"));
    let tries: Vec<fake::Request> = setup
        .fake
        .requests()
        .into_iter()
        .filter(|r| r.is_api("chat.postMessage"))
        .collect();
    assert_eq!(tries[0].status, 429, "{tries:#?}");
    let through = tries.iter().find(|r| r.ok()).unwrap();
    let waited = through.at - tries[0].at;
    assert!(
        waited >= Duration::from_secs(1),
        "retried {waited:?} after a 429 with Retry-After: 1"
    );
    // Give a second post time to (wrongly) arrive.
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let posted = setup
        .fake
        .count(|r| r.is_api("chat.postMessage") && r.ok() && r.text().contains("Question 1 of 1"));
    assert_eq!(posted, 1, "{:#?}", setup.fake.requests());

    // After a 500 the question still reaches the channel, once: posted again,
    // or as the command's answer (in the channel) at its response_url.
    setup.fake.fail_next("chat.postMessage", &[500]);
    let second = "C0CHAN0002";
    let (envelope, n) = setup
        .fake
        .slash(ALICE, second, "quiz start questions:1 seconds:600");
    setup.fake.ack(&envelope).await;
    let deadline = Instant::now() + fake::WAIT;
    let shown_in_second = || {
        let posted = setup.fake.count(|r| {
            r.is_api("chat.postMessage")
                && r.ok()
                && r.body["channel"] == second
                && r.text().contains("Question 1 of 1")
        });
        let answered = setup
            .fake
            .responses(n)
            .iter()
            .filter(|r| r["response_type"] == "in_channel" && shown(r).contains("Question 1 of 1"))
            .count();
        posted + answered
    };
    while shown_in_second() == 0 {
        assert!(
            Instant::now() < deadline,
            "the question never reached {second}: {:#?}",
            setup.fake.requests()
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert_eq!(
        setup.fake.count(|r| r.is_api("chat.postMessage")
            && r.body["channel"] == second
            && r.status == 500),
        1
    );
    assert_eq!(shown_in_second(), 1, "{:#?}", setup.fake.requests());
    setup.running.stop().await;
}

/// Two processes (two adapters, two `Bot`s) on one PostgreSQL, one schedule
/// due: its round's first question is posted once in all.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_adapters_on_one_postgres_post_a_due_round_once() {
    let Some(database) = common::fresh_postgres().await else {
        common::skip("slack on PostgreSQL", common::NO_POSTGRES);
        return;
    };
    let start_at: jiff::Timestamp = "2026-11-23T07:00:00Z".parse().unwrap();
    let clocks = [
        Arc::new(FakeClock::new(start_at)),
        Arc::new(FakeClock::new(start_at)),
    ];
    let fake = FakeSlack::start().await;
    fake.set_user(ALICE, true, false);
    let first = start_in(
        fake,
        tempfile::tempdir().unwrap(),
        database.clone(),
        clocks[0].clone(),
        &[],
    )
    .await;
    first.fake.wait_for_connections(1).await;
    // The second process talks to the same fake Slack.
    let settings = settings(
        &first.dir.path().join("index-2"),
        &database,
        &[("INTERVIEW_BOT__SLACK__API_URL", first.fake.api_url())],
    );
    let bot = Arc::new(
        Bot::from_settings(&settings, clocks[1].clone())
            .await
            .unwrap(),
    );
    let second = slack::start(&settings.slack, bot)
        .await
        .expect("the second adapter starts");
    first.fake.wait_for_connections(2).await;

    // 09:30 in Berlin is 08:30 UTC in November.
    let (_, n) = first.fake.slash(
        ALICE,
        CHANNEL_ID,
        "quiz schedule 09:30 Europe/Berlin daily questions:1 open:1h",
    );
    let created = first.fake.response(n).await;
    assert!(
        shown(&created).contains("Daily quiz scheduled"),
        "{created}"
    );
    for clock in &clocks {
        clock.set("2026-11-23T08:30:30Z".parse().unwrap());
    }
    let is_question = |r: &fake::Request| {
        r.is_api("chat.postMessage") && r.ok() && r.text().contains("Question 1 of 1")
    };
    let post = first
        .fake
        .wait_for("the scheduled round's question", is_question)
        .await;
    assert_eq!(post.body["channel"], CHANNEL_ID);
    // Both post loops tick every 500 ms at most: give the other time to
    // (wrongly) post it again.
    tokio::time::sleep(Duration::from_secs(3)).await;
    assert_eq!(
        first.fake.count(is_question),
        1,
        "{:#?}",
        first.fake.requests()
    );
    assert_eq!(rows(&database, "SELECT COUNT(*) FROM rounds").await, 1);
    second.stop().await;
    first.running.stop().await;
}

mod http {
    //! HTTP mode: slash commands, interactivity and events posted to the
    //! adapter's own server, each verified with the signing secret.

    use super::*;
    use hmac::{KeyInit, Mac};

    fn hex(bytes: &[u8]) -> String {
        bytes.iter().map(|b| format!("{b:02x}")).collect()
    }

    /// Slack's signature of `body` sent at `timestamp`.
    fn sign(secret: &str, timestamp: i64, body: &str) -> String {
        let mut mac =
            hmac::Hmac::<sha2_for_hmac::Sha256>::new_from_slice(secret.as_bytes()).unwrap();
        mac.update(format!("v0:{timestamp}:{body}").as_bytes());
        format!("v0={}", hex(&mac.finalize().into_bytes()))
    }

    fn now() -> i64 {
        jiff::Timestamp::now().as_second()
    }

    /// `fields` form-encoded, as Slack posts commands and interactivity.
    fn form(fields: &Value) -> String {
        let mut url = reqwest::Url::parse("http://form/").unwrap();
        {
            let mut pairs = url.query_pairs_mut();
            for (k, v) in fields.as_object().unwrap() {
                pairs.append_pair(k, v.as_str().map_or(v.to_string(), str::to_string).as_str());
            }
        }
        url.query().unwrap_or_default().to_string()
    }

    /// A signed request: where, what, and its headers' values.
    #[derive(Clone)]
    struct Signed {
        path: &'static str,
        body: String,
        content_type: &'static str,
        timestamp: i64,
        signature: String,
    }

    fn signed(path: &'static str, body: String, timestamp: i64) -> Signed {
        let content_type = if path == "/slack/events" {
            "application/json"
        } else {
            "application/x-www-form-urlencoded"
        };
        Signed {
            path,
            signature: sign(SECRET, timestamp, &body),
            body,
            content_type,
            timestamp,
        }
    }

    fn command(setup: &Setup, user: &str, text: &str) -> (Signed, u64) {
        let (url, n) = setup.fake.response_url();
        let body = form(&fake::slash_payload(user, CHANNEL_ID, text, &url));
        (signed("/slack/commands", body, now()), n)
    }

    /// Posts `request` to the adapter; returns the status, the body and how
    /// long the answer took.
    async fn post(setup: &Setup, request: &Signed) -> (u16, String, Duration) {
        let address = setup.running.listening.expect("HTTP mode listens");
        let started = Instant::now();
        let response = reqwest::Client::new()
            .post(format!("http://{address}{}", request.path))
            .header("content-type", request.content_type)
            .header("x-slack-request-timestamp", request.timestamp.to_string())
            .header("x-slack-signature", &request.signature)
            .body(request.body.clone())
            .timeout(fake::WAIT)
            .send()
            .await
            .expect("the adapter answers");
        let status = response.status().as_u16();
        let body = response.text().await.unwrap_or_default();
        (status, body, started.elapsed())
    }

    async fn start_http() -> Setup {
        let fake = FakeSlack::start().await;
        fake.set_user(ALICE, true, false);
        let dir = tempfile::tempdir().unwrap();
        let database = common::fresh_sqlite(dir.path());
        start_http_in(fake, dir, database).await
    }

    async fn start_http_in(fake: FakeSlack, dir: tempfile::TempDir, database: String) -> Setup {
        start_in(
            fake,
            dir,
            database,
            Arc::new(SystemClock),
            &[("INTERVIEW_BOT__SLACK__LISTEN", "127.0.0.1:0".to_string())],
        )
        .await
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn signed_requests_are_answered_and_a_replay_gets_401() {
        let setup = start_http().await;
        assert_eq!(
            setup.fake.count(|r| r.is_api("apps.connections.open")),
            0,
            "HTTP mode opens no socket"
        );
        let challenge = json!({"token": "t", "challenge": "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P", "type": "url_verification"});
        let verify = signed("/slack/events", challenge.to_string(), now());
        let (status, body, _) = post(&setup, &verify).await;
        assert_eq!(status, 200, "{body}");
        assert!(
            body.contains("3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P"),
            "{body}"
        );

        let (topics, n) = command(&setup, BOB, "topics");
        let (status, body, took) = post(&setup, &topics).await;
        assert_eq!(status, 200, "{body}");
        assert!(took < ACK_LIMIT, "answered after {took:?}");
        let reply = setup.fake.response(n).await;
        assert!(shown(&reply).contains("docker"), "{reply}");

        // The same signed request again is a replay.
        let (status, _, _) = post(&setup, &topics).await;
        assert_eq!(status, 401);
        tokio::time::sleep(Duration::from_millis(500)).await;
        assert_eq!(setup.fake.responses(n).len(), 1, "the replay was answered");

        // A button click, form field `payload`.
        let (url, m) = setup.fake.response_url();
        let click = fake::click_payload(
            BOB,
            CHANNEL_ID,
            "ask:show:docker-001",
            "1800000000.000001",
            &url,
        );
        let body = form(&json!({"payload": click.to_string()}));
        let (status, text, _) = post(&setup, &signed("/slack/interactivity", body, now())).await;
        assert_eq!(status, 200, "{text}");
        let shown_entry = setup.fake.response(m).await;
        assert!(shown(&shown_entry).contains("docker-001"), "{shown_entry}");

        // An event: a mention, answered in its channel.
        let event = fake::event_callback(
            fake::mention_event(ALICE, CHANNEL_ID, "what is a docker volume"),
            "Ev0HTTP0001",
        );
        let (status, text, _) =
            post(&setup, &signed("/slack/events", event.to_string(), now())).await;
        assert_eq!(status, 200, "{text}");
        let answer = setup
            .fake
            .wait_for("the answer to the mention", |r| {
                r.is_api("chat.postMessage") && r.ok() && r.body["channel"] == CHANNEL_ID
            })
            .await;
        assert!(
            answer.text().to_lowercase().contains("volume"),
            "{}",
            answer.body
        );
        setup.running.stop().await;
    }

    /// HTTP mode takes the App Home the same way: `app_home_opened` at
    /// /slack/events publishes the Home with the person's practice, and its
    /// Start button at /slack/interactivity answers in their direct messages.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn the_app_home_and_its_start_button_work_in_http_mode() {
        let setup = start_http().await;
        let event = fake::event_callback(fake::home_opened_event(BOB, "D0HOME0002"), "Ev0HOME0001");
        let (status, text, took) =
            post(&setup, &signed("/slack/events", event.to_string(), now())).await;
        assert_eq!(status, 200, "{text}");
        assert!(took < ACK_LIMIT, "answered after {took:?}");
        let publish = setup
            .fake
            .wait_for("the App Home", |r| r.is_api("views.publish"))
            .await;
        assert_eq!(publish.body["user_id"], BOB, "{}", publish.body);
        let view = published_view(&publish);
        assert!(
            view["blocks"]
                .to_string()
                .contains("0 cards due today · streak 0 days · 0 cards learned"),
            "{view}"
        );
        assert_eq!(buttons(&view), ["practice:next:"], "{view}");

        let click = fake::home_click_payload(BOB, "practice:next:", &view);
        let body = form(&json!({"payload": click.to_string()}));
        let (status, text, _) = post(&setup, &signed("/slack/interactivity", body, now())).await;
        assert_eq!(status, 200, "{text}");
        let dealt = setup
            .fake
            .wait_for("the answer in a direct message", |r| {
                r.is_api("chat.postMessage") && r.ok() && r.body["channel"] == BOB
            })
            .await;
        assert!(dealt.text().contains("Nothing due now."), "{}", dealt.body);
        assert_eq!(buttons(&dealt.body), ["practice:new:"], "{}", dealt.body);
        setup.running.stop().await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn forged_or_stale_requests_get_401_and_change_nothing() {
        let setup = start_http().await;
        let (start_round, n) = command(&setup, ALICE, "quiz start questions:1");

        let mut forged = start_round.clone();
        forged.signature = sign("not-the-secret", forged.timestamp, &forged.body);
        let (status, _, _) = post(&setup, &forged).await;
        assert_eq!(status, 401, "a wrong secret");
        let mut garbage = start_round.clone();
        garbage.signature = "v0=zz".to_string();
        let (status, _, _) = post(&setup, &garbage).await;
        assert_eq!(status, 401, "not a signature");
        let mut tampered = start_round.clone();
        tampered.body = tampered.body.replace("questions%3A1", "questions%3A2");
        assert_ne!(tampered.body, start_round.body);
        let (status, _, _) = post(&setup, &tampered).await;
        assert_eq!(status, 401, "a body that is not the one signed");

        let six_minutes_ago = now() - 6 * 60;
        let stale = signed("/slack/commands", start_round.body.clone(), six_minutes_ago);
        let (status, _, _) = post(&setup, &stale).await;
        assert_eq!(status, 401, "signed six minutes ago");

        tokio::time::sleep(Duration::from_millis(500)).await;
        assert_eq!(
            setup.rows("SELECT COUNT(*) FROM rounds").await,
            0,
            "a rejected request started a round"
        );
        assert!(setup.fake.responses(n).is_empty());

        // A signed, fresh copy does (so the rejections were about the checks).
        let (status, _, _) = post(&setup, &start_round).await;
        assert_eq!(status, 200);
        setup
            .fake
            .wait_for("the round's question", |r| {
                r.is_api("chat.postMessage") && r.ok() && r.text().contains("Question 1 of 1")
            })
            .await;
        assert_eq!(setup.rows("SELECT COUNT(*) FROM rounds").await, 1);
        setup.running.stop().await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_replay_after_a_restart_gets_401_and_changes_nothing() {
        let setup = start_http().await;
        let (start_round, _) = command(&setup, ALICE, "quiz start questions:1 seconds:600");
        let (status, body, _) = post(&setup, &start_round).await;
        assert_eq!(status, 200, "{body}");
        setup
            .fake
            .wait_for("the round's question", |r| {
                r.is_api("chat.postMessage") && r.ok() && r.text().contains("Question 1 of 1")
            })
            .await;
        let (fake, dir, database) = setup.stop().await;

        let again = start_http_in(fake, dir, database).await;
        let (status, body, _) = post(&again, &start_round).await;
        assert_eq!(status, 401, "a replay after a restart is refused: {body}");
        let (stop, n) = command(&again, ALICE, "quiz stop");
        let (status, body, _) = post(&again, &stop).await;
        assert_eq!(status, 200, "{body}");
        let stopped = again.fake.response(n).await;
        assert!(
            shown(&stopped).contains("stopped the round"),
            "the one round started before the restart is still the one running: {stopped}"
        );
        assert_eq!(again.rows("SELECT COUNT(*) FROM rounds").await, 1);
        again.running.stop().await;
    }
}

/// One process, one database, both platforms: a Discord command is answered on
/// Discord while a Slack round runs, and the Slack round's posts (reveal,
/// standings) reach Slack only; Discord's post loop never takes them.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_process_serves_discord_and_slack_and_posts_go_to_their_platform() {
    let slack_fake = FakeSlack::start().await;
    slack_fake.set_user(ALICE, true, false);
    let discord_fake = fake_discord::FakeDiscord::start().await;
    let dir = tempfile::tempdir().unwrap();
    let database = common::fresh_sqlite(dir.path());
    let settings = settings(
        &dir.path().join("index"),
        &database,
        &[
            ("INTERVIEW_BOT__SLACK__API_URL", slack_fake.api_url()),
            ("DISCORD_TOKEN", "test-token".to_string()),
            ("INTERVIEW_BOT__DISCORD__API_URL", discord_fake.api_url()),
        ],
    );
    assert!(settings.platforms().discord && settings.platforms().slack);
    let bot = Arc::new(
        Bot::from_settings(&settings, Arc::new(SystemClock))
            .await
            .unwrap(),
    );
    let on_discord = interview_bot::discord::start(&settings.discord, bot.clone())
        .await
        .expect("discord starts");
    let on_slack = slack::start(&settings.slack, bot)
        .await
        .expect("slack starts");
    slack_fake.wait_for_connections(1).await;
    discord_fake.wait_for_shards(1).await;

    let (envelope, _) = slack_fake.slash(ALICE, CHANNEL_ID, "quiz start questions:1 seconds:10");
    slack_fake.ack(&envelope).await;
    discord_fake.dispatch(
        "INTERACTION_CREATE",
        fake_discord::slash(
            "700000000000000900",
            "topics",
            json!([]),
            fake_discord::member("500000000000000001", "alice", 0, &[]),
        ),
    );
    let topics = discord_fake.callback("700000000000000900").await;
    assert!(topics.to_string().contains("docker"), "{topics}");

    slack_fake
        .wait_for("the Slack round's standings", |r| {
            r.is_api("chat.postMessage") && r.ok() && r.text().contains("Round over")
        })
        .await;
    assert!(
        discord_fake.created_messages().is_empty(),
        "no Slack post went to Discord: {:?}",
        discord_fake.created_messages()
    );
    on_slack.stop().await;
    on_discord.stop().await;
}

/// A round someone else started may be stopped by a workspace admin, not by
/// another member.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_admin_may_stop_a_round_someone_else_started() {
    let setup = start(&[]).await;
    let (envelope, _) = setup
        .fake
        .slash(BOB, CHANNEL_ID, "quiz start questions:1 seconds:600");
    setup.fake.ack(&envelope).await;
    setup
        .fake
        .wait_for("the question's post", |r| {
            r.is_api("chat.postMessage") && r.ok() && r.text().contains("Question 1 of 1")
        })
        .await;
    let (_, n) = setup.fake.slash(CAROL, CHANNEL_ID, "quiz stop");
    let refused = setup.fake.response(n).await;
    assert!(shown(&refused).contains("or a moderator"), "{refused}");
    let (_, n) = setup.fake.slash(ALICE, CHANNEL_ID, "quiz stop");
    let stopped = setup.fake.response(n).await;
    assert!(!shown(&stopped).contains("or a moderator"), "{stopped}");
    assert_eq!(
        setup
            .rows("SELECT COUNT(*) FROM rounds WHERE status = 'open'")
            .await,
        0,
        "the admin stopped it"
    );
    setup.running.stop().await;
}

/// Settings for the bank whose answers hold code (tests/fixtures/code_bank),
/// every match answered.
fn code_bank() -> Vec<(&'static str, String)> {
    vec![
        (
            "INTERVIEW_BOT__BANK__DIR",
            concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/code_bank").to_string(),
        ),
        ("INTERVIEW_BOT__SEARCH__MIN_CONFIDENCE", "0".to_string()),
    ]
}

/// `/interview TEXT` by ALICE; the texts of the answer's sections.
async fn section_texts(setup: &Setup, text: &str) -> Vec<String> {
    let (envelope, n) = setup.fake.slash(ALICE, CHANNEL_ID, text);
    setup.fake.ack(&envelope).await;
    let answer = setup.fake.response(n).await;
    blocks_of(&answer, "section")
        .iter()
        .map(|b| b["text"]["text"].as_str().unwrap().to_string())
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn code_arrives_as_a_code_block_and_a_long_answer_cut_with_the_show_line() {
    let setup = start(&code_bank()).await;

    let sections = section_texts(
        &setup,
        "ask send a container's output to a file on the host",
    )
    .await;
    let all = sections.join("\n");
    assert!(
        all.contains("\n```\ndocker logs web &gt; web.log 2&gt;&amp;1\n```"),
        "a Slack code block, no language, its text escaped: {all}"
    );
    assert!(
        !all.contains("```bash") && !all.contains("for the whole answer"),
        "{all}"
    );

    let sections = section_texts(&setup, "ask how do multi-stage builds make images smaller").await;
    assert_eq!(
        sections.last().map(String::as_str),
        Some("/interview show docker-002 for the whole answer"),
        "{sections:?}"
    );
    let answer = sections[..sections.len() - 1].join("\n\n");
    assert!(answer.chars().count() <= 1200, "{answer}");
    assert!(answer.contains("`COPY --from`"), "{answer}");
    assert!(!answer.contains("Keep the final stage minimal"), "{answer}");
    assert!(
        sections.iter().all(|s| s.matches("```").count() % 2 == 0),
        "{sections:?}"
    );

    let sections = section_texts(&setup, "show docker-002").await;
    let all = sections.join("\n\n");
    assert!(all.contains("```\nFROM golang:1.22 AS build\n"), "{all}");
    assert!(
        all.contains("Keep the final stage minimal"),
        "the whole answer: {all}"
    );
    assert!(!all.contains("for the whole answer"), "{all}");
    setup.running.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_down_vote_opens_a_reason_form_and_its_submission_keeps_the_reason() {
    let setup = start(&[]).await;
    let (envelope, n) = setup
        .fake
        .slash(BOB, CHANNEL_ID, "ask what is a docker volume");
    setup.fake.ack(&envelope).await;
    let answer = setup.fake.response(n).await;
    let down = buttons(&answer)
        .into_iter()
        .find(|id| id.starts_with("feedback:down:"))
        .expect("a 👎 button");
    let entry = down.trim_start_matches("feedback:down:").to_string();

    let (click, m) = setup
        .fake
        .click(BOB, CHANNEL_ID, &down, "1800000000.000001");
    setup.fake.send_frame(&click);
    let opened = setup
        .fake
        .wait_for("views.open", |r| r.is_api("views.open"))
        .await;
    assert_eq!(opened.response["ok"], true, "{:?}", opened.response);
    assert_eq!(opened.body["trigger_id"], click["payload"]["trigger_id"]);
    let view = match &opened.body["view"] {
        Value::String(text) => serde_json::from_str::<Value>(text).unwrap(),
        other => other.clone(),
    };
    assert_eq!(view["type"], "modal", "{view}");
    assert_eq!(view["callback_id"], format!("feedback-reason:{entry}"));
    assert_eq!(view["private_metadata"], CHANNEL_ID);
    let input = blocks_of(&view, "input");
    assert_eq!(input.len(), 1, "{view}");
    assert_eq!(input[0]["optional"], true, "the reason is optional: {view}");
    assert_eq!(input[0]["element"]["type"], "plain_text_input");
    let recorded = setup.fake.response(m).await;
    assert!(shown(&recorded).contains("Recorded 👎"), "{recorded}");
    let downs = "SELECT COUNT(*) FROM feedback WHERE vote = -1";
    assert_eq!(setup.rows(downs).await, 1, "recorded on the click");

    // The submission is acknowledged bare (the form closes) and the reason kept.
    let submitted = fake::view_submission_payload(BOB, &view, Some("it is about bind mounts"));
    let envelope = setup.fake.envelope("interactive", submitted);
    setup.fake.send_frame(&envelope);
    let (ack, after) = setup.fake.ack(&envelope).await;
    assert!(after < ACK_LIMIT, "acknowledged after {after:?}");
    assert_eq!(ack.payload, None, "a bare ack closes the form");
    let thanks = setup
        .fake
        .wait_for("the reason's acknowledgement", |r| {
            r.is_api("chat.postEphemeral") && r.text().contains("reason is recorded")
        })
        .await;
    assert_eq!(thanks.body["user"], BOB);
    assert_eq!(thanks.body["channel"], CHANNEL_ID);
    assert_eq!(setup.rows(downs).await, 1, "still one vote");
    assert_eq!(
        setup
            .rows("SELECT COUNT(*) FROM feedback WHERE reason = 'it is about bind mounts'")
            .await,
        1
    );

    // The report button of a quiz question counts a report.
    let (click, _) = setup.fake.click(
        BOB,
        CHANNEL_ID,
        "quiz-report:docker-001",
        "1800000000.000002",
    );
    setup.fake.send_frame(&click);
    setup
        .fake
        .wait_for("the report's acknowledgement", |r| {
            r.path.starts_with("/response/") && r.text().contains("Thanks: your report")
        })
        .await;
    assert_eq!(
        setup
            .rows("SELECT COUNT(*) FROM quiz_reports WHERE entry = 'docker-001'")
            .await,
        1
    );
    setup.running.stop().await;
}

/// The view of a `views.open` call (a JSON string in a form, or an object).
fn opened_view(open: &fake::Request) -> Value {
    match &open.body["view"] {
        Value::String(text) => serde_json::from_str::<Value>(text).unwrap(),
        other => other.clone(),
    }
}

/// Runs `/interview <command>` as `user` and returns the form it opens
/// (checked to open with the command's trigger id).
async fn opened_form(setup: &Setup, user: &str, command: &str) -> Value {
    let (envelope, _) = setup.fake.slash(user, CHANNEL_ID, command);
    setup.fake.ack(&envelope).await;
    let open = setup
        .fake
        .wait_for("views.open", |r| r.is_api("views.open"))
        .await;
    assert_eq!(open.response["ok"], true, "{:?}", open.response);
    assert_eq!(open.body["trigger_id"], envelope["payload"]["trigger_id"]);
    opened_view(&open)
}

/// Submits `view` as `user` with the inputs `typed` gives; the form must
/// close with a bare ack within Slack's limit.
async fn submit_form(
    setup: &Setup,
    user: &str,
    view: &Value,
    typed: impl Fn(&str) -> Option<String>,
) {
    let submitted = fake::view_submission_with(user, view, typed);
    let envelope = setup.fake.envelope("interactive", submitted);
    setup.fake.send_frame(&envelope);
    let (ack, after) = setup.fake.ack(&envelope).await;
    assert!(after < ACK_LIMIT, "acknowledged after {after:?}");
    assert_eq!(ack.payload, None, "a bare ack closes the form");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn suggest_opens_a_form_whose_submission_is_filed_and_reject_asks_why() {
    let setup = start(&[]).await;
    let opened = || setup.fake.count(|r| r.is_api("views.open"));

    // `/interview suggest` without fields opens the suggest form with its trigger id.
    let view = opened_form(&setup, BOB, "suggest").await;
    assert_eq!(view["type"], "modal", "{view}");
    assert_eq!(view["callback_id"], "suggest-form");
    assert_eq!(view["private_metadata"], CHANNEL_ID);
    assert_eq!(view["title"]["text"], "Suggest a question");
    let inputs: Vec<(String, bool, bool)> = blocks_of(&view, "input")
        .iter()
        .map(|b| {
            assert_eq!(b["element"]["action_id"], b["block_id"], "{b}");
            (
                b["block_id"].as_str().unwrap().to_string(),
                b["optional"].as_bool().unwrap_or(false),
                b["element"]["multiline"].as_bool().unwrap_or(false),
            )
        })
        .collect();
    let expected = [
        ("question", false, false),
        ("answer", false, true),
        ("topic", false, false),
        ("source", true, false),
        ("aliases", true, true),
    ]
    .map(|(id, optional, multiline)| (id.to_string(), optional, multiline));
    assert_eq!(inputs, expected, "{view}");

    // Its submission is acknowledged bare and files the suggestion.
    let typed = |block: &str| {
        Some(
            match block {
                "question" => "How do we roll back a zorblax deploy?",
                "answer" => "Run the zorblax-rollback job in CI with the release tag. It redeploys the last green build.",
                "topic" => "ops",
                "aliases" => "the zorblax deploy broke prod\nundo a zorblax release",
                _ => return None,
            }
            .to_string(),
        )
    };
    submit_form(&setup, BOB, &view, typed).await;
    let thanks = setup
        .fake
        .wait_for("the suggestion's acknowledgement", |r| {
            r.is_api("chat.postEphemeral") && r.text().contains("Thanks: suggestion #1")
        })
        .await;
    assert_eq!(thanks.body["user"], BOB);
    assert_eq!(thanks.body["channel"], CHANNEL_ID);
    let pending = "SELECT COUNT(*) FROM team_suggestions WHERE state = 'pending' \
        AND aliases LIKE '%undo a zorblax release%' AND source IS NULL";
    assert_eq!(setup.rows(pending).await, 1);

    // An admin's review card: Reject… opens the reject form.
    let (_, n) = setup.fake.slash(ALICE, CHANNEL_ID, "review next");
    let card = setup.fake.response(n).await;
    assert!(
        buttons(&card).contains(&"review:reject:1".to_string()),
        "{card}"
    );
    let before = opened();
    let (click, _) = setup
        .fake
        .click(ALICE, CHANNEL_ID, "review:reject:1", "1800000000.000060");
    setup.fake.send_frame(&click);
    let open = setup
        .fake
        .wait_for_count("the reject form", before + 1, |r| r.is_api("views.open"))
        .await;
    let open = open.last().unwrap();
    assert_eq!(open.body["trigger_id"], click["payload"]["trigger_id"]);
    let view = opened_view(open);
    assert_eq!(view["callback_id"], "review:reject:1", "{view}");
    assert_eq!(view["private_metadata"], CHANNEL_ID);
    let input = blocks_of(&view, "input");
    assert_eq!(input.len(), 1, "{view}");
    assert_eq!(
        input[0]["optional"].as_bool(),
        Some(false),
        "required: {view}"
    );
    assert_eq!(input[0]["element"]["max_length"], 300);

    // Its submission rejects the suggestion with that reason.
    let submitted =
        fake::view_submission_payload(ALICE, &view, Some("the bank already answers this"));
    let envelope = setup.fake.envelope("interactive", submitted);
    setup.fake.send_frame(&envelope);
    setup.fake.ack(&envelope).await;
    setup
        .fake
        .wait_for("the rejection's acknowledgement", |r| {
            r.is_api("chat.postEphemeral") && r.text().contains("Rejected suggestion #1")
        })
        .await;
    let rejected = "SELECT COUNT(*) FROM team_suggestions WHERE state = 'rejected' \
        AND reason = 'the bank already answers this'";
    assert_eq!(setup.rows(rejected).await, 1);
    setup.running.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bank_import_opens_a_form_to_paste_the_file_and_files_its_records() {
    let setup = start(&[]).await;
    // Slash commands carry no files: `/interview bank import` opens a form.
    let view = opened_form(&setup, ALICE, "bank import").await;
    assert_eq!(view["callback_id"], "import-form", "{view}");
    assert_eq!(view["title"]["text"], "Import questions");
    let inputs: Vec<String> = blocks_of(&view, "input")
        .iter()
        .map(|b| b["block_id"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(inputs, ["text", "format", "topic"], "{view}");

    let typed = |block: &str| {
        Some(
            match block {
                "text" => "Q: Who owns the staging cluster?\nA: The platform team owns it. Ask in their channel before changing it.\n\nQ: What is our deploy window?\nA: Fridays.\n",
                "topic" => "ops",
                _ => return None,
            }
            .to_string(),
        )
    };
    submit_form(&setup, ALICE, &view, typed).await;
    let report = setup
        .fake
        .wait_for("the import's report", |r| {
            r.is_api("chat.postEphemeral") && r.text().contains("Filed suggestion #1")
        })
        .await;
    assert!(
        report
            .text()
            .contains("pasted:4: answer: at least 40 characters"),
        "{}",
        report.text()
    );
    let pending = "SELECT COUNT(*) FROM team_suggestions WHERE state = 'pending' AND topic = 'ops'";
    assert_eq!(setup.rows(pending).await, 1);
    setup.running.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refused_question_offers_a_suggest_form_with_the_question_filled_in() {
    let setup = start(&[]).await;
    let query = "explain angular dependency injection";
    let (_, n) = setup.fake.slash(BOB, CHANNEL_ID, &format!("ask {query}"));
    let refused = setup.fake.response(n).await;
    let suggest = format!("suggest:{query}");
    assert_eq!(buttons(&refused).last(), Some(&suggest), "{refused}");

    let (click, _) = setup
        .fake
        .click(BOB, CHANNEL_ID, &suggest, "1800000000.000070");
    setup.fake.send_frame(&click);
    let open = setup
        .fake
        .wait_for("views.open", |r| r.is_api("views.open"))
        .await;
    let view = opened_view(&open);
    assert_eq!(view["callback_id"], "suggest-form", "{view}");
    let input = blocks_of(&view, "input");
    assert_eq!(input[0]["element"]["initial_value"], query, "{view}");
    assert!(input[1]["element"].get("initial_value").is_none(), "{view}");
    setup.running.stop().await;
}
