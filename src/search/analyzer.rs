//! How text becomes search terms, the same way for the bank and for chat: Unicode
//! compatibility folding (full-width letters become ASCII), words and code operators
//! as tokens, lowercase, English stop words dropped, English stemming.

use tantivy::tokenizer::{
    AsciiFoldingFilter, Language, LowerCaser, RemoveLongFilter, Stemmer, StopWordFilter,
    TextAnalyzer, Token, TokenStream, Tokenizer,
};
use unicode_normalization::UnicodeNormalization;

/// Name under which [`analyzer`] is registered in the index.
pub const ANALYZER: &str = "chat_en";
/// Name under which [`raw_analyzer`] is registered in the index.
pub const RAW_ANALYZER: &str = "chat_raw";

/// Operators that are words in programming questions (`is` vs `==`).
const OPERATORS: [&str; 14] = [
    "==", "!=", "<=", ">=", "**", "//", ":=", "->", "+=", "-=", "<<", ">>", "&&", "||",
];

/// Longest token kept; longer ones are noise (hashes, base64, pasted junk).
const MAX_TOKEN_BYTES: usize = 40;

/// Words that carry no meaning in a question: Lucene's English stop words, plus the
/// words that only make chat a question ("what", "how", "explain", "vs", ...).
const STOP_WORDS: [&str; 63] = [
    // Lucene's English list, as tantivy ships it.
    "a", "an", "and", "are", "as", "at", "be", "but", "by", "for", "if", "in", "into", "is", "it",
    "no", "not", "of", "on", "or", "such", "that", "the", "their", "then", "there", "these",
    "they", "this", "to", "was", "will", "with", // Question and chat words.
    "what", "whats", "how", "why", "which", "when", "where", "who", "do", "does", "did", "can",
    "could", "would", "should", "you", "your", "i", "me", "my", "we", "our", "explain", "describe",
    "tell", "please", "vs", "versus", "about", "s",
];

/// The analyzer used for every text field and every query.
pub fn analyzer() -> TextAnalyzer {
    TextAnalyzer::builder(ChatTokenizer::default())
        .filter(RemoveLongFilter::limit(MAX_TOKEN_BYTES))
        .filter(LowerCaser)
        .filter(AsciiFoldingFilter)
        .filter(StopWordFilter::remove(STOP_WORDS.map(String::from)))
        .filter(Stemmer::new(Language::English))
        .build()
}

/// Words as written: lowercased and folded, not stemmed, stop words kept.
pub fn raw_analyzer() -> TextAnalyzer {
    TextAnalyzer::builder(ChatTokenizer::default())
        .filter(RemoveLongFilter::limit(MAX_TOKEN_BYTES))
        .filter(LowerCaser)
        .filter(AsciiFoldingFilter)
        .build()
}

/// The words of `text` as typed (see [`raw_analyzer`]).
pub fn raw_words(text: &str) -> Vec<String> {
    terms(&mut raw_analyzer(), text)
}

/// The analyzed terms of `text`, in order, duplicates kept.
pub fn terms(analyzer: &mut TextAnalyzer, text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut stream = analyzer.token_stream(text);
    while let Some(token) = stream.next() {
        out.push(token.text.clone());
    }
    out
}

/// Splits NFKC-normalised text into alphanumeric words and known operators.
#[derive(Clone, Default)]
pub struct ChatTokenizer {
    tokens: Vec<Token>,
}

pub struct ChatTokenStream<'a> {
    tokens: &'a mut [Token],
    next: usize,
}

impl Tokenizer for ChatTokenizer {
    type TokenStream<'a> = ChatTokenStream<'a>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> ChatTokenStream<'a> {
        self.tokens.clear();
        let mut push = |text: String, from: usize, to: usize| {
            let position = self.tokens.len();
            self.tokens.push(Token {
                offset_from: from,
                offset_to: to,
                position,
                text,
                position_length: 1,
            });
        };
        let chars: Vec<(usize, char)> = text.char_indices().collect();
        let mut i = 0;
        while i < chars.len() {
            let (start, c) = chars[i];
            if is_word_char(c) {
                let mut j = i;
                while j < chars.len() && is_word_char(chars[j].1) {
                    j += 1;
                }
                let end = chars.get(j).map_or(text.len(), |&(o, _)| o);
                push(text[start..end].nfkc().collect(), start, end);
                i = j;
            } else if let Some(op) = operator_at(&text[start..]) {
                push(op.to_string(), start, start + op.len());
                i += op.chars().count();
            } else {
                i += 1;
            }
        }
        ChatTokenStream {
            tokens: &mut self.tokens,
            next: 0,
        }
    }
}

/// Letters and digits, including full-width ones; `_` splits (`__repr__` is `repr`).
fn is_word_char(c: char) -> bool {
    c.is_alphanumeric()
}

fn operator_at(rest: &str) -> Option<&'static str> {
    let folded: String = rest.chars().take(2).collect::<String>().nfkc().collect();
    OPERATORS.iter().copied().find(|op| folded == *op)
}

impl TokenStream for ChatTokenStream<'_> {
    fn advance(&mut self) -> bool {
        self.next += 1;
        self.next <= self.tokens.len()
    }

    fn token(&self) -> &Token {
        &self.tokens[self.next - 1]
    }

    fn token_mut(&mut self) -> &mut Token {
        &mut self.tokens[self.next - 1]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn analyze(text: &str) -> Vec<String> {
        terms(&mut analyzer(), text)
    }

    #[test]
    fn words_are_lowercased_stemmed_and_stop_words_dropped() {
        assert_eq!(analyze("The Containers are running"), ["contain", "run"]);
        assert_eq!(analyze("What's the GIL? Can you explain?"), ["gil"]);
    }

    #[test]
    fn operators_are_terms() {
        assert_eq!(analyze("is vs =="), ["=="]);
    }

    #[test]
    fn full_width_text_folds_to_ascii() {
        assert_eq!(analyze("ＴＣＰ　ｖｓ　ＵＤＰ"), ["tcp", "udp"]);
    }

    #[test]
    fn query_syntax_is_plain_text() {
        assert_eq!(analyze("title:foo AND ("), ["titl", "foo"]);
    }
}
