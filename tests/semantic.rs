//! Matching by meaning: paraphrases found, the embedding cache, related questions
//! and quiz distractors from the same similarity, and the fallback to words when
//! the model is missing or broken. Tests that need the model skip without it
//! locally; CI provisions it (see .ci/run).

mod common;

/// The suite named when a test skips for want of the model.
const SUITE: &str = "semantic suite (needs the embedding model)";

use std::path::Path;
use std::sync::Arc;

use interview_bot::bank::Bank;
use interview_bot::bot::Bot;
use interview_bot::clock::SystemClock;
use interview_bot::config::Settings;
use interview_bot::quiz::pick;
use interview_bot::search::SearchOptions;
use interview_bot::semantic::{Model, Semantic};

/// The entries that answer "swagger docs".
const SWAGGER: &[&str] = &["api-070", "api-102"];

fn top(searcher: &interview_bot::search::Searcher, text: &str) -> Option<String> {
    searcher
        .search(text, &SearchOptions::top(1))
        .expect("search runs")
        .hits
        .first()
        .map(|h| h.id.clone())
}

#[test]
fn paraphrases_find_their_question_by_meaning() {
    let bank = common::shipped_bank();
    let Some(semantic) = common::semantic_searcher(&bank) else {
        common::skip(SUITE, common::NO_MODEL);
        return;
    };
    // Each query with the entries that answer it (swagger docs: the
    // documentation practices and the OpenAPI specification both do).
    let cases: [(&str, &[&str]); 4] = [
        (
            "list the ways clients can prove who they are to an api",
            &["api-015"],
        ),
        (
            "how should an endpoint tell the caller something went wrong",
            &["api-007"],
        ),
        ("swagger docs", SWAGGER),
        ("debug a container that keeps crashing", &["docker-040"]),
    ];
    let answers = |found: Option<String>, expected: &[&str]| {
        found.is_some_and(|id| expected.contains(&id.as_str()))
    };
    for (query, expected) in cases {
        let found = top(&semantic, query);
        assert!(answers(found.clone(), expected), "{query}: {found:?}");
    }
    // That meaning adds over words is measured on the held-out situation
    // queries (tests/search_quality.rs): every entry now has situation aliases,
    // so words alone find these four too.
}

#[test]
fn hits_explain_their_signals_and_unrelated_text_matches_nothing() {
    let bank = common::shipped_bank();
    let Some(searcher) = common::semantic_searcher(&bank) else {
        common::skip(SUITE, common::NO_MODEL);
        return;
    };
    let found = searcher
        .search("tcp vs udp", &SearchOptions::top(3))
        .unwrap();
    let signals = found.hits[0].signals.expect("signals with the model");
    assert!(signals.words > 0.0 && signals.entry > 0.3, "{signals:?}");
    let nothing = searcher
        .search("zebra giraffe savanna", &SearchOptions::top(3))
        .unwrap();
    assert!(nothing.hits.is_empty(), "{:?}", nothing.hits);
    assert!(nothing.note.is_some());
    let topic_only = searcher
        .search(
            "how do I keep data after the container is removed",
            &SearchOptions {
                topic: Some("python".into()),
                limit: 5,
                ..Default::default()
            },
        )
        .unwrap();
    for hit in &topic_only.hits {
        assert!(hit.id.starts_with("python-"), "{}", hit.id);
    }
}

