//! `interview-bot bank ...` and `interview-bot index`: checking, listing and
//! importing question banks, and building the search index.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context as _;
use clap::Subcommand;

use crate::bank::import::{self, Format, ImportOptions, slug};
use crate::bank::{self, Bank, check, write};
use crate::config::{ExposeSecret, Settings};
use crate::library::load_bank;

#[derive(Debug, Subcommand)]
pub enum BankCommand {
    /// Report duplicate ids, missing fields, empty answers and near-duplicate questions
    Check {
        /// A bank file or directory (default: the configured bank)
        path: Option<PathBuf>,
        /// Also render every entry's quiz question with its options and report
        /// wrong options too close to the question or the right answer
        #[arg(long)]
        quiz: bool,
    },
    /// List the questions
    List {
        /// One JSON object per question: id, topic, question, answer, aliases, tags, difficulty, source
        #[arg(long)]
        json: bool,
        /// A bank file or directory (default: the configured bank)
        path: Option<PathBuf>,
    },
    /// Convert a bank from another tool into data/bank/NAME.toml
    Import {
        /// The file to import
        file: PathBuf,
        /// text (Question:/Answer:, Q:/A:, numbered), csv (header with question,answer,...), red-trivia (YAML)
        #[arg(long, value_parser = clap::value_parser!(Format))]
        format: Format,
        /// Topic for questions that do not name one (default: NAME)
        #[arg(long)]
        topic: Option<String>,
        /// Name of the new bank file and prefix of its ids (default: the file's name)
        #[arg(long)]
        name: Option<String>,
        /// Replace data/bank/NAME.toml if it exists
        #[arg(long)]
        force: bool,
    },
    /// Questions people asked that the bank had no entry for, grouped, most asked
    /// first, in the text import format with empty answers (fill in, then bank import)
    Unanswered {
        /// How far back: 12h, 30d, 2w
        #[arg(long, default_value = "30d")]
        since: String,
        /// Only this server or workspace (default: all)
        #[arg(long)]
        guild: Option<String>,
    },
    /// A server's own bank (approved in chat, not retired), in the shipped
    /// bank's format, to promote good entries with a reviewed commit
    Export {
        /// The server (Discord guild id, Slack team id)
        #[arg(long)]
        server: String,
        /// toml (like data/bank/*.toml) or csv (id,topic,question,answer,source,aliases)
        #[arg(long, default_value = "toml", value_parser = ["toml", "csv"])]
        format: String,
    },
    /// Answers voted down, most first, with the reasons given
    Report {
        /// Only this server or workspace (default: all)
        #[arg(long)]
        guild: Option<String>,
    },
}

impl clap::builder::ValueParserFactory for Format {
    type Parser = clap::builder::ValueParser;
    fn value_parser() -> Self::Parser {
        clap::builder::ValueParser::new(|s: &str| s.parse::<Format>())
    }
}

pub fn run(settings: &Settings, command: BankCommand) -> anyhow::Result<ExitCode> {
    match command {
        BankCommand::Check { path, quiz } => check_bank(
            settings,
            path.as_deref().unwrap_or(&settings.bank.dir),
            quiz,
        ),
        BankCommand::List { json, path } => {
            list(path.as_deref().unwrap_or(&settings.bank.dir), json)
        }
        BankCommand::Import {
            file,
            format,
            topic,
            name,
            force,
        } => import_bank(settings, &file, format, topic, name, force),
        BankCommand::Unanswered { since, guild } => unanswered(settings, &since, guild.as_deref()),
        BankCommand::Report { guild } => report(settings, guild.as_deref()),
        BankCommand::Export { server, format } => export(settings, &server, &format),
    }
}

/// Opens the configured database, on a runtime of its own.
fn with_store<T>(
    settings: &Settings,
    work: impl AsyncFnOnce(&crate::store::Store) -> anyhow::Result<T>,
) -> anyhow::Result<T> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async {
        let store = crate::store::Store::connect(settings.database.url.expose_secret())
            .await
            .map_err(|e| anyhow::anyhow!("cannot open the database: {e}"))?;
        let result = work(&store).await;
        store.close().await;
        result
    })
}

fn unanswered(settings: &Settings, since: &str, guild: Option<&str>) -> anyhow::Result<ExitCode> {
    let Some(period) = crate::unanswered::parse_period(since) else {
        eprintln!("interview-bot: --since {since}: use hours, days or weeks, like 12h, 30d or 2w");
        return Ok(ExitCode::from(super::EXIT_USAGE));
    };
    let now = jiff::Timestamp::now();
    let from = now.as_millisecond() - period;
    let keep = settings.unanswered.keep_days * 86_400_000;
    let rows = with_store(settings, async |store| {
        store.expire_unanswered(now.as_millisecond() - keep).await?;
        Ok(store
            .unanswered_since(guild, from, crate::unanswered::MAX_QUERIES)
            .await?)
    })?;
    let model = settings
        .model
        .enabled
        .then(|| crate::semantic::Model::load(&settings.model.dir).ok())
        .flatten();
    let groups = crate::unanswered::group(&rows, model.as_ref());
    let since = crate::clock::from_millis(from).strftime("%Y-%m-%d %H:%M UTC");
    print!(
        "{}",
        crate::unanswered::import_text(&groups, &since.to_string())
    );
    Ok(ExitCode::SUCCESS)
}

