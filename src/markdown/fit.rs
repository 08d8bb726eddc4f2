//! Fitting text into limits without breaking a code block. [`preview`] keeps
//! a long answer's first paragraphs (the cut a chat answer gets); [`chunks`]
//! splits a whole text into pieces of a platform's size, between blocks where
//! it can: a paragraph too long for one piece at its sentences, a code block
//! at its lines, each piece closed and the next reopened with its language.

use super::chars;
use super::parse::{Block, blocks};
use super::style::{self, Markdown, Style};

/// The first blocks of `text` that fit in `max` characters, in the core's
/// markdown, when the whole text does not fit (`None` when it does). The cut
/// is between paragraphs and code blocks; only a first block longer than
/// `max` is cut itself: a paragraph after a sentence (else a word, marked
/// `…`), a code block after a line, its fence closed.
pub fn preview(text: &str, max: usize) -> Option<String> {
    if chars(text) <= max {
        return None;
    }
    let parts = blocks(text);
    let mut shown: Vec<String> = Vec::new();
    let mut used = 0;
    for part in &parts {
        let rendered = style::block(part, &Markdown);
        let len = chars(&rendered) + if shown.is_empty() { 0 } else { 2 };
        if used + len > max {
            break;
        }
        used += len;
        shown.push(rendered);
    }
    if shown.len() == parts.len() {
        return None;
    }
    if shown.is_empty() {
        let first = parts.first()?;
        let mut head = pieces(first, max.saturating_sub(1).max(1), &Markdown)
            .into_iter()
            .next()?;
        if matches!(first, Block::Prose(_)) && !ends_sentence(&head) {
            head.push('…');
        }
        shown.push(head);
    }
    Some(shown.join("\n\n"))
}

/// `text` in `style`, in pieces of at most `max` characters (at least one
/// character each), blocks a blank line apart within a piece. Text without
/// code that fits is one piece, as [`style::render`] gives it.
pub fn chunks(text: &str, max: usize, style: &dyn Style) -> Vec<String> {
    let max = max.max(1);
    let whole = style::render(text, style);
    if chars(&whole) <= max {
        return vec![whole];
    }
    let mut out = Vec::new();
    let mut current = String::new();
    let mut current_len = 0;
    for part in blocks(text) {
        for piece in pieces(&part, max, style) {
            let len = chars(&piece);
            if current.is_empty() {
                (current, current_len) = (piece, len);
            } else if current_len + 2 + len <= max {
                current.push_str("\n\n");
                current.push_str(&piece);
                current_len += 2 + len;
            } else {
                out.push(std::mem::replace(&mut current, piece));
                current_len = len;
            }
        }
    }
    if !current.is_empty() {
        out.push(current);
    }
    out
}

/// The first of [`chunks`], marked `…` when there was more: a text cut to
/// `max` characters with its code blocks whole or closed.
pub fn fit(text: &str, max: usize, style: &dyn Style) -> String {
    let whole = chunks(text, max, style);
    if whole.len() <= 1 {
        return whole.into_iter().next().unwrap_or_default();
    }
    let mut first = chunks(text, max.saturating_sub(2), style)
        .into_iter()
        .next()
        .unwrap_or_default();
    first.push_str("\n…");
    first
}

/// One block in `style` as pieces of at most `max` characters.
fn pieces(block: &Block, max: usize, style: &dyn Style) -> Vec<String> {
    let rendered = style::block(block, style);
    if chars(&rendered) <= max {
        return vec![rendered];
    }
    match block {
        Block::Prose(text) => split_prose(text, max)
            .iter()
            .map(|p| crate::markdown::truncate(&style.prose(p), max))
            .collect(),
        Block::Code { lang, code } => split_code(lang, code, max, style),
    }
}

/// A code block too long for one piece: its lines packed into pieces, each
/// a whole block; a line too long for a piece is split at characters.
fn split_code(lang: &str, code: &str, max: usize, style: &dyn Style) -> Vec<String> {
    let overhead = chars(&style::code_lines(lang, std::iter::empty(), style));
    // The lines' room in a piece: all but the fences and the newline between them and the lines.
    let room = max.saturating_sub(overhead + 1).max(1);
    let mut lines: Vec<String> = Vec::new();
    for line in code.lines() {
        let mut rest: Vec<char> = line.chars().collect();
        loop {
            let take = longest_fitting(&rest, room, |s| chars(&style.code_line(s)));
            lines.push(rest.drain(..take).collect());
            if rest.is_empty() {
                break;
            }
        }
    }
    let mut out = Vec::new();
    let mut group: Vec<&str> = Vec::new();
    let mut used = 0;
    for line in &lines {
        let len = chars(&style.code_line(line));
        if !group.is_empty() && used + 1 + len > room {
            out.push(style::code_lines(lang, group.drain(..), style));
            used = len;
        } else {
            used += usize::from(!group.is_empty()) + len;
        }
        group.push(line);
    }
    out.push(style::code_lines(lang, group.into_iter(), style));
    out.into_iter()
        .map(|p| crate::markdown::truncate(&p, max))
        .collect()
}