/// The encoder (half-precision dense weights, one text at a time, no padding)
/// gives the vectors of the reference implementation: candle's BERT in f32,
/// batched with padding, recorded in tests/fixtures/minilm_reference.json. The
/// texts are a query, an entry, and one cut at the 256-token limit.
#[test]
fn vectors_match_the_reference_implementation() {
    let Some(dir) = common::model_dir() else {
        common::skip(SUITE, common::NO_MODEL);
        return;
    };
    let model = Model::load(&dir).expect("the model loads");
    let fixture =
        std::fs::read_to_string(common::repo().join("tests/fixtures/minilm_reference.json"))
            .expect("reference fixture");
    let references: Vec<serde_json::Value> = serde_json::from_str(&fixture).expect("json");
    assert_eq!(references.len(), 3);
    let texts: Vec<&str> = references
        .iter()
        .map(|r| r["text"].as_str().expect("text"))
        .collect();
    let batch = model.embed(&texts).expect("embeds");
    for ((reference, text), from_batch) in references.iter().zip(&texts).zip(&batch) {
        let want: Vec<f32> = reference["vector"]
            .as_array()
            .expect("vector")
            .iter()
            .map(|v| v.as_f64().expect("number") as f32)
            .collect();
        let alone = model.embed_one(text).expect("embeds");
        assert_eq!(
            &alone, from_batch,
            "batch and single embedding differ: {text}"
        );
        assert_eq!(alone.len(), want.len());
        let cosine: f32 = alone.iter().zip(&want).map(|(a, b)| a * b).sum();
        let worst = alone
            .iter()
            .zip(&want)
            .map(|(a, b)| (a - b).abs())
            .fold(0.0f32, f32::max);
        assert!(cosine > 0.99999, "cosine {cosine} to the reference: {text}");
        assert!(worst < 1e-3, "a component differs by {worst}: {text}");
    }
}

fn write_bank(dir: &Path, answer_of_first: &str) -> Bank {
    std::fs::create_dir_all(dir).unwrap();
    let text = format!(
        r#"[[question]]
id = "t-001"
topic = "t"
question = "What is a socket?"
answer = "{answer_of_first}"

[[question]]
id = "t-002"
topic = "t"
question = "What does DNS do?"
aliases = ["how are names turned into addresses"]
answer = "DNS turns host names into IP addresses."
"#
    );
    std::fs::write(dir.join("t.toml"), text).unwrap();
    interview_bot::bank::load(dir).unwrap().bank
}

#[test]
fn vectors_are_cached_and_only_changed_texts_are_embedded() {
    let Some(model_dir) = common::model_dir() else {
        common::skip(SUITE, common::NO_MODEL);
        return;
    };
    let tmp = tempfile::tempdir().unwrap();
    let cache = tmp.path().join("index");
    let bank = write_bank(&tmp.path().join("bank"), "An endpoint of a connection.");
    let load = |bank: &Bank| Semantic::build(bank, Model::load(&model_dir).unwrap(), Some(&cache));
    // 2 questions, 1 alias, 2 answers, 2 whole entries (a one-paragraph answer
    // is its own lead, so its lead and question+lead texts are the same).
    let (_, first) = load(&bank).unwrap();
    assert_eq!((first.texts, first.reused), (7, 0));
    let (_, again) = load(&bank).unwrap();
    assert_eq!((again.texts, again.reused), (0, 7));
    let changed = write_bank(
        &tmp.path().join("bank"),
        "One end of a two-way link between programs.\\n\\nWhy: a port alone names no conversation.",
    );
    let (_, after_edit) = load(&changed).unwrap();
    assert_eq!(
        (after_edit.texts, after_edit.reused),
        (4, 5),
        "the new answer, its lead, and the question with each"
    );
    let files: Vec<_> = std::fs::read_dir(&cache)
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with("vectors-"))
        .collect();
    assert_eq!(files.len(), 1, "{files:?}");
    let file = cache.join(&files[0]);
    let bytes = std::fs::read(&file).unwrap();
    std::fs::write(&file, &bytes[..bytes.len() / 2]).unwrap();
    let (semantic, after_damage) = load(&changed).unwrap();
    assert_eq!(after_damage.texts, 9, "a damaged cache is embedded anew");
    assert!(semantic.entry_similarity(0, 1) < 0.9);
}

async fn semantic_bot_in_process(tmp: &Path) -> Option<Bot> {
    let model = common::model_dir()?;
    common::warm_semantic_index(&model);
    let mut settings = Settings::default();
    settings.bank.dir = common::repo().join("data/bank");
    settings.bank.synonyms = common::repo().join("data/synonyms.toml");
    settings.index.dir = common::semantic_index_dir();
    settings.model.dir = model;
    settings.database.url = common::fresh_sqlite(tmp).into();
    Some(
        Bot::from_settings(&settings, Arc::new(SystemClock))
            .await
            .expect("bot starts"),
    )
}

