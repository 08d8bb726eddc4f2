//! Daily quiz rounds on a schedule: the options of `/quiz schedule`, the rule
//! of each stored schedule, and the [`tick`] that starts each due run exactly
//! once (the commands' handlers are in `commands::schedule`).
//!
//! A run posts all of a round's questions at once and keeps them open for its
//! window (8 hours by default); the close (reveal, standings, the day's
//! leaderboard) is an ordinary round close, so it survives restarts. After
//! downtime a run missed by less than the grace window is posted late with a
//! note; older ones are skipped, never posted in a burst. Every skipped run (the
//! bot was away, the channel was busy, the bank had no questions) is announced
//! in its channel through the outbox, as well as logged. Each run and
//! reminder is claimed in the database, so two processes never both post it.

pub mod rule;

use jiff::tz::TimeZone;
use jiff::{SignedDuration, Timestamp};

use crate::clock::{from_millis, millis};
use crate::library::Entries;
use crate::outbox::{PostKind, SkipReason};
use crate::quiz::{self, DAILY, RoundPlan};
use crate::store::{RunClaim, ScheduleRow, Store, StoreError};
use rule::{Days, Rule};

/// Defaults and limits of `/quiz schedule`.
pub const DEFAULT_OPEN: SignedDuration = SignedDuration::from_hours(8);
pub const MAX_OPEN: SignedDuration = SignedDuration::from_hours(23);
/// Runs handled per schedule in one tick at most (a long downtime is skipped).
const MAX_RUNS_PER_TICK: usize = 400;

/// What `/quiz schedule` asks for, validated and in domain types.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScheduleOptions {
    pub time: jiff::civil::Time,
    pub zone: TimeZone,
    /// The zone's canonical IANA name (`Europe/Berlin` for `europe/berlin`).
    pub zone_name: String,
    pub days: Days,
    pub topic: Option<String>,
    pub questions: usize,
    pub open: SignedDuration,
    pub reminder_minutes: Option<i64>,
    pub role: Option<String>,
}

/// How long a daily round stays open: `8h`, `90m`, `1h30m`; 1 minute to 23 hours.
pub fn parse_open(text: &str) -> Result<SignedDuration, String> {
    let bad = || {
        format!(
            "`{}` is not a duration like 8h or 90m (1m to 23h)",
            crate::markdown::truncate(text, 20)
        )
    };
    let span: jiff::Span = text.parse().map_err(|_| bad())?;
    let duration = SignedDuration::try_from(span).map_err(|_| bad())?;
    if duration < SignedDuration::from_mins(1) || duration > MAX_OPEN {
        return Err(bad());
    }
    Ok(duration)
}

/// The rule of a stored schedule. A row that no longer parses (edited by hand,
/// or a time zone gone from the database) is logged as an error every time it
/// is read, never skipped in silence.
pub fn rule_of(s: &ScheduleRow) -> Option<Rule> {
    let parsed = rule::parse_time(&s.time).and_then(|time| {
        let zone = rule::parse_zone(&s.zone)?;
        Ok(Rule {
            time,
            zone,
            days: Days::from_bits(s.days),
        })
    });
    match parsed {
        Ok(rule) => Some(rule),
        Err(e) => {
            tracing::error!(
                "schedule {} in #{} cannot run: {e} (remove it with /quiz unschedule {})",
                s.id,
                s.channel,
                s.id
            );
            None
        }
    }
}

/// How far ahead schedules are compared for overlapping windows: a year, so
/// daylight-saving changes in two different zones are both seen.
const OVERLAP_HORIZON_DAYS: i64 = 366;

/// The run windows of a schedule from `from` for the horizon: `[start, end)`.
fn windows(s: &ScheduleRow, from: Timestamp) -> Vec<(Timestamp, Timestamp)> {
    let Some(rule) = rule_of(s) else {
        return Vec::new();
    };
    let until = from + SignedDuration::from_hours(24 * OVERLAP_HORIZON_DAYS);
    let open = SignedDuration::from_secs(s.open_seconds);
    let mut out = Vec::new();
    // Starts a window early so one already open at `from` is seen.
    let mut at = from - open;
    while let Some(start) = rule.next_after(at) {
        if start > until || out.len() > 400 {
            break;
        }
        out.push((start, start + open));
        at = start;
    }
    out
}

/// The first run of `new` whose open window would overlap a window of
/// `other` (two rounds cannot run in one channel at once), if any.
pub fn overlap(new: &ScheduleRow, other: &ScheduleRow, now: Timestamp) -> Option<Timestamp> {
    let theirs = windows(other, now);
    windows(new, now).into_iter().find_map(|(start, end)| {
        theirs
            .iter()
            .any(|&(s, e)| start < e && s < end)
            .then_some(start)
    })
}

