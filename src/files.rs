//! Small file-system questions asked by the index, the embedding cache, model
//! installs, `doctor` and the store: how old an entry is, whether a directory
//! can be written.

use std::path::Path;
use std::time::Duration;

/// True when `entry` was last modified longer than `age` ago (false when that
/// cannot be told).
pub(crate) fn older_than(entry: &std::fs::DirEntry, age: Duration) -> bool {
    entry
        .metadata()
        .and_then(|m| m.modified())
        .ok()
        .and_then(|t| t.elapsed().ok())
        .is_some_and(|elapsed| elapsed > age)
}

/// True when `dir` is an existing directory that is not read-only.
pub(crate) fn is_writable_dir(dir: &Path) -> bool {
    std::fs::metadata(dir).is_ok_and(|m| m.is_dir() && !m.permissions().readonly())
}
