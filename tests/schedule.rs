//! Daily rounds on a schedule, replayed with the shell's fake clock: local time
//! across daylight-saving changes, the open window, downtime and its grace window,
//! reminders, bad input, and exactly one post per run with two processes on one
//! PostgreSQL.

mod common;

use common::of_kind;

use std::path::Path;

use serde_json::Value;

fn shell_at(dir: &Path, start: &str, script: &str, database: Option<&str>) -> Vec<Value> {
    let mut command = common::bot(dir);
    if let Some(url) = database {
        command.env("INTERVIEW_BOT__DATABASE__URL", url);
    }
    command.args(["shell", "--json", "--fake-clock", start]);
    common::json_run(command, script)
}

/// The `at` of every first question of a daily round (one per run).
fn run_times(replies: &[Value]) -> Vec<String> {
    of_kind(replies, "question")
        .iter()
        .filter(|q| q["data"]["position"] == 1)
        .map(|q| q["at"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn a_0930_berlin_round_stays_at_0930_across_both_changes() {
    let dir = tempfile::tempdir().unwrap();
    let spring = shell_at(
        dir.path(),
        "2026-03-27T00:00:00Z",
        &format!(
            "/quiz schedule 09:30 Europe/Berlin daily questions:1 open:1h\n{}",
            "/clock +1d\n".repeat(4)
        ),
        None,
    );
    assert_eq!(
        run_times(&spring),
        [
            "2026-03-27T08:30:00Z",
            "2026-03-28T08:30:00Z",
            "2026-03-29T07:30:00Z",
            "2026-03-30T07:30:00Z",
        ]
    );
    let dir = tempfile::tempdir().unwrap();
    let autumn = shell_at(
        dir.path(),
        "2026-10-24T00:00:00Z",
        &format!(
            "/quiz schedule 09:30 Europe/Berlin daily questions:1 open:1h\n{}",
            "/clock +1d\n".repeat(3)
        ),
        None,
    );
    assert_eq!(
        run_times(&autumn),
        [
            "2026-10-24T07:30:00Z",
            "2026-10-25T08:30:00Z",
            "2026-10-26T08:30:00Z"
        ]
    );
}

#[test]
fn a_time_missing_on_the_spring_day_runs_after_the_gap_and_a_repeated_one_once() {
    let dir = tempfile::tempdir().unwrap();
    let replies = shell_at(
        dir.path(),
        "2026-03-28T12:00:00Z",
        "/quiz schedule 02:30 Europe/Berlin daily questions:1 open:30m\n/clock +2d\n",
        None,
    );
    assert_eq!(
        run_times(&replies),
        ["2026-03-29T01:00:00Z", "2026-03-30T00:30:00Z"]
    );
    let dir = tempfile::tempdir().unwrap();
    let replies = shell_at(
        dir.path(),
        "2026-10-24T12:00:00Z",
        "/quiz schedule 02:30 Europe/Berlin daily questions:1 open:30m\n/clock +2d\n",
        None,
    );
    assert_eq!(
        run_times(&replies),
        ["2026-10-25T00:30:00Z", "2026-10-26T01:30:00Z"]
    );
}

#[test]
fn a_daily_round_posts_all_questions_then_closes_with_reveals_standings_and_the_day() {
    let dir = tempfile::tempdir().unwrap();
    let replies = shell_at(
        dir.path(),
        "2026-11-23T07:00:00Z",
        "/quiz schedule 09:30 Europe/Berlin weekdays docker 3 8h\n/clock +2h\n/as alice\n/answer 1 A\n/answer 2 B\n/answer 3 C\n/answer 1 D\n/answer A\n/clock +8h\n/answer 1 A\n",
        None,
    );
    let questions = of_kind(&replies, "question");
    assert_eq!(questions.len(), 3);
    assert!(questions.iter().all(|q| q["at"] == "2026-11-23T08:30:00Z"));
    assert!(
        questions
            .iter()
            .all(|q| q["data"]["closes_at"] == "2026-11-23T16:30:00Z")
    );
    let acks: Vec<&str> = of_kind(&replies, "answer_ack")
        .iter()
        .map(|a| a["data"]["status"].as_str().unwrap())
        .collect();
    assert_eq!(
        acks,
        ["recorded", "recorded", "recorded", "already_answered"]
    );
    let errors = of_kind(&replies, "error");
    assert!(
        errors[0]["text"]
            .as_str()
            .unwrap()
            .contains("answer one by number")
    );
    let reveals = of_kind(&replies, "reveal");
    assert_eq!(reveals.len(), 3);
    assert!(reveals.iter().all(|r| r["at"] == "2026-11-23T16:30:00Z"));
    let right = reveals
        .iter()
        .zip(["A", "B", "C"])
        .filter(|(r, mine)| r["data"]["correct"] == *mine)
        .count() as i64;
    let standings = of_kind(&replies, "standings");
    assert_eq!(standings.len(), 1);
    let rows = standings[0]["data"]["rows"].as_array().unwrap();
    assert_eq!(rows[0]["correct"], right);
    assert_eq!(
        rows[0]["points"],
        right * 10,
        "no speed bonus in daily rounds"
    );
    let day = of_kind(&replies, "leaderboard");
    assert_eq!(day.len(), 1);
    assert_eq!(day[0]["data"]["period"], "day");
    assert!(
        errors.last().unwrap()["text"]
            .as_str()
            .unwrap()
            .contains("no round is running")
    );
}

#[test]
fn downtime_posts_late_within_the_grace_window_and_skips_older_runs() {
    let dir = tempfile::tempdir().unwrap();
    let db = common::fresh_sqlite(dir.path());
    // Created on Monday 07:00 UTC; the process is away until the run is 10 minutes late.
    shell_at(
        dir.path(),
        "2026-11-23T07:00:00Z",
        "/quiz schedule 09:30 Europe/Berlin daily questions:1 open:1h\n",
        Some(&db),
    );
    let late = shell_at(dir.path(), "2026-11-23T08:40:00Z", "", Some(&db));
    let notes: Vec<&Value> = late
        .iter()
        .filter(|r| r["text"].as_str().unwrap().contains("Posted late"))
        .collect();
    assert_eq!(notes.len(), 1, "{late:?}");
    assert_eq!(run_times(&late), ["2026-11-23T08:40:00Z"]);
    // Away again, this time for two runs: both are more than 30 minutes old.
    let away = shell_at(
        dir.path(),
        "2026-11-25T10:00:00Z",
        "/clock +1d\n",
        Some(&db),
    );
    let runs = run_times(&away);
    assert_eq!(
        runs,
        ["2026-11-26T08:30:00Z"],
        "missed runs are skipped, the next one posts on time"
    );
    let skipped = of_kind(&away, "skipped");
    assert_eq!(skipped.len(), 1, "the skipped runs are announced once");
    assert_eq!(skipped[0]["data"]["count"], 2);
}

#[test]
fn a_reminder_comes_before_the_run_and_mentions_the_role() {
    let dir = tempfile::tempdir().unwrap();
    let replies = shell_at(
        dir.path(),
        "2026-11-23T07:00:00Z",
        "/quiz schedule 09:30 Europe/Berlin daily questions:1 reminder:15 role:quizzers\n/clock +2h\n",
        None,
    );
    let reminders = of_kind(&replies, "reminder");
    assert_eq!(reminders.len(), 1);
    assert_eq!(reminders[0]["at"], "2026-11-23T08:15:00Z");
    assert!(
        reminders[0]["text"]
            .as_str()
            .unwrap()
            .starts_with("@quizzers")
    );
    assert_eq!(run_times(&replies), ["2026-11-23T08:30:00Z"]);
}

#[test]
fn schedules_list_their_next_run_and_bad_input_stores_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let replies = shell_at(
        dir.path(),
        "2026-11-23T07:00:00Z",
        "/quiz schedule 25:00 Europe/Berlin\n/quiz schedule 09:30 Mars/Olympus\n/quiz schedule 09:30 Europe/Berlin days:,\n/quiz schedule 09:30 Europe/Berlin cooking\n/quiz schedule 09:30\n/role member\n/quiz schedule 09:30 Europe/Berlin\n/role moderator\n/quiz schedules\n/quiz schedule 09:30 America/New_York mon,wed,fri python 3 2h\n/quiz schedules\n/quiz unschedule nope\n/quiz unschedule\n/quiz unschedule all\n/quiz schedules\n",
        None,
    );
    let errors = of_kind(&replies, "error");
    let texts: Vec<&str> = errors.iter().map(|e| e["text"].as_str().unwrap()).collect();
    assert!(
        texts[0].contains("`25:00` is not a time of day"),
        "{texts:?}"
    );
    assert!(texts[1].contains("`Mars/Olympus` is not an IANA time zone"));
    assert!(texts[2].contains("empty"));
    assert!(texts[3].contains("no topic `cooking`"));
    assert!(texts[4].contains("usage: /quiz schedule"));
    assert!(texts[5].contains("only moderators"));
    let lists = of_kind(&replies, "schedules");
    assert_eq!(
        lists[0]["data"]["schedules"].as_array().unwrap().len(),
        0,
        "bad input stored nothing"
    );
    let listed = lists[1]["data"]["schedules"].as_array().unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0]["days"], "mon,wed,fri");
    assert_eq!(listed[0]["next_utc"], "2026-11-23T14:30:00Z");
    assert!(
        listed[0]["next_local"]
            .as_str()
            .unwrap()
            .contains("09:30 EST")
    );
    assert!(texts[6].contains("no schedule `nope`"));
    // Without an id it asks which, and removes nothing.
    assert_eq!(lists[2]["data"]["schedules"].as_array().unwrap().len(), 1);
    assert!(
        lists[2]["text"]
            .as_str()
            .unwrap()
            .contains("/quiz unschedule all")
    );
    let removed: Vec<&str> = replies
        .iter()
        .filter_map(|r| r["text"].as_str())
        .filter(|t| t.starts_with("removed"))
        .collect();
    assert_eq!(removed, ["removed 1 schedule"]);
    assert_eq!(lists[3]["data"]["schedules"].as_array().unwrap().len(), 0);
}

