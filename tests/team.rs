//! A server's own bank on the real bot: `/suggest`, `/review`, `/bank
//! edit|retire`, and what `/ask`, `/show`, quizzes, related questions,
//! autocomplete and practice offer afterwards, in that server and in another one, on a SQLite file and on PostgreSQL (words only: the
//! model's part is measured by `tests/semantic.rs` and the team bench).

mod common;

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use interview_bot::bot::{Bot, Context};
use interview_bot::commands::handle_line;
use interview_bot::reply::Reply;
use interview_bot::search::SearchOptions;

const ON_POSTGRES: &str = "team banks on PostgreSQL";
const CASE_LIMIT: Duration = Duration::from_secs(120);

/// A bot on the shipped bank (words only) and the database at `url`.
async fn bot_on(url: &str, index: &std::path::Path) -> Arc<Bot> {
    let env = [
        ("INTERVIEW_BOT__INDEX__DIR", index.display().to_string()),
        ("INTERVIEW_BOT__DATABASE__URL", url.to_string()),
        ("INTERVIEW_BOT__MODEL__ENABLED", "false".to_string()),
        ("INTERVIEW_BOT__TEAM__SUGGESTIONS_PER_HOUR", "3".to_string()),
    ]
    .map(|(k, v)| (k.to_string(), v));
    let settings = interview_bot::config::Settings::load_from(None, env).unwrap();
    Arc::new(
        Bot::from_settings(&settings, Arc::new(interview_bot::clock::SystemClock))
            .await
            .unwrap(),
    )
}

fn member(server: &str, user: &str) -> Context {
    Context::new(server, user, "general")
}

fn moderator(server: &str, user: &str) -> Context {
    Context {
        moderator: true,
        ..member(server, user)
    }
}

async fn say(bot: &Arc<Bot>, ctx: &Context, line: &str) -> String {
    let replies: Vec<Reply> = handle_line(bot, ctx, line).await;
    replies
        .iter()
        .map(|r| r.text.as_str())
        .collect::<Vec<_>>()
        .join("\n")
}

/// The number in "suggestion #N".
fn number_in(reply: &str) -> i64 {
    let after = reply
        .split("#")
        .nth(1)
        .unwrap_or_else(|| panic!("no suggestion number in {reply:?}"));
    after
        .chars()
        .take_while(char::is_ascii_digit)
        .collect::<String>()
        .parse()
        .unwrap_or_else(|_| panic!("no suggestion number in {reply:?}"))
}

const ROLLBACK: &str = "/suggest question:How do we roll back a zorblax deploy? \
    answer:Run the zorblax-rollback job in CI with the release tag. It redeploys the last green build and pages nobody. \
    topic:ops source:https://wiki.example/zorblax aliases:the zorblax deploy broke prod | undo a zorblax release";

