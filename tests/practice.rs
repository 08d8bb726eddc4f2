//! Personal practice replayed as shell transcripts (`shell --json
//! --fake-clock`): the real binary on a real SQLite file, weeks of practice
//! moved through by `/clock`. The scripts are fixed (the same lines every
//! day); what comes back is checked: same-day steps, growing intervals, the
//! quiz queue, reminders across a DST change, the daily cap after an absence,
//! and that nobody else sees your practice.

mod common;

use std::path::Path;

use common::of_kind;
use jiff::Timestamp;
use jiff::tz::TimeZone;
use serde_json::Value;

fn transcript_with(dir: &Path, start: &str, env: &[(&str, &str)], script: &str) -> Vec<Value> {
    let mut command = common::bot(dir);
    command.args(["shell", "--json", "--fake-clock", start]);
    for (name, value) in env {
        command.env(name, value);
    }
    common::json_run(command, script)
}

fn transcript(start: &str, script: &str) -> Vec<Value> {
    let dir = tempfile::tempdir().unwrap();
    transcript_with(dir.path(), start, &[], script)
}

fn timestamp(value: &Value) -> Timestamp {
    value
        .as_str()
        .unwrap_or_else(|| panic!("not a time: {value}"))
        .parse()
        .unwrap()
}

/// `lines` repeated `times`.
fn repeat(lines: &str, times: usize) -> String {
    lines.repeat(times)
}

#[test]
fn again_comes_back_the_same_day_and_good_intervals_grow() {
    const START: &str = "2026-11-02T09:00:00Z";
    let mut script = String::from(
        "/practice new docker\n/reveal\n/grade again\n/clock +1m\n/practice\n/reveal\n/grade good\n/clock +10m\n/practice\n/reveal\n/grade good\n",
    );
    script.push_str(&repeat("/clock +1d\n/practice\n/reveal\n/grade good\n", 60));
    let replies = transcript(START, &script);
    let cards = of_kind(&replies, "practice_card");
    let entry = cards[0]["data"]["card"]["id"].as_str().unwrap();
    assert_eq!(cards[0]["data"]["new"], true);
    assert!(
        cards.iter().all(|c| c["data"]["card"]["id"] == entry),
        "only the one card was started"
    );
    assert!(
        replies
            .iter()
            .filter(|r| r["data"]["kind"]
                .as_str()
                .unwrap_or("")
                .starts_with("practice"))
            .all(|r| r["ephemeral"] == true),
        "practice is private"
    );
    let graded = of_kind(&replies, "practice_graded");
    assert_eq!(graded[0]["data"]["grade"], "again");
    assert_eq!(graded[0]["data"]["same_day"], true);
    assert_eq!(
        cards[1]["at"], "2026-11-02T09:01:00Z",
        "a card graded Again is dealt again the same day"
    );
    assert_eq!(graded[1]["data"]["same_day"], true, "the second step");
    assert_eq!(graded[2]["data"]["same_day"], false, "graduated");

    // Intervals between the day of a review and the day it is due grow.
    let days: Vec<i64> = graded
        .iter()
        .filter(|g| g["data"]["same_day"] == false)
        .map(|g| {
            let reviewed = timestamp(&g["at"]);
            let due = timestamp(&g["data"]["due"]);
            reviewed.duration_until(due).as_hours() / 24
        })
        .collect();
    assert!(days.len() >= 4, "reviews in 60 days: {days:?}");
    assert!(
        days.windows(2).all(|w| w[1] > w[0]),
        "Good intervals grow: {days:?}"
    );
    // Reviews happen on their due day, not before.
    for pair in graded.windows(2) {
        if pair[0]["data"]["same_day"] == false {
            let due = timestamp(&pair[0]["data"]["due"]);
            assert!(timestamp(&pair[1]["at"]) >= due, "{pair:?}");
        }
    }
}

