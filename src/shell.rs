//! The shell adapter, the embedded default: a terminal chat that speaks every
//! command. Interactive on a terminal (line editing, history); scriptable when stdin
//! is not one, reading one command per line, with `--json` printing each reply as
//! one JSON object per line. `/as NAME` and `/in CHANNEL` switch who speaks where,
//! `/role member|moderator` what they may do. With `--fake-clock` time moves only by
//! `/clock +DURATION`, which runs everything that falls due in that span, in order.
//! The bot's own posts reach the terminal through the same outbox and
//! [`Sink`] as on the platforms; each is printed right after the command that
//! caused it, or when it falls due. Fenced code in a reply is shown indented
//! by four spaces without its backticks, its language a dim label on a terminal.

use std::io::{BufRead, IsTerminal, Write};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use jiff::{Span, SpanRelativeTo, Timestamp};
use serde::Serialize;
use tokio::sync::mpsc;

use crate::bot::{Bot, Context};
use crate::clock::FakeClock;
use crate::commands::{self, help};
use crate::platform::Platform;
use crate::reply::{Choice, Data, Reply};
use crate::runtime::Post;
use crate::runtime::{Shutdown, Sink, SinkError};

/// The server/workspace every shell conversation happens in.
pub const SHELL_GUILD: &str = "shell";
/// At most this many due events run for one `/clock`.
const MAX_EVENTS_PER_CLOCK: usize = 100_000;
/// The shell's own commands, listed in its `/help` after the bot's.
pub const SHELL_COMMANDS: &[(&str, &str)] = &[
    ("/as NAME", "speak as someone else"),
    ("/in CHANNEL", "move to another channel"),
    (
        "/role member|moderator",
        "what the current person may do (everyone starts as a moderator)",
    ),
    (
        "/clock +DURATION",
        "with --fake-clock: move time on, running what falls due (+30s, +2h, +1d)",
    ),
    ("/quit", "leave (also Ctrl-D)"),
];

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
    at: String,
    channel: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    user: Option<&'a str>,
    text: &'a str,
    ephemeral: bool,
    #[serde(skip_serializing_if = "<[Choice]>::is_empty")]
    choices: &'a [Choice],
    #[serde(skip_serializing_if = "Option::is_none")]
    data: Option<&'a Data>,
}

/// Where replies go: stdout, shared with the ticker that posts due events.
#[derive(Clone)]
pub struct Printer {
    json: bool,
    /// Whether the output is a terminal that shows colours (dim code labels).
    colour: bool,
    out: Arc<Mutex<Box<dyn Write + Send>>>,
}

impl Printer {
    pub fn new(json: bool, out: Box<dyn Write + Send>) -> Self {
        Printer {
            json,
            colour: false,
            out: Arc::new(Mutex::new(out)),
        }
    }

    /// Shows code blocks' languages as dim labels (for a terminal).
    pub fn with_colour(mut self, colour: bool) -> Self {
        self.colour = colour;
        self
    }

    fn print(&self, at: Timestamp, channel: &str, user: Option<&str>, reply: &Reply) {
        let mut out = self.out.lock().unwrap_or_else(|p| p.into_inner());
        let written = if self.json {
            let json = JsonReply {
                at: at.to_string(),
                channel,
                user,
                text: &reply.text,
                ephemeral: reply.ephemeral,
                choices: &reply.choices,
                data: reply.data.as_ref(),
            };
            serde_json::to_string(&json)
                .map_err(std::io::Error::other)
                .and_then(|line| writeln!(out, "{line}"))
        } else {
            let mut text = crate::markdown::render(
                &reply.text,
                &Plain {
                    colour: self.colour,
                },
            );
            // Buttons whose labels the text already shows (quiz options) are not repeated.
            let buttons: Vec<String> = reply
                .choices
                .iter()
                .filter(|c| !reply.text.contains(&c.label))
                .map(|c| format!("[{}]", c.label))
                .collect();
            if !buttons.is_empty() {
                text.push('\n');
                text.push_str(&buttons.join(" "));
            }
            writeln!(out, "{text}\n")
        };
        if let Err(e) = written.and_then(|()| out.flush()) {
            tracing::debug!("cannot write a reply: {e}");
        }
    }
}

