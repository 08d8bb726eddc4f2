//! When a schedule runs: a local time of day in an IANA time zone on chosen
//! weekdays, daylight-saving correct. 09:30 Europe/Berlin stays 09:30 local on both
//! sides of a change; a time that does not exist on the spring-forward day runs at
//! the first valid instant after the gap; a time that occurs twice in autumn runs
//! once, at its first occurrence.

use jiff::Timestamp;
use jiff::civil::{Date, DateTime, Time, Weekday};
use jiff::tz::{AmbiguousOffset, TimeZone};

/// Days of the week a schedule runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Days(u8);

const WEEKDAYS: [(&str, Weekday); 7] = [
    ("mon", Weekday::Monday),
    ("tue", Weekday::Tuesday),
    ("wed", Weekday::Wednesday),
    ("thu", Weekday::Thursday),
    ("fri", Weekday::Friday),
    ("sat", Weekday::Saturday),
    ("sun", Weekday::Sunday),
];

impl Days {
    pub const DAILY: Days = Days(0b111_1111);
    pub const WEEKDAYS: Days = Days(0b001_1111);

    /// `daily`, `weekdays`, `weekends`, or a list like `mon,wed,fri`.
    pub fn parse(text: &str) -> Result<Days, String> {
        let text = text.trim().to_ascii_lowercase();
        match text.as_str() {
            "daily" | "everyday" => return Ok(Days::DAILY),
            "weekdays" => return Ok(Days::WEEKDAYS),
            "weekends" => return Ok(Days(0b110_0000)),
            _ => {}
        }
        let mut bits = 0u8;
        for name in text.split(',').map(str::trim).filter(|n| !n.is_empty()) {
            let short: String = name.chars().take(3).collect();
            let index = WEEKDAYS
                .iter()
                .position(|(n, _)| *n == short && name.len() >= 3)
                .ok_or_else(|| {
                    format!("`{name}` is not a day: use daily, weekdays or a list like mon,wed,fri")
                })?;
            bits |= 1 << index;
        }
        if bits == 0 {
            return Err(
                "the day list is empty: use daily, weekdays or a list like mon,wed,fri".into(),
            );
        }
        Ok(Days(bits))
    }

    pub fn contains(self, day: Weekday) -> bool {
        let index = day.to_monday_zero_offset();
        self.0 & (1 << index) != 0
    }

    pub fn bits(self) -> i64 {
        i64::from(self.0)
    }

    pub fn from_bits(bits: i64) -> Days {
        Days((bits & 0b111_1111) as u8)
    }
}

impl std::fmt::Display for Days {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match *self {
            Days::DAILY => f.write_str("daily"),
            Days::WEEKDAYS => f.write_str("weekdays"),
            Days(bits) => {
                let names: Vec<&str> = WEEKDAYS
                    .iter()
                    .enumerate()
                    .filter(|(i, _)| bits & (1 << i) != 0)
                    .map(|(_, (n, _))| *n)
                    .collect();
                f.write_str(&names.join(","))
            }
        }
    }
}

/// A local time on some weekdays in a time zone.
#[derive(Debug, Clone, PartialEq)]
pub struct Rule {
    pub time: Time,
    pub zone: TimeZone,
    pub days: Days,
}

/// `HH:MM`, 00:00 to 23:59.
pub fn parse_time(text: &str) -> Result<Time, String> {
    let bad = || format!("`{text}` is not a time of day: use HH:MM, for example 09:30");
    let (h, m) = text.trim().split_once(':').ok_or_else(bad)?;
    let (h, m): (i8, i8) = (h.parse().map_err(|_| bad())?, m.parse().map_err(|_| bad())?);
    if !(0..24).contains(&h) || !(0..60).contains(&m) || text.trim().len() > 5 {
        return Err(bad());
    }
    Time::new(h, m, 0, 0).map_err(|_| bad())
}

/// A stored zone name (written by [`resolve_zone`], so already canonical).
pub fn parse_zone(name: &str) -> Result<TimeZone, String> {
    TimeZone::get(name.trim()).map_err(|_| {
        format!(
            "`{name}` is not an IANA time zone: use a name like Europe/Berlin or America/New_York"
        )
    })
}

