//! `--format text`: question/answer pairs in plain text, the way they are pasted from
//! documents and web pages. Three shapes are recognised, alone or mixed in one file:
//!
//! - labelled pairs, `Question: ...` / `Answer: ...` or `Q: ...` / `A: ...`, with or
//!   without a number in front (`  1. Question: ...`), labels in any case; a question
//!   may run over several lines until its answer label, and `Q: ...? A: ...` may share
//!   a line; a `Q:` glued to the end of the previous answer (`...done.Q: Next?`) starts
//!   a new question;
//! - numbered questions, `N. question?` (a numbered line ending in `?`) followed by an
//!   answer paragraph; numbered lines that do not end in `?` (lists) belong to the
//!   answer;
//! - between records, lines that are neither are ignored; a lone short heading
//!   (`DOCKER`, `python`) just before a question sets the topic of the records after it.
//!
//! An answer runs until the next question, two blank lines in a row, or a line of page
//! boilerplate (`Previous`, `Next`, `Back to ...`, a footnote `[^1]: ...`). Lines
//! wrapped inside a paragraph are joined; list items keep their own lines.

use super::{Parsed, Record};

const QUESTION_LABELS: [&str; 2] = ["question", "q"];
const ANSWER_LABELS: [&str; 3] = ["answer", "ans", "a"];
/// Lines of page furniture after the last answer (compared in lowercase).
const BOILERPLATE: [&str; 14] = [
    "previous",
    "next",
    "prev",
    "« previous",
    "next »",
    "previous post",
    "next post",
    "skip to content",
    "share",
    "share this",
    "related",
    "related posts",
    "leave a comment",
    "table of contents",
];

/// Reads text into records; it never fails, lines it does not understand are ignored.
pub fn parse(text: &str) -> Parsed {
    let lines = logical_lines(text);
    let mut parser = Parser::default();
    for (index, line) in lines.iter().enumerate() {
        let text = line.text.trim();
        if text.is_empty() {
            parser.blank(line.number);
        } else if let Some((question, answer)) = labelled_question(text) {
            parser.start(&lines, index, Kind::Labelled, question);
            if let Some(answer) = answer {
                parser.answer_label(line.number, answer, text);
            }
        } else if let Some(answer) = strip_label(text, &ANSWER_LABELS) {
            parser.answer_label(line.number, answer, text);
        } else if let Some(question) = numbered_question(text).filter(|_| parser.numbered_starts())
        {
            parser.start(&lines, index, Kind::Numbered, question);
        } else if is_boilerplate(text) {
            parser.close();
        } else {
            parser.text(line.number, text);
        }
    }
    parser.finish();
    Parsed {
        records: parser.records,
        skipped: Vec::new(),
    }
}

/// A line of the file, or a part of one split at a glued-on `Q:` or footnote.
#[derive(Debug)]
struct Line {
    number: usize,
    text: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// `Question:` / `Q:`, answered by `Answer:` / `A:`.
    Labelled,
    /// `N. question?`, answered by the paragraphs after it.
    Numbered,
}

/// The record being read.
#[derive(Debug)]
struct Draft {
    kind: Kind,
    line: usize,
    topic: Option<String>,
    question: Vec<String>,
    /// Answer lines with their line numbers; blank lines separate paragraphs.
    answer: Vec<(usize, String)>,
    in_answer: bool,
    /// Blank lines in a row just read.
    blanks: usize,
    /// A blank line came after the question: unlabelled text now is the answer.
    blank_after_question: bool,
    /// The answer ended; lines up to the next question are ignored.
    closed: bool,
}

impl Draft {
    fn new(kind: Kind, line: usize, topic: Option<String>) -> Self {
        Draft {
            kind,
            line,
            topic,
            question: Vec::new(),
            answer: Vec::new(),
            in_answer: kind == Kind::Numbered,
            blanks: 0,
            blank_after_question: false,
            closed: false,
        }
    }

    fn has_answer(&self) -> bool {
        self.answer.iter().any(|(_, l)| !l.is_empty())
    }

    fn push_answer(&mut self, number: usize, text: &str) {
        self.in_answer = true;
        self.blanks = 0;
        self.answer.push((number, text.to_string()));
    }
}

#[derive(Debug, Default)]
struct Parser {
    records: Vec<Record>,
    current: Option<Draft>,
    topic: Option<String>,
}

impl Parser {
    /// The open record, if its answer has not ended.
    fn open(&mut self) -> Option<&mut Draft> {
        self.current.as_mut().filter(|d| !d.closed)
    }