#[tokio::test]
async fn related_questions_are_the_nearest_in_meaning() {
    let tmp = tempfile::tempdir().unwrap();
    let Some(bot) = semantic_bot_in_process(tmp.path()).await else {
        common::skip(SUITE, common::NO_MODEL);
        return;
    };
    let entries = bot.entries("g");
    let handshake = entries.get("networking-020").unwrap();
    let related: Vec<&str> = bot
        .related(&entries, handshake)
        .iter()
        .map(|q| q.id.as_str())
        .collect();
    assert_eq!(related.len(), 3);
    assert!(
        related.contains(&"networking-021"),
        "why TCP needs three steps is related to how the handshake works: {related:?}"
    );
    let semantic = entries.searcher().semantic().unwrap();
    let row = semantic.row_of("networking-020").unwrap();
    let nearest: Vec<&str> = semantic
        .nearest(row, Semantic::entry_similarity, |o| {
            semantic.topic(o) == "networking"
        })
        .iter()
        .take(3)
        .map(|(r, _)| semantic.id(*r))
        .collect();
    assert_eq!(related, nearest);
    bot.store().close().await;
}

#[tokio::test]
async fn distractors_are_close_in_meaning_but_never_paraphrases() {
    let tmp = tempfile::tempdir().unwrap();
    let Some(bot) = semantic_bot_in_process(tmp.path()).await else {
        common::skip(SUITE, common::NO_MODEL);
        return;
    };
    let library = bot.library();
    let bank = &library.bank;
    let semantic = library.searcher.semantic().unwrap();
    let mut rng = fastrand::Rng::with_seed(11);
    let (mut chosen_similarity, mut chosen_count) = (0.0f32, 0usize);
    let (mut topic_similarity, mut topic_count) = (0.0f32, 0usize);
    for question in bank.questions() {
        let options = pick::options(question, bank, &library.searcher, &mut rng);
        let (labels, letter) = (options.labels, options.correct);
        assert_eq!(labels.len(), 4, "{}", question.id);
        let right = pick::LETTERS.iter().position(|l| *l == letter).unwrap();
        assert_eq!(labels[right], pick::option_of(question));
        let row = semantic.row_of(&question.id).unwrap();
        for (i, label) in labels.iter().enumerate().filter(|(i, _)| *i != right) {
            let source = bank
                .questions()
                .iter()
                .find(|q| pick::option_of(q) == *label && q.id != question.id)
                .unwrap_or_else(|| panic!("option {i} of {} is some answer", question.id));
            let other = semantic.row_of(&source.id).unwrap();
            let similarity = semantic.answer_similarity(row, other);
            assert!(
                similarity < 0.8,
                "{}: option {label:?} (from {}) says the same as the right answer ({similarity:.2})",
                question.id,
                source.id
            );
            chosen_similarity += similarity;
            chosen_count += 1;
        }
        for other in 0..semantic.rows() {
            if other != row && semantic.topic(other) == question.topic {
                topic_similarity += semantic.answer_similarity(row, other);
                topic_count += 1;
            }
        }
    }
    let chosen = chosen_similarity / chosen_count as f32;
    let typical = topic_similarity / topic_count as f32;
    assert!(
        chosen > typical + 0.1,
        "wrong options should be closer to the right answer ({chosen:.2}) than a random answer of the topic ({typical:.2})"
    );
    bot.store().close().await;
}

fn stderr_lines_with(output: &std::process::Output, needle: &str) -> Vec<String> {
    String::from_utf8_lossy(&output.stderr)
        .lines()
        .filter(|l| l.contains(needle))
        .map(str::to_string)
        .collect()
}

fn ask_with_model_dir(model_dir: &Path, index: &Path) -> std::process::Output {
    let mut command = common::bot(index);
    command
        .env("INTERVIEW_BOT__MODEL__ENABLED", "true")
        .env("INTERVIEW_BOT__MODEL__DIR", model_dir)
        .args(["ask", "--json", "--limit", "1"]);
    common::run_with_input(
        command,
        b"difference between tcp and udp\nwhat is a socket\n",
    )
}