/// A time zone as people type it, with the IANA name it is stored under.
#[derive(Debug, Clone, PartialEq)]
pub struct Zone {
    pub name: String,
    pub zone: TimeZone,
}

/// Abbreviations people type for a zone, and the IANA zones they may mean:
/// one zone is unambiguous and accepted, several are offered as suggestions.
const ABBREVIATIONS: &[(&str, &[&str])] = &[
    ("pst", &["America/Los_Angeles"]),
    ("pdt", &["America/Los_Angeles"]),
    ("pt", &["America/Los_Angeles"]),
    ("akst", &["America/Anchorage"]),
    ("hst", &["Pacific/Honolulu"]),
    ("jst", &["Asia/Tokyo"]),
    ("kst", &["Asia/Seoul"]),
    ("hkt", &["Asia/Hong_Kong"]),
    ("sgt", &["Asia/Singapore"]),
    ("msk", &["Europe/Moscow"]),
    (
        "aest",
        &[
            "Australia/Sydney",
            "Australia/Melbourne",
            "Australia/Brisbane",
        ],
    ),
    ("aedt", &["Australia/Sydney", "Australia/Melbourne"]),
    ("nzst", &["Pacific/Auckland"]),
    ("nzdt", &["Pacific/Auckland"]),
    (
        "est",
        &["America/New_York", "America/Toronto", "America/Panama"],
    ),
    ("edt", &["America/New_York", "America/Toronto"]),
    ("et", &["America/New_York", "America/Toronto"]),
    (
        "cst",
        &["America/Chicago", "Asia/Shanghai", "America/Havana"],
    ),
    ("cdt", &["America/Chicago", "America/Havana"]),
    ("mst", &["America/Denver", "America/Phoenix"]),
    ("mdt", &["America/Denver", "America/Edmonton"]),
    ("ist", &["Asia/Kolkata", "Europe/Dublin", "Asia/Jerusalem"]),
    ("bst", &["Europe/London", "Asia/Dhaka"]),
    ("gmt", &["UTC", "Europe/London"]),
    ("wet", &["Europe/Lisbon", "Atlantic/Canary"]),
    ("west", &["Europe/Lisbon", "Atlantic/Canary"]),
    (
        "cet",
        &[
            "Europe/Berlin",
            "Europe/Paris",
            "Europe/Madrid",
            "Europe/Rome",
            "Europe/Warsaw",
        ],
    ),
    (
        "cest",
        &[
            "Europe/Berlin",
            "Europe/Paris",
            "Europe/Madrid",
            "Europe/Rome",
            "Europe/Warsaw",
        ],
    ),
    ("met", &["Europe/Berlin", "Europe/Paris"]),
    (
        "eet",
        &[
            "Europe/Athens",
            "Europe/Helsinki",
            "Europe/Kyiv",
            "Africa/Cairo",
        ],
    ),
    ("eest", &["Europe/Athens", "Europe/Helsinki", "Europe/Kyiv"]),
];

/// Most zones suggested for a name that is not one.
const MAX_SUGGESTIONS: usize = 5;

