//! An audit of quiz options with a judge other than the picker's. The picker
//! compares entries' full answers with their questions; this audit embeds what
//! players actually read (the question and the four option lines) and takes
//! the cosine of each option to the question. A wrong option as close to the
//! question as the right one may be a second right option; a right option far
//! closer than every wrong one, or the only one sharing a key word of the
//! question, may be a giveaway. It prints the figures and the 30 questions with
//! the smallest margin for a careful read.
//!
//! `cargo run --example quiz_audit -- --per-topic 20 --seed 1` from the repo
//! (the crate is optimized in dev builds, so no release build is needed).

#[path = "flags.rs"]
mod flags;

use std::collections::HashSet;
use std::path::Path;

use interview_bot::bank;
use interview_bot::quiz::pick::{self, LETTERS};
use interview_bot::search::{Searcher, Synonyms, analyzer};
use interview_bot::semantic::{self, Model};

/// A wrong option this close to the question (minus the right one's) counts
/// as possibly right.
const TWO_RIGHT: f32 = 0.0;
/// The right option this much closer than every wrong one gives itself away.
const GIVEAWAY: f32 = 0.2;

fn cosine(a: &[f32], b: &[f32]) -> f32 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

/// Lowercase words of at least 4 letters, without a few common ones.
fn key_words(text: &str) -> HashSet<String> {
    const COMMON: [&str; 12] = [
        "what", "does", "with", "that", "this", "from", "your", "when", "which", "they", "used",
        "their",
    ];
    text.split(|c: char| !c.is_alphanumeric())
        .map(str::to_lowercase)
        .filter(|w| w.len() >= 4 && !COMMON.contains(&w.as_str()))
        .map(|w| w.trim_end_matches('s').to_string())
        .collect()
}

struct Audited {
    id: String,
    question: String,
    labels: Vec<String>,
    right: usize,
    scores: Vec<f32>,
    margin: f32,
    giveaway: bool,
}

fn main() {
    let flags = flags::Flags::from_env();
    let per_topic: usize = flags.number("--per-topic", 20);
    let seed: u64 = flags.number("--seed", 1);
    let model_dir = flags
        .value("--model")
        .unwrap_or_else(|| "index/model/all-MiniLM-L6-v2".to_string());
    let loaded = bank::load(Path::new("data/bank")).expect("the bank loads");
    let bank = loaded.bank;
    let scratch = tempfile::tempdir().unwrap();
    let synonyms = Synonyms::load(Path::new("data/synonyms.toml"), &mut analyzer::analyzer())
        .expect("synonyms load");
    let (searcher, _) = Searcher::open_or_build(&bank, scratch.path(), synonyms).unwrap();
    let semantic = semantic::load(&bank, Path::new(&model_dir), Some(Path::new("index")))
        .expect("the model loads (interview-bot model install)");
    let searcher = searcher.with_semantic(Some(semantic));
    let judge = Model::load(Path::new(&model_dir)).expect("the model loads");

    let mut rng = fastrand::Rng::with_seed(seed);
    let mut audited: Vec<Audited> = Vec::new();
    for (topic, _) in bank.topics() {
        let mut pool: Vec<&bank::Question> = bank
            .questions()
            .iter()
            .filter(|q| q.topic == topic)
            .collect();
        rng.shuffle(&mut pool);
        for q in pool.into_iter().take(per_topic) {
            let options = pick::options(q, &bank, &searcher, &mut rng);
            let right = LETTERS.iter().position(|l| *l == options.correct).unwrap();
            let mut texts: Vec<&str> = vec![q.question.as_str()];
            texts.extend(options.labels.iter().map(String::as_str));
            let vectors = judge.embed(&texts).expect("embedding works");
            let scores: Vec<f32> = vectors[1..]
                .iter()
                .map(|v| cosine(&vectors[0], v))
                .collect();
            let best_wrong = scores
                .iter()
                .enumerate()
                .filter(|(i, _)| *i != right)
                .map(|(_, s)| *s)
                .fold(f32::MIN, f32::max);
            let asked = key_words(&q.question);
            let echoes = |label: &str| !key_words(label).is_disjoint(&asked);
            let only_right_echoes = echoes(&options.labels[right])
                && options
                    .labels
                    .iter()
                    .enumerate()
                    .all(|(i, l)| i == right || !echoes(l));
            audited.push(Audited {
                id: q.id.clone(),
                question: q.question.clone(),
                right,
                margin: scores[right] - best_wrong,
                giveaway: scores[right] - best_wrong >= GIVEAWAY || only_right_echoes,
                scores,
                labels: options.labels,
            });
        }
    }
    let topics = bank.topics().len();
    let two_right = audited.iter().filter(|a| a.margin <= TWO_RIGHT).count();
    let giveaways = audited.iter().filter(|a| a.giveaway).count();
    let mean_margin = audited.iter().map(|a| a.margin).sum::<f32>() / audited.len() as f32;
    audited.sort_by(|a, b| a.margin.total_cmp(&b.margin));
    println!(
        "The 30 questions with the smallest margin (right option's cosine to the question minus the best wrong one's):"
    );
    for a in audited.iter().take(30) {
        println!("\n{} ({:+.2}) {}", a.id, a.margin, a.question);
        for (i, label) in a.labels.iter().enumerate() {
            let mark = if i == a.right { " (right)" } else { "" };
            println!("  {} {:.2} {label}{mark}", LETTERS[i], a.scores[i]);
        }
    }
    println!("\nGiveaways:");
    for a in audited.iter().filter(|a| a.giveaway) {
        println!(
            "{} ({:+.2}) {} -> {}",
            a.id, a.margin, a.question, a.labels[a.right]
        );
    }
    println!(
        "\nquestions: {} ({per_topic} per topic, {topics} topics, seed {seed})",
        audited.len()
    );
    println!("a wrong option at least as close to the question as the right one: {two_right}");
    println!(
        "giveaways (right option {GIVEAWAY} closer than all, or alone echoing the question): {giveaways}"
    );
    println!("mean margin: {mean_margin:.3}");
}
