//! Helpers shared by the integration tests: the shipped bank, a searcher over it in
//! a fresh temporary index, the real binary run with a clean environment, and
//! [`skip`], which makes a test that cannot run here say so out loud.

#![allow(dead_code)]

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use interview_bot::bank::Bank;
use interview_bot::search::{Searcher, Synonyms, analyzer::analyzer};

pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

pub fn shipped_bank() -> Bank {
    let loaded = interview_bot::bank::load(&repo().join("data/bank")).expect("shipped bank loads");
    assert!(
        loaded.errors().next().is_none(),
        "shipped bank has errors: {:?}",
        loaded.errors().collect::<Vec<_>>()
    );
    loaded.bank
}

/// A searcher over `bank` with the shipped synonyms, indexed into `dir`.
pub fn searcher(bank: &Bank, dir: &Path) -> Searcher {
    let synonyms = Synonyms::load(&repo().join("data/synonyms.toml"), &mut analyzer())
        .expect("shipped synonyms load");
    Searcher::open_or_build(bank, dir, synonyms)
        .expect("index builds")
        .0
}

/// The binary, run from the repository with its own index directory and SQLite
/// file (both in `index_dir`), no platform credentials and matching by words
/// only, never installing the model (see [`semantic_bot`]), whatever the
/// caller's environment holds.
pub fn bot(index_dir: &Path) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_interview-bot"));
    command
        .current_dir(repo())
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("INTERVIEW_BOT__INDEX__DIR", index_dir)
        .env(
            "INTERVIEW_BOT__DATABASE__URL",
            format!("sqlite://{}", index_dir.join("bot.db").display()),
        )
        .env("INTERVIEW_BOT__MODEL__ENABLED", "false")
        // Never a real download from a test: tests/autoinstall.rs turns it on
        // with pip pointed at 127.0.0.1.
        .env("INTERVIEW_BOT__MODEL__AUTO_INSTALL", "false")
        .env("RUST_LOG", "warn");
    command
}

/// The longest any single run of the binary may take in a test.
pub const RUN_LIMIT: Duration = Duration::from_secs(120);

/// Runs `command` with `input` on stdin; kills it and fails the test if it takes
/// longer than [`RUN_LIMIT`].
pub fn run_with_input(mut command: Command, input: &[u8]) -> Output {
    let mut child = command
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("binary starts");
    let mut stdin = child.stdin.take().expect("stdin");
    let input = input.to_vec();
    let writer = std::thread::spawn(move || {
        let _ = stdin.write_all(&input);
    });
    let stdout = reader(child.stdout.take().expect("stdout"));
    let stderr = reader(child.stderr.take().expect("stderr"));
    let deadline = Instant::now() + RUN_LIMIT;
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait") {
            break status;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("the binary ran longer than {RUN_LIMIT:?}");
        }
        std::thread::sleep(Duration::from_millis(10));
    };
    writer.join().expect("stdin writer");
    Output {
        status,
        stdout: stdout.join().expect("stdout reader"),
        stderr: stderr.join().expect("stderr reader"),
    }
}

/// Runs `command` with nothing on stdin.
pub fn run(command: Command) -> Output {
    run_with_input(command, b"")
}

fn reader(mut pipe: impl Read + Send + 'static) -> std::thread::JoinHandle<Vec<u8>> {
    std::thread::spawn(move || {
        let mut out = Vec::new();
        let _ = pipe.read_to_end(&mut out);
        out
    })
}

/// stdout as JSON values, one per line.
pub fn json_lines(output: &Output) -> Vec<serde_json::Value> {
    String::from_utf8(output.stdout.clone())
        .expect("utf-8 output")
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON ({e}): {l}")))
        .collect()
}

/// Why the PostgreSQL suites skip: for [`skip`].
pub const NO_POSTGRES: &str = "INTERVIEW_BOT_TEST_POSTGRES is not set (CI sets it)";
/// Why the suites that need the embedding model skip: for [`skip`].
pub const NO_MODEL: &str = "no embedding model in INTERVIEW_BOT_TEST_MODEL or index/model/all-MiniLM-L6-v2 (CI installs it)";

