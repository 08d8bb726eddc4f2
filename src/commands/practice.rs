//! `/practice`, `/grade` and the practice buttons: personal spaced-repetition
//! practice, always private. Deals a card, shows its answer with Again / Hard /
//! Good / Easy, records the grade and deals the next; `/practice new` starts
//! new cards, `add` queues one, `remind`, `settings` and `reset` manage the
//! learner's practice. The rules live in [`crate::practice`]; replies in
//! [`crate::render::practice`].

use std::sync::Arc;

use jiff::civil::Time;
use jiff::tz::TimeZone;

use super::spec::{
    Access, CommandSpec, Invocation, Kind, OptionSpec, Privacy, Surface, TOPIC, at_most, option,
    required,
};
use super::{Command, ParseError};
use crate::bot::{Bot, Context, Showing};
use crate::practice::{Deal, Deck, Grade, Graded, Learner};
use crate::render::practice as render;
use crate::reply::{ButtonId, Data, Reply};
use crate::schedule::rule;

/// `on` or `off`, and the words that mean them.
const ON_OFF: Kind = Kind::Choice {
    values: &["on", "off"],
    aliases: &[
        ("yes", "on"),
        ("no", "off"),
        ("true", "on"),
        ("false", "off"),
    ],
};
/// The grades of a practice card, and their numbers.
const GRADES: &[&str] = &["again", "hard", "good", "easy"];
const GRADE_ALIASES: &[(&str, &str)] =
    &[("1", "again"), ("2", "hard"), ("3", "good"), ("4", "easy")];
const ENTRY_ID: OptionSpec = at_most(
    required(option("id", Kind::Id, "the question's id, like docker-017")),
    60,
);

/// `/practice start` and `/practice new`: a card to practise.
fn deal_request(inv: &Invocation, new: bool) -> Result<Command, ParseError> {
    Ok(Command::Practice(Request::Deal {
        topic: inv.string("topic"),
        new,
    }))
}

/// `/practice remind [on|off] [time] [zone]`.
fn remind_request(inv: &Invocation) -> Result<Command, ParseError> {
    let time = inv.text("time").map(rule::parse_time).transpose();
    let zone = inv.text("zone").map(rule::resolve_zone).transpose();
    Ok(Command::Practice(Request::Remind {
        off: inv.text("switch") == Some("off"),
        time: time.map_err(ParseError)?,
        zone: zone.map_err(ParseError)?.map(|z| (z.zone, z.name)),
    }))
}

/// `/practice start`: its entry in the command table.
pub static START: CommandSpec = CommandSpec {
    path: &["practice", "start"],
    aliases: &[],
    summary: "Your next due practice card, private; grade yourself after the answer",
    details: "spaced repetition (FSRS): what you forget comes back soon, what you know later; in text /practice [topic] works too",
    example: "/practice start docker",
    options: &[TOPIC],
    access: Access::Anyone,
    privacy: Privacy::Personal,
    surface: Surface::Everywhere,
    decode: |inv| deal_request(inv, false),
};

/// `/practice new`: its entry in the command table.
pub static NEW: CommandSpec = CommandSpec {
    path: &["practice", "new"],
    aliases: &[],
    summary: "A card you have not practised yet (practice.new_per_day a day)",
    details: "cards you added with Practise this or missed in quizzes come first",
    example: "/practice new python",
    options: &[TOPIC],
    access: Access::Anyone,
    privacy: Privacy::Personal,
    surface: Surface::Everywhere,
    decode: |inv| deal_request(inv, true),
};

/// `/practice reveal`: its entry in the command table.
pub static REVEAL: CommandSpec = CommandSpec {
    path: &["practice", "reveal"],
    aliases: &[],
    summary: "The answer of your practice card (also /reveal)",
    details: "",
    example: "/practice reveal",
    options: &[],
    access: Access::Anyone,
    privacy: Privacy::Personal,
    surface: Surface::Text,
    decode: |_| Ok(Command::Practice(Request::Reveal { card: None })),
};

/// `/grade`: its entry in the command table.
pub static GRADE: CommandSpec = CommandSpec {
    path: &["grade"],
    aliases: &[],
    summary: "Grade your practice card after its answer: again, hard, good or easy",
    details: "again brings it back in minutes; the others in days, longer the easier it was",
    example: "/grade good",
    options: &[required(option(
        "grade",
        Kind::Choice {
            values: GRADES,
            aliases: GRADE_ALIASES,
        },
        "again, hard, good or easy",
    ))],
    access: Access::Anyone,
    privacy: Privacy::Personal,
    surface: Surface::Text,
    decode: |inv| {
        Ok(Command::Practice(Request::Grade {
            grade: grade_name(inv.text("grade").unwrap_or_default())?,
            card: None,
        }))
    },
};

