//! `/bank import`: a moderator's file (text, CSV or a Red trivia list) filed
//! as pending suggestions of the server's bank. Every record goes through the
//! checks `/suggest` runs ([`super::problems`]), so an import adds nothing a
//! moderator has not reviewed; what cannot be filed is reported as
//! `file:line: what`.

use std::path::Path;

use super::{Team, TeamError, clean};
use crate::bank::import::{Format, ImportError, ImportOptions, import_text};
use crate::store::Draft;

/// The largest file an import reads.
pub const MAX_IMPORT_BYTES: usize = 256 * 1024;
/// The most records one import files; the rest are reported, not filed.
pub const MAX_IMPORT_RECORDS: usize = 100;
/// The topic of records that name none, unless the moderator gives one.
pub const DEFAULT_TOPIC: &str = "general";

/// A file to import: its name (which says its format, unless given) and text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Upload {
    pub name: String,
    pub text: String,
}

/// What an import did: the suggestions it filed (their numbers) and why
/// the other records were not filed, each as `file:line: what`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ImportReport {
    pub filed: Vec<i64>,
    pub refused: Vec<String>,
}

impl Team<'_> {
    /// Files the records of `upload` (in `format`, else as its name says) as
    /// `moderator`'s suggestions in `server`, `topic` for records naming
    /// none; each checked like a `/suggest`. The hourly limit of members'
    /// suggestions does not apply; the bank's size limit does.
    pub async fn import(
        &self,
        server: &str,
        moderator: &str,
        upload: &Upload,
        format: Option<Format>,
        topic: Option<&str>,
        now: i64,
    ) -> Result<ImportReport, TeamError> {
        if upload.text.len() > MAX_IMPORT_BYTES {
            return Err(TeamError::Invalid(vec![format!(
                "{}: {} KB, larger than the {} KB an import reads: split it",
                upload.name,
                upload.text.len() / 1024,
                MAX_IMPORT_BYTES / 1024
            )]));
        }
        let path = Path::new(&upload.name);
        let format = format.unwrap_or_else(|| Format::of_file_name(&upload.name));
        let options = ImportOptions {
            topic: topic.unwrap_or(DEFAULT_TOPIC).to_string(),
            id_prefix: "import".to_string(),
            source: String::new(),
        };
        let imported = import_text(path, &upload.text, format, &options).map_err(|e| match e {
            ImportError::Format(diagnostic) => TeamError::Invalid(vec![diagnostic.to_string()]),
            other => TeamError::Invalid(vec![other.to_string()]),
        })?;
        let mut report = ImportReport {
            refused: imported.skipped.iter().map(ToString::to_string).collect(),
            ..ImportReport::default()
        };
        let partition = self.banks.partition(server);
        for (n, question) in imported.questions.iter().enumerate() {
            let at = &question.origin;
            if n >= MAX_IMPORT_RECORDS {
                report.refused.push(format!(
                    "{at}: not filed, an import files at most {MAX_IMPORT_RECORDS} records"
                ));
                continue;
            }
            let draft = clean(&Draft {
                question: question.question.clone(),
                answer: question.answer.clone(),
                topic: question.topic.clone(),
                source: question.source.clone(),
                aliases: question.aliases.clone(),
            });
            let problems = super::problems(&draft, self.library, partition.as_deref(), None);
            if !problems.is_empty() {
                report
                    .refused
                    .push(format!("{at}: {}", problems.join("; ")));
                continue;
            }
            self.room_left(server).await?;
            report
                .filed
                .push(self.store.suggest(server, moderator, &draft, now).await?);
        }
        Ok(report)
    }
}