/// Records that a test of `suite` returns early because `why` (a setting or a
/// file it needs is missing). Under CI (`CI` set) that is a failure: it panics
/// with the message. Elsewhere it writes `skipped: SUITE: WHY` once per suite
/// per test binary straight to the process's stderr, so the line shows in
/// `cargo test` output: libtest captures only what the `print!` and `eprint!`
/// macros write, not writes to `std::io::stderr()` itself.
pub fn skip(suite: &str, why: &str) {
    let message = format!("skipped: {suite}: {why}");
    if std::env::var_os("CI").is_some() {
        panic!("{message}");
    }
    static SHOWN: std::sync::Mutex<std::collections::BTreeSet<String>> =
        std::sync::Mutex::new(std::collections::BTreeSet::new());
    let first = SHOWN
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .insert(suite.to_string());
    if first {
        let _ = writeln!(std::io::stderr().lock(), "{message}");
    }
}

/// The PostgreSQL server tests may use: an admin URL in
/// `INTERVIEW_BOT_TEST_POSTGRES` (`.ci/run` starts one and sets it). Without it,
/// PostgreSQL tests are skipped locally and fail in CI.
pub fn postgres_admin_url() -> Option<String> {
    match std::env::var("INTERVIEW_BOT_TEST_POSTGRES") {
        Ok(url) if !url.trim().is_empty() => Some(url),
        _ => {
            assert!(
                std::env::var_os("CI").is_none(),
                "CI must set INTERVIEW_BOT_TEST_POSTGRES (see .ci/run)"
            );
            eprintln!("skipped: INTERVIEW_BOT_TEST_POSTGRES is not set");
            None
        }
    }
}

/// A new, empty PostgreSQL database on the test server; returns its URL.
pub async fn fresh_postgres() -> Option<String> {
    use sqlx::Connection;
    let admin = postgres_admin_url()?;
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("the clock is after 1970")
        .as_secs();
    let name = format!("ib_test_{now}_{:016x}", fastrand::u64(..));
    let mut conn = sqlx::PgConnection::connect(&admin)
        .await
        .expect("the test PostgreSQL server answers");
    drop_old_test_databases(&mut conn, now).await;
    sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
        .execute(&mut conn)
        .await
        .expect("create a test database");
    let base = admin
        .rsplit_once('/')
        .map_or(admin.as_str(), |(base, _)| base);
    Some(format!("{base}/{name}"))
}

/// Test databases outlive their tests (a test may still be using its database
/// when another starts); those created more than [`OLD_TEST_DATABASE`] ago
/// belong to finished runs and are dropped, so a developer's server does not
/// fill up. One in use is left (the drop fails).
const OLD_TEST_DATABASE: u64 = 3 * 60 * 60;

async fn drop_old_test_databases(conn: &mut sqlx::PgConnection, now: u64) {
    let names: Vec<String> =
        sqlx::query_scalar("SELECT datname FROM pg_database WHERE datname LIKE 'ib\\_test\\_%'")
            .fetch_all(&mut *conn)
            .await
            .unwrap_or_default();
    for name in names {
        let created = name
            .strip_prefix("ib_test_")
            .and_then(|rest| rest.split_once('_'))
            .and_then(|(secs, _)| secs.parse::<u64>().ok());
        // Names without a time are from before times were recorded.
        if created.is_none_or(|secs| secs + OLD_TEST_DATABASE < now) {
            let _ = sqlx::query(sqlx::AssertSqlSafe(format!(
                "DROP DATABASE IF EXISTS {name}"
            )))
            .execute(&mut *conn)
            .await;
        }
    }
}

/// A SQLite URL for a new file in `dir`.
pub fn fresh_sqlite(dir: &Path) -> String {
    format!(
        "sqlite://{}",
        dir.join(format!("test-{:016x}.db", fastrand::u64(..)))
            .display()
    )
}

