//! Answers' light markdown as blocks, for every platform: the one fence
//! scanner ([`blocks`]: paragraphs of prose and fenced code), the styles a
//! platform shows code in ([`Style`]; [`Markdown`] is the core's own, which
//! Discord shows as is), and fitting text into a platform's limits without
//! ever breaking a code block: [`preview`] (a long answer's first paragraphs)
//! and [`chunks`] (a whole text in pieces, a code block too long for one
//! closed and reopened).

mod fit;
mod parse;
mod style;

pub use fit::{chunks, fit, preview};
pub use parse::{Block, blocks};
pub use style::{Markdown, Style, break_backtick_runs, render};

/// Length as the platforms count it: in characters.
fn chars(text: &str) -> usize {
    text.chars().count()
}