/// A zone as typed: an IANA name in any case (`europe/berlin` is stored as
/// `Europe/Berlin`), `UTC`, or an abbreviation that means one zone (`JST`).
/// Anything else is refused with the IANA zones it may mean.
pub fn resolve_zone(typed: &str) -> Result<Zone, String> {
    let typed = typed.trim();
    let lower = typed.to_ascii_lowercase();
    if matches!(lower.as_str(), "utc" | "etc/utc" | "z" | "zulu") {
        return Ok(Zone {
            name: "UTC".into(),
            zone: TimeZone::UTC,
        });
    }
    let shown = crate::markdown::truncate(typed, 40);
    let refuse = |suggestions: Vec<String>| match suggestions.is_empty() {
        true => format!(
            "`{shown}` is not an IANA time zone: use a Region/City name like Europe/Berlin or America/New_York"
        ),
        false => format!(
            "`{shown}` is not an IANA time zone: did you mean {}?",
            suggestions.join(", ")
        ),
    };
    if let Some((_, zones)) = ABBREVIATIONS.iter().find(|(a, _)| *a == lower) {
        if let [only] = zones {
            return canonical(only).ok_or_else(|| refuse(vec![]));
        }
        return Err(format!(
            "`{shown}` could mean several time zones: use one of {}",
            zones.join(", ")
        ));
    }
    // Region/City names only: the tz database's legacy names without a region
    // (CET, EST5EDT, Japan) are ambiguous or misleading as schedule zones.
    if typed.contains('/') {
        if let Some(zone) = canonical(typed) {
            return Ok(zone);
        }
    }
    Err(refuse(suggestions(&lower)))
}

/// The IANA zone named `name` in any case, under its canonical spelling.
fn canonical(name: &str) -> Option<Zone> {
    let found = jiff::tz::db()
        .available()
        .find(|n| n.as_str().eq_ignore_ascii_case(name))?;
    let zone = TimeZone::get(found.as_str()).ok()?;
    Some(Zone {
        name: found.as_str().to_string(),
        zone,
    })
}

/// Region/City zones whose city (or region and city) matches what was typed:
/// `Berlin` and `berlin` suggest Europe/Berlin, `new_york` America/New_York.
fn suggestions(lower: &str) -> Vec<String> {
    let wanted = lower.replace([' ', '-'], "_");
    let city = wanted.rsplit('/').next().unwrap_or(&wanted).to_string();
    if city.len() < 3 {
        return Vec::new();
    }
    let mut found: Vec<String> = jiff::tz::db()
        .available()
        .map(|n| n.as_str().to_string())
        .filter(|n| n.contains('/') && !n.starts_with("Etc/") && !n.starts_with("posix/"))
        .filter(|n| {
            let last = n.rsplit('/').next().unwrap_or(n).to_ascii_lowercase();
            last == city || last.starts_with(&city) || n.to_ascii_lowercase().contains(&wanted)
        })
        .collect();
    found.sort_by_key(|n| {
        let last = n.rsplit('/').next().unwrap_or(n).to_ascii_lowercase();
        (last != city, n.len())
    });
    found.dedup();
    found.truncate(MAX_SUGGESTIONS);
    found
}

impl Rule {
    /// The first run strictly after `after`.
    pub fn next_after(&self, after: Timestamp) -> Option<Timestamp> {
        let start: Date = after.to_zoned_datetime(self.zone.clone()).date();
        let mut day = start.yesterday().ok()?;
        for _ in 0..16 {
            if self.days.contains(day.weekday()) {
                if let Some(at) = self.instant_on(day) {
                    if at > after {
                        return Some(at);
                    }
                }
            }
            day = day.tomorrow().ok()?;
        }
        None
    }

