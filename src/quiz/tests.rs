//! The quiz as a domain service, without a bot: a SQLite store in a
//! temporary file, a small library and instants given by hand.

use jiff::{SignedDuration, Timestamp};

use super::*;
use crate::bank::{Bank, Difficulty, Question};
use crate::library::Library;
use crate::outbox::PostKind;
use crate::search::{Searcher, Synonyms};

fn entry(n: usize) -> Question {
    Question {
        id: format!("docker-{n:03}"),
        topic: "docker".into(),
        question: format!("What does docker feature number {n} do?"),
        answer: format!("Feature {n} does one particular thing. It matters for reason {n}."),
        aliases: Vec::new(),
        tags: vec![format!("feature{n}")],
        difficulty: Difficulty::Medium,
        source: None,
        distinct_from: Vec::new(),
        quiz_option: Some(format!("It does particular thing number {n}")),
        not_with: Vec::new(),
        origin: Default::default(),
    }
}

pub(crate) struct World {
    pub(crate) store: Store,
    pub(crate) library: Entries,
    _dir: tempfile::TempDir,
}

pub(crate) async fn world() -> World {
    let dir = tempfile::tempdir().unwrap();
    let bank = Bank::new((1..=8).map(entry).collect());
    let synonyms = Synonyms::parse("", &mut crate::analyzer::analyzer()).unwrap();
    let (searcher, _) =
        Searcher::open_or_build(&bank, &dir.path().join("index"), synonyms).unwrap();
    let url = format!("sqlite://{}", dir.path().join("quiz.db").display());
    let store = Store::connect(&url).await.unwrap();
    World {
        store,
        library: Entries::shipped(std::sync::Arc::new(Library { bank, searcher })),
        _dir: dir,
    }
}

pub(crate) fn at(seconds: i64) -> Timestamp {
    "2026-12-07T09:00:00Z".parse::<Timestamp>().unwrap() + SignedDuration::from_secs(seconds)
}

/// The kinds of the posts waiting in the outbox, in order.
pub(crate) async fn posts(store: &Store) -> Vec<PostKind> {
    let leased = store.lease_posts(i64::MAX / 2, 1000, 100).await.unwrap();
    for post in &leased {
        store.mark_delivered(post, 0).await.unwrap();
    }
    leased
        .iter()
        .map(|p| serde_json::from_str(&p.body).unwrap())
        .collect()
}

fn options(questions: usize) -> StartOptions {
    StartOptions {
        topic: Some("docker".into()),
        questions,
        seconds: 30,
    }
}

#[tokio::test]
async fn a_live_round_closes_each_question_once_and_then_ends() {
    let w = world().await;
    let (store, library) = (&w.store, &w.library);
    check_start(store, library, "g", "c", &options(2))
        .await
        .unwrap();
    let started = start(store, library, "g", "c", "alice", &options(2), at(0))
        .await
        .unwrap();
    assert_eq!(started.first.position, 0);
    assert!(!started.borrowed);
    assert!(matches!(
        check_start(store, library, "g", "c", &options(2)).await,
        Err(QuizError::Busy)
    ));

    let right = started.first.correct.clone();
    let answered = answer(store, "g", "c", "bob", &right, None, None, at(5)).await;
    assert!(matches!(
        answered,
        Ok(Answered::Recorded { position: 1, .. })
    ));
    let again = answer(store, "g", "c", "bob", "A", None, None, at(6)).await;
    assert!(
        matches!(&again, Ok(Answered::AlreadyAnswered { first, .. }) if *first == right),
        "{again:?}"
    );
    assert!(matches!(
        answer(store, "g", "c", "bob", "E", None, None, at(6)).await,
        Err(QuizError::BadLetter)
    ));

    assert_eq!(tick(store, at(29)).await.unwrap(), 0, "not due yet");
    assert_eq!(tick(store, at(30)).await.unwrap(), 1, "the first close");
    assert_eq!(tick(store, at(30)).await.unwrap(), 0, "closed once only");
    let round = started.round.id.clone();
    assert_eq!(
        posts(store).await,
        [
            PostKind::Reveal {
                round: round.clone(),
                position: 0
            },
            PostKind::Question {
                round: round.clone(),
                position: 1,
                closes_at: millis(at(60)),
            },
        ]
    );
    let late = answer(store, "g", "c", "carol", "A", Some(1), None, at(31)).await;
    assert!(
        matches!(
            late,
            Ok(Answered::Closed {
                position: 1,
                not_open_yet: false,
                ..
            })
        ),
        "{late:?}"
    );

    assert_eq!(next_due(store).await.unwrap(), Some(at(60)));
    assert_eq!(tick(store, at(61)).await.unwrap(), 1, "the last close");
    assert_eq!(
        posts(store).await,
        [
            PostKind::Reveal {
                round: round.clone(),
                position: 1
            },
            PostKind::Standings {
                round,
                stopped: false
            },
        ]
    );
    assert_eq!(next_due(store).await.unwrap(), None);
    assert!(matches!(
        answer(store, "g", "c", "bob", "A", None, None, at(62)).await,
        Err(QuizError::NoRound)
    ));
}

#[tokio::test]
async fn only_the_starter_or_a_moderator_stops_a_round() {
    let w = world().await;
    let (store, library) = (&w.store, &w.library);
    let started = start(store, library, "g", "c", "alice", &options(3), at(0))
        .await
        .unwrap();
    assert!(matches!(
        stop(store, "g", "c", "bob", false, at(5)).await,
        Err(QuizError::NotStarter { starter }) if starter == "alice"
    ));
    stop(store, "g", "c", "bob", true, at(5)).await.unwrap();
    assert_eq!(
        posts(store).await.last(),
        Some(&PostKind::Standings {
            round: started.round.id,
            stopped: true
        })
    );
    assert!(matches!(
        stop(store, "g", "c", "alice", false, at(6)).await,
        Err(QuizError::NoRound)
    ));
}

#[test]
fn topics_are_checked_before_a_round() {
    let dir = tempfile::tempdir().unwrap();
    let bank = Bank::new((1..=3).map(entry).collect());
    let synonyms = Synonyms::parse("", &mut crate::analyzer::analyzer()).unwrap();
    let (searcher, _) =
        Searcher::open_or_build(&bank, &dir.path().join("index"), synonyms).unwrap();
    let bank = Entries::shipped(std::sync::Arc::new(Library { bank, searcher }));
    assert!(check_topic(&bank, "docker", 3).is_ok());
    assert!(matches!(
        check_topic(&bank, "docker", 4),
        Err(QuizError::TooSmall {
            has: 3,
            asked: 4,
            ..
        })
    ));
    assert!(matches!(
        check_topic(&bank, "git", 1),
        Err(QuizError::UnknownTopic(topic)) if topic == "git"
    ));
    assert!(borrows_options(&bank, Some("docker")));
    assert!(!borrows_options(&bank, None));
}