/// The first scheduled run in a channel due before `until` (one that is due
/// already counts): the schedule and when.
pub async fn due_before(
    store: &Store,
    guild: &str,
    channel: &str,
    until: Timestamp,
) -> Result<Option<(ScheduleRow, Timestamp)>, StoreError> {
    let mut first: Option<(ScheduleRow, Timestamp)> = None;
    for schedule in store.schedules_in(guild, channel).await? {
        let Some(rule) = rule_of(&schedule) else {
            continue;
        };
        let Some(due) = rule.next_after(from_millis(schedule.last_run_at)) else {
            continue;
        };
        if due <= until && first.as_ref().is_none_or(|(_, at)| due < *at) {
            first = Some((schedule, due));
        }
    }
    Ok(first)
}

/// Starts every scheduled run and writes every reminder due at `now`, each
/// exactly once (their posts go through the outbox); rounds draw their
/// questions from what their server sees of `entries`.
pub async fn tick(
    store: &Store,
    entries: &Entries,
    now: Timestamp,
    grace: SignedDuration,
) -> Result<(), StoreError> {
    for schedule in store.schedules().await? {
        let Some(rule) = rule_of(&schedule) else {
            continue;
        };
        remind(store, &schedule, &rule, now).await?;
        let mut last = schedule.last_run_at;
        let mut missed: Option<(Timestamp, i64)> = None;
        for _ in 0..MAX_RUNS_PER_TICK {
            let Some(due) = rule.next_after(from_millis(last)) else {
                break;
            };
            if due > now {
                break;
            }
            let claim = RunClaim {
                schedule_id: schedule.id.clone(),
                previous: last,
                due: millis(due),
            };
            let late = now.duration_since(due);
            if late > grace {
                // A long downtime misses many runs: the last of them carries
                // one announcement for all.
                missed.get_or_insert((due, 0)).1 += 1;
                let next_missed = rule
                    .next_after(due)
                    .is_some_and(|next| next <= now && now.duration_since(next) > grace);
                let posts = match next_missed {
                    true => Vec::new(),
                    false => {
                        let (first, count) = missed.take().unwrap_or((due, 1));
                        vec![skipped(
                            &schedule,
                            millis(first),
                            count,
                            SkipReason::Away {
                                late_seconds: late.as_secs(),
                                grace_seconds: grace.as_secs(),
                            },
                            now,
                        )]
                    }
                };
                if store.claim_run_posting(&claim, &posts, millis(now)).await? {
                    tracing::warn!(
                        "skipped the {due} round of schedule {} in #{}: missed by {late:#}, more than the {grace:#} grace window",
                        schedule.id,
                        schedule.channel
                    );
                }
            } else {
                let entries = entries.for_server(&schedule.guild);
                run(store, &entries, &schedule, &claim, now, late).await?;
            }
            last = claim.due;
        }
    }
    Ok(())
}

/// Starts the daily round of one due run, if this process claims it.
async fn run(
    store: &Store,
    entries: &Entries,
    schedule: &ScheduleRow,
    claim: &RunClaim,
    now: Timestamp,
    late: SignedDuration,
) -> Result<(), StoreError> {
    let opens_at = millis(now);
    let plan = RoundPlan {
        guild: &schedule.guild,
        channel: &schedule.channel,
        topic: schedule.topic.as_deref(),
        questions: schedule.questions as usize,
        starter: &schedule.created_by,
        kind: DAILY,
        seconds: schedule.open_seconds,
        opens_at,
        closes_at: claim.due + schedule.open_seconds * 1000,
        zone: Some(&schedule.zone),
    };
    let Some(new) = quiz::prepare(store, entries, &plan).await? else {
        let post = skipped(schedule, claim.due, 1, SkipReason::NoQuestions, now);
        if store.claim_run_posting(claim, &[post], opens_at).await? {
            tracing::warn!("schedule {}: the bank has no questions for it", schedule.id);
        }
        return Ok(());
    };
    let mut kinds = vec![PostKind::DailyIntro {
        round: new.round.id.clone(),
        questions: new.questions.len() as i64,
        closes_at: new.round.closes_at,
        due: claim.due,
        late: late > SignedDuration::from_secs(60),
    }];
    kinds.extend(new.questions.iter().map(|q| PostKind::Question {
        round: new.round.id.clone(),
        position: q.position,
        closes_at: new.round.closes_at,
    }));
    let posts: Vec<_> = kinds
        .iter()
        .map(|kind| kind.to_post(&schedule.guild, &schedule.channel, opens_at))
        .collect();
    match store
        .create_claimed_round(&new, opens_at, Some(claim), &posts)
        .await
    {
        Ok(_) => Ok(()),
        Err(StoreError::ChannelBusy) => {
            let post = skipped(schedule, claim.due, 1, SkipReason::Busy, now);
            if store.claim_run_posting(claim, &[post], opens_at).await? {
                tracing::warn!(
                    "skipped the {} round of schedule {} in #{}: a round is still running there",
                    from_millis(claim.due),
                    schedule.id,
                    schedule.channel
                );
            }
            Ok(())
        }
        Err(e) => Err(e),
    }
}

/// The announcement of `count` skipped runs of a schedule, the first due at `due`.
fn skipped(
    schedule: &ScheduleRow,
    due: i64,
    count: i64,
    reason: SkipReason,
    now: Timestamp,
) -> crate::store::NewPost {
    PostKind::Skipped {
        schedule: schedule.id.clone(),
        due,
        count,
        zone: schedule.zone.clone(),
        reason,
    }
    .to_post(&schedule.guild, &schedule.channel, millis(now))
}