async fn suggest_review_ask_isolated(url: String, index: tempfile::TempDir) {
    let bot = bot_on(&url, index.path()).await;
    let alice = member("1001", "alice");
    let mod_a = moderator("1001", "maria");
    let bob = member("2002", "bob");

    let before = say(&bot, &alice, "/ask how do I roll back a zorblax deploy").await;
    assert!(before.contains("no entry"), "{before}");
    assert!(
        before.contains("/suggest"),
        "a refusal offers /suggest: {before}"
    );

    let filed = say(&bot, &alice, ROLLBACK).await;
    assert!(filed.contains("waits for a moderator"), "{filed}");
    let number = number_in(&filed);

    let denied = say(&bot, &alice, "/review").await;
    assert!(denied.contains("only moderators"), "{denied}");
    let card = say(&bot, &mod_a, "/review").await;
    assert!(card.contains("zorblax deploy"), "{card}");
    assert!(card.contains(&format!("#{number}")), "{card}");
    let other_server = say(&bot, &moderator("2002", "olga"), "/review").await;
    assert!(other_server.contains("No suggestions"), "{other_server}");

    let approved = say(&bot, &mod_a, &format!("/review approve {number}")).await;
    assert!(approved.contains("`1001-001`"), "{approved}");

    let found = say(&bot, &alice, "/ask how do I roll back a zorblax deploy").await;
    assert!(
        found.contains("1001-001"),
        "found by the next /ask: {found}"
    );
    assert!(found.contains("zorblax-rollback job"), "{found}");
    let by_alias = say(&bot, &alice, "/ask the zorblax deploy broke prod").await;
    assert!(by_alias.contains("1001-001"), "{by_alias}");

    let elsewhere = say(&bot, &bob, "/ask how do I roll back a zorblax deploy").await;
    assert!(
        !elsewhere.contains("1001-001"),
        "another server: {elsewhere}"
    );
    let shown = say(&bot, &bob, "/show 1001-001").await;
    assert!(shown.contains("no question has the id"), "{shown}");
    assert!(
        say(&bot, &alice, "/show 1001-001")
            .await
            .contains("zorblax")
    );

    let told = bot.store().pending_posts().await.unwrap();
    assert_eq!(told, 1, "the suggester's direct message is queued");

    let edited = say(
        &bot,
        &mod_a,
        "/bank edit 1001-001 answer:Run the zorblax-undo job in CI with the release tag. It redeploys the last green build.",
    )
    .await;
    assert!(edited.contains("Edited"), "{edited}");
    let after_edit = say(&bot, &alice, "/show 1001-001").await;
    assert!(after_edit.contains("zorblax-undo job"), "{after_edit}");
    let foreign_edit = say(&bot, &moderator("2002", "olga"), "/bank retire 1001-001").await;
    assert!(foreign_edit.contains("has no entry"), "{foreign_edit}");

    let retired = say(&bot, &mod_a, "/bank retire 1001-001").await;
    assert!(retired.contains("Retired"), "{retired}");
    let gone = say(&bot, &alice, "/ask how do I roll back a zorblax deploy").await;
    assert!(
        !gone.contains("1001-001"),
        "retired leaves search at once: {gone}"
    );

    // A restart finds the live entries again, and not the retired one.
    let again = say(&bot, &alice, ROLLBACK).await;
    let second = number_in(&again);
    say(&bot, &mod_a, &format!("/review approve {second}")).await;
    drop(bot);
    let restarted = bot_on(&url, index.path()).await;
    let found = say(
        &restarted,
        &alice,
        "/ask how do I roll back a zorblax deploy",
    )
    .await;
    assert!(
        found.contains("1001-002"),
        "numbers are never reused: {found}"
    );

    for (format, expected) in [("toml", "id = \"1001-002\""), ("csv", "1001-002,ops,")] {
        let exported = std::process::Command::new(env!("CARGO_BIN_EXE_interview-bot"))
            .args(["bank", "export", "--server", "1001", "--format", format])
            .env("INTERVIEW_BOT__DATABASE__URL", &url)
            .env("INTERVIEW_BOT__MODEL__ENABLED", "false")
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&exported.stdout);
        assert!(exported.status.success(), "{exported:?}");
        assert!(text.contains(expected), "{format}: {text}");
        assert!(
            !text.contains("1001-001"),
            "retired entries stay out: {text}"
        );
    }
}

async fn suggestions_are_checked_limited_and_neutralised(url: String, index: tempfile::TempDir) {
    let bot = bot_on(&url, index.path()).await;
    let carol = member("3003", "carol");
    let moderator = moderator("3003", "mo");

    let bad = say(
        &bot,
        &carol,
        "/suggest question:why answer:short topic:Not A Slug",
    )
    .await;
    assert!(bad.contains("question:"), "{bad}");
    assert!(bad.contains("answer:"), "{bad}");
    assert!(bad.contains("topic:"), "{bad}");

    let duplicate = say(
        &bot,
        &carol,
        "/suggest question:What is the difference between TCP and UDP? answer:TCP is reliable and ordered, UDP is not. UDP has less overhead. topic:networking",
    )
    .await;
    assert!(duplicate.contains("looks like"), "{duplicate}");

    let pinging = say(
        &bot,
        &carol,
        "/suggest question:Who owns the @everyone blorptastic pager? answer:The <@123> on-call owns the blorptastic pager this week. Ask in <#42> for swaps. topic:ops",
    )
    .await;
    let number = number_in(&pinging);
    let card = say(&bot, &moderator, "/review").await;
    assert!(!card.contains("@everyone"), "{card}");
    assert!(!card.contains("<@123>"), "{card}");
    assert!(!card.contains("<#42>"), "{card}");
    let rejected = say(
        &bot,
        &moderator,
        &format!("/review reject {number} ask in #on-call instead"),
    )
    .await;
    assert!(rejected.contains("Rejected"), "{rejected}");
    let twice = say(&bot, &moderator, &format!("/review approve {number}")).await;
    assert!(twice.contains("already rejected"), "{twice}");

    for n in 0..2 {
        let filed = say(
            &bot,
            &carol,
            &format!(
                "/suggest question:What does the frobnicator{n} service do? answer:It frobnicates widgets for team {n}. It runs nightly from cron. topic:ops"
            ),
        )
        .await;
        assert!(filed.contains("waits for"), "{filed}");
    }
    let limited = say(
        &bot,
        &carol,
        "/suggest question:What does the quuxinator service do? answer:It quuxinates widgets for the team. It runs nightly from cron. topic:ops",
    )
    .await;
    assert!(
        limited.contains("try again later"),
        "the fourth in an hour: {limited}"
    );
}

