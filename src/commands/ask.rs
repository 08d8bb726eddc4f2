//! `/ask`: the best matching question with its answer, related questions, and
//! "not it?" for the next match.

use std::sync::Arc;

use super::spec::{
    Access, Autocomplete, CommandSpec, Kind, OptionSpec, Privacy, Surface, TOPIC, at_most, option,
    required,
};
use super::{Command, truncate};
use crate::bot::{AskState, Bot, Context};
use crate::library::Entries;
use crate::platform::Platform;
use crate::reply::{ButtonId, Card, Data, Related, Reply, shown_answer};
use crate::search::SearchOptions;
use crate::semantic::QueryVector;

/// `/ask`: its entry in the command table.
pub static ASK: CommandSpec = CommandSpec {
    path: &["ask"],
    aliases: &[],
    summary: "The best matching interview question, with its answer",
    details: "with related questions; \"not it?\" shows the next match",
    example: "/ask difference between tcp and udp",
    options: &[
        OptionSpec {
            autocomplete: Autocomplete::Questions,
            ..at_most(
                required(option("text", Kind::Text, "what you want to know")),
                500,
            )
        },
        TOPIC,
    ],
    access: Access::Anyone,
    privacy: Privacy::Public,
    surface: Surface::Everywhere,
    decode: |inv| {
        Ok(Command::Ask {
            text: inv.string("text").unwrap_or_default(),
            topic: inv.string("topic"),
        })
    },
};

/// `/next`: its entry in the command table.
pub static NEXT: CommandSpec = CommandSpec {
    path: &["next"],
    aliases: &["more"],
    summary: "The next match for your last /ask (\"not it?\")",
    details: "",
    example: "/next",
    options: &[],
    access: Access::Anyone,
    privacy: Privacy::Public,
    surface: Surface::Text,
    decode: |_| Ok(Command::Next),
};

/// `/show`: its entry in the command table.
pub static SHOW: CommandSpec = CommandSpec {
    path: &["show"],
    aliases: &[],
    summary: "One question of the bank with its answer, by id",
    details: "",
    example: "/show docker-017",
    options: &[at_most(
        required(option("id", Kind::Id, "the question's id, like docker-017")),
        60,
    )],
    access: Access::Anyone,
    privacy: Privacy::Public,
    surface: Surface::Everywhere,
    decode: |inv| {
        Ok(Command::Show {
            id: inv.string("id").unwrap_or_default(),
        })
    },
};

/// `/ask`, `/next` or `/show` (a related question's button): the search runs
/// on the CPU pool, then the answer shown is remembered (or the query the bank
/// could not answer recorded).
pub async fn run(bot: &Arc<Bot>, ctx: &Context, command: Command) -> Reply {
    let asked = matches!(command, Command::Ask { .. });
    let reply = on_cpu(bot, ctx, command).await;
    after_search(bot, ctx, &reply, asked).await;
    reply
}

/// Remembers the answer shown (for `/feedback`), or records a query the
/// bank had no entry for (for `/unanswered`), expiring old ones. An
/// `/ask` (`asked`) also sets which entry was shown first for its query.
async fn after_search(bot: &Bot, ctx: &Context, reply: &Reply, asked: bool) {
    if asked {
        bot.forget_first(ctx);
    }
    match &reply.data {
        Some(Data::Answer { card, query, .. }) => bot.remember_answer(ctx, &card.id, query, asked),
        Some(Data::NotInBank { query, .. }) => {
            let now = crate::clock::millis(bot.now());
            let store = bot.store();
            let recorded = store
                .record_unanswered(&ctx.guild, &ctx.user, query, now)
                .await;
            if let Err(e) = recorded {
                tracing::error!("an unanswered question was not recorded: {e}");
            }
            if let Err(e) = store
                .expire_unanswered(now - bot.keep_unanswered_ms())
                .await
            {
                tracing::warn!("cannot expire old unanswered questions: {e}");
            }
        }
        _ => {}
    }
}

/// Runs a search command on the CPU pool, never on the runtime's threads. Its
/// query is embedded first, in a batch with the other searches' waiting
/// ([`query_vector`]), and the search job takes the vector.
async fn on_cpu(bot: &Arc<Bot>, ctx: &Context, command: Command) -> Reply {
    let vector = query_vector(bot, ctx, &command).await;
    let pool = bot.cpu();
    let bot = bot.clone();
    let ctx = ctx.clone();
    let work = pool.run(move || match command {
        Command::Ask { text, topic } => ask(&bot, &ctx, &text, topic.as_deref(), vector.as_ref()),
        Command::Next => next(&bot, &ctx, vector.as_ref()),
        Command::Show { id } => show(&bot, &ctx, &id),
        other => Reply::error(format!("/{} is not a search", other.spec().name())),
    });
    match work.await {
        Ok(reply) => reply,
        Err(e) => {
            tracing::error!("a search failed: {e}");
            Reply::error("search is not available right now: try again shortly")
        }
    }
}