    fn start(&mut self, lines: &[Line], index: usize, kind: Kind, question: &str) {
        self.take_heading(lines, index);
        self.finish();
        let mut draft = Draft::new(kind, lines[index].number, self.topic.clone());
        draft.question.push(question.to_string());
        self.current = Some(draft);
    }

    /// A numbered `...?` line starts a question unless it is inside a labelled answer
    /// paragraph (a list of questions in an answer).
    fn numbered_starts(&self) -> bool {
        match &self.current {
            Some(d) if !d.closed && d.kind == Kind::Labelled && d.in_answer => d.blanks > 0,
            _ => true,
        }
    }

    /// `Answer:` starts the answer of a labelled question or of a numbered question with
    /// no answer yet; inside an answer it is plain text; with no question before it, it
    /// is a record without a question (reported when converted).
    fn answer_label(&mut self, number: usize, answer: &str, whole: &str) {
        match self.open() {
            Some(d) if !d.in_answer || !d.has_answer() => d.push_answer(number, answer),
            Some(d) => d.push_answer(number, whole),
            None => {
                self.finish();
                let mut draft = Draft::new(Kind::Labelled, number, self.topic.clone());
                draft.push_answer(number, answer);
                self.current = Some(draft);
            }
        }
    }

    fn text(&mut self, number: usize, text: &str) {
        let Some(d) = self.open() else { return };
        if d.in_answer || d.blank_after_question {
            d.push_answer(number, text);
        } else {
            d.question.push(text.to_string());
        }
    }

    /// Blank lines separate paragraphs; two in a row end an answer.
    fn blank(&mut self, number: usize) {
        let Some(d) = self.open() else { return };
        if !d.in_answer {
            d.blank_after_question = true;
            return;
        }
        d.blanks += 1;
        if d.has_answer() {
            if d.blanks >= 2 {
                d.closed = true;
            } else {
                d.answer.push((number, String::new()));
            }
        }
    }

    fn close(&mut self) {
        if let Some(d) = self.open() {
            d.closed = true;
        }
    }

    /// A lone heading line just before the question at `index` sets the topic. When
    /// the open answer swallowed it as its last paragraph it is taken back, unless it
    /// is all that answer has (then it is the answer: `1. Which is reliable?` / `TCP`).
    fn take_heading(&mut self, lines: &[Line], index: usize) {
        let Some(at) = lines[..index]
            .iter()
            .rposition(|l| !l.text.trim().is_empty())
        else {
            return;
        };
        let lone = at == 0 || lines[at - 1].text.trim().is_empty();
        let heading = lines[at].text.trim();
        if !lone || !is_heading(heading) {
            return;
        }
        let number = lines[at].number;
        if let Some(d) = self.current.as_mut() {
            if let Some(pos) = d
                .answer
                .iter()
                .position(|(n, l)| *n == number && l == heading)
            {
                if !d.answer[..pos].iter().any(|(_, l)| !l.is_empty()) {
                    return;
                }
                d.answer.truncate(pos);
            }
        }
        self.topic = Some(heading.to_string());
    }

    fn finish(&mut self) {
        let Some(d) = self.current.take() else { return };
        let answer: Vec<String> = d.answer.into_iter().map(|(_, l)| l).collect();
        self.records.push(Record {
            question: unwrap(&d.question),
            answer: unwrap(&answer),
            line: d.line,
            topic: d.topic,
            ..Record::default()
        });
    }
}

/// The file's lines, with a `Q:`, `Question:` or footnote glued to the end of a
/// sentence (`...reliability.Q: Why?`) split onto a line of its own.
fn logical_lines(text: &str) -> Vec<Line> {
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let mut rest = line;
        while let Some(at) = glued_marker(rest) {
            out.push(Line {
                number: i + 1,
                text: rest[..at].to_string(),
            });
            rest = &rest[at..];
        }
        out.push(Line {
            number: i + 1,
            text: rest.to_string(),
        });
    }
    out
}

/// Where a `Q:`, `Question:` or `[^N]:` starts right after the end of a sentence.
fn glued_marker(line: &str) -> Option<usize> {
    let ends_sentence = |before: &str| {
        let before = before.trim_end();
        before.chars().any(char::is_alphabetic)
            && before.ends_with(['.', '!', '?', ')', '"', '\'', '”', '’'])
    };
    line.char_indices().skip(1).map(|(i, _)| i).find(|&i| {
        let at = &line[i..];
        let marker = at.starts_with("Q:") && at[2..].starts_with(char::is_whitespace)
            || at.starts_with("Question:")
            || footnote(at);
        marker && ends_sentence(&line[..i])
    })
}

