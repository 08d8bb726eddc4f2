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

/// At most `max` characters of `text` (a cut one ends with `…`, counted in
/// `max`), for echoing user text back and fitting platform limits.
pub fn truncate(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_string();
    }
    if max == 0 {
        return String::new();
    }
    let mut out: String = text.chars().take(max.saturating_sub(1)).collect();
    out.push('…');
    out
}

#[cfg(test)]
mod truncate_tests {
    use super::*;

    #[test]
    fn truncate_never_exceeds_its_limit() {
        assert_eq!(truncate("abcdef", 6), "abcdef");
        assert_eq!(truncate("abcdefg", 6), "abcde…");
        assert_eq!(truncate("äöü", 2).chars().count(), 2);
        assert_eq!(truncate("abc", 0), "");
    }
}
