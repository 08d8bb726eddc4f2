//! Hot reload of the bank: an edit under the bank directory (or of the
//! synonyms file), debounced, or SIGHUP, loads the bank again and builds its
//! index and vectors on a blocking thread, then swaps the new [`Library`] into
//! the [`Shelf`] at once. Commands keep answering from the old one meanwhile. A bank
//! with any broken entry is refused: each problem is logged as
//! `file:line: message` and the last good bank stays in use.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use notify::{RecursiveMode, Watcher as _};
use tokio::sync::mpsc;
use tokio::task::JoinHandle;

use crate::config::Settings;
use crate::library::{Library, ReloadError, Shelf};
use crate::metrics::metrics;
use crate::shutdown::Shutdown;

/// Edits closer together than this make one reload (an editor's save is
/// several events).
const DEBOUNCE: Duration = Duration::from_millis(300);

/// Watches the bank (when `bank.watch` is on) and SIGHUP until `shutdown`,
/// reloading the bank onto `shelf` on each.
pub fn spawn(shelf: Arc<Shelf>, settings: Settings, mut shutdown: Shutdown) -> JoinHandle<()> {
    tokio::spawn(async move {
        let (tx, mut edits) = mpsc::channel::<()>(4);
        // Dropping the watcher stops the watch: it lives as long as this task.
        let _watch = match settings.bank.watch {
            true => watch(&settings, tx),
            false => None,
        };
        let mut hangups = hangups();
        loop {
            tokio::select! {
                Some(()) = edits.recv() => {
                    tracing::info!("the bank changed on disk: reloading it");
                }
                Some(()) = next_hangup(&mut hangups) => {
                    tracing::info!("SIGHUP: reloading the bank");
                }
                _ = shutdown.stopping() => break,
            }
            // An editor's save is several events: let them settle, then one
            // reload covers them all.
            tokio::time::sleep(DEBOUNCE).await;
            while edits.try_recv().is_ok() {}
            reload(&shelf, &settings).await;
        }
    })
}

/// Loads the bank and its index off the async runtime and swaps them in, or
/// logs why not.
pub async fn reload(shelf: &Shelf, settings: &Settings) {
    // One load at a time (see crate::meaning), so the last swapped is the newest.
    let _loading = shelf.loading().lock().await;
    let loading = settings.clone();
    let loaded = tokio::task::spawn_blocking(move || Library::load_checked(&loading)).await;
    match loaded {
        Ok(Ok(library)) => {
            let questions = library.bank.len();
            shelf.swap(library);
            metrics().bank_reload(true);
            tracing::info!("bank reloaded: {questions} questions");
        }
        Ok(Err(ReloadError::Broken(problems))) => {
            metrics().bank_reload(false);
            for problem in &problems {
                tracing::error!("{problem}");
            }
            tracing::error!(
                "bank not reloaded: {} broken entries (above); the last good bank stays in use",
                problems.len()
            );
        }
        Ok(Err(e)) => {
            metrics().bank_reload(false);
            tracing::error!("bank not reloaded: {e}; the last good bank stays in use");
        }
        Err(e) => {
            metrics().bank_reload(false);
            tracing::error!(
                "bank not reloaded: the reload failed ({e}); the last good bank stays in use"
            );
        }
    }
}

/// Watches the bank directory and the synonyms file's directory for changes
/// to TOML files (reads, which a reload itself does, are not changes); `None`
/// (logged) when the platform cannot watch them.
fn watch(settings: &Settings, tx: mpsc::Sender<()>) -> Option<notify::RecommendedWatcher> {
    let handler = move |result: notify::Result<notify::Event>| match result {
        Ok(event) if is_edit(&event) => {
            // Full: a reload is already waiting and covers this edit.
            let _ = tx.try_send(());
        }
        Ok(_) => {}
        Err(e) => tracing::warn!("watching the bank: {e}"),
    };
    let mut watcher = match notify::recommended_watcher(handler) {
        Ok(watcher) => watcher,
        Err(e) => {
            tracing::warn!("cannot watch the bank for edits ({e}); SIGHUP still reloads it");
            return None;
        }
    };
    let mut dirs: Vec<PathBuf> = vec![settings.bank.dir.clone()];
    if let Some(parent) = settings.bank.synonyms.parent() {
        let parent = match parent.as_os_str().is_empty() {
            true => PathBuf::from("."),
            false => parent.to_path_buf(),
        };
        if !dirs.contains(&parent) {
            dirs.push(parent);
        }
    }
    for dir in &dirs {
        if let Err(e) = watcher.watch(dir, RecursiveMode::NonRecursive) {
            tracing::warn!(
                "cannot watch {} for edits ({e}); SIGHUP still reloads the bank",
                dir.display()
            );
        }
    }
    Some(watcher)
}

/// A file created, written, renamed or removed, of a bank file or the
/// synonyms (both TOML; an editor's temporary files are not).
fn is_edit(event: &notify::Event) -> bool {
    use notify::EventKind;
    let changed = match event.kind {
        EventKind::Create(_) | EventKind::Remove(_) => true,
        EventKind::Modify(kind) => !matches!(kind, notify::event::ModifyKind::Metadata(_)),
        EventKind::Access(_) | EventKind::Any | EventKind::Other => false,
    };
    changed && event.paths.iter().any(|p| is_toml(p))
}

fn is_toml(path: &Path) -> bool {
    path.extension().is_some_and(|e| e == "toml")
}

#[cfg(unix)]
type Hangups = Option<tokio::signal::unix::Signal>;
#[cfg(not(unix))]
type Hangups = Option<()>;

#[cfg(unix)]
fn hangups() -> Hangups {
    use tokio::signal::unix::{SignalKind, signal};
    match signal(SignalKind::hangup()) {
        Ok(signal) => Some(signal),
        Err(e) => {
            tracing::warn!("cannot listen for SIGHUP ({e}); edits still reload the bank");
            None
        }
    }
}

#[cfg(not(unix))]
fn hangups() -> Hangups {
    None
}

/// The next SIGHUP; never, where there are none.
async fn next_hangup(hangups: &mut Hangups) -> Option<()> {
    #[cfg(unix)]
    if let Some(signal) = hangups {
        return signal.recv().await;
    }
    let _ = hangups;
    std::future::pending().await
}
