//! Acronyms and synonyms (`data/synonyms.toml`): a query that says one member of a
//! group also searches for the others.

use std::path::Path;

use serde::Deserialize;
use tantivy::tokenizer::TextAnalyzer;

use super::SearchError;
use super::analyzer::terms;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SynonymsFile {
    #[serde(default)]
    group: Vec<GroupEntry>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct GroupEntry {
    terms: Vec<String>,
}

/// Groups of equivalent phrases, each phrase kept as analyzed terms.
#[derive(Debug, Clone, Default)]
pub struct Synonyms {
    groups: Vec<Vec<Vec<String>>>,
}

impl Synonyms {
    /// Reads a synonyms file; a missing file means no synonyms.
    pub fn load(path: &Path, analyzer: &mut TextAnalyzer) -> Result<Self, SearchError> {
        let text = match std::fs::read_to_string(path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Self::default()),
            Err(e) => return Err(SearchError::Synonyms(format!("{}: {e}", path.display()))),
        };
        Self::parse(&text, analyzer)
            .map_err(|e| SearchError::Synonyms(format!("{}: {e}", path.display())))
    }

    pub fn parse(text: &str, analyzer: &mut TextAnalyzer) -> Result<Self, String> {
        let file: SynonymsFile = toml::from_str(text).map_err(|e| {
            let line = e
                .span()
                .map(|s| text[..s.start].matches('\n').count() + 1)
                .unwrap_or(1);
            format!("line {line}: {}", e.message())
        })?;
        let groups = file
            .group
            .into_iter()
            .map(|g| {
                g.terms
                    .iter()
                    .map(|t| terms(analyzer, t))
                    .filter(|t| !t.is_empty())
                    .collect::<Vec<_>>()
            })
            .filter(|g| g.len() > 1)
            .collect();
        Ok(Synonyms { groups })
    }

    /// For each phrase of the query that is a member of a group, the group's other
    /// members (as analyzed phrases) and the query positions of the phrase.
    pub fn expand(&self, query: &[String]) -> Vec<Expansion> {
        let mut out = Vec::new();
        for group in &self.groups {
            let mut positions: Vec<usize> = Vec::new();
            for member in group {
                if let Some(start) = find_run(query, member) {
                    positions.extend(start..start + member.len());
                }
            }
            if positions.is_empty() {
                continue;
            }
            positions.sort_unstable();
            positions.dedup();
            let phrases: Vec<Vec<String>> = group
                .iter()
                .filter(|member| find_run(query, member).is_none())
                .cloned()
                .collect();
            if !phrases.is_empty() {
                out.push(Expansion { positions, phrases });
            }
        }
        out
    }
}

/// The phrases a phrase of the query stands for, and where that phrase is in the
/// query.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Expansion {
    pub positions: Vec<usize>,
    pub phrases: Vec<Vec<String>>,
}

fn find_run(haystack: &[String], needle: &[String]) -> Option<usize> {
    if needle.is_empty() {
        return None;
    }
    haystack.windows(needle.len()).position(|w| w == needle)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analyzer::analyzer;

    #[test]
    fn each_member_stands_for_the_others() {
        let mut a = analyzer();
        let synonyms = Synonyms::parse(
            "[[group]]\nterms = [\"k8s\", \"kubernetes\"]\n[[group]]\nterms = [\"jwt\", \"json web token\"]\n",
            &mut a,
        )
        .unwrap();
        let q = |text: &str| terms(&mut analyzer(), text);
        assert_eq!(
            synonyms.expand(&q("k8s pods")),
            [Expansion {
                positions: vec![0],
                phrases: vec![q("kubernetes")]
            }]
        );
        assert_eq!(
            synonyms.expand(&q("what is a json web token")),
            [Expansion {
                positions: vec![0, 1, 2],
                phrases: vec![q("jwt")]
            }]
        );
        assert!(synonyms.expand(&q("json tokens")).is_empty());
    }

    #[test]
    fn broken_file_names_the_line() {
        let err = Synonyms::parse("[[group]]\nterms = [\"a\",\n", &mut analyzer()).unwrap_err();
        assert!(err.starts_with("line "), "{err}");
    }
}