/// A footnote definition, `[^1]: ...`.
fn footnote(text: &str) -> bool {
    text.strip_prefix("[^")
        .and_then(|rest| rest.split_once("]:"))
        .is_some_and(|(label, _)| !label.is_empty() && label.chars().all(|c| c.is_alphanumeric()))
}

/// `Question: text` or `Q: text`, maybe numbered (`1. Question:`, `Q3:`), and an
/// answer on the same line after the `?` (`Q: Why? A: Because.`).
fn labelled_question(line: &str) -> Option<(&str, Option<&str>)> {
    let rest = strip_number(line).unwrap_or(line);
    let question = strip_label(rest, &QUESTION_LABELS)?;
    for (i, _) in question.match_indices('?') {
        if let Some(answer) = strip_label(question[i + 1..].trim_start(), &ANSWER_LABELS) {
            return Some((&question[..=i], Some(answer)));
        }
    }
    Some((question, None))
}

/// The text after a label (`Answer:`, `A:`, `Q 2:`), in any case; `None` without one.
fn strip_label<'a>(line: &'a str, labels: &[&str]) -> Option<&'a str> {
    labels.iter().find_map(|label| {
        let head = line.get(..label.len())?;
        if !head.eq_ignore_ascii_case(label) {
            return None;
        }
        let after = line[label.len()..]
            .trim_start_matches(|c: char| c.is_ascii_digit() || c == ' ' || c == '\t');
        after.strip_prefix(':').map(str::trim)
    })
}

/// The text after a list number: `12. text`, `3) text`.
fn strip_number(line: &str) -> Option<&str> {
    let digits = line.len() - line.trim_start_matches(|c: char| c.is_ascii_digit()).len();
    if !(1..=3).contains(&digits) {
        return None;
    }
    let rest = line[digits..].strip_prefix(['.', ')'])?;
    rest.starts_with(char::is_whitespace)
        .then(|| rest.trim_start())
}

/// `N. question?`: a numbered line ending in a question mark.
fn numbered_question(line: &str) -> Option<&str> {
    let question = strip_number(line)?;
    let end = question.trim_end_matches(['"', '\'', '”', '’', ')', '*']);
    (end.ends_with('?') && end.chars().any(char::is_alphabetic)).then_some(question)
}

/// A list item keeps its own line when wrapped lines are joined.
fn is_list_item(line: &str) -> bool {
    strip_number(line).is_some()
        || ["- ", "* ", "• ", "· ", "– ", "— "]
            .iter()
            .any(|bullet| line.starts_with(bullet))
}

fn is_boilerplate(line: &str) -> bool {
    let lower = line.to_lowercase();
    BOILERPLATE.contains(&lower.as_str())
        || (lower.starts_with("back to ") && lower.len() <= 40)
        || footnote(line)
}

/// A short section title: a few ALL-CAPS words (`DOCKER`, `REST API`) or one word
/// (`python`, `C++`, `Node.js`).
fn is_heading(line: &str) -> bool {
    if line.chars().count() > 30 || is_boilerplate(line) {
        return false;
    }
    let words = line.split_whitespace().count();
    let title_chars = |extra: &str| {
        line.chars()
            .all(|c| c.is_alphanumeric() || c.is_whitespace() || extra.contains(c))
    };
    let caps = words <= 3
        && line.chars().any(char::is_uppercase)
        && !line.chars().any(char::is_lowercase)
        && title_chars("-+#&/.");
    let word = words == 1
        && line.starts_with(char::is_alphabetic)
        && !line.ends_with('.')
        && title_chars("-+#.");
    caps || word
}

/// Paragraphs with their wrapped lines joined: a line goes on the previous one unless
/// it is a list item or the previous ends with `:`; a line starting with closing
/// punctuation (`?`, `),`) is joined without a space.
fn unwrap(lines: &[String]) -> String {
    let mut paragraphs: Vec<String> = Vec::new();
    for paragraph in lines.split(|l| l.trim().is_empty()) {
        let mut out: Vec<String> = Vec::new();
        for line in paragraph.iter().map(|l| super::collapse(l)) {
            match out.last_mut() {
                Some(last) if starts_with_closing(&line) => last.push_str(&line),
                Some(last) if !is_list_item(&line) && !last.ends_with(':') => {
                    last.push(' ');
                    last.push_str(&line);
                }
                _ => out.push(line),
            }
        }
        if !out.is_empty() {
            paragraphs.push(out.join("\n"));
        }
    }
    paragraphs.join("\n\n")
}