fn assert_word_search_works(output: &std::process::Output) {
    assert!(output.status.success(), "{output:?}");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let lines: Vec<serde_json::Value> = stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 2);
    assert_eq!(lines[0]["hits"][0]["id"], "networking-006");
    assert!(
        lines[0]["hits"][0].get("signals").is_none(),
        "no meaning signals without the model"
    );
}

#[test]
fn a_missing_model_gives_word_search_and_one_log_line() {
    let tmp = tempfile::tempdir().unwrap();
    let missing = tmp.path().join("no-model-here");
    let output = ask_with_model_dir(&missing, tmp.path());
    assert_word_search_works(&output);
    let lines = stderr_lines_with(&output, "semantic matching is off");
    assert_eq!(lines.len(), 1, "{lines:?}");
    assert!(lines[0].contains("no-model-here"), "{}", lines[0]);
    assert!(lines[0].contains("model install"), "{}", lines[0]);
}

#[test]
fn a_corrupt_model_gives_word_search_and_names_the_broken_file() {
    let tmp = tempfile::tempdir().unwrap();
    let model = tmp.path().join("model");
    std::fs::create_dir_all(&model).unwrap();
    std::fs::write(
        model.join("config.json"),
        r#"{"vocab_size": 30522, "hidden_size": 384, "num_hidden_layers": 6, "num_attention_heads": 12,
            "intermediate_size": 1536, "hidden_act": "gelu", "hidden_dropout_prob": 0.1,
            "max_position_embeddings": 512, "type_vocab_size": 2, "initializer_range": 0.02,
            "layer_norm_eps": 1e-12, "pad_token_id": 0, "model_type": "bert"}"#,
    )
    .unwrap();
    std::fs::write(model.join("tokenizer.json"), "{ not a tokenizer").unwrap();
    std::fs::write(model.join("model.safetensors"), b"\0\0\0garbage").unwrap();
    let output = ask_with_model_dir(&model, tmp.path());
    assert_word_search_works(&output);
    let lines = stderr_lines_with(&output, "semantic matching is off");
    assert_eq!(lines.len(), 1, "{lines:?}");
    assert!(lines[0].contains("tokenizer.json"), "{}", lines[0]);

    // Real config and tokenizer, cut-off weights.
    let Some(real) = common::model_dir() else {
        common::skip(SUITE, common::NO_MODEL);
        return;
    };
    for file in ["config.json", "tokenizer.json"] {
        std::fs::copy(real.join(file), model.join(file)).unwrap();
    }
    let weights = std::fs::read(real.join("model.safetensors")).unwrap();
    std::fs::write(
        model.join("model.safetensors"),
        &weights[..weights.len() / 3],
    )
    .unwrap();
    let output = ask_with_model_dir(&model, tmp.path());
    assert_word_search_works(&output);
    let lines = stderr_lines_with(&output, "semantic matching is off");
    assert_eq!(lines.len(), 1, "{lines:?}");
    assert!(lines[0].contains("model.safetensors"), "{}", lines[0]);
}