fn export(settings: &Settings, server: &str, format: &str) -> anyhow::Result<ExitCode> {
    let rows = with_store(settings, async |store| {
        Ok(store.team_entries(Some(server)).await?)
    })?;
    if rows.is_empty() {
        eprintln!("interview-bot: server {server} has no entries of its own");
        return Ok(ExitCode::FAILURE);
    }
    let questions: Vec<bank::Question> = rows.iter().map(crate::team::question_of).collect();
    match format {
        "csv" => {
            let mut out = csv::Writer::from_writer(std::io::stdout().lock());
            out.write_record(["id", "topic", "question", "answer", "source", "aliases"])?;
            for q in &questions {
                out.write_record([
                    q.id.as_str(),
                    &q.topic,
                    &q.question,
                    &q.answer,
                    q.source.as_deref().unwrap_or(""),
                    &q.aliases.join(" | "),
                ])?;
            }
            out.flush()?;
        }
        _ => print!(
            "{}",
            write::bank_file(
                &format!(
                    "The own bank of server {server}: {} entries approved in chat.\nBefore promoting one to data/bank/, give it a topic's id, tags, a quiz_option and check it (`interview-bot bank check`).",
                    questions.len()
                ),
                &questions
            )
        ),
    }
    Ok(ExitCode::SUCCESS)
}

fn report(settings: &Settings, guild: Option<&str>) -> anyhow::Result<ExitCode> {
    let (votes, quiz) = with_store(settings, async |store| {
        Ok((
            store.reports(guild).await?,
            store.quiz_reports(guild).await?,
        ))
    })?;
    let bank = load_bank(&settings.bank.dir).ok();
    let question_of = |id: &str| {
        bank.as_ref()
            .and_then(|b| b.get(id))
            .map(|q| q.question.clone())
    };
    let (entries, quiz) = crate::commands::feedback::report_rows(votes, quiz, question_of);
    let text = crate::commands::feedback::render_all(&entries, &quiz, "/");
    println!("{}", text.replace("**", ""));
    Ok(ExitCode::SUCCESS)
}

