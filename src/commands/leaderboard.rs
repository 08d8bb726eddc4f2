//! `/leaderboard [day|week|month|all] [topic]` and `/stats [user]`, computed from
//! the answer log. Periods start at midnight (weeks on Monday) in the channel's
//! time zone, UTC until schedules set one.

use jiff::tz::TimeZone;
use jiff::{Timestamp, ToSpan};

use crate::bot::{Bot, Context};
use crate::clock::millis;
use crate::quiz::render;
use crate::reply::{Data, Reply, Stats, TopicStats};
use crate::store::{AnswerRow, Period, StoreError};

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

pub async fn leaderboard(bot: &Bot, ctx: &Context, span: Span, topic: Option<&str>) -> Reply {
    if let Some(topic) = topic {
        if !bot.bank().has_topic(topic) {
            return super::topics::unknown_topic(bot, topic);
        }
    }
    let zone = match channel_zone(bot, &ctx.guild, &ctx.channel).await {
        Ok(zone) => zone,
        Err(e) => return crate::quiz::store_error(e),
    };
    board(bot, &ctx.guild, span, topic, &zone, bot.now()).await
}

/// The time zone a channel's periods follow: its first schedule's, else UTC.
pub async fn channel_zone(bot: &Bot, guild: &str, channel: &str) -> Result<TimeZone, StoreError> {
    let schedules = bot.store().schedules_in(guild, channel).await?;
    Ok(schedules
        .first()
        .and_then(|s| TimeZone::get(&s.zone).ok())
        .unwrap_or(TimeZone::UTC))
}

/// The standings of a server or workspace over the period around `at` that
/// follows `zone`.
pub async fn board(
    bot: &Bot,
    guild: &str,
    span: Span,
    topic: Option<&str>,
    zone: &TimeZone,
    at: Timestamp,
) -> Reply {
    let period = Period {
        since: span.start(at, zone).map(millis),
        topic: topic.map(str::to_string),
    };
    let standings = match bot.store().leaderboard(guild, &period).await {
        Ok(s) => s,
        Err(e) => return crate::quiz::store_error(e),
    };
    let rows = render::rows(&standings[..standings.len().min(10)]);
    let scope = topic.map_or(String::new(), |t| format!(" in {t}"));
    let mut text = format!(
        "**Leaderboard: {}{scope}**",
        match span {
            Span::All => "all time",
            Span::Day => "today",
            other => other.name(),
        }
    );
    render::push_rows(&mut text, &rows);
    Reply::public(text).with_data(Data::Leaderboard {
        period: span.name().to_string(),
        topic: topic.map(str::to_string),
        rows,
    })
}

pub async fn stats(bot: &Bot, ctx: &Context, user: Option<&str>) -> Reply {
    let user = user.unwrap_or(&ctx.user);
    let store = bot.store();
    let all_time = Period::default();
    let (answers, board) = match tokio::try_join!(
        store.answers_of(&ctx.guild, user),
        store.leaderboard(&ctx.guild, &all_time)
    ) {
        Ok(found) => found,
        Err(e) => return crate::quiz::store_error(e),
    };
    if answers.is_empty() {
        return Reply::private(format!(
            "{user} has not answered any quiz question here yet"
        ));
    }
    let rank = board.iter().position(|s| s.user_id == user).map(|i| i + 1);
    let stats = summarize(user, &answers, rank);
    let mut text = format!(
        "**{}**: {} points, {}/{} correct ({:.0}%), streak {} (best {}){}",
        stats.user,
        stats.points,
        stats.correct,
        stats.answered,
        stats.accuracy * 100.0,
        stats.streak,
        stats.best_streak,
        stats.rank.map_or(String::new(), |r| format!(", rank {r}"))
    );
    for t in &stats.topics {
        text.push_str(&format!(
            "\n- {}: {}/{} ({:.0}%)",
            t.topic,
            t.correct,
            t.answered,
            t.accuracy * 100.0
        ));
    }
    Reply::private(text).with_data(Data::Stats(stats))
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

    #[test]
    fn leaderboard_options() {
        use crate::commands::{Command, parse};
        assert_eq!(
            parse("/leaderboard month docker").unwrap(),
            Command::Leaderboard {
                span: Span::Month,
                topic: Some("docker".into())
            }
        );
        assert_eq!(
            parse("/leaderboard").unwrap(),
            Command::Leaderboard {
                span: Span::Week,
                topic: None
            }
        );
        assert!(parse("/leaderboard year docker python").is_err());
        assert_eq!(
            parse("/stats @alice").unwrap(),
            Command::Stats {
                user: Some("alice".into())
            }
        );
    }
}
