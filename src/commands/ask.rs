//! `/ask`: the best matching question with its answer, related questions, and
//! "not it?" for the next match.

use super::truncate;
use crate::bot::{AskState, Bot, Context};
use crate::library::Library;
use crate::platform::Platform;
use crate::reply::{ButtonId, Card, Data, Related, Reply, shown_answer};
use crate::search::SearchOptions;

/// How many closest questions a "not in the bank" reply suggests.
const SUGGESTIONS: usize = 3;

/// A question by id, shown like the best match of an `/ask`.
pub fn show(bot: &Bot, id: &str) -> Reply {
    let library = bot.library();
    match library.bank.get(id) {
        Some(question) => answer_reply(bot, &library, question, truncate(id, 200), 1, 1.0, None),
        None => Reply::error(format!(
            "no question has the id `{}`: ids look like docker-017",
            truncate(id, 40)
        )),
    }
}

pub fn ask(bot: &Bot, ctx: &Context, text: &str, topic: Option<&str>) -> Reply {
    if let Some(topic) = topic {
        if !bot.bank().has_topic(topic) {
            return super::topics::unknown_topic(bot, topic);
        }
    }
    let state = AskState {
        text: text.to_string(),
        topic: topic.map(str::to_string),
        shown: 0,
    };
    answer_at(bot, ctx, state, true)
}

/// The next match after the ones already shown for this person's last `/ask`.
pub fn next(bot: &Bot, ctx: &Context) -> Reply {
    match bot.last_ask(ctx) {
        Some(state) => answer_at(bot, ctx, state, false),
        None => Reply::error("nothing to follow up: /ask a question first"),
    }
}

/// The match after the `state.shown` already shown; with `gate`, the first
/// match only when search is confident of it, else "not in the bank". Found
/// by words only while meaning is on its way, it says so.
fn answer_at(bot: &Bot, ctx: &Context, state: AskState, gate: bool) -> Reply {
    let library = bot.library();
    let reply = search_at(bot, &library, ctx, state, gate);
    match crate::meaning::words_only_note(&bot.meaning(), &library) {
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
    library: &Library,
    ctx: &Context,
    mut state: AskState,
    gate: bool,
) -> Reply {
    let gate = gate && state.shown == 0;
    let options = SearchOptions {
        topic: state.topic.clone(),
        limit: if gate { SUGGESTIONS } else { 1 },
        offset: state.shown,
        ..Default::default()
    };
    let found = match library.searcher.search(&state.text, &options) {
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
            bot.remember_ask(ctx, state);
            return not_in_bank(bot, query, confidence, &found.hits);
        }
    }
    let Some(question) = library.bank.get(&hit.id) else {
        return Reply::error("that question is no longer in the bank: try again");
    };
    state.shown += 1;
    let rank = state.shown;
    bot.remember_ask(ctx, state);

    answer_reply(
        bot,
        library,
        question,
        query,
        rank,
        hit.score,
        Some(ctx.platform),
    )
}

/// The bank has no entry for `query`: the closest `hits` as suggestions.
fn not_in_bank(bot: &Bot, query: String, confidence: f32, hits: &[crate::search::Hit]) -> Reply {
    let bank = bot.bank();
    let suggestions: Vec<Related> = hits
        .iter()
        .filter_map(|hit| bank.get(&hit.id))
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
    library: &Library,
    question: &crate::bank::Question,
    query: String,
    rank: usize,
    score: f32,
    searched_on: Option<Platform>,
) -> Reply {
    let related: Vec<Related> = bot
        .related(library, question)
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