/// Texts of the replies of a kind.
fn texts_of<'a>(replies: &'a [Value], kind: &str) -> Vec<&'a str> {
    of_kind(replies, kind)
        .into_iter()
        .map(|r| r["text"].as_str().unwrap())
        .collect()
}

#[test]
fn zones_are_normalized_and_a_duplicate_or_overlapping_schedule_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let replies = shell_at(
        dir.path(),
        "2026-11-23T07:00:00Z",
        "/quiz schedule 09:30 Europe/Berlin weekdays\n/quiz schedule 09:30 europe/berlin weekdays\n/quiz schedule 12:00 Europe/Berlin daily open:1h\n/quiz schedule 10:00 America/New_York daily open:1h\n/quiz schedule 18:00 europe/berlin daily open:1h\n/quiz schedules\n",
        None,
    );
    let created = of_kind(&replies, "schedule");
    assert_eq!(created.len(), 2, "{replies:?}");
    assert_eq!(created[0]["data"]["zone"], "Europe/Berlin");
    assert_eq!(
        created[1]["data"]["zone"], "Europe/Berlin",
        "stored under its IANA spelling"
    );
    let id = created[0]["data"]["id"].as_str().unwrap();
    let errors = texts_of(&replies, "error");
    assert_eq!(errors.len(), 3, "{errors:?}");
    assert!(
        errors[0].contains("already has that schedule") && errors[0].contains(id),
        "{}",
        errors[0]
    );
    // 12:00 Berlin falls in the 09:30 round's 8 hours; 10:00 New York is 16:00 Berlin.
    for overlap in &errors[1..] {
        assert!(
            overlap.contains(&format!("overlap schedule {id}")),
            "{overlap}"
        );
    }
    let listed = of_kind(&replies, "schedules");
    assert_eq!(listed[0]["data"]["schedules"].as_array().unwrap().len(), 2);
}