/// Four entries of a topic the shipped bank lacks (`ops`), each suggested by
/// its own member (the hourly limit is 3) and approved in `server`.
async fn approve_ops_entries(bot: &Arc<Bot>, server: &str) -> Vec<String> {
    let texts = [
        (
            "How do we roll back a zorblax deploy?",
            "Run the zorblax-rollback job in CI with the release tag. It redeploys the last green build and pages nobody.",
        ),
        (
            "Who approves a production database migration?",
            "The owning team's lead approves it in the change calendar. The data platform team reviews anything that locks a table.",
        ),
        (
            "When is the weekly deploy freeze?",
            "Deploys stop from Friday noon until Monday morning. Only hotfixes approved by the incident commander ship in it.",
        ),
        (
            "Where do our service dashboards live?",
            "Every service has a Grafana folder named after its repository. The on-call runbook links the ones that page.",
        ),
    ];
    let mut ids = Vec::new();
    for (n, (question, answer)) in texts.iter().enumerate() {
        let suggester = member(server, &format!("writer{n}"));
        let filed = say(
            bot,
            &suggester,
            &format!("/suggest question:{question} answer:{answer} topic:ops"),
        )
        .await;
        let number = number_in(&filed);
        let approved = say(
            bot,
            &moderator(server, "maria"),
            &format!("/review approve {number}"),
        )
        .await;
        let id = format!("{server}-{:03}", n + 1);
        assert!(approved.contains(&id), "{approved}");
        ids.push(id);
    }
    ids
}

/// The ids of every question of the round running in `server`'s #general,
/// and every option shown with them.
async fn round_in(bot: &Arc<Bot>, server: &str) -> (Vec<String>, Vec<String>) {
    let store = bot.store();
    let round = store
        .open_round(server, "general")
        .await
        .unwrap()
        .expect("a round runs");
    let (mut ids, mut options) = (Vec::new(), Vec::new());
    for position in 0..round.question_count {
        let question = store
            .round_question(&round.id, position)
            .await
            .unwrap()
            .expect("its question");
        ids.push(question.question_id);
        options.extend(question.choices);
    }
    (ids, options)
}