/// Runs `command` with `input`, expects success, and returns its JSON lines.
pub fn json_run(command: Command, input: &str) -> Vec<serde_json::Value> {
    let output = run_with_input(command, input.as_bytes());
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    json_lines(&output)
}

/// The replies whose `data.kind` is `kind`.
pub fn of_kind<'a>(replies: &'a [serde_json::Value], kind: &str) -> Vec<&'a serde_json::Value> {
    replies
        .iter()
        .filter(|r| r["data"]["kind"] == kind)
        .collect()
}

/// The installed embedding model for tests: `INTERVIEW_BOT_TEST_MODEL`, else the
/// default install directory. `None` (the test skips) when it is missing, except
/// under CI, which provisions it (see .ci/run).
pub fn model_dir() -> Option<PathBuf> {
    let dir = std::env::var_os("INTERVIEW_BOT_TEST_MODEL")
        .map(PathBuf::from)
        .unwrap_or_else(|| repo().join("index/model/all-MiniLM-L6-v2"));
    if dir.join("model.safetensors").exists() {
        return Some(dir);
    }
    assert!(
        std::env::var_os("CI").is_none(),
        "CI must provision the model (interview-bot model install, see .ci/run)"
    );
    eprintln!("skipped: no embedding model in {}", dir.display());
    None
}

/// An index directory shared by the tests that use the model, so the shipped
/// bank is embedded once (the vectors are cached there), not once per test.
pub fn semantic_index_dir() -> PathBuf {
    repo().join("target/test-semantic-index")
}

/// Embeds the shipped bank into [`semantic_index_dir`] once per test binary, so
/// tests running in parallel do not all embed it at the same time.
pub fn warm_semantic_index(model: &Path) {
    static WARM: std::sync::Mutex<bool> = std::sync::Mutex::new(false);
    let mut warm = WARM.lock().unwrap_or_else(|e| e.into_inner());
    if !*warm {
        let dir = semantic_index_dir();
        interview_bot::semantic::load(&shipped_bank(), model, Some(&dir))
            .expect("the model loads and embeds the bank");
        *warm = true;
    }
}

/// A searcher over the shipped bank that matches by meaning too; `None` when the
/// model is not installed (see [`model_dir`]).
pub fn semantic_searcher(bank: &Bank) -> Option<Searcher> {
    let model = model_dir()?;
    warm_semantic_index(&model);
    let dir = semantic_index_dir();
    let semantic = interview_bot::semantic::load(bank, &model, Some(&dir));
    assert!(semantic.is_some(), "the model loads");
    Some(searcher(bank, &dir).with_semantic(semantic))
}

/// [`bot`] with the model on, its index and vectors in [`semantic_index_dir`]
/// (the database stays in `dir`); `None` when the model is not installed.
pub fn semantic_bot(dir: &Path) -> Option<Command> {
    let model = model_dir()?;
    warm_semantic_index(&model);
    let mut command = bot(dir);
    command
        .env("INTERVIEW_BOT__INDEX__DIR", semantic_index_dir())
        .env("INTERVIEW_BOT__MODEL__DIR", model)
        .env("INTERVIEW_BOT__MODEL__ENABLED", "true");
    Some(command)
}

/// The shape of the tiny BERT that [`write_tiny_model`] writes. The widths are
/// deliberately not multiples of the encoder's 16-output weight blocks (40 and
/// 72), so the padded last block is exercised; 512 positions, as in
/// all-MiniLM-L6-v2, so the product's 256-token cut applies.
pub const TINY_HIDDEN: usize = 40;
pub const TINY_LAYERS: usize = 2;
pub const TINY_HEADS: usize = 4;
pub const TINY_INTERMEDIATE: usize = 72;
pub const TINY_POSITIONS: usize = 512;
pub const TINY_LAYER_NORM_EPS: f64 = 1e-12;