/// Writes the reminder before the next run, once.
async fn remind(
    store: &Store,
    schedule: &ScheduleRow,
    rule: &Rule,
    now: Timestamp,
) -> Result<(), StoreError> {
    let Some(minutes) = schedule.reminder_minutes else {
        return Ok(());
    };
    let Some(next) = rule.next_after(from_millis(schedule.last_run_at)) else {
        return Ok(());
    };
    let remind_at = next - SignedDuration::from_mins(minutes);
    if now < remind_at || now >= next || schedule.last_reminder_at >= millis(next) {
        return Ok(());
    }
    let post = PostKind::Reminder {
        schedule: schedule.id.clone(),
        starts_at: millis(next),
        minutes,
        role: schedule.role.clone(),
        zone: Some(schedule.zone.clone()),
    }
    .to_post(&schedule.guild, &schedule.channel, millis(now));
    store
        .claim_reminder_posting(
            &schedule.id,
            schedule.last_reminder_at,
            millis(next),
            &[post],
            millis(now),
        )
        .await?;
    Ok(())
}

/// The next instant a schedule needs attention (a run or a reminder).
pub async fn next_due(store: &Store) -> Result<Option<Timestamp>, StoreError> {
    let mut next: Option<Timestamp> = None;
    for schedule in store.schedules().await? {
        let Some(rule) = rule_of(&schedule) else {
            continue;
        };
        let Some(run) = rule.next_after(from_millis(schedule.last_run_at)) else {
            continue;
        };
        let mut candidates = vec![run];
        if let Some(minutes) = schedule.reminder_minutes {
            let remind_at = run - SignedDuration::from_mins(minutes);
            if schedule.last_reminder_at < millis(run) {
                candidates.push(remind_at);
            }
        }
        for at in candidates {
            next = Some(next.map_or(at, |n| n.min(at)));
        }
    }
    Ok(next)
}

#[cfg(test)]
mod tests {
    //! A schedule's runs as a domain service, without a bot: a store, a
    //! library and instants given by hand.

    use super::*;
    use crate::outbox::PostKind;
    use crate::quiz::tests::{at, posts, world};

    /// A daily 09:30 UTC schedule of 2 docker questions, made at `created`.
    fn daily(created: Timestamp) -> ScheduleRow {
        ScheduleRow {
            id: "s1".into(),
            guild: "g".into(),
            channel: "c".into(),
            time: "09:30".into(),
            zone: "UTC".into(),
            days: Days::DAILY.bits(),
            topic: Some("docker".into()),
            questions: 2,
            open_seconds: 3600,
            reminder_minutes: None,
            role: None,
            created_by: "mod".into(),
            created_at: millis(created),
            last_run_at: millis(created),
            last_reminder_at: millis(created),
        }
    }

    #[tokio::test]
    async fn a_due_run_is_claimed_once_even_by_two_ticks_at_once() {
        let w = world().await;
        let (store, library) = (&w.store, &w.library);
        store.create_schedule(&daily(at(0))).await.unwrap();
        let grace = SignedDuration::from_mins(30);
        let due = at(30 * 60);
        assert_eq!(next_due(store).await.unwrap(), Some(due));

        tick(store, library, at(29 * 60), grace).await.unwrap();
        assert!(
            store.open_round("g", "c").await.unwrap().is_none(),
            "not yet"
        );

        let (a, b) = tokio::join!(
            tick(store, library, due, grace),
            tick(store, library, due, grace)
        );
        a.unwrap();
        b.unwrap();
        let round = store
            .open_round("g", "c")
            .await
            .unwrap()
            .expect("a daily round");
        assert_eq!(round.kind, crate::quiz::DAILY);
        let kinds = posts(store).await;
        let intros = kinds
            .iter()
            .filter(|k| matches!(k, PostKind::DailyIntro { .. }))
            .count();
        assert_eq!(intros, 1, "{kinds:?}");
        assert_eq!(kinds.len(), 3, "the intro and both questions: {kinds:?}");

        tick(store, library, due, grace).await.unwrap();
        assert!(posts(store).await.is_empty(), "no second post of the run");
        assert_eq!(
            next_due(store).await.unwrap(),
            Some(due + SignedDuration::from_hours(24))
        );
    }

    #[tokio::test]
    async fn a_run_missed_beyond_the_grace_window_is_skipped_and_said_once() {
        let w = world().await;
        let (store, library) = (&w.store, &w.library);
        store.create_schedule(&daily(at(0))).await.unwrap();
        let grace = SignedDuration::from_mins(30);
        // Back three days and an hour after the first run was due.
        let back = at(30 * 60) + SignedDuration::from_hours(72 + 1);
        tick(store, library, back, grace).await.unwrap();
        assert!(store.open_round("g", "c").await.unwrap().is_none());
        let kinds = posts(store).await;
        assert!(
            matches!(kinds.as_slice(), [PostKind::Skipped { count: 4, .. }]),
            "{kinds:?}"
        );
    }
}
