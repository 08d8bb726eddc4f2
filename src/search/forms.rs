//! The forms interview-question lists give a question, taken off before searching.
//!
//! This module owns one pure function, [`normalise`], that search applies to the
//! user's text once, before both the words and the meaning of the text are looked
//! at. Questions copied from published lists come wrapped in things that name no
//! topic: list numbering and bullets (`12.`, `Q3:`, `- `, `##`, a leading emoji),
//! markdown and HTML left over (`**bold**`, `_x_`, backticks, `[text](url)`,
//! `<details><summary>`), question frames ("True or False?", "Can you explain",
//! "What do you understand by", "in brief"), follow-up questions that only point
//! back at the subject ("What is X? What is it used for?") and difficulty tags
//! ("(easy)", "[medium]"). Those are removed; every other word is kept as typed,
//! code inside backticks and Python names such as `__init__` included. Nothing
//! here depends on a particular question: it works on the shapes of the text and
//! on small lists of words that carry no topic. When nothing would be left, the
//! text is searched as it was.

use std::borrow::Cow;

/// Only this much of a message is normalised (search reads less than that).
const MAX_CHARS: usize = 2_000;

/// HTML elements that lists use for markup; tags of these are taken out (an
/// inline element without a space, so `<b>Docker</b>file` stays one word).
const INLINE_TAGS: &[&str] = &[
    "a", "abbr", "b", "cite", "code", "del", "em", "font", "i", "ins", "kbd", "mark", "q", "s",
    "samp", "small", "span", "strike", "strong", "sub", "sup", "tt", "u", "var",
];
const BLOCK_TAGS: &[&str] = &[
    "blockquote",
    "br",
    "dd",
    "details",
    "div",
    "dl",
    "dt",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "hr",
    "img",
    "li",
    "ol",
    "p",
    "pre",
    "summary",
    "table",
    "tbody",
    "td",
    "th",
    "tr",
    "ul",
];

/// Sentence openings that frame a question without naming its topic; taken off
/// the start of each sentence, repeatedly ("Briefly explain", "Describe in detail").
const FRAMES: &[&str] = &[
    "true or false",
    "true / false",
    "true/false",
    "what do you understand by",
    "what do you understand about",
    "what do you mean by",
    "what do you know about",
    "what can you tell me about",
    "what can you tell us about",
    "what can you say about",
    "tell me about",
    "tell us about",
    "tell me",
    "talk about",
    "walk me through",
    "in your own words",
    "in simple terms",
    "in detail",
    "in brief",
    "in short",
    "briefly",
    "quickly",
    "shortly",
    "simply",
    "explain",
    "describe",
    "discuss",
    "elaborate on",
    "elaborate",
    "define",
    "give an overview of",
];

/// Politeness that goes with a frame ("Can you explain", "Could you tell me"); taken
/// off only before one, so "Can you perform load balancing" keeps its words.
const POLITE: &[&str] = &[
    "can you",
    "could you",
    "would you",
    "will you",
    "please",
    "kindly",
    "do your best to",
    "try to",
];

/// Sentence endings that say how to answer, not what about.
const TRAILING_FRAMES: &[&str] = &[
    "in your own words",
    "in simple terms",
    "in detail",
    "in brief",
    "in short",
    "briefly",
    "please",
];

/// Words of difficulty tags ("(easy)", "[Medium]", "Difficulty: hard").
const DIFFICULTY: &[&str] = &[
    "easy",
    "medium",
    "hard",
    "beginner",
    "intermediate",
    "advanced",
    "expert",
    "basic",
    "junior",
    "mid",
    "middle",
    "senior",
    "entry",
    "level",
    "difficulty",
    "moderate",
];