fn check_bank(settings: &Settings, path: &Path, quiz: bool) -> anyhow::Result<ExitCode> {
    let loaded = match bank::load(path) {
        Ok(loaded) => loaded,
        Err(e) => {
            eprintln!("interview-bot: {e}");
            return Ok(ExitCode::FAILURE);
        }
    };
    let mut problems = check::check(&loaded);
    problems.extend(check::depth(&loaded.bank, settings.bank.min_answer_chars));
    problems.sort_by(|x, y| (&x.file, x.line).cmp(&(&y.file, y.line)));
    if quiz {
        problems.extend(check::quiz_options(&loaded.bank, true));
        let rendered = quiz_check(settings, &loaded.bank)?;
        for r in &rendered {
            println!("{} {}", r.id, r.question);
            for (letter, label) in crate::quiz::pick::LETTERS.iter().zip(&r.labels) {
                let right = if *letter == r.correct {
                    "  (right)"
                } else {
                    ""
                };
                println!("  {letter}: {label}{right}");
            }
        }
        problems.extend(rendered.into_iter().flat_map(|r| r.problems));
    }
    for problem in &problems {
        println!("{problem}");
    }
    let errors = problems.iter().filter(|p| p.is_error()).count();
    let warnings = problems.len() - errors;
    let files = bank::bank_files(path).map(|f| f.len()).unwrap_or(0);
    println!(
        "{} questions in {files} files, {} topics: {errors} errors, {warnings} warnings",
        loaded.bank.len(),
        loaded.bank.topics().len()
    );
    Ok(if errors > 0 {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}

/// Renders every quiz question of `bank` with a search index of its own (the
/// configured one stays as it is) and the model when it is enabled.
fn quiz_check(
    settings: &Settings,
    bank: &Bank,
) -> anyhow::Result<Vec<crate::quiz::check::Rendered>> {
    let index = tempfile::tempdir().context("cannot make a scratch index directory")?;
    let synonyms =
        crate::search::Synonyms::load(&settings.bank.synonyms, &mut crate::analyzer::analyzer())?;
    let (searcher, _) = crate::search::Searcher::open_or_build(bank, index.path(), synonyms)?;
    let semantic = settings
        .model
        .enabled
        .then(|| crate::semantic::load(bank, &settings.model.dir, Some(&settings.index.dir)))
        .flatten();
    if semantic.is_none() {
        eprintln!(
            "interview-bot: the embedding model is off or missing: wrong options are judged by words only"
        );
    }
    let searcher = searcher.with_semantic(semantic);
    Ok(crate::quiz::check::check(bank, &searcher))
}

fn list(path: &Path, json: bool) -> anyhow::Result<ExitCode> {
    let bank = load_bank(path)?;
    for q in bank.questions() {
        if json {
            println!("{}", serde_json::to_string(q)?);
        } else {
            println!("{}\t{}\t{}", q.id, q.topic, q.question);
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn import_bank(
    settings: &Settings,
    file: &Path,
    format: Format,
    topic: Option<String>,
    name: Option<String>,
    force: bool,
) -> anyhow::Result<ExitCode> {
    let name = slug(&name.unwrap_or_else(|| {
        file.file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default()
    }));
    if name.is_empty() {
        eprintln!("interview-bot: give the new bank a --name (letters, digits, -)");
        return Ok(ExitCode::from(super::EXIT_USAGE));
    }
    let target = settings.bank.dir.join(format!("{name}.toml"));
    if target.exists() && !force {
        eprintln!(
            "interview-bot: {} exists: choose another --name, or --force to replace it",
            target.display()
        );
        return Ok(ExitCode::from(super::EXIT_USAGE));
    }
    let options = ImportOptions {
        topic: slug(topic.as_deref().unwrap_or(&name)),
        id_prefix: name.clone(),
        source: file
            .file_name()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default(),
    };
    let imported = match import::import(file, format, &options) {
        Ok(imported) => imported,
        Err(e) => {
            eprintln!("interview-bot: {e}");
            return Ok(ExitCode::FAILURE);
        }
    };
    for skipped in &imported.skipped {
        eprintln!("{skipped} (skipped)");
    }
    if imported.questions.is_empty() {
        eprintln!("interview-bot: {}: no questions found", file.display());
        return Ok(ExitCode::FAILURE);
    }
    let existing = existing_bank(&settings.bank.dir, &target)?;
    if let Some(clash) = imported
        .questions
        .iter()
        .find(|q| existing.get(&q.id).is_some())
    {
        eprintln!(
            "interview-bot: id `{}` is already used in the bank: choose another --name, or other ids in the file's id column",
            clash.id
        );
        return Ok(ExitCode::from(super::EXIT_USAGE));
    }
    std::fs::create_dir_all(&settings.bank.dir)
        .with_context(|| format!("cannot create {}", settings.bank.dir.display()))?;
    let header = format!(
        "Imported from {} ({format:?} format) by `interview-bot bank import`.\nFormat: see data/README.md.",
        options.source
    );
    std::fs::write(&target, write::bank_file(&header, &imported.questions))
        .with_context(|| format!("cannot write {}", target.display()))?;
    let written = bank::load(&target)?;
    let errors: Vec<_> = written.errors().collect();
    if !errors.is_empty() {
        for e in &errors {
            eprintln!("{e}");
        }
        anyhow::bail!(
            "the imported file does not pass the bank check; fix the source and import again"
        );
    }
    println!(
        "imported {} questions into {} ({} skipped); `interview-bot bank check` reviews the whole bank",
        written.bank.len(),
        target.display(),
        imported.skipped.len()
    );
    Ok(ExitCode::SUCCESS)
}

/// The bank as it is, without the file an import is about to replace.
fn existing_bank(dir: &Path, replaced: &Path) -> anyhow::Result<Bank> {
    let mut questions = Vec::new();
    for file in bank::bank_files(dir).unwrap_or_default() {
        if file == replaced {
            continue;
        }
        let text = std::fs::read_to_string(&file)
            .with_context(|| format!("cannot read {}", file.display()))?;
        questions.extend(bank::parse_file(&file, &text).0);
    }
    Ok(Bank::new(questions))
}

pub fn index(settings: &Settings) -> anyhow::Result<ExitCode> {
    let bank = load_bank(&settings.bank.dir)?;
    let built = crate::search::build_index(&bank, &settings.index.dir)?;
    let rate = built.questions as f64 / built.elapsed.as_secs_f64().max(1e-9);
    println!(
        "indexed {} questions in {:.2}s ({rate:.0} questions/s) into {}",
        built.questions,
        built.elapsed.as_secs_f64(),
        settings.index.dir.display()
    );
    if !settings.model.enabled {
        println!("matching by meaning is off (model.enabled = false)");
        return Ok(ExitCode::SUCCESS);
    }
    let embedded = crate::semantic::Model::load(&settings.model.dir).and_then(|model| {
        crate::semantic::Semantic::build(&bank, model, Some(&settings.index.dir))
    });
    match embedded {
        Ok((_, embedded)) => {
            let rate = embedded.texts as f64 / embedded.seconds.max(1e-9);
            println!(
                "embedded {} texts in {:.1}s ({rate:.0} texts/s), {} unchanged",
                embedded.texts, embedded.seconds, embedded.reused
            );
            Ok(ExitCode::SUCCESS)
        }
        Err(e) => {
            println!("matching by meaning is off: {e}");
            Ok(ExitCode::SUCCESS)
        }
    }
}