/// How many closest questions a "not in the bank" reply suggests.
const SUGGESTIONS: usize = 3;

/// A question by id, shown like the best match of an `/ask`.
pub fn show(bot: &Bot, ctx: &Context, id: &str) -> Reply {
    let entries = bot.entries(&ctx.guild);
    match entries.get(id) {
        Some(question) => answer_reply(bot, &entries, question, truncate(id, 200), 1, 1.0, None),
        None => Reply::error(format!(
            "no question has the id `{}`: ids look like docker-017",
            truncate(id, 40)
        )),
    }
}

/// The vector of the text a search `command` (`/ask`, `/next`) will match by
/// meaning, embedded with the other `/ask`s' waiting ([`QueryBatcher`]): call it
/// before the search job, and give the vector to [`ask`] or [`next`]. `None`
/// when the command embeds nothing (meaning off, an unknown topic, nothing to
/// follow up, `/show`) or embedding failed (the search then embeds the text
/// itself, or matches words only).
///
/// [`QueryBatcher`]: crate::query_vectors::QueryBatcher
pub async fn query_vector(bot: &Bot, ctx: &Context, command: &Command) -> Option<QueryVector> {
    let text = match command {
        Command::Ask { text, topic } => {
            if topic
                .as_deref()
                .is_some_and(|t| !bot.entries(&ctx.guild).has_topic(t))
            {
                return None;
            }
            text.clone()
        }
        Command::Next => bot.last_ask(ctx)?.text,
        _ => return None,
    };
    let library = bot.library();
    let meaning = library.searcher.meaning_text(&text)?;
    match bot.query_batcher().vector(library, meaning).await {
        Ok(vector) => Some(vector),
        Err(e) => {
            tracing::warn!("the query was not embedded in a batch: {e}");
            None
        }
    }
}

/// The best match for `text`; `vector` is the one [`query_vector`] made for it.
pub fn ask(
    bot: &Bot,
    ctx: &Context,
    text: &str,
    topic: Option<&str>,
    vector: Option<&QueryVector>,
) -> Reply {
    if let Some(topic) = topic {
        if !bot.entries(&ctx.guild).has_topic(topic) {
            return super::topics::unknown_topic(bot, topic);
        }
    }
    let state = AskState {
        text: text.to_string(),
        topic: topic.map(str::to_string),
        shown: 0,
    };
    answer_at(bot, ctx, state, true, vector)
}

/// The next match after the ones already shown for this person's last `/ask`;
/// `vector` is the one [`query_vector`] made for it.
pub fn next(bot: &Bot, ctx: &Context, vector: Option<&QueryVector>) -> Reply {
    match bot.last_ask(ctx) {
        Some(state) => answer_at(bot, ctx, state, false, vector),
        None => Reply::error("nothing to follow up: /ask a question first"),
    }
}

/// The match after the `state.shown` already shown; with `gate`, the first
/// match only when search is confident of it, else "not in the bank". Found
/// by words only while meaning is on its way, it says so. The search takes the
/// query's vector from `vector` when it was made for its text.
fn answer_at(
    bot: &Bot,
    ctx: &Context,
    state: AskState,
    gate: bool,
    vector: Option<&QueryVector>,
) -> Reply {
    let entries = bot.entries(&ctx.guild);
    let reply = search_at(bot, &entries, ctx, state, gate, vector);
    match crate::meaning::words_only_note(&bot.meaning(), &entries.library) {
        Some(note) if !matches!(reply.data, Some(Data::Error { .. })) => {
            with_words_only_note(reply, note)
        }
        _ => reply,
    }
}

/// `reply` with `note` as its last line (and in an answer's data, for the
/// platforms that render answers from it).
fn with_words_only_note(mut reply: Reply, note: &str) -> Reply {
    reply.text.push_str(&format!("\n\n_{note}_"));
    if let Some(Data::Answer { words_only, .. }) = &mut reply.data {
        *words_only = Some(note.to_string());
    }
    reply
}