/// Words that name no topic: how questions are asked, pronouns that point back at
/// the subject, and what follow-up questions ask about any subject ("what is it
/// used for", "how does it work", "pros and cons"). A later sentence made only of
/// these and of words said before adds nothing to search for.
const NO_TOPIC: &[&str] = &[
    // Asking.
    "a",
    "about",
    "all",
    "also",
    "am",
    "an",
    "and",
    "any",
    "are",
    "as",
    "at",
    "be",
    "been",
    "but",
    "by",
    "can",
    "could",
    "did",
    "do",
    "does",
    "doing",
    "don",
    "else",
    "ever",
    "for",
    "from",
    "had",
    "has",
    "have",
    "how",
    "i",
    "if",
    "in",
    "into",
    "is",
    "isn",
    "just",
    "may",
    "me",
    "might",
    "more",
    "most",
    "much",
    "must",
    "my",
    "no",
    "not",
    "of",
    "on",
    "only",
    "or",
    "other",
    "our",
    "really",
    "s",
    "shall",
    "should",
    "so",
    "some",
    "t",
    "than",
    "the",
    "then",
    "there",
    "to",
    "too",
    "us",
    "very",
    "was",
    "we",
    "were",
    "what",
    "whats",
    "when",
    "where",
    "which",
    "who",
    "why",
    "will",
    "with",
    "would",
    "you",
    "your",
    "yes",
    "ok",
    "okay",
    // Pointing back.
    "he",
    "her",
    "him",
    "it",
    "its",
    "one",
    "ones",
    "she",
    "that",
    "their",
    "them",
    "these",
    "they",
    "this",
    "those",
    "same",
    // What follow-ups ask of any subject.
    "advantage",
    "benefit",
    "case",
    "compare",
    "con",
    "differ",
    "difference",
    "different",
    "disadvantage",
    "drawback",
    "example",
    "exist",
    "explain",
    "describe",
    "give",
    "good",
    "bad",
    "happen",
    "help",
    "idea",
    "implement",
    "important",
    "instance",
    "kind",
    "know",
    "matter",
    "mean",
    "meaning",
    "need",
    "pro",
    "purpose",
    "reason",
    "relevant",
    "required",
    "scenario",
    "situation",
    "still",
    "today",
    "type",
    "use",
    "used",
    "useful",
    "using",
    "way",
    "work",
    "write",
];

/// Words that end in `s` without being plurals, kept whole when words are compared.
const NOT_PLURAL: &[&str] = &["is", "was", "has", "does"];

/// `text` without the forms of interview-question lists (see the module doc).
/// Borrowed when there was nothing to take off (spacing aside); the text as it was
/// when taking the forms off would leave no word.
pub fn normalise(text: &str) -> Cow<'_, str> {
    let head: String = text.chars().take(MAX_CHARS).collect();
    let lines: Vec<String> = head
        .lines()
        .map(|line| strip_markers(&strip_markup(line)))
        .collect();
    let mut sentences: Vec<String> = Vec::new();
    for line in &lines {
        for sentence in split_sentences(line) {
            let sentence = strip_clutter(&strip_frames(&strip_clutter(&sentence)));
            if sentence.chars().any(char::is_alphanumeric) {
                sentences.push(sentence);
            }
        }
    }
    let normalised = collapse_spaces(&select(sentences).join(" "));
    if !normalised.chars().any(char::is_alphanumeric) || normalised == collapse_spaces(text) {
        Cow::Borrowed(text)
    } else {
        Cow::Owned(normalised)
    }
}

/// The first sentence, and each later one that names something not named before:
/// a follow-up such as "What is it used for?" or "Why?" is left out.
fn select(sentences: Vec<String>) -> Vec<String> {
    let mut seen: Vec<String> = Vec::new();
    let mut kept = Vec::new();
    for (i, sentence) in sentences.into_iter().enumerate() {
        let words = topic_words(&sentence);
        let new = words.iter().any(|w| !seen.contains(w));
        if i == 0 || new {
            seen.extend(words);
            kept.push(sentence);
        }
    }
    kept
}

/// The words of a sentence that may name a topic, lowercased, plurals folded.
fn topic_words(sentence: &str) -> Vec<String> {
    sentence
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(|w| {
            let w = w.to_lowercase();
            match w.strip_suffix('s') {
                Some(stem) if stem.len() >= 2 && !NOT_PLURAL.contains(&w.as_str()) => {
                    stem.to_string()
                }
                _ => w,
            }
        })
        .filter(|w| !NO_TOPIC.contains(&w.as_str()))
        .collect()
}

/// Splits at `?` and `!`, and at a `.` that ends a sentence (a capital follows; not
/// after "e.g." or "vs.").
fn split_sentences(line: &str) -> Vec<String> {
    let chars: Vec<char> = line.chars().collect();
    let mut sentences = Vec::new();
    let mut start = 0;
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let ends = match c {
            '?' | '!' => true,
            '.' => {
                let next = chars[i + 1..].iter().position(|c| !c.is_whitespace());
                let spaced = chars.get(i + 1).is_some_and(|c| c.is_whitespace());
                let capital = next.is_some_and(|n| chars[i + 1 + n].is_uppercase());
                spaced && capital && !after_abbreviation(&chars[start..i])
            }
            _ => false,
        };
        if ends {
            // Keep a run of marks ("?!", "?.") with its sentence.
            while chars
                .get(i + 1)
                .is_some_and(|c| matches!(c, '?' | '!' | '.'))
            {
                i += 1;
            }
            sentences.push(chars[start..=i].iter().collect());
            start = i + 1;
        }
        i += 1;
    }
    if start < chars.len() {
        sentences.push(chars[start..].iter().collect());
    }
    sentences
}