/// `/practice add`: its entry in the command table.
pub static ADD: CommandSpec = CommandSpec {
    path: &["practice", "add"],
    aliases: &[],
    summary: "Add a question to your practice (the Practise this button under answers)",
    details: "",
    example: "/practice add docker-017",
    options: &[ENTRY_ID],
    access: Access::Anyone,
    privacy: Privacy::Personal,
    surface: Surface::Everywhere,
    decode: |inv| {
        Ok(Command::Practice(Request::Add {
            entry: inv.string("id").unwrap_or_default(),
        }))
    },
};

/// `/practice remind`: its entry in the command table.
pub static REMIND: CommandSpec = CommandSpec {
    path: &["practice", "remind"],
    aliases: &[],
    summary: "A direct message when cards are due, daily at a time in your zone",
    details: "off stops it; without a time it shows your reminder",
    example: "/practice remind 08:00 Europe/Berlin",
    options: &[
        option("switch", ON_OFF, "off stops the reminder"),
        at_most(option("time", Kind::TimeOfDay, "HH:MM, 24-hour"), 5),
        OptionSpec {
            aliases: &["tz"],
            ..at_most(
                option(
                    "zone",
                    Kind::Zone,
                    "IANA time zone, for example Europe/Berlin",
                ),
                64,
            )
        },
    ],
    access: Access::Anyone,
    privacy: Privacy::Personal,
    surface: Surface::Everywhere,
    decode: remind_request,
};

/// `/practice settings`: its entry in the command table.
pub static SETTINGS: CommandSpec = CommandSpec {
    path: &["practice", "settings"],
    aliases: &[],
    summary: "Your practice settings: quiz:on adds questions you miss in quizzes",
    details: "",
    example: "/practice settings quiz:on",
    options: &[option(
        "quiz",
        ON_OFF,
        "questions you miss in quizzes join your practice",
    )],
    access: Access::Anyone,
    privacy: Privacy::Personal,
    surface: Surface::Everywhere,
    decode: |inv| {
        Ok(Command::Practice(Request::Settings {
            quiz: inv.text("quiz").map(|v| v == "on"),
        }))
    },
};

/// `/practice reset`: its entry in the command table.
pub static RESET: CommandSpec = CommandSpec {
    path: &["practice", "reset"],
    aliases: &[],
    summary: "Delete your practice cards, grades and settings (asks first)",
    details: "",
    example: "/practice reset",
    options: &[option(
        "confirm",
        Kind::Choice {
            values: &["yes"],
            aliases: &[("confirm", "yes")],
        },
        "yes deletes without asking again",
    )],
    access: Access::Anyone,
    privacy: Privacy::Personal,
    surface: Surface::Everywhere,
    decode: |inv| {
        Ok(Command::Practice(Request::Reset {
            confirmed: inv.text("confirm") == Some("yes"),
        }))
    },
};

/// One practice request, from a command or a button.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Request {
    /// The next due card (`new`: a card not practised yet).
    Deal { topic: Option<String>, new: bool },
    /// The answer of a card (`None`: the one dealt last).
    Reveal { card: Option<(String, i64)> },
    /// A grade of a card (`None`: the one dealt last).
    Grade {
        grade: &'static str,
        card: Option<(String, i64)>,
    },
    /// Adds an entry to practise (the Practise this button).
    Add { entry: String },
    /// The daily reminder: set, off, or shown.
    Remind {
        off: bool,
        time: Option<Time>,
        zone: Option<(TimeZone, String)>,
    },
    /// Whether quiz misses join the queue (`None`: show the settings).
    Settings { quiz: Option<bool> },
    /// Deletes the learner's practice (`confirmed`), or asks first.
    Reset { confirmed: bool },
}

impl Request {
    /// The request a practice button sends; `None` for other buttons.
    pub fn from_button(button: ButtonId) -> Option<Request> {
        Some(match button {
            ButtonId::PracticeReveal { entry, reps } => Request::Reveal {
                card: Some((entry, reps)),
            },
            ButtonId::PracticeGrade { entry, reps, grade } => Request::Grade {
                grade: grade_name(&grade).ok()?,
                card: Some((entry, reps)),
            },
            ButtonId::PracticeNext { new, topic } => Request::Deal { topic, new },
            ButtonId::PracticeAdd { entry } => Request::Add { entry },
            ButtonId::PracticeReset => Request::Reset { confirmed: true },
            _ => return None,
        })
    }