#[test]
fn bad_zones_get_suggestions_and_unambiguous_abbreviations_are_accepted() {
    let dir = tempfile::tempdir().unwrap();
    let replies = shell_at(
        dir.path(),
        "2026-11-23T07:00:00Z",
        "/quiz schedule 09:30 CET\n/quiz schedule 09:30 Berlin\n/quiz schedule 09:30 tz:new_york\n/quiz schedule 09:30 JST\n",
        None,
    );
    let errors = texts_of(&replies, "error");
    assert_eq!(errors.len(), 3, "{errors:?}");
    assert!(
        errors[0].contains("`CET` could mean several time zones")
            && errors[0].contains("Europe/Berlin")
            && errors[0].contains("Europe/Paris"),
        "{}",
        errors[0]
    );
    assert!(
        errors[1].contains("did you mean Europe/Berlin"),
        "{}",
        errors[1]
    );
    assert!(errors[2].contains("America/New_York"), "{}", errors[2]);
    let created = of_kind(&replies, "schedule");
    assert_eq!(created.len(), 1);
    assert_eq!(created[0]["data"]["zone"], "Asia/Tokyo");
}

#[test]
fn a_manual_round_that_would_swallow_the_daily_one_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    // 09:30 Berlin is 08:30 UTC; at 08:28 a 5 x 30 s round would end at 08:30:30.
    let replies = shell_at(
        dir.path(),
        "2026-11-23T08:00:00Z",
        "/quiz schedule 09:30 Europe/Berlin daily docker 2 1h\n/clock +28m\n/quiz start docker 5 30\n/quiz start docker 2 30\n/clock +2m\n",
        None,
    );
    let created = of_kind(&replies, "schedule");
    let id = created[0]["data"]["id"].as_str().unwrap();
    let errors = texts_of(&replies, "error");
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert!(
        errors[0].contains(&format!("schedule {id} starts at 09:30 CET (08:30 UTC)")),
        "{}",
        errors[0]
    );
    assert!(errors[0].contains("at most 4 questions"), "{}", errors[0]);
    // The short live round fits; the daily round still posts on time.
    assert_eq!(
        run_times(&replies),
        ["2026-11-23T08:28:00Z", "2026-11-23T08:30:00Z"]
    );
    assert!(of_kind(&replies, "skipped").is_empty());
}