async fn team_entries_in_quizzes_practice_and_related(url: String, index: tempfile::TempDir) {
    let bot = bot_on(&url, index.path()).await;
    let ids = approve_ops_entries(&bot, "1001").await;
    let (alice, bob) = (member("1001", "alice"), member("2002", "bob"));

    let board = say(&bot, &alice, "/leaderboard all").await;
    assert!(board.contains("Added to this server's bank"), "{board}");
    assert!(
        board.contains("writer0 (1)"),
        "suggesters credited: {board}"
    );
    let board = say(&bot, &bob, "/leaderboard all").await;
    assert!(!board.contains("writer0"), "{board}");

    let topics = say(&bot, &alice, "/topics").await;
    assert!(topics.contains("ops: 4 questions"), "{topics}");
    assert!(
        !say(&bot, &bob, "/topics").await.contains("ops"),
        "another server has no ops topic"
    );

    // A quiz of the server's own topic asks its entries, four options each,
    // the right one its answer's first paragraph.
    let started = say(&bot, &alice, "/quiz start topic:ops questions:4 seconds:30").await;
    assert!(!started.contains("no topic"), "{started}");
    let (asked, options) = round_in(&bot, "1001").await;
    let mut sorted = asked.clone();
    sorted.sort();
    assert_eq!(sorted, ids, "every ops entry is asked once");
    assert_eq!(options.len(), 16, "four options each: {options:?}");
    assert!(
        options
            .iter()
            .any(|o| o.starts_with("Run the zorblax-rollback job")),
        "{options:?}"
    );
    say(&bot, &alice, "/answer A").await;
    say(&bot, &alice, "/quiz stop").await;
    // The reveal shows the team entry's whole answer.
    let entries = bot.entries_everywhere();
    let mut revealed = String::new();
    for post in bot
        .store()
        .lease_posts(i64::MAX / 2, 60_000, 100)
        .await
        .unwrap()
    {
        let rendered = interview_bot::render::posts::render_post(
            bot.store(),
            &entries,
            &post.body,
            interview_bot::platform::Platform::Shell,
        )
        .await
        .unwrap();
        if let Some(reply) = rendered {
            revealed.push_str(&reply.text);
        }
    }
    let first = bot.entries("1001");
    let first = first.get(&asked[0]).unwrap();
    assert!(
        revealed.contains(first.answer.lines().next().unwrap()),
        "the reveal explains with the team answer: {revealed}"
    );

    // Another server: no ops topic, and no round shows a team entry, asked
    // or as an option.
    let refused = say(&bot, &bob, "/quiz start topic:ops questions:4 seconds:30").await;
    assert!(refused.contains("no topic"), "{refused}");
    say(&bot, &bob, "/quiz start questions:20 seconds:30").await;
    let (asked, options) = round_in(&bot, "2002").await;
    assert_eq!(asked.len(), 20);
    assert!(asked.iter().all(|id| !id.starts_with("1001-")), "{asked:?}");
    let team_texts = [
        "zorblax",
        "deploy freeze",
        "change calendar",
        "Grafana folder",
    ];
    for option in &options {
        assert!(
            !team_texts.iter().any(|t| option.contains(t)),
            "another server's option: {option}"
        );
    }

    // Related questions: a team entry's are its server's entries of its
    // topic; another server's answers never list them.
    let shown = say(&bot, &alice, &format!("/show {}", ids[0])).await;
    assert!(shown.contains("Related:"), "{shown}");
    assert!(
        ids[1..].iter().any(|id| shown.contains(id.as_str())),
        "{shown}"
    );
    for id in ["docker-001", "networking-001", "python-001"] {
        let shown = say(&bot, &bob, &format!("/show {id}")).await;
        assert!(!shown.contains("1001-"), "{shown}");
    }

    // Autocomplete: the server's own questions first there, never elsewhere.
    let typed = bot.suggest("1001", "zorbl", None, 5, 100).await;
    assert!(typed.iter().any(|q| q.contains("zorblax")), "{typed:?}");
    let typed = bot.suggest("2002", "zorbl", None, 5, 100).await;
    assert!(typed.iter().all(|q| !q.contains("zorblax")), "{typed:?}");

    // Practice: a team entry is added where it lives, refused elsewhere,
    // and dealt first among the new cards.
    let added = say(&bot, &alice, &format!("/practice add {}", ids[2])).await;
    assert!(added.contains("Added"), "{added}");
    let foreign = say(&bot, &bob, &format!("/practice add {}", ids[2])).await;
    assert!(!foreign.contains("Added"), "{foreign}");
    let card = say(&bot, &alice, "/practice new").await;
    assert!(card.contains("deploy freeze"), "{card}");
}

/// A team's questions as a CSV file: one good record, one with a short
/// answer, one repeating a shipped entry.
const TEAM_CSV: &str = "question,answer,topic\n\
How do we page the billing on-call?,\"Open an incident in PagerDuty on the billing service. The on-call is paged within a minute, day or night.\",ops\n\
What is our deploy window?,Fridays.,ops\n\
What is the difference between TCP and UDP?,\"TCP is reliable and ordered, UDP is not. UDP has less overhead.\",networking\n";

async fn bank_import_files_checked_suggestions(url: String, index: tempfile::TempDir) {
    let bot = bot_on(&url, index.path()).await;
    let file = index.path().join("team-questions.csv");
    std::fs::write(&file, TEAM_CSV).unwrap();
    let line = format!("/bank import file:{} topic:ops", file.display());

    let denied = say(&bot, &member("6006", "carol"), &line).await;
    assert!(denied.contains("only moderators"), "{denied}");

    let mo = moderator("6006", "mo");
    let report = say(&bot, &mo, &line).await;
    assert!(report.contains("Filed suggestion #1"), "{report}");
    assert!(report.contains("Not filed (2)"), "{report}");
    assert!(
        report.contains("team-questions.csv:3: answer: at least 40 characters"),
        "file:line: what: {report}"
    );
    assert!(
        report.contains("team-questions.csv:4: question: looks like"),
        "a near-duplicate of a shipped entry: {report}"
    );
    let card = say(&bot, &mo, "/review").await;
    assert!(card.contains("page the billing on-call"), "{card}");
    assert!(card.contains("1 waiting"), "only the good record: {card}");
    assert!(
        say(&bot, &moderator("7007", "olga"), "/review")
            .await
            .contains("No suggestions"),
        "another server sees none"
    );

    let bare = say(&bot, &mo, "/bank import").await;
    assert!(bare.contains("give the file's path"), "{bare}");
    let broken = say(&bot, &mo, "/bank import file:/nonexistent/q.csv").await;
    assert!(broken.contains("cannot read"), "{broken}");
    let bad_format = say(&bot, &mo, &format!("{line} format:pdf")).await;
    assert!(bad_format.contains("unknown format"), "{bad_format}");
    let still = say(&bot, &mo, "/review").await;
    assert!(still.contains("1 waiting"), "nothing more filed: {still}");
}