/// Text as the shell shows it: code indented by four spaces, no backticks,
/// and with `colour` its language as a dim label above it.
pub struct Plain {
    pub colour: bool,
}

impl crate::markdown::Style for Plain {
    fn open(&self, lang: &str) -> Option<String> {
        (self.colour && !lang.is_empty()).then(|| format!("    \x1b[2m{lang}\x1b[0m"))
    }

    fn close(&self) -> Option<String> {
        None
    }

    fn code_line(&self, line: &str) -> String {
        if line.is_empty() {
            String::new()
        } else {
            format!("    {line}")
        }
    }
}

impl Sink for Printer {
    async fn post(&self, post: &Post) -> Result<(), SinkError> {
        self.print(post.at, &post.channel, None, &post.reply);
        Ok(())
    }
}

/// What to do after a line.
#[derive(Debug, PartialEq, Eq)]
pub enum Flow {
    Continue,
    Quit,
}

/// A shell session: who is speaking where, and where replies go.
pub struct Shell {
    bot: Arc<Bot>,
    ctx: Context,
    printer: Printer,
    fake_clock: Option<Arc<FakeClock>>,
    /// Held while a line is answered, so the post loop prints a command's
    /// posts after its reply, never before.
    turn: Arc<tokio::sync::Mutex<()>>,
}

/// The post loop's sink: prints a post when no line is being answered.
struct InTurn {
    printer: Printer,
    turn: Arc<tokio::sync::Mutex<()>>,
}

impl Sink for InTurn {
    async fn post(&self, post: &Post) -> Result<(), SinkError> {
        let _turn = self.turn.lock().await;
        self.printer.post(post).await
    }
}

impl Shell {
    pub fn new(
        bot: Arc<Bot>,
        options: &ShellOptions,
        printer: Printer,
        fake_clock: Option<Arc<FakeClock>>,
    ) -> Self {
        let mut ctx = Context::new(SHELL_GUILD, &options.user, &options.channel);
        ctx.moderator = true;
        Shell {
            bot,
            ctx,
            printer,
            fake_clock,
            turn: Arc::default(),
        }
    }

    /// Handles one line: a shell command (`/as`, `/in`, `/role`, `/clock`, `/quit`)
    /// or a bot command.
    pub async fn line(&mut self, line: &str) -> Flow {
        let line = line.trim();
        if line.is_empty() {
            return Flow::Continue;
        }
        let turn = self.turn.clone().lock_owned().await;
        let (head, rest) = match line.split_once(char::is_whitespace) {
            Some((head, rest)) => (head, rest.trim()),
            None => (line, ""),
        };
        let replies = match head.to_ascii_lowercase().as_str() {
            "/quit" | "/exit" => return Flow::Quit,
            "/as" => vec![match name_arg(rest) {
                Some(user) => {
                    self.ctx.user = user;
                    Reply::private(format!("you are now {}", self.ctx.user))
                }
                None => Reply::error("usage: /as NAME (letters, digits, - _ .)"),
            }],
            "/in" => vec![match name_arg(rest.trim_start_matches('#')) {
                Some(channel) => {
                    self.ctx.channel = channel;
                    Reply::private(format!("you are now in #{}", self.ctx.channel))
                }
                None => Reply::error("usage: /in CHANNEL (letters, digits, - _ .)"),
            }],
            "/role" => vec![match rest.to_ascii_lowercase().as_str() {
                "member" => {
                    self.ctx.moderator = false;
                    Reply::private(format!("{} is now a member", self.ctx.user))
                }
                "moderator" => {
                    self.ctx.moderator = true;
                    Reply::private(format!("{} is now a moderator", self.ctx.user))
                }
                _ => Reply::error("usage: /role member or /role moderator"),
            }],
            "/clock" => vec![self.clock(rest).await],
            "/help" => vec![help::help(Platform::Shell, SHELL_COMMANDS)],
            _ => commands::handle_line(&self.bot, &self.ctx, line).await,
        };
        let at = self.bot.now();
        for reply in &replies {
            self.printer
                .print(at, &self.ctx.channel, Some(&self.ctx.user), reply);
        }
        drop(turn);
        self.deliver().await;
        Flow::Continue
    }

