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

/// Splits text, NFKC-normalised first, into alphanumeric words and known operators.
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
        let normalized: String;
        let text = if text.is_ascii() {
            text
        } else {
            normalized = text.nfkc().collect();
            normalized.as_str()
        };
        let mut rest = text.char_indices().peekable();
        while let Some((start, c)) = rest.next() {
            let end = if c.is_alphanumeric() {
                let mut end = start + c.len_utf8();
                while let Some(&(i, next)) = rest.peek() {
                    if !next.is_alphanumeric() {
                        break;
                    }
                    end = i + next.len_utf8();
                    rest.next();
                }
                end
            } else if let Some(op) = OPERATORS.iter().find(|op| text[start..].starts_with(**op)) {
                rest.nth(op.len() - 2);
                start + op.len()
            } else {
                continue;
            };
            let position = self.tokens.len();
            self.tokens.push(Token {
                offset_from: start,
                offset_to: end,
                position,
                text: text[start..end].to_string(),
                position_length: 1,
            });
        }
        ChatTokenStream {
            tokens: &mut self.tokens,
            next: 0,
        }
    }
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
    fn decomposed_letters_stay_in_their_word() {
        assert_eq!(analyze("nai\u{308}ve"), analyze("naïve"));
        assert_eq!(analyze("nai\u{308}ve").len(), 1);
    }

    #[test]
    fn query_syntax_is_plain_text() {
        assert_eq!(analyze("title:foo AND ("), ["titl", "foo"]);
    }
}