#[test]
fn a_missed_quiz_question_joins_the_queue_of_those_who_opted_in() {
    const START: &str = "2026-11-02T09:00:00Z";
    let people = ["ann", "ben", "cat", "dan"];
    let mut script = String::new();
    for (person, letter) in people.iter().zip(["A", "B", "C", "D"]) {
        let opt_in = if *person == "dan" { "off" } else { "on" };
        script.push_str(&format!(
            "/as {person}\n/practice settings quiz:{opt_in}\n/quiz start topic:docker questions:1 seconds:30\n/answer {letter}\n"
        ));
    }
    script.push_str("/clock +31s\n");
    for person in people {
        script.push_str(&format!("/as {person}\n/practice new\n"));
    }
    let replies = transcript(START, &script);
    let reveal = of_kind(&replies, "reveal")[0];
    let entry = reveal["data"]["id"].as_str().unwrap();
    let correct = reveal["data"]["correct"].as_str().unwrap();
    let cards = of_kind(&replies, "practice_card");
    assert_eq!(cards.len(), 4);
    for (card, (person, letter)) in cards.iter().zip(people.iter().zip(["A", "B", "C", "D"])) {
        let missed = letter != correct;
        let queued = missed && *person != "dan";
        assert_eq!(card["data"]["queued"], queued, "{person} {letter}: {card}");
        if queued {
            assert_eq!(card["data"]["card"]["id"], entry, "{person} practises it");
        }
    }
}

#[test]
fn the_reminder_comes_once_a_day_at_eight_local_across_the_dst_change() {
    // Berlin leaves summer time on Sunday 2026-10-25.
    const START: &str = "2026-10-20T12:00:00Z";
    let mut script = String::from(
        "/practice new\n/reveal\n/grade again\n/practice remind 08:00 Europe/Berlin\n",
    );
    script.push_str(&repeat("/clock +1d\n", 10));
    script.push_str("/practice remind off\n");
    script.push_str(&repeat("/clock +1d\n", 3));
    let replies = transcript(START, &script);
    let reminders = of_kind(&replies, "practice_reminder");
    assert_eq!(reminders.len(), 10, "one a day while on: {reminders:?}");
    let berlin = TimeZone::get("Europe/Berlin").unwrap();
    let mut days = std::collections::BTreeSet::new();
    for reminder in &reminders {
        assert_eq!(reminder["channel"], "direct:you", "a direct message");
        let at = timestamp(&reminder["at"]).to_zoned_datetime(berlin.clone());
        assert_eq!((at.hour(), at.minute()), (8, 0), "{at}");
        assert!(days.insert(at.date()), "twice on {}", at.date());
        assert_eq!(reminder["data"]["cards"], 1);
    }
    assert_eq!(reminders[0]["at"], "2026-10-21T06:00:00Z");
    assert!(
        reminders.iter().any(|r| r["at"] == "2026-10-26T07:00:00Z"),
        "08:00 in winter time"
    );
}

#[test]
fn a_reminder_moved_later_the_day_it_was_sent_waits_for_tomorrow() {
    const START: &str = "2026-10-20T12:00:00Z";
    let script = "/practice new\n/reveal\n/grade again\n/practice remind 08:00 Europe/Berlin\n\
                  /clock +20h\n/practice remind 11:00 Europe/Berlin\n/clock +2h\n/clock +1d\n";
    let replies = transcript(START, script);
    let at: Vec<&str> = of_kind(&replies, "practice_reminder")
        .iter()
        .filter_map(|reminder| reminder["at"].as_str())
        .collect();
    assert_eq!(
        at,
        ["2026-10-21T06:00:00Z", "2026-10-22T09:00:00Z"],
        "at most one a day: 08:00 on the 21st, then 11:00 from the 22nd"
    );
}