    /// Prints the posts that are ready (those the last command caused, say).
    async fn deliver(&self) -> bool {
        match self.bot.deliver(&self.printer).await {
            Ok(_) => true,
            Err(e) => {
                tracing::warn!("delivering posts: {e}");
                false
            }
        }
    }

    /// `/clock +DURATION`: moves the fake clock, running every due event on the
    /// way at its own instant.
    async fn clock(&mut self, rest: &str) -> Reply {
        let Some(clock) = self.fake_clock.clone() else {
            return Reply::error(
                "the clock is real here: start the shell with --fake-clock to move it",
            );
        };
        let duration = rest
            .strip_prefix('+')
            .and_then(|d| d.trim().parse::<Span>().ok())
            .and_then(|span| span.to_duration(SpanRelativeTo::days_are_24_hours()).ok());
        let Some(duration) = duration else {
            return Reply::error("usage: /clock +DURATION, for example /clock +30s, +2h or +1d");
        };
        if duration.is_negative() {
            return Reply::error("the clock only moves forward");
        }
        let Ok(target) = self.bot.now().checked_add(duration) else {
            return Reply::error("that duration is too long");
        };
        for _ in 0..MAX_EVENTS_PER_CLOCK {
            let due = match self.bot.next_due().await {
                Ok(due) => due,
                Err(e) => return crate::render::store_error(e),
            };
            match due {
                // Everything due up to now has run; anything still at or before now
                // could not run (its store call failed) and is retried later.
                Some(due) if due > self.bot.now() && due <= target => {
                    clock.set(due);
                    if !self.run_due().await {
                        return crate::render::unavailable();
                    }
                }
                _ => break,
            }
        }
        clock.set(target);
        Reply::private(format!("the time is now {target}"))
    }

