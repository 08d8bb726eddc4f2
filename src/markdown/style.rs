//! How a platform shows blocks: a [`Style`] renders a paragraph and the lines
//! of a code block. [`Markdown`] is the core's own markdown, which Discord
//! shows as it is; Slack and the shell have theirs in their adapters.

use super::parse::{Block, blocks};

/// A platform's way of showing prose and code.
pub trait Style {
    /// A paragraph (or any text without code) as the platform shows it; never
    /// longer than `text`.
    fn prose(&self, text: &str) -> String {
        text.to_string()
    }
    /// The line before a code block's lines, if any.
    fn open(&self, lang: &str) -> Option<String>;
    /// The line after a code block's lines, if any.
    fn close(&self) -> Option<String>;
    /// One line of code as shown inside the block.
    fn code_line(&self, line: &str) -> String;
}

/// Fenced code as the core writes it and Discord shows it: ```` ```lang ````,
/// the lines, ```` ``` ````. A language only of the characters Discord takes
/// for one; runs of backticks inside code are broken by a zero-width space, so
/// no line can close the block early (markdown chat clients close it at any
/// three backticks).
pub struct Markdown;

impl Style for Markdown {
    fn open(&self, lang: &str) -> Option<String> {
        let known = lang
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '+' | '-' | '.' | '#'));
        Some(format!("```{}", if known { lang } else { "" }))
    }

    fn close(&self) -> Option<String> {
        Some("```".to_string())
    }

    fn code_line(&self, line: &str) -> String {
        break_backtick_runs(line)
    }
}

/// `line` with a zero-width space after every second backtick of a run, so it
/// holds no three backticks in a row.
pub fn break_backtick_runs(line: &str) -> String {
    let mut out = String::with_capacity(line.len());
    let mut run = 0;
    for c in line.chars() {
        if c == '`' {
            if run == 2 {
                out.push('\u{200B}');
                run = 0;
            }
            run += 1;
        } else {
            run = 0;
        }
        out.push(c);
    }
    out
}

/// One block in `style`.
pub(super) fn block(block: &Block, style: &dyn Style) -> String {
    match block {
        Block::Prose(text) => style.prose(text),
        Block::Code { lang, code } => code_lines(lang, code.lines(), style),
    }
}

/// A code block of `lines` in `style`.
pub(super) fn code_lines<'a>(
    lang: &str,
    lines: impl Iterator<Item = &'a str>,
    style: &dyn Style,
) -> String {
    let mut out: Vec<String> = Vec::new();
    out.extend(style.open(lang));
    out.extend(lines.map(|l| style.code_line(l)));
    out.extend(style.close());
    out.join("\n")
}

/// `text` in `style`: its blocks, a blank line apart. Text without code is
/// only passed through [`Style::prose`], its layout untouched.
pub fn render(text: &str, style: &dyn Style) -> String {
    let parts = blocks(text);
    if !parts.iter().any(|b| matches!(b, Block::Code { .. })) {
        return style.prose(text);
    }
    parts
        .iter()
        .map(|b| block(b, style))
        .collect::<Vec<_>>()
        .join("\n\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markdown_keeps_fences_and_a_plain_language() {
        let text = "Run:\n```bash\nls -l\n```\nafter";
        assert_eq!(
            render(text, &Markdown),
            "Run:\n\n```bash\nls -l\n```\n\nafter"
        );
        assert_eq!(
            render("```c++ x\nint a;\n```", &Markdown),
            "```c++\nint a;\n```"
        );
        assert_eq!(render("```py{3}\nx\n```", &Markdown), "```\nx\n```");
    }

    #[test]
    fn text_without_code_is_left_as_it_is() {
        let text = "**Title**\n\n\n- a\n- b  \n";
        assert_eq!(render(text, &Markdown), text);
    }

    #[test]
    fn no_three_backticks_survive_inside_code() {
        for line in ["```", "````", "a ``` b", "``````x", "`` ` ``"] {
            let broken = break_backtick_runs(line);
            assert!(!broken.contains("```"), "{line:?} -> {broken:?}");
            assert_eq!(broken.replace('\u{200B}', ""), line);
        }
        let nested = render("````md\n```bash\nls\n```\n````", &Markdown);
        assert_eq!(blocks(&nested).len(), 1, "{nested}");
        assert!(nested.starts_with("```md\n") && nested.ends_with("\n```"));
    }
}
