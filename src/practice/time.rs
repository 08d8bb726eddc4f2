//! A learner's days: where today starts and ends in their time zone (DST
//! included), whole days between two instants, the next reminder, the streak.

use jiff::Timestamp;
use jiff::civil::{Date, Time};
use jiff::tz::TimeZone;

use crate::clock::millis;

/// A local date in a learner's zone.
#[derive(Debug, Clone, PartialEq)]
pub struct Day {
    date: Date,
    zone: TimeZone,
}

impl Day {
    /// The day `now` falls on in `zone`.
    pub fn of(now: Timestamp, zone: &TimeZone) -> Day {
        Day {
            date: now.to_zoned_datetime(zone.clone()).date(),
            zone: zone.clone(),
        }
    }

    /// `YYYY-MM-DD`.
    pub fn name(&self) -> String {
        self.date.to_string()
    }

    /// The day `days` after this one.
    pub fn plus(&self, days: i64) -> Day {
        Day {
            date: self
                .date
                .checked_add(jiff::Span::new().days(days))
                .unwrap_or(self.date),
            zone: self.zone.clone(),
        }
    }

    /// Its first instant (Unix ms); 00:00 local, or the first instant after a
    /// gap at midnight.
    pub fn start_ms(&self) -> i64 {
        self.date
            .to_zoned_datetime(self.zone.clone())
            .map(|z| millis(z.timestamp()))
            .unwrap_or(i64::MAX)
    }

    /// The first instant of the next day (Unix ms).
    pub fn end_ms(&self) -> i64 {
        self.plus(1).start_ms()
    }

    /// Whole days from the day `at` fell on to this one (0 when the same or later).
    pub fn days_since(&self, at: Timestamp) -> u32 {
        let then = at.to_zoned_datetime(self.zone.clone()).date();
        u32::try_from(then.duration_until(self.date).as_hours() / 24).unwrap_or(0)
    }

    /// Whole days from this day to the day `at` falls on (negative before).
    pub fn days_to(&self, at: Timestamp) -> u32 {
        let then = at.to_zoned_datetime(self.zone.clone()).date();
        u32::try_from(self.date.duration_until(then).as_hours() / 24).unwrap_or(u32::MAX)
    }
}

/// The first instant after `after` that is `time` in `zone`: today's if it is
/// still to come, else tomorrow's. A time a DST change skips is taken as the
/// instant after the gap.
pub fn next_reminder(time: Time, zone: &TimeZone, after: Timestamp) -> Timestamp {
    let today = after.to_zoned_datetime(zone.clone()).date();
    (0..3)
        .filter_map(|days| today.checked_add(jiff::Span::new().days(days)).ok())
        .filter_map(|date| date.to_datetime(time).to_zoned_datetime(zone.clone()).ok())
        .map(|zoned| zoned.timestamp())
        .find(|at| *at > after)
        .unwrap_or(after + jiff::SignedDuration::from_hours(24))
}

/// Days in a row with practice, ending today or yesterday; `days` are the
/// local dates practised on, latest first.
pub fn streak(today: &Day, days: &[String]) -> u32 {
    let dates: Vec<Date> = days.iter().filter_map(|d| d.parse().ok()).collect();
    let mut expected = match dates.first() {
        Some(first) if *first == today.date => today.date,
        Some(first) if Some(*first) == today.date.yesterday().ok() => *first,
        _ => return 0,
    };
    let mut streak = 0;
    for date in dates {
        if date != expected {
            break;
        }
        streak += 1;
        match expected.yesterday() {
            Ok(day) => expected = day,
            Err(_) => break,
        }
    }
    streak
}

#[cfg(test)]
mod tests {
    use super::*;

    fn berlin() -> TimeZone {
        TimeZone::get("Europe/Berlin").unwrap()
    }

    #[test]
    fn reminders_stay_at_local_time_across_dst() {
        let zone = berlin();
        let eight = Time::constant(8, 0, 0, 0);
        // 2026-10-24 is the Saturday before the clocks go back.
        let mut at: Timestamp = "2026-10-23T12:00:00Z".parse().unwrap();
        for expected in [
            "2026-10-24T06:00:00Z",
            "2026-10-25T07:00:00Z",
            "2026-10-26T07:00:00Z",
        ] {
            at = next_reminder(eight, &zone, at);
            assert_eq!(at.to_string(), expected);
            assert_eq!(at.to_zoned_datetime(zone.clone()).time(), eight);
        }
    }

    #[test]
    fn day_bounds_follow_the_zone() {
        let zone = berlin();
        let now: Timestamp = "2026-10-25T10:00:00Z".parse().unwrap();
        let day = Day::of(now, &zone);
        assert_eq!(day.name(), "2026-10-25");
        // The day the clocks go back has 25 hours.
        assert_eq!(day.end_ms() - day.start_ms(), 25 * 3_600_000);
        assert_eq!(day.days_since("2026-10-20T23:30:00Z".parse().unwrap()), 4);
        assert_eq!(day.days_to("2026-10-27T00:30:00Z".parse().unwrap()), 2);
    }

    #[test]
    fn streaks_end_today_or_yesterday() {
        let day = Day::of("2026-12-07T10:00:00Z".parse().unwrap(), &TimeZone::UTC);
        let days = |list: &[&str]| list.iter().map(|d| d.to_string()).collect::<Vec<_>>();
        assert_eq!(
            streak(&day, &days(&["2026-12-07", "2026-12-06", "2026-12-04"])),
            2
        );
        assert_eq!(streak(&day, &days(&["2026-12-06", "2026-12-05"])), 2);
        assert_eq!(streak(&day, &days(&["2026-12-05"])), 0);
        assert_eq!(streak(&day, &[]), 0);
    }
}