/// How many of `text`'s characters (at least one) fit in `max` as `measure`
/// counts them (which grows with the text).
fn longest_fitting(text: &[char], max: usize, measure: impl Fn(&str) -> usize) -> usize {
    let prefix = |n: usize| text[..n].iter().collect::<String>();
    if measure(&prefix(text.len())) <= max {
        return text.len();
    }
    let (mut lo, mut hi) = (1, text.len());
    while lo < hi {
        let mid = (lo + hi).div_ceil(2);
        if measure(&prefix(mid)) <= max {
            lo = mid;
        } else {
            hi = mid - 1;
        }
    }
    lo.min(text.len())
}

/// A paragraph too long for one piece: its lines, else its sentences, else its
/// words, else its characters, packed into pieces of at most `max`.
fn split_prose(text: &str, max: usize) -> Vec<String> {
    if chars(text) <= max {
        return vec![text.to_string()];
    }
    for segments in [lines(text), sentences(text), words(text)] {
        if segments.len() > 1 {
            let mut out = Vec::new();
            let mut current = String::new();
            for segment in segments {
                if chars(&current) + chars(segment) <= max {
                    current.push_str(segment);
                    continue;
                }
                if !current.trim().is_empty() {
                    out.push(current.trim_end().to_string());
                }
                current = String::new();
                if chars(segment) <= max {
                    current.push_str(segment);
                } else {
                    out.extend(split_prose(segment.trim_end(), max));
                }
            }
            if !current.trim().is_empty() {
                out.push(current.trim_end().to_string());
            }
            return out;
        }
    }
    let all: Vec<char> = text.chars().collect();
    all.chunks(max).map(|c| c.iter().collect()).collect()
}

/// `text` in segments that join back into it, each ending after `boundary`.
fn segments(text: &str, boundary: impl Fn(&str, usize) -> bool) -> Vec<&str> {
    let mut out = Vec::new();
    let mut start = 0;
    for (i, _) in text.char_indices().skip(1) {
        if boundary(text, i) {
            out.push(&text[start..i]);
            start = i;
        }
    }
    out.push(&text[start..]);
    out
}

fn lines(text: &str) -> Vec<&str> {
    segments(text, |t, i| t[..i].ends_with('\n'))
}

/// Segments ending after `.`, `?` or `!` and the white space that follows.
fn sentences(text: &str) -> Vec<&str> {
    segments(text, |t, i| {
        let (before, after) = t.split_at(i);
        !after.starts_with(char::is_whitespace)
            && before.ends_with(char::is_whitespace)
            && ends_sentence(before.trim_end())
    })
}

fn words(text: &str) -> Vec<&str> {
    segments(text, |t, i| {
        let (before, after) = t.split_at(i);
        !after.starts_with(char::is_whitespace) && before.ends_with(char::is_whitespace)
    })
}

