//! The Discord adapter end to end: the real serenity client against a fake
//! Discord on 127.0.0.1 (tests/common/fake_discord.rs). Slash commands in,
//! the exact callback bodies out; autocomplete; buttons counted once; the
//! moderator check; retries on 429 and 5xx; a shard range; the interactions
//! endpoint's signature and timestamp checks. Every wait is bounded.

use std::sync::Arc;

#[path = "common/fake_discord.rs"]
mod fake;

use fake::FakeDiscord;
use interview_bot::bot::Bot;
use interview_bot::clock::SystemClock;
use interview_bot::config::Settings;
use interview_bot::discord::{self, Running};
use serde_json::{Value, json};

const ALICE: &str = "500000000000000001";
const BOB: &str = "500000000000000002";
/// Discord's Manage Server permission bit.
const MANAGE_GUILD: u64 = 1 << 5;

struct Setup {
    fake: FakeDiscord,
    running: Running,
    _dir: tempfile::TempDir,
}

fn settings(dir: &std::path::Path, extra: &[(&str, String)]) -> Settings {
    let mut env = vec![
        (
            "INTERVIEW_BOT__INDEX__DIR".to_string(),
            dir.join("index").display().to_string(),
        ),
        (
            "INTERVIEW_BOT__DATABASE__URL".to_string(),
            format!("sqlite://{}", dir.join("bot.db").display()),
        ),
        (
            "INTERVIEW_BOT__MODEL__ENABLED".to_string(),
            "false".to_string(),
        ),
        ("DISCORD_TOKEN".to_string(), "test-token".to_string()),
    ];
    env.extend(extra.iter().map(|(k, v)| (k.to_string(), v.clone())));
    Settings::load_from(None, env).expect("settings load")
}

/// The adapter on a fresh database, connected to a fresh fake.
async fn start(extra: &[(&str, String)]) -> Setup {
    let fake = FakeDiscord::start().await;
    start_in(fake, tempfile::tempdir().unwrap(), extra).await
}

/// The adapter on the database in `dir`, connected to `fake`.
async fn start_in(fake: FakeDiscord, dir: tempfile::TempDir, extra: &[(&str, String)]) -> Setup {
    let mut all = vec![("INTERVIEW_BOT__DISCORD__API_URL", fake.api_url())];
    all.extend(extra.iter().cloned());
    let settings = settings(dir.path(), &all);
    let bot = Arc::new(
        Bot::from_settings(&settings, Arc::new(SystemClock))
            .await
            .unwrap(),
    );
    let running = discord::start(&settings.discord, bot)
        .await
        .expect("the adapter starts");
    Setup {
        fake,
        running,
        _dir: dir,
    }
}

/// The adapter connected, with its commands registered.
async fn connected() -> Setup {
    let setup = start(&[]).await;
    setup.fake.wait_for_shards(1).await;
    setup
        .fake
        .wait_for("command registration", |r| r.method == "PUT")
        .await;
    setup
}

fn alice() -> Value {
    fake::member(ALICE, "alice", 0, &[])
}

