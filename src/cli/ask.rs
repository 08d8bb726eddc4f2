//! `interview-bot ask`: search from the command line. Without TEXT it answers each
//! line of stdin in order, in one process with one open index; with `--json` it
//! prints exactly one JSON line per input line, whatever the line holds.

use std::io::{BufRead, Write};
use std::process::ExitCode;

use serde::Serialize;

use crate::bank::Bank;
use crate::config::Settings;
use crate::library::{load_bank, open_searcher};
use crate::search::{Confidence, Found, SearchOptions, Searcher, Signals};

#[derive(Debug, clap::Args)]
pub struct AskArgs {
    /// The question; read from stdin, one per line, when left out
    pub text: Vec<String>,
    /// Only questions of this topic
    #[arg(long)]
    pub topic: Option<String>,
    /// How many matches to show
    #[arg(long, default_value_t = 5, value_parser = clap::value_parser!(u16).range(1..=100))]
    pub limit: u16,
    /// One JSON object per query: {"query", "confident", "hits": [{"id", "topic", "question", "aliases", "answer", "score"}]};
    /// "confident": false means the bank has no entry for the query and the hits are only suggestions
    #[arg(long)]
    pub json: bool,
    /// Say why a result is or is not confident, and what text was searched when the
    /// forms of question lists were taken off it ("normalised"); with --json also each
    /// hit's signals (word score, cosines to phrasing, answer and entry)
    #[arg(long)]
    pub explain: bool,
}

#[derive(Serialize)]
struct JsonAnswer<'a> {
    query: &'a str,
    /// The text searched, with --explain, when it is not the query as typed.
    #[serde(skip_serializing_if = "Option::is_none")]
    normalised: Option<&'a str>,
    confident: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    confidence: Option<Confidence>,
    #[serde(skip_serializing_if = "Option::is_none")]
    why: Option<String>,
    hits: Vec<JsonHit<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    note: Option<String>,
}

#[derive(Serialize)]
struct JsonHit<'a> {
    id: &'a str,
    topic: &'a str,
    question: &'a str,
    aliases: &'a [String],
    answer: &'a str,
    score: f32,
    #[serde(skip_serializing_if = "Option::is_none")]
    signals: Option<Signals>,
}

pub fn run(settings: &Settings, args: &AskArgs) -> anyhow::Result<ExitCode> {
    let bank = load_bank(&settings.bank.dir)?;
    if let Some(topic) = &args.topic {
        if !bank.has_topic(topic) {
            let topics: Vec<String> = bank.topics().into_iter().map(|(t, _)| t).collect();
            eprintln!(
                "interview-bot: no topic `{topic}`: topics are {}",
                topics.join(", ")
            );
            return Ok(ExitCode::from(super::EXIT_USAGE));
        }
    }
    let searcher = open_searcher(&bank, settings)?;
    let asker = Asker {
        bank: &bank,
        searcher: &searcher,
        options: SearchOptions {
            topic: args.topic.clone(),
            limit: usize::from(args.limit),
            ..Default::default()
        },
        json: args.json,
        explain: args.explain,
        min_confidence: settings.search.min_confidence,
    };
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    if !args.text.is_empty() {
        asker.answer(&args.text.join(" "), &mut out)?;
        return Ok(ExitCode::SUCCESS);
    }
    let stdin = std::io::stdin();
    let mut input = stdin.lock();
    let mut buffer = Vec::new();
    while input.read_until(b'\n', &mut buffer)? > 0 {
        let line = String::from_utf8_lossy(&buffer);
        let query = line.trim_end_matches(['\n', '\r']);
        asker.answer(query, &mut out)?;
        buffer.clear();
    }
    Ok(ExitCode::SUCCESS)
}

struct Asker<'a> {
    bank: &'a Bank,
    searcher: &'a Searcher,
    options: SearchOptions,
    json: bool,
    explain: bool,
    min_confidence: f32,
}

impl Asker<'_> {
    fn answer(&self, query: &str, out: &mut impl Write) -> std::io::Result<()> {
        let found = self
            .searcher
            .search(query, &self.options)
            .unwrap_or_else(|e| {
                tracing::error!("search failed for one query: {e}");
                Found::default()
            });
        let hits: Vec<JsonHit<'_>> = found
            .hits
            .iter()
            .filter_map(|hit| {
                let q = self.bank.get(&hit.id)?;
                Some(JsonHit {
                    id: &q.id,
                    topic: &q.topic,
                    question: &q.question,
                    aliases: &q.aliases,
                    answer: &q.answer,
                    score: hit.score,
                    signals: hit.signals.filter(|_| self.explain),
                })
            })
            .collect();
        let confident = !hits.is_empty()
            && found
                .confidence
                .is_some_and(|c| c.is_confident(self.min_confidence));
        let why = self.explain.then(|| match &found.confidence {
            Some(c) => c.explain(self.min_confidence),
            None => "not confident: nothing matched".to_string(),
        });
        let note = match (found.note, hits.is_empty()) {
            (Some(note), _) => Some(note.to_string()),
            (None, true) => Some("no question matches".to_string()),
            (None, false) => None,
        };
        let normalised = found.normalised.as_deref().filter(|_| self.explain);
        if self.json {
            let line = serde_json::to_string(&JsonAnswer {
                query,
                normalised,
                confident,
                confidence: found.confidence.filter(|_| self.explain),
                why,
                hits,
                note,
            })
            .map_err(std::io::Error::other)?;
            return writeln!(out, "{line}");
        }
        writeln!(out, "? {query}")?;
        if let Some(normalised) = normalised {
            writeln!(out, "  (searched as: {normalised})")?;
        }
        if let Some(note) = note {
            writeln!(out, "  ({note})")?;
        }
        if !confident && !hits.is_empty() {
            writeln!(out, "  (not in the bank; closest questions:)")?;
        }
        if let Some(why) = why {
            writeln!(out, "  {why}")?;
        }
        for (rank, hit) in hits.iter().enumerate() {
            writeln!(
                out,
                "{}. {} [{} {:.2}]",
                rank + 1,
                hit.question,
                hit.id,
                hit.score
            )?;
        }
        writeln!(out)
    }
}