fn search_at(
    bot: &Bot,
    entries: &Entries,
    ctx: &Context,
    mut state: AskState,
    gate: bool,
    vector: Option<&QueryVector>,
) -> Reply {
    let gate = gate && state.shown == 0;
    let options = SearchOptions {
        topic: state.topic.clone(),
        limit: if gate { SUGGESTIONS } else { 1 },
        offset: state.shown,
        ..Default::default()
    };
    let found = match entries
        .searcher()
        .search_in(&state.text, &options, vector, entries.team())
    {
        Ok(found) => found,
        Err(e) => {
            tracing::error!("search failed: {e}");
            return Reply::error("search is not available right now: try again shortly");
        }
    };
    let query = truncate(&state.text, 200);
    let Some(hit) = found.hits.first() else {
        let text = match (state.shown, found.note) {
            (0, Some(note)) => note.to_string(),
            (0, None) => format!("no question matches “{query}”: try other words, or /topics"),
            (_, _) => format!("no more matches for “{query}”"),
        };
        // Remembered even without a match, so "not it?" never follows an older question.
        bot.remember_ask(ctx, state);
        return Reply::private(text).with_data(Data::NoMatch {
            query,
            note: found.note.map(str::to_string),
        });
    };
    if gate {
        let confidence = found.confidence.map_or(0.0, |c| c.value);
        if confidence < bot.min_confidence() {
            // "Not it? Next match" after this shows the best match, asked for.
            let asked = ctx.platform.opens_forms().then(|| state.text.clone());
            bot.remember_ask(ctx, state);
            let reply = not_in_bank(entries, query, confidence, &found.hits);
            return match asked {
                // Where buttons open forms: the suggest form, the query as its question.
                Some(asked) => {
                    reply.with_choice(ButtonId::suggest(&asked).choice("Suggest an answer"))
                }
                None => reply,
            };
        }
    }
    let Some(question) = entries.get(&hit.id) else {
        return Reply::error("that question is no longer in the bank: try again");
    };
    state.shown += 1;
    let rank = state.shown;
    bot.remember_ask(ctx, state);

    answer_reply(
        bot,
        entries,
        question,
        query,
        rank,
        hit.score,
        Some(ctx.platform),
    )
}

/// The bank has no entry for `query`: the closest `hits` as suggestions.
fn not_in_bank(
    entries: &Entries,
    query: String,
    confidence: f32,
    hits: &[crate::search::Hit],
) -> Reply {
    let suggestions: Vec<Related> = hits
        .iter()
        .filter_map(|hit| entries.get(&hit.id))
        .map(|q| Related {
            id: q.id.clone(),
            question: q.question.clone(),
        })
        .collect();
    let mut text = format!("The bank has no entry for “{query}”.");
    if !suggestions.is_empty() {
        text.push_str(" Closest questions:");
        for s in &suggestions {
            text.push_str(&format!("\n- {} (/show {})", s.question, s.id));
        }
    }
    text.push_str("\nKnow the answer? /suggest it for this server's own bank.");
    let mut reply = Reply::private(text);
    for s in &suggestions {
        reply = reply.with_choice(
            ButtonId::Show {
                entry: s.id.clone(),
            }
            .choice(&truncate(&s.question, 80)),
        );
    }
    reply.with_data(Data::NotInBank {
        query,
        confidence,
        suggestions,
    })
}

/// The answer card of `question`, with its related questions. A search's
/// answer (`searched_on` its platform) offers "not it?" for the next match and
/// shows a long answer cut, with how to see it whole; `/show` shows it whole.
fn answer_reply(
    bot: &Bot,
    entries: &Entries,
    question: &crate::bank::Question,
    query: String,
    rank: usize,
    score: f32,
    searched_on: Option<Platform>,
) -> Reply {
    let related: Vec<Related> = bot
        .related(entries, question)
        .into_iter()
        .map(|q| Related {
            id: q.id.clone(),
            question: q.question.clone(),
        })
        .collect();
    let (answer, continued) = match searched_on {
        Some(platform) => shown_answer(&question.answer, &question.id, platform),
        None => (question.answer.clone(), None),
    };
    let mut text = format!(
        "**{}**\n_{} · {}_\n\n{answer}",
        question.question, question.topic, question.id
    );
    if let Some(line) = &continued {
        text.push_str(&format!("\n\n{line}"));
    }
    if !related.is_empty() {
        text.push_str("\n\nRelated:");
        for r in &related {
            text.push_str(&format!("\n- {} ({})", r.question, r.id));
        }
    }
    let mut reply = Reply::public(text);
    if searched_on.is_some() {
        reply
            .text
            .push_str("\n\nNot it? /next shows the next match.");
        reply = reply.with_choice(ButtonId::Next.choice("Not it? Next match"));
    }
    for choice in super::feedback::choices(&question.id) {
        reply = reply.with_choice(choice);
    }
    reply = reply.with_choice(
        ButtonId::PracticeAdd {
            entry: question.id.clone(),
        }
        .choice("Practise this"),
    );
    reply.with_data(Data::Answer {
        query,
        rank,
        card: Card::of(question),
        answer,
        continued,
        score,
        related,
        words_only: None,
    })
}