/// Starts a one-question round of `seconds` by slash command `id`; returns
/// the callback body.
async fn start_quiz(setup: &Setup, id: &str, seconds: u64) -> Value {
    let options = json!([{"name": "start", "type": 1, "options": [
        {"name": "questions", "type": 4, "value": 1},
        {"name": "seconds", "type": 4, "value": seconds}
    ]}]);
    setup.fake.dispatch(
        "INTERACTION_CREATE",
        fake::slash(id, "quiz", options, alice()),
    );
    setup.fake.callback(id).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn commands_are_registered_with_descriptions_choices_and_autocomplete() {
    let setup = connected().await;
    let put = setup
        .fake
        .wait_for("command registration", |r| r.method == "PUT")
        .await;
    assert_eq!(
        put.path,
        format!("/api/v10/applications/{}/commands", fake::APP_ID)
    );
    let commands = put.body.as_array().expect("a list of commands");
    assert_surface_equals_the_spec(commands);
    for command in commands {
        assert!(
            !command["description"].as_str().unwrap().is_empty(),
            "{command}"
        );
    }
    let ask = commands.iter().find(|c| c["name"] == "ask").unwrap();
    let topics: Vec<&str> = ask["options"][1]["choices"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["value"].as_str().unwrap())
        .collect();
    assert_eq!(topics, ["api", "docker", "http", "networking", "python"]);
    setup.running.stop().await;
}

/// The registered slash commands are exactly the command table's commands
/// for every platform: each entry is there (a subcommand under its group) with
/// its options' names, order, types, requirement, limits, fixed choices and
/// autocomplete, and nothing else is.
fn assert_surface_equals_the_spec(registered: &[Value]) {
    use interview_bot::commands::COMMANDS;
    use interview_bot::commands::spec::{Autocomplete, Kind, Surface};
    let entries: Vec<_> = COMMANDS
        .iter()
        .filter(|c| c.surface == Surface::Everywhere)
        .collect();
    let mut registered_entries = 0;
    for command in registered {
        match command["options"].as_array() {
            Some(options) if options.iter().any(|o| o["type"] == 1) => {
                registered_entries += options.len();
            }
            _ => registered_entries += 1,
        }
    }
    assert_eq!(
        registered_entries,
        entries.len(),
        "one registered command or subcommand per entry of the table"
    );
    for entry in entries {
        let top = registered
            .iter()
            .find(|c| c["name"] == entry.path[0])
            .unwrap_or_else(|| panic!("/{} is not registered", entry.name()));
        let node = match entry.path {
            [_] => top,
            [_, sub] => top["options"]
                .as_array()
                .and_then(|o| o.iter().find(|o| o["name"] == *sub && o["type"] == 1))
                .unwrap_or_else(|| panic!("/{} is not registered", entry.name())),
            _ => unreachable!(),
        };
        assert_eq!(node["description"], entry.summary, "/{}", entry.name());
        let options = node["options"].as_array().cloned().unwrap_or_default();
        let names: Vec<&str> = options
            .iter()
            .map(|o| o["name"].as_str().unwrap())
            .collect();
        let expected: Vec<&str> = entry.options.iter().map(|o| o.name).collect();
        assert_eq!(names, expected, "/{} options", entry.name());
        for (option, spec) in options.iter().zip(entry.options) {
            let what = format!("/{} {}", entry.name(), spec.name);
            let kind = match spec.kind {
                Kind::Integer { .. } => 4,
                Kind::User => 6,
                Kind::Role => 8,
                Kind::File => 11,
                _ => 3,
            };
            assert_eq!(option["type"], kind, "{what}");
            assert_eq!(
                option["required"].as_bool().unwrap_or(false),
                spec.required,
                "{what}"
            );
            assert_eq!(
                option["autocomplete"].as_bool().unwrap_or(false),
                spec.autocomplete == Autocomplete::Questions,
                "{what}"
            );
            assert_eq!(option["description"], spec.description, "{what}");
            if let Kind::Integer { min, max } = spec.kind {
                assert_eq!(option["min_value"], min, "{what}");
                assert_eq!(option["max_value"], max, "{what}");
            }
            if let Kind::Choice { values, .. } = spec.kind {
                let choices: Vec<&str> = option["choices"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|c| c["value"].as_str().unwrap())
                    .collect();
                assert_eq!(choices, values, "{what}");
            }
            if let Some(length) = spec.max_length {
                assert_eq!(option["max_length"], length, "{what}");
            }
        }
    }
}

/// The app installs to a person as well as to a server: the commands that
/// work anywhere (practice, ask, show, topics, help, stats, ...) are
/// registered for both installs and for servers, direct messages with the bot
/// and other private conversations; server-only ones (quiz rounds, the
/// leaderboard, moderators' commands) for a server install, in servers only.
/// The fake checks the body against Discord's OpenAPI document (with
/// `INTERVIEW_BOT_TEST_DISCORD_SPEC` set, a violation fails the test).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn commands_install_to_a_person_too_and_server_ones_stay_in_servers() {
    use interview_bot::commands::COMMANDS;
    use interview_bot::commands::spec::{Place, Surface};
    let setup = connected().await;
    let put = setup
        .fake
        .wait_for("command registration", |r| r.method == "PUT")
        .await;
    let commands = put.body.as_array().expect("a list of commands");
    let of = |name: &str| {
        commands
            .iter()
            .find(|c| c["name"] == name)
            .unwrap_or_else(|| panic!("/{name} is not registered"))
    };
    let anywhere = (json!([0, 1]), json!([0, 1, 2]));
    let in_servers = (json!([0]), json!([0]));
    let place_of = |command: &Value| {
        (
            command["integration_types"].clone(),
            command["contexts"].clone(),
        )
    };
    for name in [
        "practice", "ask", "show", "topics", "help", "stats", "question", "feedback",
    ] {
        assert_eq!(place_of(of(name)), anywhere, "/{name}: {}", of(name));
    }
    for name in ["quiz", "leaderboard", "unanswered", "reports"] {
        assert_eq!(place_of(of(name)), in_servers, "/{name}: {}", of(name));
    }
    // Every registered command is placed as its entries in the table say: a
    // group is server-only when any of its subcommands is.
    for command in commands {
        let name = command["name"].as_str().unwrap();
        let server_only = COMMANDS
            .iter()
            .filter(|c| c.surface == Surface::Everywhere && c.path[0] == name)
            .any(|c| c.place() == Place::Server);
        let expected = if server_only { &in_servers } else { &anywhere };
        assert_eq!(&place_of(command), expected, "/{name}");
    }
    assert_eq!(setup.fake.violations(), Vec::<String>::new());
    setup.running.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dev_guild_gets_the_commands_instead_of_everyone() {
    let setup = start(&[(
        "INTERVIEW_BOT__DISCORD__DEV_GUILD",
        fake::GUILD_ID.to_string(),
    )])
    .await;
    let put = setup
        .fake
        .wait_for("command registration", |r| r.method == "PUT")
        .await;
    assert_eq!(
        put.path,
        format!(
            "/api/v10/applications/{}/guilds/{}/commands",
            fake::APP_ID,
            fake::GUILD_ID
        )
    );
    // Installs and contexts are for global commands only.
    for command in put.body.as_array().unwrap() {
        assert!(
            command.get("integration_types").is_none() && command.get("contexts").is_none(),
            "{command}"
        );
    }
    setup.running.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_slash_command_gets_the_exact_callback_body() {
    let setup = connected().await;
    let options = json!([{"name": "text", "type": 3, "value": "zebra giraffe savanna"}]);
    setup.fake.dispatch(
        "INTERACTION_CREATE",
        fake::slash("700000000000000001", "ask", options, alice()),
    );
    let body = setup.fake.callback("700000000000000001").await;
    assert_eq!(
        body,
        json!({
            "type": 4,
            "data": {
                "content": "no question uses those words: try other words, or /topics",
                "flags": 64,
                "components": [],
                "attachments": []
            }
        })
    );

    let options = json!([{"name": "text", "type": 3, "value": "difference between tcp and udp"}]);
    setup.fake.dispatch(
        "INTERACTION_CREATE",
        fake::slash("700000000000000002", "ask", options, alice()),
    );
    let body = setup.fake.callback("700000000000000002").await;
    assert_eq!(body["type"], 4);
    let data = &body["data"];
    assert!(data.get("flags").is_none(), "an answer is public: {data}");
    let embed = &data["embeds"][0];
    assert!(embed["title"].as_str().unwrap().contains("TCP"), "{embed}");
    assert_eq!(embed["fields"][0]["name"], "Topic");
    assert_eq!(embed["fields"][0]["value"], "networking");
    let buttons = data["components"][0]["components"].as_array().unwrap();
    assert_eq!(buttons[0]["custom_id"], "ask:next");
    let id = embed["fields"][1]["value"].as_str().unwrap();
    assert_eq!(buttons[1]["custom_id"], format!("feedback:up:{id}"));
    assert_eq!(buttons[2]["custom_id"], format!("feedback:down:{id}"));
    assert_eq!(buttons[3]["custom_id"], format!("practice:add:{id}"));
    assert_eq!(buttons[3]["label"], "Practise this");
    let related: Vec<&Value> = data["components"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|row| row["components"].as_array().unwrap())
        .skip(4)
        .collect();
    assert!(!related.is_empty());
    assert!(
        related.iter().all(|b| b["custom_id"]
            .as_str()
            .unwrap()
            .starts_with("ask:show:networking-")),
        "related questions of the same topic: {related:?}"
    );

    // 👎 counts as the person's vote on that answer.
    let down = fake::click(
        "700000000000000004",
        &format!("feedback:down:{id}"),
        "900000000000000001",
        alice(),
    );
    setup.fake.dispatch("INTERACTION_CREATE", down);
    let body = setup.fake.callback("700000000000000004").await;
    assert_eq!(body["type"], 9, "a 👎 answers with the reason form: {body}");
    let form = &body["data"];
    assert_eq!(form["custom_id"], format!("feedback-reason:{id}"), "{form}");
    let input = &form["components"][0]["components"][0];
    assert_eq!(input["type"], 4, "a text input: {form}");
    assert_eq!(input["style"], 1, "short: {form}");
    assert_eq!(input["label"], "What was wrong?");
    assert_eq!(input["required"], false, "the reason is optional: {form}");
    let bot = setup.running.adapter.bot().clone();
    let mut moderator = interview_bot::bot::Context::new(fake::GUILD_ID, "<@1>", fake::CHANNEL_ID);
    moderator.moderator = true;
    let reports = || async {
        let replies = interview_bot::commands::handle(
            &bot,
            &moderator,
            interview_bot::commands::Command::Reports,
        )
        .await;
        serde_json::to_value(&replies[0].data).unwrap()
    };
    let before = reports().await;
    assert_eq!(
        before["entries"][0]["id"], id,
        "recorded on the press: {before}"
    );
    assert_eq!(before["entries"][0]["down"], 1);
    assert_eq!(before["entries"][0]["reasons"], json!([]));

    // The form's submission keeps the reason with that 👎.
    let input_id = input["custom_id"].as_str().unwrap();
    let submit = fake::modal_submit(
        "700000000000000005",
        form["custom_id"].as_str().unwrap(),
        &[(input_id, "  misses QUIC  ")],
        alice(),
    );
    setup.fake.dispatch("INTERACTION_CREATE", submit);
    let body = setup.fake.callback("700000000000000005").await;
    assert_eq!(body["type"], 4, "{body}");
    let content = body["data"]["content"].as_str().unwrap();
    assert!(
        content.starts_with("Thanks: your reason is recorded"),
        "{body}"
    );
    assert_eq!(
        body["data"]["flags"], 64,
        "the reason is acknowledged privately"
    );
    let after = reports().await;
    assert_eq!(after["entries"][0]["down"], 1, "still one vote: {after}");
    assert_eq!(after["entries"][0]["reasons"], json!(["misses QUIC"]));

    // "Not it?" shows the next match to the person who asked.
    let next = fake::click(
        "700000000000000003",
        "ask:next",
        "900000000000000001",
        alice(),
    );
    setup.fake.dispatch("INTERACTION_CREATE", next);
    let body = setup.fake.callback("700000000000000003").await;
    assert_eq!(body["data"]["embeds"][0]["footer"]["text"], "match 2");
    setup.running.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_question_not_in_the_bank_is_said_so_with_the_closest_as_show_buttons() {
    let setup = connected().await;
    let options =
        json!([{"name": "text", "type": 3, "value": "explain angular dependency injection"}]);
    setup.fake.dispatch(
        "INTERACTION_CREATE",
        fake::slash("700000000000000020", "ask", options, alice()),
    );
    let body = setup.fake.callback("700000000000000020").await;
    let data = &body["data"];
    assert_eq!(
        data["flags"], 64,
        "a refusal is shown to the asker only: {data}"
    );
    let content = data["content"].as_str().unwrap();
    assert!(
        content.starts_with("The bank has no entry for"),
        "{content}"
    );
    assert!(
        data["embeds"].as_array().is_none_or(|e| e.is_empty()),
        "no answer card: {data}"
    );
    let buttons = data["components"][0]["components"].as_array().unwrap();
    assert!(!buttons.is_empty());
    let first = buttons[0]["custom_id"].as_str().unwrap();
    assert!(first.starts_with("ask:show:"), "{buttons:?}");
    assert!(buttons.iter().all(|b| b["custom_id"] != "ask:next"));

    // A suggestion's button shows that entry.
    let click = fake::click("700000000000000021", first, "900000000000000002", alice());
    setup.fake.dispatch("INTERACTION_CREATE", click);
    let body = setup.fake.callback("700000000000000021").await;
    let id = first.trim_start_matches("ask:show:");
    assert_eq!(
        body["data"]["embeds"][0]["fields"][1]["value"], id,
        "{body}"
    );

    // The refused question is logged for the server's moderators (Manage Server).
    let moderator = fake::member("300000000000000009", "mod", MANAGE_GUILD, &[]);
    setup.fake.dispatch(
        "INTERACTION_CREATE",
        fake::slash("700000000000000022", "unanswered", json!([]), moderator),
    );
    let body = setup.fake.callback("700000000000000022").await;
    let content = body["data"]["content"].as_str().unwrap();
    assert!(
        content.contains("“explain angular dependency injection” — asked 1 time by 1 person"),
        "{body}"
    );
    setup.running.stop().await;
}

/// The text inputs of a modal (a type 9 callback's data): (custom id, the
/// whole input).
fn modal_inputs(form: &Value) -> Vec<(String, Value)> {
    form["components"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|row| row["components"].as_array().unwrap().clone())
        .map(|input| (input["custom_id"].as_str().unwrap().to_string(), input))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn suggest_opens_a_form_whose_submission_is_filed_and_reject_asks_why() {
    let setup = connected().await;
    let bot = setup.running.adapter.bot().clone();
    let store = || bot.store();

    // `/suggest` without options answers with the suggest form.
    setup.fake.dispatch(
        "INTERACTION_CREATE",
        fake::slash("700000000000000060", "suggest", json!([]), alice()),
    );
    let body = setup.fake.callback("700000000000000060").await;
    assert_eq!(body["type"], 9, "a form: {body}");
    let form = &body["data"];
    assert_eq!(form["custom_id"], "suggest-form", "{form}");
    assert_eq!(form["title"], "Suggest a question for this server's bank");
    let inputs = modal_inputs(form);
    let shape: Vec<(&str, i64, bool, i64)> = inputs
        .iter()
        .map(|(id, input)| {
            assert_eq!(input["type"], 4, "a text input: {input}");
            (
                id.as_str(),
                input["style"].as_i64().unwrap(),
                input["required"].as_bool().unwrap(),
                input["max_length"].as_i64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        shape,
        [
            ("question", 1, true, 300),
            ("answer", 2, true, 4000),
            ("topic", 1, true, 30),
            ("source", 1, false, 300),
            ("aliases", 2, false, 1000),
        ],
        "{form}"
    );
    assert!(
        inputs[4].1["placeholder"]
            .as_str()
            .unwrap()
            .contains("one per line"),
        "{form}"
    );
    assert!(
        setup.fake.violations().is_empty(),
        "{:?}",
        setup.fake.violations()
    );

    // Its submission files the suggestion, aliases one per line.
    let submit = fake::modal_submit(
        "700000000000000061",
        "suggest-form",
        &[
            ("question", "How do we roll back a zorblax deploy?"),
            (
                "answer",
                "Run the zorblax-rollback job in CI with the release tag. It redeploys the last green build.",
            ),
            ("topic", "ops"),
            ("source", ""),
            (
                "aliases",
                "the zorblax deploy broke prod\nundo a zorblax release\n",
            ),
        ],
        alice(),
    );
    setup.fake.dispatch("INTERACTION_CREATE", submit);
    let body = setup.fake.callback("700000000000000061").await;
    assert_eq!(body["type"], 4, "{body}");
    let content = body["data"]["content"].as_str().unwrap();
    assert!(content.starts_with("Thanks: suggestion #1"), "{body}");
    assert_eq!(body["data"]["flags"], 64, "acknowledged privately");
    let pending = store()
        .pending_suggestions(fake::GUILD_ID, 10)
        .await
        .unwrap();
    assert_eq!(pending.len(), 1, "{pending:?}");
    assert!(pending[0].suggester.contains(ALICE), "{pending:?}");
    assert_eq!(
        pending[0].draft.aliases,
        ["the zorblax deploy broke prod", "undo a zorblax release"]
    );
    assert_eq!(pending[0].draft.source, None);

    // A moderator's review card: Reject… opens the reject form.
    let moderator = || fake::member("300000000000000009", "mod", MANAGE_GUILD, &[]);
    let next = json!([{"name": "next", "type": 1, "options": []}]);
    setup.fake.dispatch(
        "INTERACTION_CREATE",
        fake::slash("700000000000000062", "review", next, moderator()),
    );
    let body = setup.fake.callback("700000000000000062").await;
    let buttons = button_ids(&body);
    assert!(
        buttons.contains(&"review:reject:1".to_string()),
        "{buttons:?}"
    );
    let click = fake::click(
        "700000000000000063",
        "review:reject:1",
        "900000000000000060",
        moderator(),
    );
    setup.fake.dispatch("INTERACTION_CREATE", click);
    let body = setup.fake.callback("700000000000000063").await;
    assert_eq!(body["type"], 9, "the reject form: {body}");
    let form = &body["data"];
    assert_eq!(form["custom_id"], "review:reject:1", "{form}");
    let inputs = modal_inputs(form);
    assert_eq!(inputs.len(), 1, "{form}");
    let (reason_id, reason) = &inputs[0];
    assert_eq!(reason["required"], true, "a reason is required: {form}");
    assert_eq!(reason["max_length"], 300);

    // Its submission rejects the suggestion with that reason.
    let submit = fake::modal_submit(
        "700000000000000064",
        "review:reject:1",
        &[(reason_id, "the bank already answers this")],
        moderator(),
    );
    setup.fake.dispatch("INTERACTION_CREATE", submit);
    let body = setup.fake.callback("700000000000000064").await;
    let content = body["data"]["content"].as_str().unwrap();
    assert!(content.starts_with("Rejected suggestion #1"), "{body}");
    let rejected = store()
        .suggestion(fake::GUILD_ID, 1)
        .await
        .unwrap()
        .expect("suggestion 1");
    assert_eq!(
        rejected.state,
        interview_bot::store::SuggestionState::Rejected
    );
    assert_eq!(
        rejected.reason.as_deref(),
        Some("the bank already answers this")
    );

    // Someone not moderating cannot reject through the form either.
    let submit = fake::modal_submit(
        "700000000000000065",
        "review:reject:1",
        &[(reason_id, "no")],
        alice(),
    );
    setup.fake.dispatch("INTERACTION_CREATE", submit);
    let body = setup.fake.callback("700000000000000065").await;
    assert!(
        body["data"]["content"]
            .as_str()
            .unwrap()
            .contains("moderator"),
        "{body}"
    );
    assert!(
        setup.fake.violations().is_empty(),
        "{:?}",
        setup.fake.violations()
    );
    setup.running.stop().await;
}

/// Serves `text` on loopback as Discord's CDN serves an attachment; its URL.
async fn serve_attachment(name: &str, text: &'static str) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    let path = format!("/attachments/1/2/{name}");
    let app = axum::Router::new().route(&path, axum::routing::get(move || async move { text }));
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    format!("http://{address}{path}")
}

const TEAM_CSV: &str = "question,answer\n\
How do we page the billing on-call?,\"Open an incident in PagerDuty on the billing service. The on-call is paged within a minute.\"\n\
What is our deploy window?,Fridays.\n";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bank_import_reads_an_attached_file_or_opens_a_form_to_paste_it() {
    let setup = connected().await;
    let bot = setup.running.adapter.bot().clone();
    let moderator = || fake::member("300000000000000009", "mod", MANAGE_GUILD, &[]);
    let url = serve_attachment("team.csv", TEAM_CSV).await;
    let options = json!([{"name": "import", "type": 1, "options": [
        {"name": "file", "type": 11, "value": "910000000000000001"},
        {"name": "topic", "type": 3, "value": "ops"}
    ]}]);
    let mut import = fake::slash("700000000000000070", "bank", options, moderator());
    import["data"]["resolved"] = json!({"attachments": {"910000000000000001": {
        "id": "910000000000000001",
        "filename": "team.csv",
        "size": TEAM_CSV.len(),
        "url": url,
        "proxy_url": url,
        "content_type": "text/csv"
    }}});
    setup.fake.dispatch("INTERACTION_CREATE", import);
    let body = setup.fake.callback("700000000000000070").await;
    let content = body["data"]["content"].as_str().unwrap();
    assert!(content.starts_with("Filed suggestion #1"), "{body}");
    assert!(
        content.contains("team.csv:3: answer: at least 40 characters"),
        "{body}"
    );
    assert_eq!(body["data"]["flags"], 64, "a private reply");
    let pending = bot
        .store()
        .pending_suggestions(fake::GUILD_ID, 10)
        .await
        .unwrap();
    assert_eq!(pending.len(), 1, "{pending:?}");
    assert_eq!(pending[0].draft.topic, "ops");

    // Without a file, a form to paste it.
    let bare = json!([{"name": "import", "type": 1, "options": []}]);
    setup.fake.dispatch(
        "INTERACTION_CREATE",
        fake::slash("700000000000000071", "bank", bare, moderator()),
    );
    let body = setup.fake.callback("700000000000000071").await;
    assert_eq!(body["type"], 9, "a form: {body}");
    assert_eq!(body["data"]["custom_id"], "import-form");
    let inputs: Vec<String> = modal_inputs(&body["data"])
        .into_iter()
        .map(|(id, _)| id)
        .collect();
    assert_eq!(inputs, ["text", "format", "topic"]);
    let submit = fake::modal_submit(
        "700000000000000072",
        "import-form",
        &[
            (
                "text",
                "Q: Who owns the staging cluster?\nA: The platform team owns it. Ask in their channel before changing it.\n",
            ),
            ("format", ""),
            ("topic", "ops"),
        ],
        moderator(),
    );
    setup.fake.dispatch("INTERACTION_CREATE", submit);
    let body = setup.fake.callback("700000000000000072").await;
    let content = body["data"]["content"].as_str().unwrap();
    assert!(content.starts_with("Filed suggestion #2"), "{body}");

    // Members cannot import, attached or pasted.
    let submit = fake::modal_submit(
        "700000000000000073",
        "import-form",
        &[(
            "text",
            "Q: Anything at all here?\nA: Something long enough to be an answer, surely.\n",
        )],
        alice(),
    );
    setup.fake.dispatch("INTERACTION_CREATE", submit);
    let body = setup.fake.callback("700000000000000073").await;
    assert!(
        body["data"]["content"]
            .as_str()
            .unwrap()
            .contains("moderator"),
        "{body}"
    );
    assert_eq!(
        bot.store().pending_count(fake::GUILD_ID).await.unwrap(),
        2,
        "nothing filed by a member"
    );
    assert!(
        setup.fake.violations().is_empty(),
        "{:?}",
        setup.fake.violations()
    );
    setup.running.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refused_question_offers_a_suggest_form_with_the_question_filled_in() {
    let setup = connected().await;
    let query = "explain angular dependency injection";
    let options = json!([{"name": "text", "type": 3, "value": query}]);
    setup.fake.dispatch(
        "INTERACTION_CREATE",
        fake::slash("700000000000000070", "ask", options, alice()),
    );
    let body = setup.fake.callback("700000000000000070").await;
    let buttons = button_ids(&body);
    let suggest = format!("suggest:{query}");
    assert_eq!(buttons.last(), Some(&suggest), "{buttons:?}");

    let click = fake::click(
        "700000000000000071",
        &suggest,
        "900000000000000070",
        alice(),
    );
    setup.fake.dispatch("INTERACTION_CREATE", click);
    let body = setup.fake.callback("700000000000000071").await;
    assert_eq!(body["type"], 9, "the suggest form: {body}");
    let inputs = modal_inputs(&body["data"]);
    assert_eq!(inputs[0].0, "question");
    assert_eq!(inputs[0].1["value"], query, "filled in: {body}");
    assert!(
        inputs[1].1.get("value").is_none_or(Value::is_null),
        "{body}"
    );

    // A very long question still fits Discord's 100 characters of custom id.
    let long = "explain angular dependency injection with providers and injectors and hierarchical zones in great depth please";
    let options = json!([{"name": "text", "type": 3, "value": long}]);
    setup.fake.dispatch(
        "INTERACTION_CREATE",
        fake::slash("700000000000000072", "ask", options, alice()),
    );
    let body = setup.fake.callback("700000000000000072").await;
    let buttons = button_ids(&body);
    let last = buttons.last().unwrap();
    assert!(last.starts_with("suggest:explain angular"), "{buttons:?}");
    assert!(last.chars().count() <= 100, "{last}");
    assert!(
        setup.fake.violations().is_empty(),
        "{:?}",
        setup.fake.violations()
    );
    setup.running.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn autocomplete_suggests_questions_within_discords_limits() {
    let setup = connected().await;
    let options = json!([{"name": "text", "type": 3, "value": "docker volume", "focused": true}]);
    setup.fake.dispatch(
        "INTERACTION_CREATE",
        fake::autocomplete("700000000000000010", "ask", options, alice()),
    );
    let body = setup.fake.callback("700000000000000010").await;
    assert_eq!(body["type"], 8);
    let choices = body["data"]["choices"].as_array().unwrap();
    assert!(!choices.is_empty() && choices.len() <= 25, "{choices:?}");
    for choice in choices {
        let name = choice["name"].as_str().unwrap();
        assert!(name.chars().count() <= 100);
        assert_eq!(choice["value"], choice["name"]);
    }
    assert!(
        choices[0]["name"]
            .as_str()
            .unwrap()
            .to_lowercase()
            .contains("volume"),
        "{choices:?}"
    );
    // The word being typed is a prefix: "dock" suggests docker questions.
    for (n, (typed, expected)) in [
        ("dock", "docker"),
        ("idempot", "idempot"),
        ("how does tcp hands", "handshake"),
    ]
    .into_iter()
    .enumerate()
    {
        let id = format!("70000000000000002{n}");
        let options = json!([{"name": "text", "type": 3, "value": typed, "focused": true}]);
        setup.fake.dispatch(
            "INTERACTION_CREATE",
            fake::autocomplete(&id, "ask", options, alice()),
        );
        let body = setup.fake.callback(&id).await;
        let choices = body["data"]["choices"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        assert!(!choices.is_empty(), "{typed:?} suggests nothing: {body}");
        let first = choices[0]["name"].as_str().unwrap().to_lowercase();
        assert!(first.contains(expected), "{typed:?} → {choices:?}");
    }
    // A question longer than Discord's 100 characters is cut to fit.
    let options = json!([{"name": "text", "type": 3, "value": "tcp udp prefer certain situations", "focused": true}]);
    setup.fake.dispatch(
        "INTERACTION_CREATE",
        fake::autocomplete("700000000000000011", "ask", options, alice()),
    );
    let body = setup.fake.callback("700000000000000011").await;
    let first = body["data"]["choices"][0]["name"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    assert!(
        first.starts_with("What’s the difference between TCP and UDP"),
        "{body}"
    );
    assert_eq!(first.chars().count(), 100, "{first}");
    assert!(first.ends_with('…'));
    setup.running.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_quiz_answer_counts_once_even_when_delivered_twice() {
    let setup = connected().await;
    let body = start_quiz(&setup, "700000000000000020", 600).await;
    let buttons = body["data"]["components"][0]["components"]
        .as_array()
        .unwrap()
        .clone();
    assert_eq!(buttons.len(), 5, "A to D and the report: {body}");
    let report = buttons[4]["custom_id"].as_str().unwrap().to_string();
    assert!(report.starts_with("quiz-report:"), "{report}");
    assert_eq!(buttons[4]["label"], "⚠ two right answers?");
    let b = buttons[1]["custom_id"].as_str().unwrap().to_string();
    assert!(b.starts_with("quiz:") && b.ends_with(":1:B"), "{b}");
    // The adapter looks up the question's message, to edit it as people answer.
    setup
        .fake
        .wait_for("the original response", |r| {
            r.method == "GET" && r.path.ends_with("/messages/@original")
        })
        .await;

    let bob = fake::member(BOB, "bob", 0, &[]);
    let click = fake::click("700000000000000021", &b, "900000000000000001", bob.clone());
    setup.fake.dispatch("INTERACTION_CREATE", click.clone());
    setup.fake.dispatch("INTERACTION_CREATE", click);
    let first = setup.fake.callback("700000000000000021").await;
    assert_eq!(first["data"]["content"], "recorded: B for question 1");
    assert_eq!(first["data"]["flags"], 64);

    // A second click (a new interaction) is told the first counts.
    let again = fake::click(
        "700000000000000022",
        buttons[2]["custom_id"].as_str().unwrap(),
        "900000000000000001",
        bob,
    );
    setup.fake.dispatch("INTERACTION_CREATE", again);
    let second = setup.fake.callback("700000000000000022").await;
    // Give the repeated delivery time to be (wrongly) answered.
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    assert_eq!(
        second["data"]["content"],
        "you already answered B; the first answer counts"
    );
    assert_eq!(
        setup.fake.count(|r| r
            .path
            .starts_with("/api/v10/interactions/700000000000000021/")),
        1,
        "the repeated delivery was answered again"
    );
    // The question's message shows one answer.
    let edit = setup
        .fake
        .wait_for("the question's update", |r| {
            r.method == "PATCH" && r.path.contains("/channels/")
        })
        .await;
    assert_eq!(
        edit.body["embeds"][0]["fields"][1]["value"],
        "1 person has answered"
    );

    // The store holds exactly one answer of bob's.
    let bot = setup.running.adapter.bot().clone();
    let ctx =
        interview_bot::bot::Context::new(fake::GUILD_ID, &format!("<@{BOB}>"), fake::CHANNEL_ID);
    let stats = interview_bot::commands::handle(
        &bot,
        &ctx,
        interview_bot::commands::Command::Stats { user: None },
    )
    .await;
    let data = serde_json::to_value(&stats[0].data).unwrap();
    assert_eq!(data["answered"], 1, "{data}");

    // "⚠ two right answers?" counts a report, privately, once per person.
    let bob = fake::member(BOB, "bob", 0, &[]);
    for (id, expected) in [
        ("700000000000000023", "Thanks: your report"),
        ("700000000000000024", "You have already reported"),
    ] {
        let click = fake::click(id, &report, "900000000000000001", bob.clone());
        setup.fake.dispatch("INTERACTION_CREATE", click);
        let body = setup.fake.callback(id).await;
        let content = body["data"]["content"].as_str().unwrap();
        assert!(content.starts_with(expected), "{body}");
        assert_eq!(body["data"]["flags"], 64);
    }
    let reported = bot
        .store()
        .quiz_reports(Some(fake::GUILD_ID))
        .await
        .unwrap();
    assert_eq!(reported.len(), 1, "{reported:?}");
    assert_eq!(
        format!("quiz-report:{}", reported[0].entry),
        report,
        "{reported:?}"
    );
    assert_eq!(reported[0].reporters, 1);
    setup.running.stop().await;
}

/// The ids of the buttons of a callback or message body, in order.
fn button_ids(body: &Value) -> Vec<String> {
    let message = body.get("data").unwrap_or(body);
    message["components"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|row| row["components"].as_array().cloned().unwrap_or_default())
        .filter_map(|b| b["custom_id"].as_str().map(str::to_string))
        .collect()
}

/// Practice anywhere: in a direct message with the bot, from a person who
/// installed the app for themselves (no guild, no member), `/practice start`
/// offers new cards, the new card's Show answer shows the answer with Again /
/// Hard / Good / Easy, and a grade answers with when the card comes back and
/// then "nothing due". Every reply is ephemeral. The grade's interaction
/// delivered twice is answered and counted once; a second click of the same
/// button is told the first grade counts. The same person's practice follows
/// them into a server that never added the bot.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_practice_session_in_a_direct_message_is_private_and_graded_once() {
    const DM: &str = "400000000000000099";
    let setup = connected().await;
    let dm = |interaction: Value| fake::in_direct_message(interaction, DM);
    let private = |body: &Value, what: &str| {
        assert_eq!(body["type"], 4, "{what}: {body}");
        assert_eq!(body["data"]["flags"], 64, "{what} is ephemeral: {body}");
        shown_text(&body["data"])
    };
    let start = json!([{"name": "start", "type": 1, "options": []}]);
    setup.fake.dispatch(
        "INTERACTION_CREATE",
        dm(fake::slash(
            "700000000000000201",
            "practice",
            start.clone(),
            alice(),
        )),
    );
    let body = setup.fake.callback("700000000000000201").await;
    let text = private(&body, "/practice start");
    assert!(text.starts_with("Nothing due now."), "{body}");
    assert!(text.contains("New cards left today: 10"), "{body}");
    assert_eq!(button_ids(&body), ["practice:new:"], "{body}");

    // "Start a new card" deals one, its answer hidden.
    let click =
        |id: &str, custom_id: &str| dm(fake::click(id, custom_id, "900000000000000201", alice()));
    setup.fake.dispatch(
        "INTERACTION_CREATE",
        click("700000000000000202", "practice:new:"),
    );
    let body = setup.fake.callback("700000000000000202").await;
    let text = private(&body, "the new card");
    assert!(
        body["data"]["embeds"][0]["description"].is_string(),
        "a practice card is an embed, like /question random's: {body}"
    );
    assert!(text.contains("new card · "), "{body}");
    assert!(
        text.contains("then **Show answer** shows the answer"),
        "Discord has no /reveal: {body}"
    );
    let reveal = button_ids(&body);
    assert_eq!(reveal.len(), 1, "{body}");
    assert!(reveal[0].starts_with("practice:reveal:0:"), "{reveal:?}");
    assert_eq!(
        body["data"]["components"][0]["components"][0]["label"],
        "Show answer"
    );
    let entry = reveal[0]
        .trim_start_matches("practice:reveal:0:")
        .to_string();

    // Show answer: the answer, and the four grades.
    setup.fake.dispatch(
        "INTERACTION_CREATE",
        click("700000000000000203", &reveal[0]),
    );
    let body = setup.fake.callback("700000000000000203").await;
    let text = private(&body, "the answer");
    assert!(text.contains("How well did you know it?"), "{body}");
    assert!(!text.contains("/grade"), "Discord has no /grade: {body}");
    let grades: Vec<String> = ["again", "hard", "good", "easy"]
        .iter()
        .map(|g| format!("practice:grade:{g}:0:{entry}"))
        .collect();
    assert_eq!(button_ids(&body), grades, "{body}");

    // Good, and the same interaction delivered again.
    let good = click("700000000000000204", &grades[2]);
    setup.fake.dispatch("INTERACTION_CREATE", good.clone());
    setup.fake.dispatch("INTERACTION_CREATE", good);
    let body = setup.fake.callback("700000000000000204").await;
    let text = private(&body, "the grade");
    assert!(text.starts_with("Good: back later today"), "{body}");
    // Then the next card, or nothing due, as a follow-up shown to her only.
    let next = setup
        .fake
        .wait_for("the next card", |r| {
            r.method == "POST"
                && r.path
                    == format!(
                        "/api/v10/webhooks/{}/token-700000000000000204",
                        fake::APP_ID
                    )
        })
        .await;
    assert_eq!(next.body["flags"], 64, "{}", next.body);
    let text = shown_text(&next.body);
    assert!(text.starts_with("Nothing due now."), "{}", next.body);
    assert!(text.contains("New cards left today: 9"), "{}", next.body);
    // Give the repeated delivery time to be (wrongly) answered.
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    assert_eq!(
        setup.fake.count(|r| r
            .path
            .starts_with("/api/v10/interactions/700000000000000204/")),
        1,
        "the repeated delivery was answered again"
    );
    // A second click on the same button (a new interaction) changes nothing.
    setup.fake.dispatch(
        "INTERACTION_CREATE",
        click("700000000000000205", &grades[2]),
    );
    let body = setup.fake.callback("700000000000000205").await;
    let text = private(&body, "a second grade");
    assert!(
        text.contains("graded already: your first grade counts"),
        "{body}"
    );
    assert_eq!(
        reviews(&setup, &format!("discord/<@{ALICE}>")).await,
        1,
        "one grade recorded"
    );

    // In a server that never added the bot (her own install), her practice
    // is the same, and as private.
    setup.fake.dispatch(
        "INTERACTION_CREATE",
        fake::user_installed_in_guild(fake::slash(
            "700000000000000206",
            "practice",
            start,
            alice(),
        )),
    );
    let body = setup.fake.callback("700000000000000206").await;
    let text = private(&body, "/practice start in a server without the bot");
    assert!(text.contains("New cards left today: 9"), "{body}");
    setup.running.stop().await;
}

/// Grades in the review log of `learner`.
async fn reviews(setup: &Setup, learner: &str) -> i64 {
    use sqlx::Connection;
    let url = format!("sqlite://{}", setup._dir.path().join("bot.db").display());
    let mut conn = sqlx::SqliteConnection::connect(&url).await.unwrap();
    sqlx::query_scalar("SELECT COUNT(*) FROM practice_reviews WHERE learner = ?")
        .bind(learner)
        .fetch_one(&mut conn)
        .await
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn schedules_need_a_moderator_and_a_denied_user_is_told_why() {
    let setup = start(&[(
        "INTERVIEW_BOT__DISCORD__MODERATOR_ROLE",
        "600000000000000009".to_string(),
    )])
    .await;
    setup.fake.wait_for_shards(1).await;
    let schedule = json!([{"name": "schedule", "type": 1, "options": [
        {"name": "time", "type": 3, "value": "09:30"},
        {"name": "zone", "type": 3, "value": "Europe/Berlin"}
    ]}]);
    setup.fake.dispatch(
        "INTERACTION_CREATE",
        fake::slash("700000000000000030", "quiz", schedule.clone(), alice()),
    );
    let denied = setup.fake.callback("700000000000000030").await;
    assert_eq!(denied["data"]["flags"], 64, "{denied}");
    let text = denied["data"]["content"].as_str().unwrap();
    assert!(text.contains("moderator"), "{text}");

    let manager = fake::member(BOB, "bob", MANAGE_GUILD, &[]);
    setup.fake.dispatch(
        "INTERACTION_CREATE",
        fake::slash("700000000000000031", "quiz", schedule.clone(), manager),
    );
    let created = setup.fake.callback("700000000000000031").await;
    let text = created["data"]["content"].as_str().unwrap_or("");
    assert!(text.starts_with("Daily quiz scheduled"), "{created}");

    // The configured role counts too (a second schedule is refused as a
    // duplicate or accepted, but never for lack of permission).
    let with_role = fake::member("500000000000000003", "carol", 0, &["600000000000000009"]);
    setup.fake.dispatch(
        "INTERACTION_CREATE",
        fake::slash("700000000000000032", "quiz", schedule, with_role),
    );
    let by_role = setup.fake.callback("700000000000000032").await;
    let text = by_role["data"]["content"].as_str().unwrap_or("");
    assert!(!text.contains("moderator"), "{by_role}");

    // Typed values reach the core as they were typed: spaces and case kept,
    // integers as integers, no text to parse again. (19:05 in New York is
    // 01:05 in Berlin: its window does not overlap the first schedule's.)
    let typed = json!([{"name": "schedule", "type": 1, "options": [
        {"name": "time", "type": 3, "value": "19:05"},
        {"name": "zone", "type": 3, "value": "America/New_York"},
        {"name": "days", "type": 3, "value": "mon, wed, fri"},
        {"name": "questions", "type": 4, "value": 3},
        {"name": "reminder", "type": 4, "value": 15},
        {"name": "role", "type": 8, "value": "600000000000000009"}
    ]}]);
    let manager = fake::member(BOB, "bob", MANAGE_GUILD, &[]);
    setup.fake.dispatch(
        "INTERACTION_CREATE",
        fake::slash("700000000000000033", "quiz", typed, manager),
    );
    let created = setup.fake.callback("700000000000000033").await;
    let text = created["data"]["content"].as_str().unwrap_or("");
    assert!(
        text.contains("19:05 America/New_York mon,wed,fri, 3 questions from all topics"),
        "{created}"
    );
    setup.running.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_gateway_resumes_after_the_connection_drops() {
    let setup = connected().await;
    setup.fake.drop_connections();
    setup.fake.wait_for_resumes(1).await;
    setup.fake.dispatch(
        "INTERACTION_CREATE",
        fake::slash("700000000000000070", "help", json!([]), alice()),
    );
    let body = setup.fake.callback("700000000000000070").await;
    assert!(
        body["data"]["embeds"][0]["description"]
            .as_str()
            .unwrap()
            .contains("/quiz start"),
        "{body}"
    );
    setup.running.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn slow_work_is_deferred_then_the_reply_edited_in() {
    use sqlx::Connection;
    let setup = connected().await;
    // Another writer holds the database for longer than the defer limit.
    let url = format!("sqlite://{}", setup._dir.path().join("bot.db").display());
    let mut other = sqlx::SqliteConnection::connect(&url).await.unwrap();
    sqlx::query("BEGIN IMMEDIATE")
        .execute(&mut other)
        .await
        .unwrap();
    let options = json!([{"name": "start", "type": 1, "options": [{"name": "questions", "type": 4, "value": 1}]}]);
    setup.fake.dispatch(
        "INTERACTION_CREATE",
        fake::slash("700000000000000080", "quiz", options, alice()),
    );
    let first = setup.fake.callback("700000000000000080").await;
    assert_eq!(first, json!({"type": 5, "data": {"attachments": []}}));
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    sqlx::query("COMMIT").execute(&mut other).await.unwrap();
    let edit = setup
        .fake
        .wait_for("the deferred reply", |r| {
            r.method == "PATCH"
                && r.path
                    == format!(
                        "/api/v10/webhooks/{}/token-700000000000000080/messages/@original",
                        fake::APP_ID
                    )
        })
        .await;
    assert!(
        edit.body["embeds"][0]["title"]
            .as_str()
            .unwrap()
            .starts_with("Question 1 of 1"),
        "{}",
        edit.body
    );
    setup.running.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn at_the_close_the_question_loses_its_buttons_and_the_reveal_is_posted() {
    let setup = connected().await;
    start_quiz(&setup, "700000000000000090", 10).await;
    let original = setup
        .fake
        .wait_for("the original response", |r| {
            r.method == "GET" && r.path.ends_with("/@original")
        })
        .await;
    assert!(original.path.contains("token-700000000000000090"));
    // The fake answers GET @original with a new message id; the close edits it.
    let closed = setup
        .fake
        .wait_for("the question closed", |r| {
            r.method == "PATCH"
                && r.path
                    .starts_with(&format!("/api/v10/channels/{}/messages/", fake::CHANNEL_ID))
        })
        .await;
    assert_eq!(closed.body["components"], json!([]), "{}", closed.body);
    let status = closed.body["embeds"][0]["fields"][1]["value"]
        .as_str()
        .unwrap();
    assert!(status.starts_with("closed · answer "), "{status}");
    let post = setup
        .fake
        .wait_for("the reveal", |r| {
            r.method == "POST"
                && r.path == format!("/api/v10/channels/{}/messages", fake::CHANNEL_ID)
        })
        .await;
    let reveal = post.body["embeds"][0]["description"].as_str().unwrap();
    assert!(reveal.contains("answer"), "{reveal}");
    setup.running.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rest_429_and_5xx_are_retried() {
    let setup = connected().await;
    setup
        .fake
        .fail_next("/interactions/700000000000000040/", &[500, 429]);
    setup.fake.dispatch(
        "INTERACTION_CREATE",
        fake::slash("700000000000000040", "topics", json!([]), alice()),
    );
    let deadline = std::time::Instant::now() + fake::WAIT;
    while setup.fake.count(|r| {
        r.path
            .starts_with("/api/v10/interactions/700000000000000040/")
    }) < 3
    {
        assert!(
            std::time::Instant::now() < deadline,
            "{:#?}",
            setup.fake.requests()
        );
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    let body = setup.fake.callback("700000000000000040").await;
    assert!(
        body["data"]["embeds"][0]["description"]
            .as_str()
            .unwrap()
            .contains("docker")
    );
    setup.running.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_shard_range_runs_only_its_shards_and_leaves_registration_to_shard_0() {
    let setup = start(&[("INTERVIEW_BOT__DISCORD__SHARDS", "2-3/4".to_string())]).await;
    let mut shards = setup.fake.wait_for_shards(2).await;
    shards.sort();
    assert_eq!(shards, [[2, 4], [3, 4]]);
    // READY has been handled once an interaction is answered.
    setup.fake.dispatch(
        "INTERACTION_CREATE",
        fake::slash("700000000000000100", "topics", json!([]), alice()),
    );
    setup.fake.callback("700000000000000100").await;
    assert_eq!(
        setup.fake.count(|r| r.method == "PUT"),
        0,
        "only shard 0's process registers"
    );
    setup.running.stop().await;
}

/// The fake's checks bite: bodies Discord's OpenAPI document does not allow
/// are found (a message over 4,000 characters, a field it does not describe,
/// a callback of no known type), and good ones pass.
#[test]
fn the_fakes_spec_checks_find_violations() {
    let Some(spec) = fake::spec::Spec::get() else {
        return;
    };
    let path = "/api/v10/channels/400000000000000001/messages";
    assert!(
        spec.violations("POST", path, &json!({"content": "hi"}))
            .is_empty()
    );
    let long = "x".repeat(4001); // the document allows 4,000 (the fake itself holds bots to 2,000)
    assert!(
        !spec
            .violations("POST", path, &json!({"content": long}))
            .is_empty()
    );
    assert!(
        !spec
            .violations("POST", path, &json!({"content": "hi", "colour": 1}))
            .is_empty()
    );
    assert!(spec.callback_violations(&json!({"type": 1})).is_empty());
    assert!(!spec.callback_violations(&json!({"type": 99})).is_empty());
    let choices: Vec<Value> = (0..26)
        .map(|i| json!({"name": format!("q{i}"), "value": format!("q{i}")}))
        .collect();
    assert!(
        !spec
            .callback_violations(&json!({"type": 8, "data": {"choices": choices}}))
            .is_empty()
    );
    assert_eq!(
        spec.route("/interactions/1/t/callback").as_deref(),
        Some("/interactions/{interaction_id}/{interaction_token}/callback")
    );
}

mod endpoint {
    use super::*;
    use ed25519_dalek::{Signer, SigningKey};

    fn key() -> SigningKey {
        SigningKey::from_bytes(&[7u8; 32])
    }

    fn hex(bytes: &[u8]) -> String {
        bytes.iter().map(|b| format!("{b:02x}")).collect()
    }

    async fn start_endpoint() -> (Setup, String) {
        let fake = FakeDiscord::start().await;
        start_endpoint_in(fake, tempfile::tempdir().unwrap()).await
    }

    async fn start_endpoint_in(fake: FakeDiscord, dir: tempfile::TempDir) -> (Setup, String) {
        let public_key = hex(&key().verifying_key().to_bytes());
        let setup = start_in(
            fake,
            dir,
            &[
                (
                    "INTERVIEW_BOT__DISCORD__ENDPOINT",
                    "127.0.0.1:0".to_string(),
                ),
                ("INTERVIEW_BOT__DISCORD__PUBLIC_KEY", public_key),
                (
                    "INTERVIEW_BOT__DISCORD__APPLICATION_ID",
                    fake::APP_ID.to_string(),
                ),
            ],
        )
        .await;
        let url = format!(
            "http://{}/interactions",
            setup.running.endpoint.expect("an endpoint")
        );
        (setup, url)
    }

    /// Posts `body` signed at `timestamp` (or with `signature` when given).
    async fn post(
        url: &str,
        body: &Value,
        timestamp: i64,
        signature: Option<String>,
    ) -> (u16, String) {
        let body = body.to_string();
        let timestamp = timestamp.to_string();
        let signature = signature.unwrap_or_else(|| {
            hex(&key()
                .sign(&[timestamp.as_bytes(), body.as_bytes()].concat())
                .to_bytes())
        });
        let response = reqwest::Client::new()
            .post(url)
            .header("x-signature-ed25519", signature)
            .header("x-signature-timestamp", &timestamp)
            .header("content-type", "application/json")
            .body(body)
            .timeout(fake::WAIT)
            .send()
            .await
            .expect("the endpoint answers");
        let status = response.status().as_u16();
        let text = response.text().await.unwrap_or_default();
        if status == 200 {
            // What the endpoint answers is an interaction callback too.
            fake::assert_callback(&serde_json::from_str(&text).expect("a JSON answer"));
        }
        (status, text)
    }

    fn now() -> i64 {
        jiff::Timestamp::now().as_second()
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_replay_after_a_restart_gets_401_and_changes_nothing() {
        let (setup, url) = start_endpoint().await;
        setup
            .fake
            .wait_for("command registration", |r| r.method == "PUT")
            .await;
        let options = json!([{"type": 1, "name": "start", "options": [
            {"name": "questions", "type": 4, "value": 1},
            {"name": "seconds", "type": 4, "value": 600}
        ]}]);
        let start_round = fake::slash("700000000000000060", "quiz", options, alice());
        let signed_at = now();
        let (status, body) = post(&url, &start_round, signed_at, None).await;
        assert_eq!(status, 200, "{body}");
        assert!(body.contains("Question 1 of 1"), "{body}");
        let Setup {
            fake,
            running,
            _dir: dir,
        } = setup;
        running.stop().await;

        let (again, url) = start_endpoint_in(fake, dir).await;
        let (status, body) = post(&url, &start_round, signed_at, None).await;
        assert_eq!(status, 401, "a replay after a restart is refused: {body}");
        let stop = fake::slash(
            "700000000000000061",
            "quiz",
            json!([{"type": 1, "name": "stop", "options": []}]),
            alice(),
        );
        let (status, body) = post(&url, &stop, now(), None).await;
        assert_eq!(status, 200, "{body}");
        assert!(
            body.contains("stopped the round"),
            "the one round started before the restart is still the one running: {body}"
        );
        again.running.stop().await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn signed_requests_are_answered_in_the_response_body() {
        let (setup, url) = start_endpoint().await;
        setup
            .fake
            .wait_for("command registration", |r| r.method == "PUT")
            .await;
        let ping = json!({"id": "700000000000000050", "application_id": fake::APP_ID, "type": 1, "token": "t", "version": 1});
        let signed_at = now();
        let (status, body) = post(&url, &ping, signed_at, None).await;
        assert_eq!((status, body.as_str()), (200, r#"{"type":1}"#));
        // The same signed PING again is a replay, refused like any other
        // signed request (autocomplete too, though it changes nothing).
        let (status, body) = post(&url, &ping, signed_at, None).await;
        assert_eq!(
            (status, body.as_str()),
            (401, "interaction already handled")
        );
        let options = json!([{"name": "text", "type": 3, "value": "dock", "focused": true}]);
        let typed = fake::autocomplete("700000000000000052", "ask", options, alice());
        let (status, body) = post(&url, &typed, signed_at, None).await;
        assert_eq!(status, 200, "{body}");
        assert!(body.contains("Docker"), "a prefix suggests: {body}");
        let (status, _) = post(&url, &typed, signed_at, None).await;
        assert_eq!(status, 401, "a replayed autocomplete is refused");

        let topics = fake::slash("700000000000000051", "topics", json!([]), alice());
        let (status, body) = post(&url, &topics, now(), None).await;
        assert_eq!(status, 200, "{body}");
        let body: Value = serde_json::from_str(&body).unwrap();
        assert_eq!(body["type"], 4);
        assert!(
            body["data"]["embeds"][0]["description"]
                .as_str()
                .unwrap()
                .contains("docker")
        );

        // The same signed request again is a replay.
        let (status, _) = post(&url, &topics, now(), None).await;
        assert_eq!(status, 401);
        assert_eq!(
            setup.fake.count(|r| r.path.contains("/interactions/")),
            0,
            "nothing went over REST"
        );
        setup.running.stop().await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn forged_or_stale_requests_get_401_and_change_nothing() {
        let (setup, url) = start_endpoint().await;
        let options = json!([{"name": "start", "type": 1, "options": []}]);
        let start_round = fake::slash("700000000000000060", "quiz", options, alice());

        let forged = hex(&SigningKey::from_bytes(&[8u8; 32])
            .sign(b"anything")
            .to_bytes());
        let (status, body) = post(&url, &start_round, now(), Some(forged)).await;
        assert_eq!((status, body.as_str()), (401, "invalid request signature"));
        let (status, body) = post(&url, &start_round, now(), Some("zz".to_string())).await;
        assert_eq!((status, body.as_str()), (401, "invalid request signature"));

        let stale = now() - 10 * 60;
        let (status, body) = post(&url, &start_round, stale, None).await;
        assert_eq!((status, body.as_str()), (401, "stale request timestamp"));

        // No round was started by any of them.
        let bot = setup.running.adapter.bot().clone();
        let open = bot
            .store()
            .open_round(fake::GUILD_ID, fake::CHANNEL_ID)
            .await
            .unwrap();
        assert!(open.is_none(), "a rejected request started a round");
        // A signed, fresh copy does (so the rejections were about the checks).
        let (status, _) = post(&url, &start_round, now(), None).await;
        assert_eq!(status, 200);
        assert!(
            bot.store()
                .open_round(fake::GUILD_ID, fake::CHANNEL_ID)
                .await
                .unwrap()
                .is_some()
        );
        setup.running.stop().await;
    }
}

/// serenity 0.12 drops a 429's `retry_after` (body) and `Retry-After` (header)
/// with its rate limiter off, as it is with `api_url` (see `discord::retry`): the
/// retry cannot wait exactly what Discord asked, but waits at least a second
/// between tries (not the 250 ms of 5xx backoff), keeps trying until the limit is
/// over and gets through.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rate_limited_call_waits_for_the_limit_to_pass_and_gets_through() {
    use std::time::{Duration, Instant};
    let retry_after = Duration::from_millis(1200);
    let fake = FakeDiscord::start().await;
    fake.rate_limit_next("/api/v10/gateway", retry_after);
    // start_in fails the test unless discovery gets through once the limit is over.
    let Setup { fake, running, .. } = start_in(fake, tempfile::tempdir().unwrap(), &[]).await;
    fake.wait_for_shards(1).await;
    let gets: Vec<Instant> = fake
        .requests()
        .iter()
        .filter(|r| r.method == "GET" && r.path == "/api/v10/gateway")
        .map(|r| r.at)
        .collect();
    // The tries of discovery: up to the first one after the limit (serenity asks
    // again by itself later).
    let first = gets[0];
    let through = gets
        .iter()
        .position(|at| *at - first >= retry_after)
        .expect("a try after the limit was over");
    let tries = &gets[..=through];
    assert!(tries.len() >= 2, "{tries:?}");
    let last = tries[through];
    assert!(last - first >= retry_after);
    for pair in tries.windows(2) {
        assert!(
            pair[1] - pair[0] >= Duration::from_secs(1),
            "retried {:?} after a 429",
            pair[1] - pair[0]
        );
    }
    assert!(
        tries.len() <= 3,
        "{} tries for one 1.2 s limit: {tries:?}",
        tries.len()
    );
    running.stop().await;
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

/// Whether every code fence in `text` is closed.
fn fences_balanced(text: &str) -> bool {
    text.matches("```").count() % 2 == 0
}

/// Asks `text` by slash command `id`; returns the callback's first embed.
async fn ask_embed(setup: &Setup, id: &str, text: &str) -> Value {
    let options = json!([{"name": "text", "type": 3, "value": text}]);
    setup.fake.dispatch(
        "INTERACTION_CREATE",
        fake::slash(id, "ask", options, alice()),
    );
    let body = setup.fake.callback(id).await;
    assert_eq!(body["type"], 4, "{body}");
    body["data"]["embeds"][0].clone()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn code_arrives_as_a_code_block_and_a_long_answer_cut_with_the_show_line() {
    let setup = start(&code_bank()).await;
    setup.fake.wait_for_shards(1).await;

    let embed = ask_embed(
        &setup,
        "700000000000000301",
        "send a container's output to a file on the host",
    )
    .await;
    assert_eq!(embed["fields"][1]["value"], "docker-003", "{embed}");
    let description = embed["description"].as_str().unwrap();
    assert!(
        description.contains("\n```bash\ndocker logs web > web.log 2>&1\n```"),
        "a Discord code block with its language: {description}"
    );
    assert!(
        !description.contains("for the whole answer"),
        "{description}"
    );

    let embed = ask_embed(
        &setup,
        "700000000000000302",
        "how do multi-stage builds make images smaller",
    )
    .await;
    assert_eq!(embed["fields"][1]["value"], "docker-002", "{embed}");
    let description = embed["description"].as_str().unwrap();
    let line = "/show docker-002 for the whole answer";
    assert!(
        description.ends_with(&format!("\n\n{line}")),
        "{description}"
    );
    let answer = description.trim_end_matches(line).trim_end();
    assert!(
        answer.chars().count() <= 1200,
        "{} chars",
        answer.chars().count()
    );
    assert!(
        answer.ends_with('.') || answer.ends_with("```"),
        "cut after a paragraph: {answer}"
    );
    assert!(fences_balanced(answer), "{answer}");
    assert!(
        !answer.contains("Keep the final stage minimal"),
        "the last paragraph is left for /show"
    );

    // /show shows the whole answer; one longer than an embed goes on in more
    // embeds of the same message, its code block never broken.
    let options = json!([{"name": "id", "type": 3, "value": "docker-004"}]);
    setup.fake.dispatch(
        "INTERACTION_CREATE",
        fake::slash("700000000000000303", "show", options, alice()),
    );
    let body = setup.fake.callback("700000000000000303").await;
    let embeds = body["data"]["embeds"].as_array().unwrap();
    assert!(embeds.len() >= 2, "{body}");
    let descriptions: Vec<&str> = embeds
        .iter()
        .map(|e| e["description"].as_str().unwrap())
        .collect();
    for d in &descriptions {
        assert!(d.chars().count() <= 4096, "{} chars", d.chars().count());
        assert!(fences_balanced(d), "{d}");
    }
    let total: usize = embeds
        .iter()
        .map(|e| {
            let text = |v: &Value| v.as_str().map_or(0, |s| s.chars().count());
            text(&e["title"])
                + text(&e["description"])
                + text(&e["footer"]["text"])
                + e["fields"].as_array().map_or(0, |f| {
                    f.iter().map(|f| text(&f["name"]) + text(&f["value"])).sum()
                })
        })
        .sum();
    assert!(total <= 6000, "one message holds 6,000 characters: {total}");
    let whole = descriptions.join("\n\n");
    assert!(
        whole.contains("```dockerfile\n# syntax=docker/dockerfile:1\n"),
        "{whole}"
    );
    assert!(whole.contains("starts the server as PID 1"));
    assert!(
        whole.ends_with("tools can link an image back to its code."),
        "{whole}"
    );
    assert!(!whole.contains("for the whole answer"));
    setup.running.stop().await;
}

/// What a message shows: its content, or its embed's description (practice
/// cards are embeds, short notes plain content).
fn shown_text(message: &Value) -> String {
    message["content"]
        .as_str()
        .or_else(|| message["embeds"][0]["description"].as_str())
        .unwrap_or_default()
        .to_string()
}