fn after_abbreviation(before: &[char]) -> bool {
    let word: String = before
        .iter()
        .rev()
        .take_while(|c| c.is_alphanumeric() || **c == '.')
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .collect();
    let word = word.to_lowercase();
    [
        "e.g", "i.e", "etc", "vs", "cf", "approx", "incl", "esp", "no",
    ]
    .contains(&word.as_str())
        || word.chars().count() == 1
}

/// Takes question frames off the start (and answer instructions off the end) of a
/// sentence.
fn strip_frames(sentence: &str) -> String {
    let mut rest = sentence.trim();
    loop {
        let before = rest;
        rest = trim_joiners(rest);
        if let Some(after) = strip_frame(rest) {
            rest = after;
        } else if let Some(after) = POLITE
            .iter()
            .find_map(|polite| strip_prefix_words(rest, polite))
            .filter(|after| strip_frame(after.trim_start()).is_some())
        {
            rest = after;
        }
        if rest == before {
            break;
        }
    }
    let (body, marks) = split_end_marks(rest);
    let mut body = body.trim_end();
    loop {
        let before = body;
        body = body.trim_end_matches([',', ' ']);
        for frame in TRAILING_FRAMES {
            if let Some(after) = strip_suffix_words(body, frame) {
                body = after;
                break;
            }
        }
        if body == before {
            break;
        }
    }
    format!("{body}{marks}")
}

/// `text` after the frame it starts with, if any.
fn strip_frame(text: &str) -> Option<&str> {
    FRAMES
        .iter()
        .find_map(|frame| strip_prefix_words(text, frame))
}

/// What joins a frame to the question: spaces, `:`, `,`, dashes, a stray `?` or `.`.
fn trim_joiners(text: &str) -> &str {
    text.trim_start_matches(|c: char| {
        c.is_whitespace() || matches!(c, ':' | ',' | '-' | '–' | '—' | '?' | '.' | '!' | ';')
    })
}

/// `text` after the words of `prefix` (case aside), when it starts with them as whole words.
fn strip_prefix_words<'a>(text: &'a str, prefix: &str) -> Option<&'a str> {
    let head = text.get(..prefix.len())?;
    if !head.eq_ignore_ascii_case(prefix) {
        return None;
    }
    let rest = &text[prefix.len()..];
    match rest.chars().next() {
        None => Some(rest),
        Some(c) if c.is_alphanumeric() || c == '_' || c == '\'' => None,
        Some(_) => Some(rest),
    }
}

fn strip_suffix_words<'a>(text: &'a str, suffix: &str) -> Option<&'a str> {
    let cut = text.len().checked_sub(suffix.len())?;
    let tail = text.get(cut..)?;
    if !tail.eq_ignore_ascii_case(suffix) {
        return None;
    }
    let rest = &text[..cut];
    match rest.chars().next_back() {
        Some(c) if c.is_whitespace() || c == ',' => Some(rest.trim_end()),
        _ => None,
    }
}

/// The text before its closing marks, and the marks (`?`, `!`, `.`).
fn split_end_marks(text: &str) -> (&str, &str) {
    let body = text.trim_end_matches(['?', '!', '.', ' ']);
    let marks = text[body.len()..].trim();
    (body, marks)
}

/// Takes difficulty tags, trailing colons and dashes, and symbols at either end off a sentence.
fn strip_clutter(sentence: &str) -> String {
    let mut text = sentence.trim().to_string();
    loop {
        let before = text.clone();
        text = text
            .trim_start_matches(|c: char| c.is_whitespace() || is_symbol(c))
            .trim_end_matches(|c: char| {
                c.is_whitespace() || is_symbol(c) || matches!(c, ':' | '-' | '–' | '—' | ',' | ';')
            })
            .to_string();
        if let Some(rest) = strip_tag(&text, true) {
            text = rest;
        }
        if let Some(rest) = strip_tag(&text, false) {
            text = rest;
        }
        if is_tag_words(&text) {
            text.clear();
        }
        if text == before {
            return text;
        }
    }
}