#[test]
fn ask_uses_the_model_through_the_binary() {
    let tmp = tempfile::tempdir().unwrap();
    let Some(mut command) = common::semantic_bot(tmp.path()) else {
        common::skip(SUITE, common::NO_MODEL);
        return;
    };
    command.args(["ask", "--json", "--explain", "--limit", "3"]);
    let output = common::run_with_input(command, b"swagger docs\n");
    assert!(output.status.success(), "{output:?}");
    let line: serde_json::Value =
        serde_json::from_str(String::from_utf8_lossy(&output.stdout).trim()).unwrap();
    let best = line["hits"][0]["id"].as_str().unwrap_or_default();
    assert!(SWAGGER.contains(&best), "{line}");
    assert!(line["hits"][0]["signals"]["entry"].as_f64().unwrap() > 0.3);
    assert!(
        stderr_lines_with(&output, "semantic matching is off").is_empty(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
}

/// Held-out chat queries as typed, some in the forms of question lists that
/// search normalises away.
fn burst_queries() -> Vec<String> {
    let mut queries: Vec<String> =
        std::fs::read_to_string(common::repo().join("tests/fixtures/heldout_queries.tsv"))
            .unwrap()
            .lines()
            .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
            .filter_map(|l| l.split('\t').next().map(str::to_string))
            .take(36)
            .collect();
    queries.extend([
        "1. Can you explain what a Docker volume is?".to_string(),
        "**Q:** What is the difference between TCP and UDP? Follow-up: when would you pick UDP?"
            .to_string(),
        "???".to_string(),
        "".to_string(),
    ]);
    queries
}

/// The vectors of a burst's queries, embedded together by the batcher, are
/// those embedded one at a time (within 1e-5), and they came in few batches.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_burst_of_queries_is_embedded_in_batches_with_the_same_vectors() {
    use interview_bot::cpu::CpuPool;
    use interview_bot::query_vectors::{MOST_AT_ONCE, QueryBatcher};
    let tmp = tempfile::tempdir().unwrap();
    let Some(bot) = semantic_bot_in_process(tmp.path()).await else {
        common::skip(SUITE, common::NO_MODEL);
        return;
    };
    let library = bot.library();
    let semantic = library.searcher.semantic().unwrap();
    let texts: Vec<String> = burst_queries()
        .iter()
        .filter_map(|q| library.searcher.meaning_text(q))
        .collect();
    assert!(texts.len() > MOST_AT_ONCE, "more than one full batch");
    let batcher = Arc::new(QueryBatcher::new(Arc::new(CpuPool::new(1))));

    let lone = batcher
        .vector(library.clone(), texts[0].clone())
        .await
        .unwrap();
    assert_eq!(batcher.counts().batches, 1, "a lone query runs at once");
    assert_eq!(lone.text(), texts[0]);

    let burst = futures_util::future::join_all(
        texts
            .iter()
            .map(|t| batcher.vector(library.clone(), t.clone())),
    )
    .await;
    let counts = batcher.counts();
    assert_eq!(counts.queries, 1 + texts.len());
    assert!(
        counts.batches <= 1 + texts.len().div_ceil(MOST_AT_ONCE) + 1,
        "{} queries in {} batches",
        texts.len(),
        counts.batches - 1
    );
    for (text, made) in texts.iter().zip(burst) {
        let made = made.unwrap();
        assert_eq!(made.text(), text);
        let alone = semantic.model().embed_one(text).unwrap();
        let worst = made
            .vector()
            .iter()
            .zip(&alone)
            .map(|(a, b)| (a - b).abs())
            .fold(0.0, f32::max);
        assert!(worst <= 1e-5, "{text:?}: differs by {worst:e}");
    }
    bot.store().close().await;
}

/// `/ask`s answered at once (their queries embedded in batches) get the
/// replies they get one at a time.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn asks_at_once_get_the_replies_they_get_one_at_a_time() {
    use interview_bot::bot::Context;
    use interview_bot::commands::router;
    let tmp = tempfile::tempdir().unwrap();
    let Some(bot) = semantic_bot_in_process(tmp.path()).await else {
        common::skip(SUITE, common::NO_MODEL);
        return;
    };
    let bot = Arc::new(bot);
    let queries = burst_queries();
    let ask = |i: usize, query: &str| {
        let bot = bot.clone();
        let line = format!("/ask {query}");
        async move {
            let ctx = Context::new("g", &format!("user-{i}"), "c");
            let replies = router::handle_line(&bot, &ctx, &line).await;
            replies.iter().map(|r| r.text.clone()).collect::<Vec<_>>()
        }
    };
    let mut alone = Vec::new();
    for (i, query) in queries.iter().enumerate() {
        alone.push(ask(i, query).await);
    }
    let together =
        futures_util::future::join_all(queries.iter().enumerate().map(|(i, q)| ask(i, q))).await;
    for ((query, alone), together) in queries.iter().zip(&alone).zip(&together) {
        assert_eq!(alone, together, "{query:?}");
    }
    let answered = alone
        .iter()
        .filter(|replies| replies.iter().any(|r| r.contains("Not it?")))
        .count();
    assert!(answered > queries.len() / 2, "{answered} answered");
    bot.store().close().await;
}
