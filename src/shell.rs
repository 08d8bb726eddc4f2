//! The shell adapter, the embedded default: a terminal chat that speaks every
//! command. Interactive on a terminal (line editing, history); scriptable when stdin
//! is not one, reading one command per line, with `--json` printing each reply as
//! one JSON object per line. `/as NAME` and `/in CHANNEL` switch who speaks where.

use std::io::{BufRead, IsTerminal, Write};

use serde::Serialize;

use crate::bot::{Bot, Context};
use crate::reply::{Choice, Data, Reply};

/// How the shell is driven.
#[derive(Debug, Clone)]
pub struct ShellOptions {
    pub json: bool,
    pub user: String,
    pub channel: String,
}

impl Default for ShellOptions {
    fn default() -> Self {
        ShellOptions {
            json: false,
            user: "you".to_string(),
            channel: "general".to_string(),
        }
    }
}

/// One reply as the shell prints it with `--json`.
#[derive(Serialize)]
struct JsonReply<'a> {
    channel: &'a str,
    user: &'a str,
    text: &'a str,
    ephemeral: bool,
    #[serde(skip_serializing_if = "<[Choice]>::is_empty")]
    choices: &'a [Choice],
    #[serde(skip_serializing_if = "Option::is_none")]
    data: Option<&'a Data>,
}

/// A shell session: who is speaking where, and where replies go.
pub struct Shell<'a, W: Write> {
    bot: &'a Bot,
    ctx: Context,
    json: bool,
    out: W,
}

/// What to do after a line.
#[derive(Debug, PartialEq, Eq)]
pub enum Flow {
    Continue,
    Quit,
}

impl<'a, W: Write> Shell<'a, W> {
    pub fn new(bot: &'a Bot, options: &ShellOptions, out: W) -> Self {
        Shell {
            bot,
            ctx: Context::new(&options.user, &options.channel),
            json: options.json,
            out,
        }
    }

    /// Handles one line: a shell command (`/as`, `/in`, `/quit`) or a bot command.
    pub fn line(&mut self, line: &str) -> std::io::Result<Flow> {
        let line = line.trim();
        if line.is_empty() {
            return Ok(Flow::Continue);
        }
        let (head, rest) = match line.split_once(char::is_whitespace) {
            Some((head, rest)) => (head, rest.trim()),
            None => (line, ""),
        };
        let reply = match head.to_ascii_lowercase().as_str() {
            "/quit" | "/exit" => return Ok(Flow::Quit),
            "/as" => match name_arg(rest) {
                Some(user) => {
                    self.ctx.user = user;
                    Reply::private(format!("you are now {}", self.ctx.user))
                }
                None => Reply::error("usage: /as NAME (letters, digits, - _ .)"),
            },
            "/in" => match name_arg(rest.trim_start_matches('#')) {
                Some(channel) => {
                    self.ctx.channel = channel;
                    Reply::private(format!("you are now in #{}", self.ctx.channel))
                }
                None => Reply::error("usage: /in CHANNEL (letters, digits, - _ .)"),
            },
            _ => self.bot.handle_line(&self.ctx, line),
        };
        self.print(&reply)?;
        Ok(Flow::Continue)
    }

    fn print(&mut self, reply: &Reply) -> std::io::Result<()> {
        if self.json {
            let json = JsonReply {
                channel: &self.ctx.channel,
                user: &self.ctx.user,
                text: &reply.text,
                ephemeral: reply.ephemeral,
                choices: &reply.choices,
                data: reply.data.as_ref(),
            };
            let line = serde_json::to_string(&json).map_err(std::io::Error::other)?;
            writeln!(self.out, "{line}")?;
        } else {
            writeln!(self.out, "{}", reply.text)?;
            if !reply.choices.is_empty() {
                let buttons: Vec<String> = reply
                    .choices
                    .iter()
                    .map(|c| format!("[{}]", c.label))
                    .collect();
                writeln!(self.out, "{}", buttons.join(" "))?;
            }
            writeln!(self.out)?;
        }
        self.out.flush()
    }

    fn prompt(&self) -> String {
        format!("{}@#{}> ", self.ctx.user, self.ctx.channel)
    }
}

fn name_arg(text: &str) -> Option<String> {
    let name = text.trim();
    let valid = !name.is_empty()
        && name.len() <= 64
        && name
            .chars()
            .all(|c| c.is_alphanumeric() || matches!(c, '-' | '_' | '.'));
    valid.then(|| name.to_string())
}

/// Runs the shell on stdin and stdout until end of input or `/quit`.
pub fn run(bot: &Bot, options: &ShellOptions) -> anyhow::Result<()> {
    let stdout = std::io::stdout();
    let mut shell = Shell::new(bot, options, stdout.lock());
    if std::io::stdin().is_terminal() && !options.json {
        interactive(&mut shell)
    } else {
        scripted(&mut shell)
    }
}

fn scripted<W: Write>(shell: &mut Shell<'_, W>) -> anyhow::Result<()> {
    let stdin = std::io::stdin();
    let mut input = stdin.lock();
    let mut buffer = Vec::new();
    loop {
        buffer.clear();
        if input.read_until(b'\n', &mut buffer)? == 0 {
            return Ok(());
        }
        let line = String::from_utf8_lossy(&buffer);
        if shell.line(&line)? == Flow::Quit {
            return Ok(());
        }
    }
}

fn interactive<W: Write>(shell: &mut Shell<'_, W>) -> anyhow::Result<()> {
    use rustyline::error::ReadlineError;

    let mut editor = rustyline::DefaultEditor::new()?;
    let history = std::env::var_os("HOME")
        .map(|home| std::path::PathBuf::from(home).join(".interview_bot_history"));
    if let Some(path) = &history {
        let _ = editor.load_history(path);
    }
    println!(
        "interview-bot shell: {} questions. /help lists commands, /as NAME and /in CHANNEL switch user and channel, /quit leaves.",
        shell.bot.bank().len()
    );
    loop {
        match editor.readline(&shell.prompt()) {
            Ok(line) => {
                if !line.trim().is_empty() {
                    let _ = editor.add_history_entry(line.as_str());
                }
                if shell.line(&line)? == Flow::Quit {
                    break;
                }
            }
            Err(ReadlineError::Interrupted | ReadlineError::Eof) => break,
            Err(e) => return Err(e.into()),
        }
    }
    if let Some(path) = &history {
        let _ = editor.save_history(path);
    }
    Ok(())
}