/// `text` without a bracketed difficulty tag at its start (or end).
fn strip_tag(text: &str, at_start: bool) -> Option<String> {
    let (open, close) = if at_start {
        let open = text.chars().next()?;
        let close = closing(open)?;
        (0, text.find(close)?)
    } else {
        let close = text.chars().next_back()?;
        let open = opening(close)?;
        (text.rfind(open)?, text.len() - close.len_utf8())
    };
    let inner = text.get(open + 1..close)?;
    if !is_tag_words(inner) {
        return None;
    }
    let rest = if at_start {
        &text[close + 1..]
    } else {
        &text[..open]
    };
    Some(rest.trim().to_string())
}

fn closing(open: char) -> Option<char> {
    match open {
        '(' => Some(')'),
        '[' => Some(']'),
        '{' => Some('}'),
        _ => None,
    }
}

fn opening(close: char) -> Option<char> {
    match close {
        ')' => Some('('),
        ']' => Some('['),
        '}' => Some('{'),
        _ => None,
    }
}

/// True for a difficulty tag: words of [`DIFFICULTY`] only ("Medium", "Difficulty: easy").
fn is_tag_words(text: &str) -> bool {
    let mut words = text
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .peekable();
    words.peek().is_some() && words.all(|w| DIFFICULTY.contains(&w.to_lowercase().as_str()))
}

/// Pictographs, bullets, arrows and check marks: what lists put before a question.
fn is_symbol(c: char) -> bool {
    matches!(c,
        '\u{2022}'..='\u{2027}' // bullets, leaders
        | '\u{2190}'..='\u{21FF}' // arrows
        | '\u{2300}'..='\u{23FF}' // technical symbols (⌛, ⏩)
        | '\u{25A0}'..='\u{27BF}' // shapes, symbols, dingbats (■, ►, ★, ✅, ❓, ➤)
        | '\u{2B00}'..='\u{2BFF}' // arrows and symbols (⭐)
        | '\u{1F000}'..='\u{1FAFF}' // emoji
        | '\u{FE0E}' | '\u{FE0F}' | '\u{200D}' // emoji presentation, joiner
        | '\u{00B7}' | '\u{2043}' | '\u{2219}'
    )
}

/// Takes list markers off the start of a line: bullets, headings, quote marks,
/// numbers ("12.", "3)", "(4)"), question numbers ("Q1:", "Question 2."), check boxes.
fn strip_markers(line: &str) -> String {
    let mut rest = line.trim();
    loop {
        let before = rest;
        rest = rest.trim_start_matches(|c: char| c.is_whitespace() || is_symbol(c));
        rest = strip_marker(rest).unwrap_or(rest);
        if rest == before {
            return rest.to_string();
        }
    }
}

/// `rest` without its leading spaces, when it is empty or starts with one.
fn spaced(rest: &str) -> Option<&str> {
    (rest.is_empty() || rest.starts_with(char::is_whitespace)).then_some(rest.trim_start())
}

fn strip_marker(text: &str) -> Option<&str> {
    // Bullets and block quotes: "- ", "* ", "+ ", "> ".
    if let Some(rest) = text.strip_prefix(['-', '*', '+', '>', '–', '—']) {
        return spaced(rest);
    }
    // Headings: "#", "##", ... and "#12".
    if text.starts_with('#') {
        let rest = text.trim_start_matches('#');
        return spaced(rest).or_else(|| numbering(rest)).or_else(|| {
            let after = rest.trim_start_matches(|c: char| c.is_ascii_digit());
            spaced(after).filter(|_| after.len() < rest.len())
        });
    }
    // Check boxes: "[ ]", "[x]".
    for box_ in ["[ ]", "[x]", "[X]"] {
        if let Some(rest) = text.strip_prefix(box_) {
            return spaced(rest);
        }
    }
    // "Q1:", "Q 12.", "Q.3)", "Question 4 -", "Q:".
    for word in ["question", "q"] {
        if let Some(rest) = strip_prefix_ci(text, word) {
            let rest = rest.trim_start_matches(['.', ' ', '#']);
            if let Some(after) = numbering(rest) {
                return Some(after);
            }
            if rest.starts_with(|c: char| c.is_ascii_digit()) {
                let after = rest.trim_start_matches(|c: char| c.is_ascii_digit());
                return spaced(after).filter(|a| !a.is_empty());
            }
            if let Some(after) = rest.strip_prefix(':') {
                return spaced(after);
            }
        }
    }
    // "a) ", "B) ".
    let mut chars = text.chars();
    if let (Some(letter), Some(')')) = (chars.next(), chars.next()) {
        if letter.is_ascii_alphabetic() {
            return spaced(chars.as_str());
        }
    }
    numbering(text)
}