#[test]
fn a_skipped_run_is_announced_in_the_channel() {
    let dir = tempfile::tempdir().unwrap();
    let db = common::fresh_sqlite(dir.path());
    shell_at(
        dir.path(),
        "2026-11-23T07:00:00Z",
        "/quiz schedule 09:30 Europe/Berlin daily questions:1 open:1h\n",
        Some(&db),
    );
    // Away until Wednesday 11:00 Berlin: Monday's, Tuesday's and Wednesday's runs are missed.
    let away = shell_at(dir.path(), "2026-11-25T10:00:00Z", "", Some(&db));
    let skipped = of_kind(&away, "skipped");
    assert_eq!(skipped.len(), 1, "one announcement for the whole downtime");
    assert_eq!(skipped[0]["data"]["count"], 3);
    assert_eq!(skipped[0]["data"]["reason"], "away");
    let text = skipped[0]["text"].as_str().unwrap();
    assert!(
        text.contains("3 daily quizzes, the first due at Mon 09:30 CET (Mon 08:30 UTC)"),
        "{text}"
    );
    assert!(text.contains("the bot was away"), "{text}");
}

#[test]
fn a_daily_round_reads_in_its_zone_with_the_platforms_way_to_answer() {
    let dir = tempfile::tempdir().unwrap();
    let replies = shell_at(
        dir.path(),
        "2026-11-23T07:00:00Z",
        "/quiz schedule 09:30 Europe/Berlin daily docker 2 8h reminder:15\n/clock +2h\n/clock +8h\n/quiz unschedule all\n/quiz schedule 09:30 Europe/Berlin daily docker 1 8h\n/clock +1d\n",
        None,
    );
    let reminder = texts_of(&replies, "reminder");
    assert!(
        reminder[0].contains("starts in 15 minutes, at 09:30 CET (08:30 UTC)"),
        "{}",
        reminder[0]
    );
    let intros: Vec<&str> = replies
        .iter()
        .filter_map(|r| r["text"].as_str())
        .filter(|t| t.starts_with("**Daily quiz**"))
        .collect();
    assert_eq!(intros.len(), 2, "{intros:?}");
    assert!(
        intros[0].contains("2 questions, open until 17:30 CET (16:30 UTC)"),
        "{}",
        intros[0]
    );
    assert!(intros[1].contains("1 question, open"), "{}", intros[1]);
    let questions = texts_of(&replies, "question");
    assert!(
        questions[0].contains("open until 17:30 CET (16:30 UTC)"),
        "{}",
        questions[0]
    );
    assert!(
        questions[1].contains("Answer with /answer 2 LETTER (for example /answer 2 B)"),
        "{}",
        questions[1]
    );
    assert!(
        questions[2].contains("Answer with /answer LETTER"),
        "a one-question round takes the letter alone: {}",
        questions[2]
    );
    // Nobody played: the standings say so once, and no empty board follows.
    let standings = texts_of(&replies, "standings");
    assert_eq!(standings.len(), 2);
    assert!(standings.iter().all(|s| s.contains("Nobody played today.")));
    assert!(of_kind(&replies, "leaderboard").is_empty(), "{replies:?}");
}

#[test]
fn two_processes_on_one_postgres_post_each_run_once() {
    let Some(url) = tokio::runtime::Runtime::new()
        .unwrap()
        .block_on(common::fresh_postgres())
    else {
        common::skip("schedule on PostgreSQL", common::NO_POSTGRES);
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    shell_at(
        dir.path(),
        "2026-11-23T07:00:00Z",
        "/quiz schedule 09:30 Europe/Berlin daily questions:2 open:2h\n",
        Some(&url),
    );
    let days = 4;
    let script = "/clock +3h\n".repeat(days * 8);
    let runs: Vec<Vec<Value>> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..2)
            .map(|_| {
                let (dir, url, script) = (dir.path(), url.clone(), script.clone());
                scope.spawn(move || shell_at(dir, "2026-11-23T07:00:00Z", &script, Some(&url)))
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    let all: Vec<Value> = runs.into_iter().flatten().collect();
    let questions = of_kind(&all, "question");
    assert_eq!(
        questions.len(),
        days * 2,
        "each day's 2 questions posted once in all"
    );
    let mut starts = run_times(&all);
    starts.sort();
    starts.dedup();
    assert_eq!(starts.len(), days);
    assert_eq!(
        of_kind(&all, "reveal").len(),
        days * 2,
        "each question revealed once"
    );
    assert_eq!(of_kind(&all, "standings").len(), days);
}