    /// The command table's entry.
    pub fn spec(&self) -> &'static CommandSpec {
        match self {
            Request::Deal { new: false, .. } => &START,
            Request::Deal { new: true, .. } => &NEW,
            Request::Reveal { .. } => &REVEAL,
            Request::Grade { .. } => &GRADE,
            Request::Add { .. } => &ADD,
            Request::Remind { .. } => &REMIND,
            Request::Settings { .. } => &SETTINGS,
            Request::Reset { .. } => &RESET,
        }
    }
}

fn grade_name(word: &str) -> Result<&'static str, ParseError> {
    Grade::parse(word).map(Grade::name).ok_or_else(|| {
        ParseError(format!(
            "`{word}` is not a grade: again, hard, good or easy"
        ))
    })
}

/// The learner speaking in `ctx`.
pub fn learner(ctx: &Context) -> Learner {
    Learner::new(ctx.platform, &ctx.guild, &ctx.user)
}

/// The practice card dealt last to the person in `ctx`, if any.
pub fn showing(bot: &Bot, ctx: &Context) -> Option<Showing> {
    bot.practice_showing(learner(ctx).key())
}

/// Answers a practice request; a grade answers with its result and the next card.
pub async fn handle(bot: &Arc<Bot>, ctx: &Context, request: Request) -> Vec<Reply> {
    let entries = bot.entries(&ctx.guild);
    let learner = learner(ctx);
    let deck = Deck {
        store: bot.store(),
        bank: &entries,
        rules: bot.practice_rules(),
        learner: &learner,
    };
    let now = bot.now();
    let failed = |e| vec![render::practice_error(e, ctx.platform)];
    match request {
        Request::Deal { topic, new } => {
            if let Some(topic) = topic.as_deref().filter(|t| !entries.has_topic(t)) {
                return vec![super::topics::unknown_topic(bot, topic)];
            }
            vec![deal(bot, ctx, &deck, topic, new).await]
        }
        Request::Reveal { card } => {
            let Some((entry, reps)) = card.or_else(|| dealt_last(bot, &learner)) else {
                return vec![nothing_shown(ctx)];
            };
            match entries.card(&entry) {
                Some(question) => vec![render::answer(question, reps, ctx.platform)],
                None => failed(crate::practice::PracticeError::UnknownEntry(entry)),
            }
        }
        Request::Grade { grade, card } => {
            let Some((entry, reps)) = card.or_else(|| dealt_last(bot, &learner)) else {
                return vec![nothing_shown(ctx)];
            };
            let grade = Grade::parse(grade).expect("grades are checked when built");
            let related: Vec<String> = match entries.card(&entry) {
                Some(question) => bot
                    .related(&entries, question)
                    .into_iter()
                    .map(|q| q.id.clone())
                    .collect(),
                None => Vec::new(),
            };
            let graded = match deck.grade(&entry, Some(reps), grade, &related, now).await {
                Ok(graded) => graded,
                Err(e) => return failed(e),
            };
            let zone = match deck.settings().await {
                Ok(settings) => settings.zone,
                Err(e) => return failed(e),
            };
            let reply = render::graded(&entry, grade, &graded, &zone);
            if graded == Graded::AlreadyGraded {
                return vec![reply];
            }
            let topic = bot
                .practice_showing(learner.key())
                .and_then(|showing| showing.topic);
            vec![reply, deal(bot, ctx, &deck, topic, false).await]
        }
        Request::Add { entry } => match deck.add(&entry, now).await {
            Ok(added) => vec![added_reply(&entry, added, ctx)],
            Err(e) => failed(e),
        },
        Request::Remind { off, time, zone } => remind(&deck, ctx, off, time, zone, now).await,
        Request::Settings { quiz } => {
            if let Some(on) = quiz {
                if let Err(e) = deck.set_quiz_cards(on, &ctx.guild, &ctx.user, now).await {
                    return failed(e);
                }
            }
            match deck.settings().await {
                Ok(settings) => vec![Reply::private(format!(
                    "Questions you miss in quizzes {} your practice ({} quiz:{}). Your days follow {}.",
                    if settings.quiz_cards { "join" } else { "do not join" },
                    ctx.platform.command("practice settings"),
                    if settings.quiz_cards { "off" } else { "on" },
                    settings.zone.iana_name().unwrap_or("UTC"),
                ))],
                Err(e) => failed(e),
            }
        }
        Request::Reset { confirmed: false } => vec![
            Reply::private(format!(
                "This deletes your practice cards, every grade and your reminder, for good. Sure? ({} confirm)",
                ctx.platform.command("practice reset")
            ))
            .with_choice(ButtonId::PracticeReset.choice("Delete my practice history")),
        ],
        Request::Reset { confirmed: true } => match deck.reset().await {
            Ok(cards) => {
                bot.show_practice(learner.key(), None);
                vec![Reply::private(format!(
                    "Your practice history is deleted ({}).",
                    crate::render::plural(cards as i64, "card")
                ))]
            }
            Err(e) => failed(e),
        },
    }
}