/// The tiny model's WordPiece vocabulary, in id order: the special tokens
/// first, as in BERT's, then whole words, punctuation and word pieces.
pub const TINY_VOCAB: &[&str] = &[
    "[PAD]",
    "[UNK]",
    "[CLS]",
    "[SEP]",
    "[MASK]",
    "the",
    "a",
    "an",
    "how",
    "does",
    "do",
    "what",
    "is",
    "why",
    "tcp",
    "udp",
    "handshake",
    "work",
    "network",
    "port",
    "docker",
    "container",
    "image",
    "run",
    "list",
    "python",
    "api",
    "http",
    "request",
    "server",
    "client",
    "cafe",
    "known",
    "data",
    "after",
    "removed",
    "three",
    "steps",
    "un",
    "re",
    "con",
    "##s",
    "##ing",
    "##ed",
    "##er",
    "##ish",
    "##known",
    "##tain",
    ".",
    ",",
    "?",
    "!",
    "'",
    ":",
    "-",
    "(",
    ")",
    "/",
    "0",
    "1",
    "2",
    "3",
];

/// Writes a tiny BERT model made for the tests into `dir`: `config.json`,
/// `tokenizer.json` and `model.safetensors` shaped like all-MiniLM-L6-v2's (the
/// tokenizer with BertNormalizer, BertPreTokenizer, WordPiece, the [CLS]/[SEP]
/// template, and the shipped file's fixed padding to 128 and cut at 128, which
/// the product must override), with pseudo-random weights from a fixed seed, so
/// every run writes the same bytes. Weights are large enough that attention is
/// far from uniform and the feed-forward's GELU works in its curved part.
pub fn write_tiny_model(dir: &Path) {
    use safetensors::{Dtype, tensor::TensorView};
    std::fs::create_dir_all(dir).expect("model directory");
    let (h, inter) = (TINY_HIDDEN, TINY_INTERMEDIATE);
    let config = serde_json::json!({
        "_name_or_path": "tiny-test-bert",
        "architectures": ["BertModel"],
        "attention_probs_dropout_prob": 0.1,
        "classifier_dropout": null,
        "gradient_checkpointing": false,
        "hidden_act": "gelu",
        "hidden_dropout_prob": 0.1,
        "hidden_size": h,
        "initializer_range": 0.02,
        "intermediate_size": inter,
        "layer_norm_eps": TINY_LAYER_NORM_EPS,
        "max_position_embeddings": TINY_POSITIONS,
        "model_type": "bert",
        "num_attention_heads": TINY_HEADS,
        "num_hidden_layers": TINY_LAYERS,
        "pad_token_id": 0,
        "position_embedding_type": "absolute",
        "transformers_version": "4.8.2",
        "type_vocab_size": 2,
        "use_cache": true,
        "vocab_size": TINY_VOCAB.len()
    });
    std::fs::write(
        dir.join("config.json"),
        serde_json::to_vec_pretty(&config).unwrap(),
    )
    .expect("write config.json");

    let id = |token: &str| TINY_VOCAB.iter().position(|t| *t == token).unwrap();
    let vocab: serde_json::Map<String, serde_json::Value> = TINY_VOCAB
        .iter()
        .enumerate()
        .map(|(i, t)| (t.to_string(), i.into()))
        .collect();
    let added: Vec<serde_json::Value> = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]
        .iter()
        .map(|t| {
            serde_json::json!({"id": id(t), "content": t, "single_word": false,
                "lstrip": false, "rstrip": false, "normalized": false, "special": true})
        })
        .collect();
    let special = |t: &str| serde_json::json!({"SpecialToken": {"id": t, "type_id": 0}});
    let tokenizer = serde_json::json!({
        "version": "1.0",
        "truncation": {"direction": "Right", "max_length": 128, "strategy": "LongestFirst", "stride": 0},
        "padding": {"strategy": {"Fixed": 128}, "direction": "Right", "pad_to_multiple_of": null,
            "pad_id": 0, "pad_type_id": 0, "pad_token": "[PAD]"},
        "added_tokens": added,
        "normalizer": {"type": "BertNormalizer", "clean_text": true, "handle_chinese_chars": true,
            "strip_accents": null, "lowercase": true},
        "pre_tokenizer": {"type": "BertPreTokenizer"},
        "post_processor": {
            "type": "TemplateProcessing",
            "single": [special("[CLS]"), {"Sequence": {"id": "A", "type_id": 0}}, special("[SEP]")],
            "pair": [special("[CLS]"), {"Sequence": {"id": "A", "type_id": 0}}, special("[SEP]"),
                {"Sequence": {"id": "B", "type_id": 1}}, {"SpecialToken": {"id": "[SEP]", "type_id": 1}}],
            "special_tokens": {
                "[CLS]": {"id": "[CLS]", "ids": [id("[CLS]")], "tokens": ["[CLS]"]},
                "[SEP]": {"id": "[SEP]", "ids": [id("[SEP]")], "tokens": ["[SEP]"]}
            }
        },
        "decoder": {"type": "WordPiece", "prefix": "##", "cleanup": true},
        "model": {"type": "WordPiece", "unk_token": "[UNK]", "continuing_subword_prefix": "##",
            "max_input_chars_per_word": 100, "vocab": vocab}
    });
    std::fs::write(
        dir.join("tokenizer.json"),
        serde_json::to_vec_pretty(&tokenizer).unwrap(),
    )
    .expect("write tokenizer.json");

    let mut rng = fastrand::Rng::with_seed(0x7e57_be27);
    let mut tensors: Vec<(String, Vec<usize>, Vec<u8>)> = Vec::new();
    let mut add = |name: String, shape: Vec<usize>, around: f32, spread: f32| {
        let count: usize = shape.iter().product();
        let bytes = (0..count)
            .flat_map(|_| (around + spread * (2.0 * rng.f32() - 1.0)).to_le_bytes())
            .collect();
        tensors.push((name, shape, bytes));
    };
    let norm = |add: &mut dyn FnMut(String, Vec<usize>, f32, f32), name: &str| {
        add(format!("{name}.weight"), vec![h], 1.0, 0.2);
        add(format!("{name}.bias"), vec![h], 0.0, 0.1);
    };
    let dense =
        |add: &mut dyn FnMut(String, Vec<usize>, f32, f32), name: &str, out: usize, inp: usize| {
            add(format!("{name}.weight"), vec![out, inp], 0.0, 0.3);
            add(format!("{name}.bias"), vec![out], 0.0, 0.1);
        };
    add(
        "embeddings.word_embeddings.weight".into(),
        vec![TINY_VOCAB.len(), h],
        0.0,
        1.0,
    );
    add(
        "embeddings.position_embeddings.weight".into(),
        vec![TINY_POSITIONS, h],
        0.0,
        0.5,
    );
    add(
        "embeddings.token_type_embeddings.weight".into(),
        vec![2, h],
        0.0,
        0.5,
    );
    norm(&mut add, "embeddings.LayerNorm");
    for l in 0..TINY_LAYERS {
        let at = |part: &str| format!("encoder.layer.{l}.{part}");
        for part in ["query", "key", "value"] {
            dense(&mut add, &at(&format!("attention.self.{part}")), h, h);
        }
        dense(&mut add, &at("attention.output.dense"), h, h);
        norm(&mut add, &at("attention.output.LayerNorm"));
        dense(&mut add, &at("intermediate.dense"), inter, h);
        dense(&mut add, &at("output.dense"), h, inter);
        norm(&mut add, &at("output.LayerNorm"));
    }
    // The real file has the pooler too; the encoder does not use it.
    dense(&mut add, "pooler.dense", h, h);
    let views: Vec<(String, TensorView<'_>)> = tensors
        .iter()
        .map(|(name, shape, bytes)| {
            (
                name.clone(),
                TensorView::new(Dtype::F32, shape.clone(), bytes).expect("tensor view"),
            )
        })
        .collect();
    let bytes = safetensors::serialize(views, None).expect("serialize the weights");
    std::fs::write(dir.join("model.safetensors"), bytes).expect("write model.safetensors");
}