#[test]
fn after_two_weeks_away_no_more_than_the_daily_cap_comes_back() {
    const START: &str = "2026-11-02T09:00:00Z";
    let env = [
        ("INTERVIEW_BOT__PRACTICE__NEW_PER_DAY", "12"),
        ("INTERVIEW_BOT__PRACTICE__MAX_REVIEWS_PER_DAY", "5"),
    ];
    let mut script = repeat("/practice new\n/reveal\n/grade easy\n", 12);
    script.push_str("/clock +14d\n");
    script.push_str(&repeat("/practice\n/reveal\n/grade good\n", 12));
    script.push_str("/clock +1d\n");
    script.push_str(&repeat("/practice\n/reveal\n/grade good\n", 12));
    let dir = tempfile::tempdir().unwrap();
    let replies = transcript_with(dir.path(), START, &env, &script);
    let day = |at: &Value| at.as_str().unwrap()[..10].to_string();
    let graded = of_kind(&replies, "practice_graded");
    let learned = graded
        .iter()
        .filter(|g| g["data"]["grade"] == "easy")
        .count();
    assert_eq!(learned, 12);
    let reviews_on = |date: &str| {
        graded
            .iter()
            .filter(|g| g["data"]["grade"] == "good" && day(&g["at"]) == date)
            .count()
    };
    assert_eq!(reviews_on("2026-11-16"), 5, "the cap after the absence");
    assert_eq!(reviews_on("2026-11-17"), 5, "the rest comes back spread");
    let done = of_kind(&replies, "practice_done");
    let back = done
        .iter()
        .find(|d| day(&d["at"]) == "2026-11-16")
        .expect("the day ends with nothing due");
    assert_eq!(back["data"]["progress"]["held_back"], 7);
    assert!(back["text"].as_str().unwrap().contains("wait for tomorrow"));
}

#[test]
fn practise_this_adds_an_answer_and_nobody_else_sees_your_practice() {
    const START: &str = "2026-11-02T09:00:00Z";
    let replies = transcript(START, "/ask difference between tcp and udp\n");
    let answer = of_kind(&replies, "answer")[0];
    let entry = answer["data"]["card"]["id"].as_str().unwrap();
    let button = format!("practice:add:{entry}");
    assert!(
        answer["choices"]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c["id"] == button.as_str()),
        "{answer}"
    );
    // The first script could not know the id; now practise it.
    let dir = tempfile::tempdir().unwrap();
    let replies = transcript_with(
        dir.path(),
        START,
        &[],
        &format!(
            "/practice add {entry}\n/practice add {entry}\n/practice new\n/reveal\n/grade good\n/clock +10m\n/practice\n/reveal\n/grade good\n/as bob\n/stats you\n/as you\n/stats\n"
        ),
    );
    let added = of_kind(&replies, "practice_added");
    assert_eq!(added[0]["data"]["added"], true);
    assert_eq!(added[1]["data"]["added"], false, "once");
    let card = of_kind(&replies, "practice_card")[0];
    assert_eq!(card["data"]["card"]["id"], entry);
    assert_eq!(card["data"]["queued"], true);
    let stats: Vec<&Value> = replies
        .iter()
        .filter(|r| {
            r["text"]
                .as_str()
                .unwrap_or("")
                .contains("has not answered")
        })
        .collect();
    assert_eq!(stats.len(), 2);
    assert!(
        !stats[0]["text"].as_str().unwrap().contains("Practice"),
        "bob does not see your practice: {}",
        stats[0]["text"]
    );
    assert!(
        stats[1]["text"]
            .as_str()
            .unwrap()
            .contains("**Practice**: 1 card learned"),
        "{}",
        stats[1]["text"]
    );
}

#[test]
fn reset_asks_first_then_deletes_everything() {
    const START: &str = "2026-11-02T09:00:00Z";
    let replies = transcript(
        START,
        "/practice new\n/reveal\n/grade easy\n/practice reset\n/stats\n/practice reset confirm\n/stats\n/grade good\n",
    );
    let asked = replies
        .iter()
        .find(|r| r["text"].as_str().unwrap_or("").contains("Sure?"))
        .expect("reset asks first");
    assert_eq!(asked["choices"][0]["id"], "practice:reset");
    let texts: Vec<&str> = replies
        .iter()
        .map(|r| r["text"].as_str().unwrap())
        .collect();
    let stats: Vec<&&str> = texts
        .iter()
        .filter(|t| t.contains("has not answered"))
        .collect();
    assert!(stats[0].contains("1 card learned"), "kept until confirmed");
    assert!(!stats[1].contains("Practice"), "gone after: {}", stats[1]);
    assert!(texts.iter().any(|t| t.contains("deleted (1 card)")));
    assert!(
        texts
            .last()
            .unwrap()
            .contains("no practice card is showing"),
        "nothing left to grade"
    );
}