/// After "12.", "12)", "(12)", "12:", "1.2.", "12 -" and the space after it.
fn numbering(text: &str) -> Option<&str> {
    let inner = text.strip_prefix('(').unwrap_or(text);
    let digits = inner
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(inner.len());
    let number = &inner[..digits];
    if number.is_empty()
        || !number.starts_with(|c: char| c.is_ascii_digit())
        || number.split('.').any(|part| part.len() > 3)
    {
        return None;
    }
    let rest = &inner[digits..];
    let rest = if number.ends_with('.') {
        rest
    } else if let Some(after) = rest.strip_prefix([')', ':']) {
        after
    } else {
        rest.trim_start().strip_prefix(['-', '–', '—'])?
    };
    (rest.is_empty() || rest.starts_with(char::is_whitespace)).then_some(rest.trim_start())
}

fn strip_prefix_ci<'a>(text: &'a str, prefix: &str) -> Option<&'a str> {
    let head = text.get(..prefix.len())?;
    head.eq_ignore_ascii_case(prefix)
        .then(|| &text[prefix.len()..])
}

/// One line without HTML tags and entities, markdown links, code-span backticks and
/// emphasis; the words inside all of them stay.
fn strip_markup(line: &str) -> String {
    let line = strip_links(&decode_entities(&strip_tags(line)));
    // Code spans: backticks go, their text stays and is no emphasis.
    let chars: Vec<char> = line.chars().collect();
    let mut text: Vec<char> = Vec::with_capacity(chars.len());
    let mut code: Vec<bool> = Vec::with_capacity(chars.len());
    let mut i = 0;
    while i < chars.len() {
        if chars[i] != '`' {
            text.push(chars[i]);
            code.push(false);
            i += 1;
            continue;
        }
        let run = chars[i..].iter().take_while(|c| **c == '`').count();
        let body = i + run;
        let close = (body..chars.len()).find(|&j| {
            chars[j..].iter().take_while(|c| **c == '`').count() == run
                && (j == 0 || chars[j - 1] != '`')
        });
        match close {
            Some(j) => {
                text.extend(&chars[body..j]);
                code.extend(std::iter::repeat_n(true, j - body));
                i = j + run;
            }
            // A stray backtick is no word.
            None => i = body,
        }
    }
    strip_emphasis(&text, &code)
}

/// Removes the `*` and `_` runs that pair up as emphasis outside code: a run that
/// opens a word and a run of the same length that closes one. `__name__`, a Python
/// name, stays.
fn strip_emphasis(text: &[char], code: &[bool]) -> String {
    struct Run {
        start: usize,
        len: usize,
        mark: char,
    }
    let punct = |c: Option<char>| c.is_some_and(|c| !c.is_alphanumeric() && !c.is_whitespace());
    let space = |c: Option<char>| c.is_none_or(char::is_whitespace);
    let mut remove = vec![false; text.len()];
    let mut openers: Vec<Run> = Vec::new();
    let mut i = 0;
    while i < text.len() {
        let mark = text[i];
        if code[i] || !matches!(mark, '*' | '_') {
            i += 1;
            continue;
        }
        let len = text[i..]
            .iter()
            .zip(&code[i..])
            .take_while(|(c, in_code)| **c == mark && !**in_code)
            .count();
        let before = i.checked_sub(1).map(|j| text[j]);
        let after = text.get(i + len).copied();
        let left = !space(after) && (!punct(after) || space(before) || punct(before));
        let right = !space(before) && (!punct(before) || space(after) || punct(after));
        // No emphasis inside a word (snake_case, 2*3*4).
        let opens = left && (!right || punct(before));
        let closes = right && (!left || punct(after));
        let matched = closes
            .then(|| openers.iter().rposition(|o| o.mark == mark && o.len == len))
            .flatten();
        if let Some(at) = matched {
            let opener = &openers[at];
            let inner = &text[opener.start + opener.len..i];
            let python_name =
                mark == '_' && len == 2 && inner.iter().all(|c| c.is_alphanumeric() || *c == '_');
            if !python_name {
                remove[opener.start..opener.start + len].fill(true);
                remove[i..i + len].fill(true);
            }
            openers.truncate(at);
        } else if opens {
            openers.push(Run {
                start: i,
                len,
                mark,
            });
        }
        i += len;
    }
    text.iter()
        .zip(remove)
        .filter(|(_, removed)| !removed)
        .map(|(c, _)| *c)
        .collect()
}

