//! The fence scanner: text into paragraphs and fenced code blocks, by
//! CommonMark's rules for fences. A fence is three or more backticks or
//! tildes indented at most three spaces (a backtick fence's info string has
//! no backtick); the info string's first word is the language; a fence of the
//! same character at least as long closes it, so a longer fence can hold a
//! shorter one; a fence never closed runs to the end of the text.

/// A part of a text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Block {
    /// A paragraph: the lines between blank lines, outside code.
    Prose(String),
    /// A fenced code block: its language (may be empty) and its lines.
    Code { lang: String, code: String },
}

/// An opening fence.
struct Fence {
    ch: char,
    len: usize,
    indent: usize,
}

/// `line` as an opening fence, with its info string.
fn opening(line: &str) -> Option<(Fence, &str)> {
    let rest = line.trim_start_matches(' ');
    let indent = line.len() - rest.len();
    let ch = rest.chars().next()?;
    if indent > 3 || !matches!(ch, '`' | '~') {
        return None;
    }
    let len = rest.chars().take_while(|&c| c == ch).count();
    // The fence characters are ASCII: `len` bytes.
    let info = rest[len..].trim();
    if len < 3 || (ch == '`' && info.contains('`')) {
        return None;
    }
    Some((Fence { ch, len, indent }, info))
}

/// Whether `line` closes the block `fence` opened.
fn closes(line: &str, fence: &Fence) -> bool {
    let rest = line.trim_start_matches(' ');
    let len = rest.chars().take_while(|&c| c == fence.ch).count();
    line.len() - rest.len() <= 3 && len >= fence.len && rest[len..].trim().is_empty()
}

/// A code line without the opening fence's indentation (at most that many spaces).
fn unindent(line: &str, indent: usize) -> &str {
    let spaces = line.len() - line.trim_start_matches(' ').len();
    &line[spaces.min(indent)..]
}

/// `text` as paragraphs and code blocks, in order. Blank lines separate
/// paragraphs and are otherwise dropped; code keeps its lines as written.
pub fn blocks(text: &str) -> Vec<Block> {
    let mut out = Vec::new();
    let mut paragraph: Vec<&str> = Vec::new();
    let mut open: Option<(Fence, String, Vec<&str>)> = None;
    let flush = |paragraph: &mut Vec<&str>, out: &mut Vec<Block>| {
        if !paragraph.is_empty() {
            out.push(Block::Prose(paragraph.join("\n")));
            paragraph.clear();
        }
    };
    for line in text.lines() {
        if let Some((fence, lang, code)) = open.take() {
            if closes(line, &fence) {
                out.push(Block::Code {
                    lang,
                    code: code.join("\n"),
                });
            } else {
                let mut code = code;
                code.push(unindent(line, fence.indent));
                open = Some((fence, lang, code));
            }
        } else if let Some((fence, info)) = opening(line) {
            flush(&mut paragraph, &mut out);
            let lang = info.split_whitespace().next().unwrap_or_default();
            open = Some((fence, lang.to_string(), Vec::new()));
        } else if line.trim().is_empty() {
            flush(&mut paragraph, &mut out);
        } else {
            paragraph.push(line);
        }
    }
    flush(&mut paragraph, &mut out);
    if let Some((_, lang, code)) = open {
        out.push(Block::Code {
            lang,
            code: code.join("\n"),
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn prose(text: &str) -> Block {
        Block::Prose(text.to_string())
    }

    fn code(lang: &str, code: &str) -> Block {
        Block::Code {
            lang: lang.to_string(),
            code: code.to_string(),
        }
    }

    #[test]
    fn paragraphs_and_code_blocks_come_apart_in_order() {
        let text = "Run it:\n\n```bash\ndocker run -d nginx\ndocker ps\n```\nThen:\n- look\n- see\n\n\nDone.";
        assert_eq!(
            blocks(text),
            [
                prose("Run it:"),
                code("bash", "docker run -d nginx\ndocker ps"),
                prose("Then:\n- look\n- see"),
                prose("Done."),
            ]
        );
    }

    #[test]
    fn code_keeps_blank_lines_and_indentation() {
        let text = "```python\ndef f():\n\n    return 1\n```";
        assert_eq!(blocks(text), [code("python", "def f():\n\n    return 1")]);
    }

    #[test]
    fn the_language_is_the_info_strings_first_word() {
        assert_eq!(
            blocks("``` rust title=\"x\"\nfn main() {}\n```"),
            [code("rust", "fn main() {}")]
        );
        assert_eq!(blocks("```\nplain\n```"), [code("", "plain")]);
        assert_eq!(blocks("~~~sh\nls\n~~~"), [code("sh", "ls")]);
    }

    #[test]
    fn a_longer_fence_holds_a_shorter_one() {
        let text = "````markdown\n```bash\nls\n```\n````\nafter";
        assert_eq!(
            blocks(text),
            [code("markdown", "```bash\nls\n```"), prose("after")]
        );
        // A tilde fence is not closed by backticks, nor a fence by a shorter one.
        assert_eq!(blocks("~~~\n```\n~~\n~~~"), [code("", "```\n~~")]);
    }

    #[test]
    fn an_unclosed_fence_runs_to_the_end() {
        assert_eq!(
            blocks("Intro\n```bash\nls -l\n\necho done"),
            [prose("Intro"), code("bash", "ls -l\n\necho done")]
        );
    }

    #[test]
    fn inline_backticks_and_deep_indents_are_not_fences() {
        let text = "Use ```x``` inline.\n    ```\nstill prose";
        assert_eq!(blocks(text), [prose(text)]);
        assert_eq!(blocks("``\nnot code"), [prose("``\nnot code")]);
    }

    #[test]
    fn an_indented_fence_removes_its_indent_from_the_code() {
        assert_eq!(
            blocks("  ```\n  a\n b\n    c\n  ```"),
            [code("", "a\nb\n  c")]
        );
    }

    #[test]
    fn closing_fences_may_be_longer_but_not_followed_by_text() {
        assert_eq!(blocks("```\na\n``` x\n`````"), [code("", "a\n``` x")]);
        assert_eq!(blocks(""), []);
        assert_eq!(blocks("```\n```"), [code("", "")]);
    }
}
