//! Practice as a domain service, without a bot: a SQLite store in a temporary
//! file, a small bank, instants given by hand.

use jiff::{SignedDuration, Timestamp};

use super::*;
use crate::bank::{Difficulty, Question};

fn entry(n: usize) -> Question {
    Question {
        id: format!("docker-{n:03}"),
        topic: "docker".into(),
        question: format!("What does docker feature number {n} do?"),
        answer: format!("Feature {n} does one particular thing. It matters for reason {n}."),
        aliases: Vec::new(),
        tags: Vec::new(),
        difficulty: Difficulty::Medium,
        source: None,
        distinct_from: Vec::new(),
        quiz_option: None,
        not_with: Vec::new(),
        origin: Default::default(),
    }
}

struct World {
    store: Store,
    bank: Bank,
    learner: Learner,
    _dir: tempfile::TempDir,
}

impl World {
    async fn new(entries: usize) -> World {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}", dir.path().join("practice.db").display());
        World {
            store: Store::connect(&url).await.unwrap(),
            bank: Bank::new((1..=entries).map(entry).collect()),
            learner: Learner::new(Platform::Shell, "shell", "ann"),
            _dir: dir,
        }
    }

    fn deck(&self) -> Deck<'_> {
        Deck {
            store: &self.store,
            bank: &self.bank,
            rules: PracticeSettings::default(),
            learner: &self.learner,
        }
    }
}

fn at(days: i64) -> Timestamp {
    "2026-12-07T09:00:00Z".parse::<Timestamp>().unwrap() + SignedDuration::from_hours(24 * days)
}

fn due_day(graded: &Graded) -> jiff::civil::Date {
    match graded {
        Graded::Recorded { due, .. } => due.to_zoned_datetime(TimeZone::UTC).date(),
        Graded::AlreadyGraded => panic!("not recorded"),
    }
}

/// Learns docker-001 (Easy) and crowds every other day of the next weeks
/// with five cards: the least loaded day is docker-001's. Returns it.
async fn crowd_all_days_but_one(world: &World) -> jiff::civil::Date {
    let deck = world.deck();
    let first = deck
        .grade("docker-001", Some(0), Grade::Easy, &[], at(0))
        .await
        .unwrap();
    let free = due_day(&first);
    for day in 1..30 {
        let start = at(day).to_zoned_datetime(TimeZone::UTC).date();
        if start == free {
            continue;
        }
        let due = start.to_zoned_datetime(TimeZone::UTC).unwrap().timestamp();
        for n in 0..5 {
            let card = CardRow {
                entry: format!("filler-{day}-{n}"),
                topic: "docker".into(),
                stability: Some(10.0),
                difficulty: Some(5.0),
                due_at: Some(millis(due)),
                last_review_at: Some(millis(at(0))),
                reps: 1,
                lapses: 0,
                step: -1,
                added_at: millis(at(0)),
            };
            let review = NewReview {
                learner: world.learner.key().to_string(),
                grade: 3,
                kind: "new",
                reviewed_at: millis(at(0)),
                day: "2026-12-07".into(),
                elapsed_ms: 0,
                after: card,
            };
            world.store.practice_grade(&review).await.unwrap();
        }
    }
    free
}

#[tokio::test]
async fn related_cards_do_not_come_back_on_the_same_day() {
    // Alone, a card goes to the least loaded day: docker-001's.
    let world = World::new(4).await;
    let free = crowd_all_days_but_one(&world).await;
    let alone = world
        .deck()
        .grade("docker-002", Some(0), Grade::Easy, &[], at(0))
        .await
        .unwrap();
    assert_eq!(due_day(&alone), free, "{alone:?}");
    // Related to docker-001, it takes a crowded day instead.
    let world = World::new(4).await;
    let free = crowd_all_days_but_one(&world).await;
    let related = world
        .deck()
        .grade(
            "docker-002",
            Some(0),
            Grade::Easy,
            &["docker-001".to_string()],
            at(0),
        )
        .await
        .unwrap();
    assert_ne!(due_day(&related), free, "{related:?}");
}

#[tokio::test]
async fn a_card_whose_entry_left_the_bank_is_dropped_when_dealt() {
    let mut world = World::new(3).await;
    for id in ["docker-001", "docker-002"] {
        assert!(world.deck().add(id, at(0)).await.unwrap());
    }
    // docker-001 leaves the bank.
    world.bank = Bank::new(vec![entry(2), entry(3)]);
    let Deal::Card(dealt) = world.deck().deal(None, true, at(0)).await.unwrap() else {
        panic!("a card is dealt");
    };
    assert_eq!(dealt.entry, "docker-002");
    assert!(dealt.queued);
    assert_eq!(
        world
            .store
            .practice_entries(world.learner.key())
            .await
            .unwrap(),
        vec!["docker-002".to_string()]
    );
}

#[tokio::test]
async fn new_cards_stop_at_the_daily_allowance_and_grades_count_once() {
    let world = World::new(20).await;
    let mut deck = world.deck();
    deck.rules.new_per_day = 3;
    let mut started = Vec::new();
    while let Deal::Card(dealt) = deck.deal(None, true, at(0)).await.unwrap() {
        assert!(dealt.new && !dealt.queued);
        assert!(started.len() < 3, "more than the allowance: {started:?}");
        let graded = deck
            .grade(&dealt.entry, Some(dealt.reps), Grade::Easy, &[], at(0))
            .await
            .unwrap();
        assert!(matches!(
            graded,
            Graded::Recorded {
                same_day: false,
                ..
            }
        ));
        let again = deck
            .grade(&dealt.entry, Some(dealt.reps), Grade::Again, &[], at(0))
            .await
            .unwrap();
        assert_eq!(
            again,
            Graded::AlreadyGraded,
            "a second click changes nothing"
        );
        started.push(dealt.entry);
    }
    assert_eq!(started.len(), 3);
    let Deal::Done { progress, .. } = deck.deal(None, true, at(0)).await.unwrap() else {
        panic!("done for today");
    };
    assert_eq!(progress.new_left, 0);
    assert_eq!(progress.streak, 1);
    // The next day the allowance is back.
    let (_, tomorrow) = deck.progress(at(1)).await.unwrap();
    assert_eq!(tomorrow.new_left, 3);
}