/// `[text](url)` and `![text](url)` become `text`.
fn strip_links(line: &str) -> String {
    let mut out = String::with_capacity(line.len());
    let mut rest = line;
    while let Some(open) = rest.find('[') {
        let Some(close) = rest[open..].find("](").map(|c| open + c) else {
            break;
        };
        let Some(end) = rest[close + 2..].find(')').map(|e| close + 2 + e) else {
            break;
        };
        let url = &rest[close + 2..end];
        let label = &rest[open + 1..close];
        if url.contains(char::is_whitespace) || label.contains('[') {
            out.push_str(&rest[..open + 1]);
            rest = &rest[open + 1..];
            continue;
        }
        let keep = rest[..open].strip_suffix('!').unwrap_or(&rest[..open]);
        out.push_str(keep);
        out.push_str(label);
        rest = &rest[end + 1..];
    }
    out.push_str(rest);
    out
}

/// Takes out the tags of [`INLINE_TAGS`] and [`BLOCK_TAGS`] and HTML comments;
/// any other `<...>` (`Vec<T>`, `a < b`) stays.
fn strip_tags(line: &str) -> String {
    let mut out = String::with_capacity(line.len());
    let mut rest = line;
    while let Some(open) = rest.find('<') {
        out.push_str(&rest[..open]);
        let tag = &rest[open..];
        if let Some(comment) = tag.strip_prefix("<!--") {
            let end = comment.find("-->").map_or(comment.len(), |e| e + 3);
            out.push(' ');
            rest = &comment[end..];
            continue;
        }
        let Some(close) = tag.find('>').filter(|&c| !tag[1..c].contains('<')) else {
            out.push('<');
            rest = &tag[1..];
            continue;
        };
        let name: String = tag[1..close]
            .trim_start_matches('/')
            .chars()
            .take_while(char::is_ascii_alphanumeric)
            .collect::<String>()
            .to_ascii_lowercase();
        let after_name = tag[1..close].trim_start_matches('/')[name.len()..]
            .chars()
            .next();
        let well_formed = after_name.is_none_or(|c| c.is_whitespace() || c == '/');
        if well_formed && INLINE_TAGS.contains(&name.as_str()) {
            rest = &tag[close + 1..];
        } else if well_formed && BLOCK_TAGS.contains(&name.as_str()) {
            out.push(' ');
            rest = &tag[close + 1..];
        } else {
            out.push('<');
            rest = &tag[1..];
        }
    }
    out.push_str(rest);
    out
}

/// The common HTML entities as the characters they stand for.
fn decode_entities(line: &str) -> String {
    if !line.contains('&') {
        return line.to_string();
    }
    let mut out = line.to_string();
    for (entity, c) in [
        ("&lt;", "<"),
        ("&gt;", ">"),
        ("&quot;", "\""),
        ("&#39;", "'"),
        ("&apos;", "'"),
        ("&nbsp;", " "),
        ("&#34;", "\""),
        ("&amp;", "&"),
    ] {
        out = out.replace(entity, c);
    }
    out
}