/// `?`, `.`, `), it ...`: punctuation that closes the previous line's sentence.
fn starts_with_closing(line: &str) -> bool {
    let closing = |c: char| "?!.,;:)]}".contains(c);
    let rest = line.trim_start_matches(closing);
    rest.len() < line.len() && rest.chars().next().is_none_or(char::is_whitespace)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn records(text: &str) -> Vec<Record> {
        parse(text).records
    }

    fn pairs(text: &str) -> Vec<(String, String)> {
        records(text)
            .into_iter()
            .map(|r| (r.question, r.answer))
            .collect()
    }

    fn pair(q: &str, a: &str) -> (String, String) {
        (q.to_string(), a.to_string())
    }

    #[test]
    fn labels_in_any_case_with_or_without_numbers() {
        let text =
            "question: One?\nANSWER: First.\n\n2) Q3: Two?\na: Second.\n  Ans : Third is text.\n";
        assert_eq!(
            pairs(text),
            [
                pair("One?", "First."),
                pair("Two?", "Second. Ans : Third is text.")
            ]
        );
    }

    #[test]
    fn numbered_question_with_an_answer_label() {
        assert_eq!(
            pairs("1. What is X?\nAnswer: Y.\n2. And Z?\nA: W.\n"),
            [pair("What is X?", "Y."), pair("And Z?", "W.")]
        );
    }

    #[test]
    fn question_and_answer_on_one_line() {
        assert_eq!(pairs("Q: Why? A: Because.\n"), [pair("Why?", "Because.")]);
    }

    #[test]
    fn glued_questions_and_footnotes_are_split() {
        let text = "Q: One?\nA: Done.Q: Two\n?\nA: Also (x\n), fine.[^1]: A footnote\n";
        assert_eq!(
            pairs(text),
            [pair("One?", "Done."), pair("Two?", "Also (x), fine.")]
        );
    }

    #[test]
    fn unlabelled_answer_after_a_blank_line() {
        assert_eq!(
            pairs("Question: What?\n\nThis.\n"),
            [pair("What?", "This.")]
        );
    }

    #[test]
    fn numbered_lists_stay_in_the_answer() {
        let text = "1. Which layers?\n\nThese:\n\n1. Physical\n2. Data Link\n\n2. Next one?\nYes\n";
        assert_eq!(
            pairs(text),
            [
                pair("Which layers?", "These:\n\n1. Physical\n2. Data Link"),
                pair("Next one?", "Yes")
            ]
        );
    }

    #[test]
    fn numbered_question_inside_a_labelled_paragraph_is_text() {
        let text = "Q: How to check?\nA: Ask:\n1. Is it cached?\n\n2. Is it new?\nIt is.\n";
        assert_eq!(
            pairs(text),
            [
                pair("How to check?", "Ask:\n1. Is it cached?"),
                pair("Is it new?", "It is.")
            ]
        );
    }

    #[test]
    fn answers_end_at_boilerplate_or_two_blank_lines() {
        let text = "1. A?\n\nx\n\n\nstray text\n\n2. B?\n\ny\n\nPrevious\n\nOther page\n";
        assert_eq!(pairs(text), [pair("A?", "x"), pair("B?", "y")]);
        assert_eq!(
            pairs("1. C?\n\nz\n\nBack to Interview\nNext\n"),
            [pair("C?", "z")]
        );
    }

    #[test]
    fn headings_set_the_topic() {
        let text = "Interview\n\nAPI\n\n  1. Question: A?\n    Answer: a\n\nDOCKER\n\n  1. Question: B?\n    Answer: b\n";
        let found: Vec<_> = records(text)
            .into_iter()
            .map(|r| (r.answer, r.topic))
            .collect();
        assert_eq!(
            found,
            [
                ("a".to_string(), Some("API".to_string())),
                ("b".to_string(), Some("DOCKER".to_string()))
            ]
        );
    }

    #[test]
    fn a_one_word_answer_is_not_a_heading() {
        let found = records("1. Reliable?\n\nTCP\n\n2. Fast?\n\nUDP\n");
        assert_eq!(found[0].answer, "TCP");
        assert_eq!(found[1].topic, None);
    }

    #[test]
    fn answer_without_question_has_an_empty_question() {
        let found = records("intro\nA: orphan\n\nQ: Real?\nA: yes\n");
        assert_eq!(found.len(), 2);
        assert_eq!((found[0].question.as_str(), found[0].line), ("", 2));
    }

    #[test]
    fn heading_shapes() {
        for yes in ["DOCKER", "REST API", "python", "C++", "Node.js"] {
            assert!(is_heading(yes), "{yes}");
        }
        for no in [
            "Skip to content",
            "Next",
            "Yes.",
            "Some words here",
            "A very long line that is not a title",
        ] {
            assert!(!is_heading(no), "{no}");
        }
    }
}