async fn run<F, Fut>(case: F, url: String, index: tempfile::TempDir)
where
    F: FnOnce(String, tempfile::TempDir) -> Fut,
    Fut: Future<Output = ()>,
{
    tokio::time::timeout(CASE_LIMIT, case(url, index))
        .await
        .unwrap_or_else(|_| panic!("the case took longer than {CASE_LIMIT:?}"));
}

macro_rules! on_both_backends {
    ($($case:ident),* $(,)?) => {$(
        mod $case {
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                let dir = tempfile::tempdir().unwrap();
                let url = crate::common::fresh_sqlite(dir.path());
                super::run(super::$case, url, dir).await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                let Some(url) = crate::common::fresh_postgres().await else {
                    crate::common::skip(super::ON_POSTGRES, crate::common::NO_POSTGRES);
                    return;
                };
                super::run(super::$case, url, tempfile::tempdir().unwrap()).await;
            }
        }
    )*};
}

on_both_backends!(
    suggest_review_ask_isolated,
    suggestions_are_checked_limited_and_neutralised,
    team_entries_in_quizzes_practice_and_related,
    bank_import_files_checked_suggestions
);

/// With the model, an approved entry is found by meaning as soon as it is
/// approved: a question sharing no word with it finds it (only its own
/// vectors, embedded at approval, can put it among the hits).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn approved_entries_are_found_by_meaning() {
    let Some(model) = common::model_dir() else {
        common::skip("team banks by meaning", common::NO_MODEL);
        return;
    };
    common::warm_semantic_index(&model);
    let dir = tempfile::tempdir().unwrap();
    let env = [
        (
            "INTERVIEW_BOT__INDEX__DIR",
            common::semantic_index_dir().display().to_string(),
        ),
        ("INTERVIEW_BOT__MODEL__DIR", model.display().to_string()),
        (
            "INTERVIEW_BOT__DATABASE__URL",
            common::fresh_sqlite(dir.path()),
        ),
    ]
    .map(|(k, v)| (k.to_string(), v));
    let settings = interview_bot::config::Settings::load_from(None, env).unwrap();
    let bot = Arc::new(
        Bot::from_settings(&settings, Arc::new(interview_bot::clock::SystemClock))
            .await
            .unwrap(),
    );
    let (alice, maria) = (member("4004", "alice"), moderator("4004", "maria"));
    let paraphrase =
        "/ask what should I do when a new version of the invoicing app misbehaves in production";
    let before = say(&bot, &alice, paraphrase).await;
    assert!(!before.contains("4004-001"), "{before}");
    let filed = say(
        &bot,
        &alice,
        "/suggest question:How do we roll back a billing service release? answer:Trigger the billing-rollback pipeline with the previous tag. It redeploys the last known good build within minutes. topic:ops",
    )
    .await;
    let number = number_in(&filed);
    let approved = tokio::time::timeout(
        Duration::from_secs(60),
        say(&bot, &maria, &format!("/review approve {number}")),
    )
    .await
    .expect("approval (with embedding) within a minute");
    assert!(approved.contains("4004-001"), "{approved}");
    let library = bot.library();
    let team = bot.team_banks().partition("4004");
    let search = |text: &str| {
        library
            .searcher
            .search_in(text, &SearchOptions::top(5), None, team.as_deref())
            .unwrap()
            .hits
    };
    let own = search("How do we roll back a billing service release?");
    let hit = own
        .iter()
        .find(|h| h.id == "4004-001")
        .expect("its own question finds it");
    let signals = hit.signals.expect("matched by meaning too");
    assert!(
        signals.phrasing > 0.95,
        "its vectors were embedded: {signals:?}"
    );
    let paraphrase_hits = search("revert a broken payments rollout");
    assert!(
        paraphrase_hits.iter().any(|h| h.id == "4004-001"),
        "no shared word, found by meaning: {paraphrase_hits:?}"
    );
    let elsewhere = say(&bot, &member("5005", "bob"), paraphrase).await;
    assert!(!elsewhere.contains("4004-001"), "{elsewhere}");
}