fn collapse_spaces(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn n(text: &str) -> String {
        normalise(text).into_owned()
    }

    #[test]
    fn list_numbering_and_markers_go() {
        assert_eq!(n("1. What is an API?"), "What is an API?");
        assert_eq!(n("12) What is NAT?"), "What is NAT?");
        assert_eq!(n("(3) What is NAT?"), "What is NAT?");
        assert_eq!(n("Q1: What is a RESTful API?"), "What is a RESTful API?");
        assert_eq!(n("Q12. What is idempotency?"), "What is idempotency?");
        assert_eq!(n("Question 4 - What is JWT?"), "What is JWT?");
        assert_eq!(n("- What is a proxy?"), "What is a proxy?");
        assert_eq!(n("* What is a proxy?"), "What is a proxy?");
        assert_eq!(n("## 7. What is a CDN?"), "What is a CDN?");
        assert_eq!(n("#12 What is a CDN?"), "What is a CDN?");
        assert_eq!(n("- [ ] What is a CDN?"), "What is a CDN?");
        assert_eq!(n("⚡ What is a CDN?"), "What is a CDN?");
        assert_eq!(n("👉 • What is a CDN?"), "What is a CDN?");
        assert_eq!(n("b) What is a CDN?"), "What is a CDN?");
    }

    #[test]
    fn numbers_that_are_words_stay() {
        assert_eq!(n("3-way handshake"), "3-way handshake");
        assert_eq!(n("2xx codes?"), "2xx codes?");
        assert_eq!(n("1.5 seconds of latency"), "1.5 seconds of latency");
        assert_eq!(n("Q-learning"), "Q-learning");
        assert_eq!(n("QUIC vs TCP"), "QUIC vs TCP");
    }

    #[test]
    fn markdown_emphasis_goes_and_its_words_stay() {
        assert_eq!(
            n("⚡ **Q2: What are the key principles of REST?**"),
            "What are the key principles of REST?"
        );
        assert_eq!(
            n("4. How does a _SOAP API_ differ from a _REST API_?"),
            "How does a SOAP API differ from a REST API?"
        );
        assert_eq!(n("What is *idempotence*?"), "What is idempotence?");
        assert_eq!(n("What is __bold text__ here?"), "What is bold text here?");
    }

    #[test]
    fn code_keeps_its_words_and_python_names() {
        assert_eq!(n("What is `pass` in Python?"), "What is pass in Python?");
        assert_eq!(
            n("What is the `__slots__` attribute for?"),
            "What is the __slots__ attribute for?"
        );
        assert_eq!(n("What does __init__ do?"), "What does __init__ do?");
        assert_eq!(
            n("13. Explain _*args_ and _**kwargs_ in _Python_."),
            "*args and **kwargs in Python."
        );
        assert_eq!(
            n("snake_case_names vs camelCase"),
            "snake_case_names vs camelCase"
        );
        assert_eq!(n("Is 2*3*4 an int?"), "Is 2*3*4 an int?");
        assert_eq!(n("What ``a`b`` means"), "What a`b means");
    }

    #[test]
    fn links_and_html_keep_their_text() {
        assert_eq!(
            n("What is [OAuth](https://oauth.net/2/) for?"),
            "What is OAuth for?"
        );
        assert_eq!(
            n("<details><summary>What is a reverse proxy?</summary>"),
            "What is a reverse proxy?"
        );
        assert_eq!(
            n("How <code>docker image build</code> works?"),
            "How docker image build works?"
        );
        assert_eq!(n("What is <b>Docker</b>file?"), "What is Dockerfile?");
        assert_eq!(n("Is Vec<T> on the heap?"), "Is Vec<T> on the heap?");
        assert_eq!(
            n("What does a &lt;b&gt; tag do?"),
            "What does a <b> tag do?"
        );
    }

    #[test]
    fn question_frames_go() {
        assert_eq!(n("True or False? Ping is using UDP"), "Ping is using UDP");
        assert_eq!(n("True or false: HTTP is stateful"), "HTTP is stateful");
        assert_eq!(
            n("Explain Spanning Tree Protocol (STP)."),
            "Spanning Tree Protocol (STP)."
        );
        assert_eq!(
            n("Can you explain the difference between an API and a Web service?"),
            "the difference between an API and a Web service?"
        );
        assert_eq!(
            n("Could you tell me about sticky sessions?"),
            "sticky sessions?"
        );
        assert_eq!(n("What do you understand by DNS?"), "DNS?");
        assert_eq!(
            n("What do you know about Creative Commons?"),
            "Creative Commons?"
        );
        assert_eq!(n("Briefly explain HTTP cookies"), "HTTP cookies");
        assert_eq!(n("In your own words, what is NAT?"), "what is NAT?");
        assert_eq!(n("Discuss the CAP theorem"), "the CAP theorem");
        assert_eq!(n("Please briefly describe NAT"), "NAT");
        assert_eq!(n("Elaborate on connection pooling"), "connection pooling");
        assert_eq!(
            n("Describe in detail what happens when you run a container"),
            "what happens when you run a container"
        );
        assert_eq!(
            n("Describe Python's garbage collection mechanism in brief."),
            "Python's garbage collection mechanism."
        );
    }

    #[test]
    fn frames_are_whole_words() {
        assert_eq!(n("Explainable AI models"), "Explainable AI models");
        assert_eq!(
            n("Definition of a CNAME record"),
            "Definition of a CNAME record"
        );
        assert_eq!(
            n("Pleased to ask: what is DNS?"),
            "Pleased to ask: what is DNS?"
        );
        assert_eq!(
            n("Can you perform load balancing without a load balancer?"),
            "Can you perform load balancing without a load balancer?"
        );
    }

    #[test]
    fn follow_ups_without_new_words_go() {
        assert_eq!(n("What is ICMP? What is it used for?"), "What is ICMP?");
        assert_eq!(n("What is DHCP? How does it work?"), "What is DHCP?");
        assert_eq!(
            n("What is DNS load balancing? What its advantages? When would you use it?"),
            "What is DNS load balancing?"
        );
        assert_eq!(
            n("What is docstring in Python? How to write them? Are they required?"),
            "What is docstring in Python?"
        );
        assert_eq!(n("What is GIL? Why?"), "What is GIL?");
        assert_eq!(
            n("What `podman commit` does?. When will you use it?"),
            "What podman commit does?."
        );
    }

    #[test]
    fn follow_ups_with_new_words_stay() {
        assert_eq!(
            n("What is TCP? How does it work? What is the 3-way handshake?"),
            "What is TCP? What is the 3-way handshake?"
        );
        assert_eq!(
            n("When is it best to use SQL? NoSQL?"),
            "When is it best to use SQL? NoSQL?"
        );
        assert_eq!(
            n("What is IPv6? Why should we consider using it if we have IPv4?"),
            "What is IPv6? Why should we consider using it if we have IPv4?"
        );
        assert_eq!(
            n("three computers connected to a switch. How many collision domains are there?"),
            "three computers connected to a switch. How many collision domains are there?"
        );
    }

    #[test]
    fn sentences_end_only_where_a_sentence_ends() {
        assert_eq!(
            split_sentences("Use e.g. Nginx. It works"),
            ["Use e.g. Nginx.", " It works"]
        );
        assert_eq!(
            split_sentences("What is module.py for"),
            ["What is module.py for"]
        );
        assert_eq!(split_sentences("Why? Why not?"), ["Why?", " Why not?"]);
    }

    #[test]
    fn difficulty_tags_and_trailing_colons_go() {
        assert_eq!(n("What is a closure? (easy)"), "What is a closure?");
        assert_eq!(n("[Medium] What is a closure?"), "What is a closure?");
        assert_eq!(n("What is a closure [hard]"), "What is a closure");
        assert_eq!(
            n("What is a closure? Difficulty: Intermediate"),
            "What is a closure?"
        );
        assert_eq!(n("What is a closure:"), "What is a closure");
        assert_eq!(n("What is a closure? 🔥"), "What is a closure?");
        assert_eq!(
            n("Explain \"3-Tier Architecture\" (including pros and cons)"),
            "\"3-Tier Architecture\" (including pros and cons)"
        );
    }

    #[test]
    fn lines_are_read_one_by_one() {
        assert_eq!(
            n("## 3. REST\n**Q1: What is HATEOAS?**"),
            "REST What is HATEOAS?"
        );
    }

    #[test]
    fn plain_questions_are_borrowed_unchanged() {
        for text in [
            "What is a reverse proxy?",
            "docker multi-stage build",
            "is vs ==",
            "  What   is NAT?  ",
            "",
        ] {
            assert!(matches!(normalise(text), Cow::Borrowed(_)), "{text:?}");
        }
    }

    #[test]
    fn text_that_would_empty_falls_back_to_itself() {
        for text in [
            "Explain",
            "True or False?",
            "1.",
            "**Q1:**",
            "(easy)",
            "Why?",
            "⚡",
            "- ",
        ] {
            assert_eq!(normalise(text), text, "{text:?}");
        }
    }

    #[test]
    fn normalising_twice_changes_nothing_more() {
        for text in [
            "⚡ **Q1: Difference between authentication and authorization?**",
            "1. What is an _API_ and what are its main purposes?",
            "Can you explain what _API rate limiting_ is and give an example of why it might be used?",
            "What is `__pycache__`? What are .pyc files?",
            "True or False? <code>podman diff</code> works only on the container filesystem",
            "What can you tell me about the UDP packet format? What about the TCP packet format? How is it different?",
        ] {
            let once = n(text);
            assert_eq!(n(&once), once, "{text:?}");
        }
    }

    #[test]
    fn long_text_is_read_in_part() {
        let text = "word ".repeat(10_000);
        let text = format!("1. {text}");
        let out = normalise(&text);
        assert!(out.len() < 2 * MAX_CHARS, "{}", out.len());
    }
}