fn ends_sentence(text: &str) -> bool {
    text.trim_end_matches(['"', '\'', ')', '”', '’'])
        .ends_with(['.', '?', '!', ':'])
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Each piece's fences are balanced: it parses to whole blocks, and
    /// rendering those again gives the piece back.
    fn balanced(piece: &str) -> bool {
        style::render(piece, &Markdown) == piece
    }

    #[test]
    fn an_answer_that_fits_is_not_cut() {
        assert_eq!(preview("short answer", 100), None);
        let text = format!("{}\n\n```bash\nls\n```", "word ".repeat(10).trim_end());
        assert_eq!(preview(&text, text.len()), None);
    }

    #[test]
    fn a_long_answer_is_cut_between_paragraphs() {
        let first = "First paragraph says why. It has two sentences.";
        let second = "Second paragraph, which would not fit.";
        let text = format!("{first}\n\n{second}");
        assert_eq!(preview(&text, first.len() + 5).as_deref(), Some(first));
    }

    #[test]
    fn a_cut_never_falls_inside_a_code_block() {
        let text = "Intro.\n\n```bash\nline one\nline two\nline three\n```\n\nOutro.";
        let cut = preview(text, 30).unwrap();
        assert_eq!(
            cut, "Intro.",
            "the block that does not fit is left out whole"
        );
        let cut = preview(text, text.len() - 3).unwrap();
        assert_eq!(
            cut,
            "Intro.\n\n```bash\nline one\nline two\nline three\n```"
        );
        assert!(balanced(&cut));
    }

    #[test]
    fn a_first_paragraph_too_long_is_cut_after_a_sentence() {
        let text = "One sentence here. Two sentences here. Three sentences here.\n\nMore.";
        assert_eq!(
            preview(text, 45).as_deref(),
            Some("One sentence here. Two sentences here.")
        );
        let words = "a very long sentence without any end ".repeat(10);
        let cut = preview(&words, 50).unwrap();
        assert!(cut.ends_with('…') && chars(&cut) <= 50, "{cut}");
        assert!(words.starts_with(cut.trim_end_matches('…')));
    }

    #[test]
    fn a_first_code_block_too_long_is_cut_after_a_line_and_closed() {
        let code: Vec<String> = (0..50).map(|i| format!("echo {i}")).collect();
        let text = format!("```bash\n{}\n```\n\nAfter.", code.join("\n"));
        let cut = preview(&text, 60).unwrap();
        assert!(chars(&cut) <= 60, "{cut}");
        assert!(
            cut.starts_with("```bash\necho 0\n") && cut.ends_with("\n```"),
            "{cut}"
        );
        assert!(balanced(&cut));
    }

    #[test]
    fn chunks_hold_everything_within_the_limit_with_balanced_fences() {
        let code: Vec<String> = (0..200)
            .map(|i| format!("    step {i} && echo ok"))
            .collect();
        let text = format!(
            "Why it works. {}\n\n```bash\n{}\n```\n\nLast words.",
            "Because it does. ".repeat(40),
            code.join("\n")
        );
        let max = 500;
        let pieces = chunks(&text, max, &Markdown);
        assert!(pieces.len() > 5, "{} pieces", pieces.len());
        for piece in &pieces {
            assert!(chars(piece) <= max, "{} chars", chars(piece));
            assert!(balanced(piece), "{piece}");
        }
        // Nothing lost: the pieces' blocks joined are the text's blocks.
        let joined: String = pieces
            .iter()
            .flat_map(|p| blocks(p))
            .map(|b| match b {
                Block::Prose(p) => p,
                Block::Code { code, .. } => code,
            })
            .collect::<Vec<_>>()
            .join(" ");
        for line in &code {
            assert!(joined.contains(line.as_str()), "{line} is kept");
        }
        assert!(joined.contains("Last words."));
        let reopened = pieces.iter().filter(|p| p.starts_with("```bash\n")).count();
        assert!(reopened >= 2, "the long block is closed and reopened");
    }

    #[test]
    fn a_single_code_line_longer_than_a_piece_is_split() {
        let text = format!("```\n{}\n```", "x".repeat(1000));
        let pieces = chunks(&text, 100, &Markdown);
        assert!(pieces.len() >= 10);
        assert!(pieces.iter().all(|p| chars(p) <= 100 && balanced(p)));
        let xs: usize = pieces.iter().map(|p| p.matches('x').count()).sum();
        assert_eq!(xs, 1000);
    }

    #[test]
    fn fit_marks_what_it_left_out() {
        assert_eq!(fit("short", 10, &Markdown), "short");
        let text = "First part here.\n\n```\ncode\n```\n\nSecond part here.";
        let cut = fit(text, 30, &Markdown);
        assert!(cut.ends_with("\n…") && chars(&cut) <= 30, "{cut}");
        assert!(balanced(cut.trim_end_matches('…').trim_end()));
    }

    #[test]
    fn an_unclosed_fence_is_closed_in_every_piece() {
        let text = format!("Intro.\n\n```python\n{}", "print(1)\n".repeat(40));
        for piece in chunks(&text, 80, &Markdown) {
            assert!(balanced(&piece), "{piece}");
        }
        let cut = preview(&format!("```python\n{}", "x = 1\n".repeat(40)), 40).unwrap();
        assert!(cut.ends_with("\n```"), "{cut}");
    }
}
