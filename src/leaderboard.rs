//! Leaderboards and personal statistics, computed from the append-only answer
//! log: the period a leaderboard covers ([`Span`], starting at midnight in the
//! channel's time zone, weeks on Monday), the standings over it, and a
//! person's totals, accuracy by topic and streaks. Rendering is in
//! `crate::render`.

use jiff::tz::TimeZone;
use jiff::{Timestamp, ToSpan};

use serde::Serialize;

use crate::clock::millis;
use crate::store::{AnswerRow, Period, Standing, Store, StoreError};

/// How far back a leaderboard looks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Span {
    Day,
    Week,
    Month,
    All,
}

impl Span {
    pub const ALL: [Span; 4] = [Span::Day, Span::Week, Span::Month, Span::All];

    pub fn name(self) -> &'static str {
        match self {
            Span::Day => "day",
            Span::Week => "week",
            Span::Month => "month",
            Span::All => "all",
        }
    }

    /// The span a period option names (the table maps aliases such as `today`).
    pub fn from_name(name: &str) -> Option<Span> {
        Span::ALL.into_iter().find(|s| s.name() == name)
    }

    /// When the period containing `now` began in `tz`.
    pub fn start(self, now: Timestamp, tz: &TimeZone) -> Option<Timestamp> {
        let today = now.to_zoned_datetime(tz.clone()).start_of_day().ok()?;
        let start = match self {
            Span::All => return None,
            Span::Day => today,
            Span::Week => {
                let back = today.weekday().to_monday_zero_offset();
                today.checked_sub(i64::from(back).days()).ok()?
            }
            Span::Month => today.first_of_month().ok()?.start_of_day().ok()?,
        };
        Some(start.timestamp())
    }
}

/// A person's record in a server or workspace.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Stats {
    pub user: String,
    pub answered: i64,
    pub correct: i64,
    pub accuracy: f64,
    pub points: i64,
    pub streak: i64,
    pub best_streak: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rank: Option<usize>,
    pub topics: Vec<TopicStats>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TopicStats {
    pub topic: String,
    pub answered: i64,
    pub correct: i64,
    pub accuracy: f64,
}

/// The time zone a channel's periods follow: its first schedule's, else UTC.
pub async fn channel_zone(
    store: &Store,
    guild: &str,
    channel: &str,
) -> Result<TimeZone, StoreError> {
    let schedules = store.schedules_in(guild, channel).await?;
    Ok(schedules
        .first()
        .and_then(|s| TimeZone::get(&s.zone).ok())
        .unwrap_or(TimeZone::UTC))
}

/// The standings of a server or workspace over the period around `at` that
/// follows `zone`, best first.
pub async fn standings(
    store: &Store,
    guild: &str,
    span: Span,
    topic: Option<&str>,
    zone: &TimeZone,
    at: Timestamp,
) -> Result<Vec<Standing>, StoreError> {
    let period = Period {
        since: span.start(at, zone).map(millis),
        topic: topic.map(str::to_string),
    };
    store.leaderboard(guild, &period).await
}

/// Totals, accuracy by topic and streaks (consecutive correct answers) from a
/// person's answers, oldest first.
pub fn summarize(user: &str, answers: &[AnswerRow], rank: Option<usize>) -> Stats {
    let mut topics: Vec<TopicStats> = Vec::new();
    let (mut streak, mut best) = (0, 0);
    for a in answers {
        match topics.iter_mut().find(|t| t.topic == a.topic) {
            Some(t) => {
                t.answered += 1;
                t.correct += i64::from(a.correct);
            }
            None => topics.push(TopicStats {
                topic: a.topic.clone(),
                answered: 1,
                correct: i64::from(a.correct),
                accuracy: 0.0,
            }),
        }
        streak = if a.correct { streak + 1 } else { 0 };
        best = best.max(streak);
    }
    for t in &mut topics {
        t.accuracy = t.correct as f64 / t.answered as f64;
    }
    topics.sort_by(|a, b| a.topic.cmp(&b.topic));
    let answered = answers.len() as i64;
    let correct = answers.iter().filter(|a| a.correct).count() as i64;
    Stats {
        user: answers
            .last()
            .map_or(user.to_string(), |a| a.user_name.clone()),
        answered,
        correct,
        accuracy: correct as f64 / answered.max(1) as f64,
        points: answers.iter().map(|a| a.points).sum(),
        streak,
        best_streak: best,
        rank,
        topics,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::Timestamp;

    #[test]
    fn periods_start_at_midnight_monday_and_the_first() {
        let now: Timestamp = "2026-11-26T15:30:00Z".parse().unwrap(); // a Thursday
        let utc = TimeZone::UTC;
        assert_eq!(
            Span::Day.start(now, &utc).unwrap().to_string(),
            "2026-11-26T00:00:00Z"
        );
        assert_eq!(
            Span::Week.start(now, &utc).unwrap().to_string(),
            "2026-11-23T00:00:00Z"
        );
        assert_eq!(
            Span::Month.start(now, &utc).unwrap().to_string(),
            "2026-11-01T00:00:00Z"
        );
        assert_eq!(Span::All.start(now, &utc), None);
        let berlin = TimeZone::get("Europe/Berlin").unwrap();
        assert_eq!(
            Span::Day.start(now, &berlin).unwrap().to_string(),
            "2026-11-25T23:00:00Z"
        );
    }

    fn row(topic: &str, correct: bool) -> AnswerRow {
        AnswerRow {
            user_id: "u".into(),
            user_name: "U".into(),
            topic: topic.into(),
            choice: "A".into(),
            correct,
            points: if correct { 10 } else { 0 },
            answered_at: 0,
        }
    }

    #[test]
    fn streaks_and_accuracy_by_topic() {
        let answers = [
            row("docker", true),
            row("docker", true),
            row("python", false),
            row("python", true),
        ];
        let s = summarize("u", &answers, Some(2));
        assert_eq!((s.answered, s.correct, s.points), (4, 3, 30));
        assert_eq!((s.streak, s.best_streak), (1, 2));
        assert_eq!(s.topics.len(), 2);
        assert_eq!(s.topics[1].topic, "python");
        assert!((s.topics[1].accuracy - 0.5).abs() < 1e-9);
    }
}