    /// The run instant on a local date: the wall time, moved to the end of a gap,
    /// or its first occurrence in a fold.
    pub fn instant_on(&self, day: Date) -> Option<Timestamp> {
        let local = DateTime::from_parts(day, self.time);
        let ambiguous = self.zone.to_ambiguous_timestamp(local);
        match ambiguous.offset() {
            AmbiguousOffset::Gap { after, .. } => {
                let before_gap = after.to_timestamp(local).ok()?;
                self.zone
                    .following(before_gap)
                    .next()
                    .map(|t| t.timestamp())
            }
            _ => ambiguous.earlier().ok(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zones_are_canonical_and_bad_ones_get_suggestions() {
        assert_eq!(resolve_zone("europe/berlin").unwrap().name, "Europe/Berlin");
        assert_eq!(
            resolve_zone("AMERICA/NEW_YORK").unwrap().name,
            "America/New_York"
        );
        assert_eq!(resolve_zone("utc").unwrap().name, "UTC");
        assert_eq!(resolve_zone("JST").unwrap().name, "Asia/Tokyo");
        assert_eq!(resolve_zone("pst").unwrap().name, "America/Los_Angeles");
        let cet = resolve_zone("CET").unwrap_err();
        assert!(
            cet.contains("several") && cet.contains("Europe/Berlin"),
            "{cet}"
        );
        let berlin = resolve_zone("Berlin").unwrap_err();
        assert!(berlin.contains("did you mean Europe/Berlin"), "{berlin}");
        assert!(
            resolve_zone("Japan").is_err(),
            "legacy names without a region"
        );
        assert!(
            resolve_zone("new_york")
                .unwrap_err()
                .contains("America/New_York")
        );
    }

    fn berlin(time: &str, days: &str) -> Rule {
        Rule {
            time: parse_time(time).unwrap(),
            zone: parse_zone("Europe/Berlin").unwrap(),
            days: Days::parse(days).unwrap(),
        }
    }

    fn at(s: &str) -> Timestamp {
        s.parse().unwrap()
    }

    fn local(t: Timestamp) -> String {
        t.to_zoned_datetime(parse_zone("Europe/Berlin").unwrap())
            .datetime()
            .to_string()
    }

    #[test]
    fn stays_at_local_time_across_both_changes() {
        let rule = berlin("09:30", "daily");
        // 2026-03-29: clocks go forward; 2026-10-25: clocks go back.
        let before = rule.next_after(at("2026-03-28T12:00:00Z")).unwrap();
        assert_eq!(before, at("2026-03-29T07:30:00Z"));
        assert_eq!(local(before), "2026-03-29T09:30:00");
        let winter = rule.next_after(at("2026-03-27T12:00:00Z")).unwrap();
        assert_eq!(winter, at("2026-03-28T08:30:00Z"));
        let autumn = rule.next_after(at("2026-10-25T00:00:00Z")).unwrap();
        assert_eq!(autumn, at("2026-10-25T08:30:00Z"));
        assert_eq!(local(autumn), "2026-10-25T09:30:00");
    }

    #[test]
    fn a_missing_time_runs_at_the_end_of_the_gap_and_a_repeated_one_once() {
        let rule = berlin("02:30", "daily");
        let spring = rule.next_after(at("2026-03-28T12:00:00Z")).unwrap();
        assert_eq!(
            spring,
            at("2026-03-29T01:00:00Z"),
            "03:00 local, right after the gap"
        );
        let autumn = rule.next_after(at("2026-10-24T12:00:00Z")).unwrap();
        assert_eq!(autumn, at("2026-10-25T00:30:00Z"), "the first 02:30");
        let next = rule.next_after(autumn).unwrap();
        assert_eq!(next, at("2026-10-26T01:30:00Z"), "not the second 02:30");
    }

    #[test]
    fn weekdays_skip_the_weekend() {
        let rule = berlin("09:30", "weekdays");
        let friday = at("2026-11-27T08:30:00Z");
        assert_eq!(rule.next_after(friday).unwrap(), at("2026-11-30T08:30:00Z"));
        let rule = berlin("09:30", "mon,wed,fri");
        assert_eq!(
            rule.next_after(at("2026-11-23T09:00:00Z")).unwrap(),
            at("2026-11-25T08:30:00Z")
        );
    }

    #[test]
    fn bad_input_is_explained() {
        assert!(parse_time("25:00").unwrap_err().contains("HH:MM"));
        assert!(parse_time("9:3x").is_err());
        assert!(parse_time("09:60").is_err());
        assert_eq!(parse_time("9:05").unwrap(), Time::new(9, 5, 0, 0).unwrap());
        assert!(parse_zone("Mars/Olympus").unwrap_err().contains("IANA"));
        assert!(resolve_zone("Mars/Olympus").unwrap_err().contains("IANA"));
        assert!(Days::parse("").unwrap_err().contains("empty"));
        assert!(Days::parse(",").unwrap_err().contains("empty"));
        assert!(Days::parse("mon,funday").unwrap_err().contains("funday"));
        assert_eq!(Days::parse("Monday,wed").unwrap().to_string(), "mon,wed");
    }
}