    /// Runs whatever is due at the clock's time and prints its posts; false if
    /// the store is down.
    async fn run_due(&self) -> bool {
        match self.bot.tick().await {
            Ok(()) => self.deliver().await,
            Err(e) => {
                tracing::warn!("closing due questions: {e}");
                false
            }
        }
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

/// Runs the shell on stdin and stdout until end of input, `/quit` or
/// `shutdown` (a signal: the command in hand is finished first). With a real
/// clock [`Bot::run`] posts due events as they fall due; with a fake one they run
/// when `/clock` moves time (and once at start, for anything left from before).
pub async fn run(
    bot: Arc<Bot>,
    options: &ShellOptions,
    fake_clock: Option<Arc<FakeClock>>,
    mut shutdown: Shutdown,
) -> anyhow::Result<()> {
    let colour = std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none();
    let printer = Printer::new(options.json, Box::new(std::io::stdout())).with_colour(colour);
    let mut shell = Shell::new(bot.clone(), options, printer.clone(), fake_clock.clone());
    let (stop_runtime, runtime_shutdown) = crate::runtime::shutdown();
    let runtime = match fake_clock {
        Some(_) => {
            shell.run_due().await;
            None
        }
        None => {
            let bot = bot.clone();
            let sink = InTurn {
                printer: printer.clone(),
                turn: shell.turn.clone(),
            };
            Some(tokio::spawn(async move {
                bot.run(&sink, runtime_shutdown).await
            }))
        }
    };
    let interactive = std::io::stdin().is_terminal() && !options.json;
    let prompt = Arc::new(Mutex::new(shell.prompt()));
    let (mut lines, handled) = read_lines(interactive, prompt.clone(), shell.bot.bank().len());
    loop {
        let line = tokio::select! {
            line = lines.recv() => line,
            _ = shutdown.stopping() => None,
        };
        let Some(line) = line else { break };
        if shell.line(&line).await == Flow::Quit {
            break;
        }
        *prompt.lock().unwrap_or_else(|p| p.into_inner()) = shell.prompt();
        let _ = handled.send(());
    }
    stop_runtime.stop();
    match runtime {
        Some(runtime) => {
            if tokio::time::timeout(Duration::from_secs(8), runtime)
                .await
                .is_err()
            {
                tracing::warn!("the post loop did not stop in time");
            }
        }
        None => {
            shell.deliver().await;
        }
    }
    Ok(())
}

/// Lines from stdin, read on a thread of their own (with line editing and history
/// on a terminal) so due events keep being posted while the shell waits. On a
/// terminal the next prompt waits until the last line was handled (the second
/// channel says so).
fn read_lines(
    interactive: bool,
    prompt: Arc<Mutex<String>>,
    questions: usize,
) -> (mpsc::Receiver<String>, std::sync::mpsc::Sender<()>) {
    let (tx, rx) = mpsc::channel(16);
    let (handled_tx, handled_rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        if interactive {
            interactive_lines(&tx, &handled_rx, &prompt, questions);
        } else {
            let stdin = std::io::stdin();
            let mut input = stdin.lock();
            let mut buffer = Vec::new();
            loop {
                buffer.clear();
                match input.read_until(b'\n', &mut buffer) {
                    Ok(0) | Err(_) => break,
                    Ok(_) => {
                        let line = String::from_utf8_lossy(&buffer).into_owned();
                        if tx.blocking_send(line).is_err() {
                            break;
                        }
                    }
                }
            }
        }
    });
    (rx, handled_tx)
}

fn interactive_lines(
    tx: &mpsc::Sender<String>,
    handled: &std::sync::mpsc::Receiver<()>,
    prompt: &Mutex<String>,
    questions: usize,
) {
    use rustyline::error::ReadlineError;

    let Ok(mut editor) = rustyline::DefaultEditor::new() else {
        return;
    };
    let history = std::env::var_os("HOME")
        .map(|home| std::path::PathBuf::from(home).join(".interview_bot_history"));
    if let Some(path) = &history {
        let _ = editor.load_history(path);
    }
    println!(
        "interview-bot shell: {questions} questions. /help lists commands, /as NAME and /in CHANNEL switch user and channel, /quit leaves."
    );
    loop {
        let current = prompt.lock().unwrap_or_else(|p| p.into_inner()).clone();
        match editor.readline(&current) {
            Ok(line) => {
                if !line.trim().is_empty() {
                    let _ = editor.add_history_entry(line.as_str());
                }
                if tx.blocking_send(line).is_err() || handled.recv().is_err() {
                    break;
                }
            }
            Err(ReadlineError::Interrupted | ReadlineError::Eof) => break,
            Err(_) => break,
        }
    }
    if let Some(path) = &history {
        let _ = editor.save_history(path);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::markdown::render;

    #[test]
    fn code_is_indented_without_backticks_and_labelled_only_on_a_terminal() {
        let text = "Run:\n```bash\nls -l\n\n  cd /tmp\n```\nDone.";
        assert_eq!(
            render(text, &Plain { colour: false }),
            "Run:\n\n    ls -l\n\n      cd /tmp\n\nDone."
        );
        assert_eq!(
            render(text, &Plain { colour: true }),
            "Run:\n\n    \x1b[2mbash\x1b[0m\n    ls -l\n\n      cd /tmp\n\nDone."
        );
    }
}
