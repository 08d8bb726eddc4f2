//! Progress of long work (downloading the model, embedding the bank) on
//! stderr: a bar when stderr is a terminal, otherwise a plain line at each
//! quarter and one at the end, so a log file gets a few lines, not a redraw
//! per step.

use std::io::IsTerminal as _;
use std::sync::Mutex;

use indicatif::{ProgressBar, ProgressStyle};

/// What the count is of.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unit {
    Bytes,
    Texts,
}

/// A progress display; every method takes `&self`, so one can be shared with
/// the thread doing the work.
pub struct Progress {
    shown: Shown,
}

enum Shown {
    Hidden,
    Bar(ProgressBar),
    Lines(Mutex<Lines>),
}

/// The plain-line display: the next quarter to print, and the position.
struct Lines {
    label: String,
    unit: Unit,
    len: u64,
    position: u64,
    next_quarter: u64,
}

impl Progress {
    /// Shows nothing.
    pub fn hidden() -> Progress {
        Progress {
            shown: Shown::Hidden,
        }
    }

    /// Progress of `label` towards `len` units, as stderr allows.
    pub fn new(label: &str, len: u64, unit: Unit) -> Progress {
        let shown = match std::io::stderr().is_terminal() {
            true => Shown::Bar(bar(label, len, unit)),
            false => Shown::Lines(Mutex::new(Lines {
                label: label.to_string(),
                unit,
                len: len.max(1),
                position: 0,
                next_quarter: 1,
            })),
        };
        Progress { shown }
    }

    /// Sets the position (clamped to the length).
    pub fn set(&self, position: u64) {
        match &self.shown {
            Shown::Hidden => {}
            Shown::Bar(bar) => bar.set_position(position.min(bar.length().unwrap_or(position))),
            Shown::Lines(lines) => {
                let mut lines = lines.lock().unwrap_or_else(|e| e.into_inner());
                lines.position = position.min(lines.len);
                lines.print_quarters();
            }
        }
    }

    /// Moves the position on by `delta`.
    pub fn inc(&self, delta: u64) {
        match &self.shown {
            Shown::Hidden => {}
            Shown::Bar(bar) => bar.inc(delta),
            Shown::Lines(lines) => {
                let mut lines = lines.lock().unwrap_or_else(|e| e.into_inner());
                lines.position = (lines.position + delta).min(lines.len);
                lines.print_quarters();
            }
        }
    }

    /// Ends the display: the bar is cleared; plain lines end with the 100%
    /// line when `done` and it was not printed yet.
    pub fn finish(&self, done: bool) {
        match &self.shown {
            Shown::Hidden => {}
            Shown::Bar(bar) => bar.finish_and_clear(),
            Shown::Lines(lines) => {
                let mut lines = lines.lock().unwrap_or_else(|e| e.into_inner());
                if done {
                    lines.position = lines.len;
                    lines.print_quarters();
                }
            }
        }
    }
}

impl Lines {
    /// Prints a line for each quarter reached and not printed yet (only the
    /// last of several reached at once).
    fn print_quarters(&mut self) {
        if let Some(line) = self.next_line() {
            eprintln!("{line}");
        }
    }

    /// The line for the quarter the position reached, once.
    fn next_line(&mut self) -> Option<String> {
        let reached = self.position * 4 / self.len;
        if reached < self.next_quarter {
            return None;
        }
        self.next_quarter = reached + 1;
        Some(format!(
            "{}: {}% ({} of {})",
            self.label,
            reached * 25,
            amount(self.position, self.unit),
            amount(self.len, self.unit)
        ))
    }
}

/// `84.1 MB` or `1337 texts`.
fn amount(count: u64, unit: Unit) -> String {
    match unit {
        Unit::Bytes => format!("{:.1} MB", count as f64 / 1e6),
        Unit::Texts => format!("{count} texts"),
    }
}

fn bar(label: &str, len: u64, unit: Unit) -> ProgressBar {
    let bar = ProgressBar::new(len);
    let counts = match unit {
        Unit::Bytes => "{bytes}/{total_bytes} ({bytes_per_sec}",
        Unit::Texts => "{pos}/{len} texts ({per_sec}",
    };
    let template = format!("{label} {{bar:40}} {counts}, {{eta}} left)");
    if let Ok(style) = ProgressStyle::with_template(&template) {
        bar.set_style(style);
    }
    bar
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn off_a_terminal_progress_is_four_lines_whatever_the_steps() {
        let mut lines = Lines {
            label: "model: downloading".into(),
            unit: Unit::Bytes,
            len: 83_506_384,
            position: 0,
            next_quarter: 1,
        };
        let mut said = Vec::new();
        for position in (0..=83_506_384).step_by(100_000).chain([83_506_384]) {
            lines.position = position;
            said.extend(lines.next_line());
        }
        assert_eq!(said.len(), 4, "{said:?}");
        assert!(said[0].starts_with("model: downloading: 25% ("), "{said:?}");
        assert_eq!(said[3], "model: downloading: 100% (83.5 MB of 83.5 MB)");
        // A jump over several quarters says only where it landed.
        let mut texts = Lines {
            label: "embedding the bank".into(),
            unit: Unit::Texts,
            len: 1337,
            position: 1100,
            next_quarter: 1,
        };
        assert_eq!(
            texts.next_line().as_deref(),
            Some("embedding the bank: 75% (1100 texts of 1337 texts)")
        );
        assert_eq!(texts.next_line(), None);
    }
}