/// The practice of the person in `ctx` at a glance, with a Start button: the
/// App Home's practice part (see [`render::home`]).
pub async fn home(bot: &Bot, ctx: &Context) -> Reply {
    let library = bot.library();
    let learner = learner(ctx);
    let deck = Deck {
        store: bot.store(),
        bank: &library.bank,
        rules: bot.practice_rules(),
        learner: &learner,
    };
    match deck.stats(bot.now()).await {
        Ok(stats) => render::home(&stats, ctx.platform),
        Err(e) => render::practice_error(e, ctx.platform),
    }
}

/// The card dealt last to `learner`: (entry, reviews).
fn dealt_last(bot: &Bot, learner: &Learner) -> Option<(String, i64)> {
    bot.practice_showing(learner.key())
        .map(|showing| (showing.entry, showing.reps))
}

fn nothing_shown(ctx: &Context) -> Reply {
    Reply::error(format!(
        "no practice card is showing: {} deals one",
        ctx.platform.command("practice")
    ))
}

/// Deals the next card and remembers it, or says nothing is due.
async fn deal(
    bot: &Bot,
    ctx: &Context,
    deck: &Deck<'_>,
    topic: Option<String>,
    new: bool,
) -> Reply {
    let now = bot.now();
    let learner = deck.learner.key();
    let deal = match deck.deal(topic.as_deref(), new, now).await {
        Ok(deal) => deal,
        Err(e) => return render::practice_error(e, ctx.platform),
    };
    match &deal {
        Deal::Card(dealt) => match deck.bank.card(&dealt.entry) {
            Some(question) => {
                bot.show_practice(
                    learner,
                    Some(Showing {
                        entry: dealt.entry.clone(),
                        reps: dealt.reps,
                        topic,
                    }),
                );
                render::card(question, dealt, ctx.platform)
            }
            None => render::practice_error(
                crate::practice::PracticeError::UnknownEntry(dealt.entry.clone()),
                ctx.platform,
            ),
        },
        Deal::Done { .. } => {
            bot.show_practice(learner, None);
            let zone = match deck.settings().await {
                Ok(settings) => settings.zone,
                Err(e) => return render::practice_error(e, ctx.platform),
            };
            render::done(&deal, topic.as_deref(), &zone, now, ctx.platform)
        }
    }
}

fn added_reply(entry: &str, added: bool, ctx: &Context) -> Reply {
    let text = match added {
        true => format!(
            "Added {entry} to your practice: it comes with your new cards ({}).",
            ctx.platform.command("practice new")
        ),
        false => format!("{entry} is in your practice already."),
    };
    Reply::private(text).with_data(Data::PracticeAdded {
        entry: entry.to_string(),
        added,
    })
}

async fn remind(
    deck: &Deck<'_>,
    ctx: &Context,
    off: bool,
    time: Option<Time>,
    zone: Option<(TimeZone, String)>,
    now: jiff::Timestamp,
) -> Vec<Reply> {
    let failed = |e| vec![render::practice_error(e, ctx.platform)];
    let settings = match deck.settings().await {
        Ok(settings) => settings,
        Err(e) => return failed(e),
    };
    if off {
        return match deck.set_reminder(None, &ctx.guild, &ctx.user, now).await {
            Ok(_) => vec![Reply::private(
                "Your practice reminder is off: no more direct messages.",
            )],
            Err(e) => failed(e),
        };
    }
    let Some(time) = time else {
        let text = match settings.remind_at {
            Some(at) => format!(
                "You are reminded at {} {} when cards are due ({} off stops it).",
                at.strftime("%H:%M"),
                settings.zone.iana_name().unwrap_or("UTC"),
                ctx.platform.command("practice remind")
            ),
            None => format!(
                "No reminder is set: {} sends a direct message on days cards are due.",
                ctx.platform.command("practice remind 08:00 Europe/Berlin")
            ),
        };
        return vec![Reply::private(text)];
    };
    let zone = zone.map(|(zone, _)| zone).unwrap_or(settings.zone);
    match deck
        .set_reminder(Some((time, zone.clone())), &ctx.guild, &ctx.user, now)
        .await
    {
        Ok(next) => {
            let next = next
                .map(|at| {
                    at.to_zoned_datetime(zone.clone())
                        .strftime("%a %-d %b %H:%M %Z")
                        .to_string()
                })
                .unwrap_or_default();
            vec![Reply::private(format!(
                "You will get a direct message at {} {} on days cards are due; the first check is {next}.",
                time.strftime("%H:%M"),
                zone.iana_name().unwrap_or("UTC")
            ))]
        }
        Err(e) => failed(e),
    }
}
