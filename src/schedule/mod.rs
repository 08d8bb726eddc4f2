//! Daily quiz rounds on a schedule: the options of `/quiz schedule`, the rule
//! of each stored schedule, and the [`tick`] that starts each due run exactly
//! once (the commands' handlers are in `commands::schedule`).
//!
//! A run posts all of a round's questions at once and keeps them open for its
//! window (8 hours by default); the close (reveal, standings, the day's
//! leaderboard) is an ordinary round close, so it survives restarts. After
//! downtime a run missed by less than the grace window is posted late with a
//! note; older ones are skipped and logged, never posted in a burst. Each run and
//! reminder is claimed in the database, so two processes never both post it.

pub mod rule;

use jiff::tz::TimeZone;
use jiff::{SignedDuration, Timestamp};

use crate::bot::Bot;
use crate::clock::{from_millis, millis};
use crate::outbox::PostKind;
use crate::quiz::{self, DAILY, RoundPlan};
use crate::store::{RunClaim, ScheduleRow, StoreError};
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
            crate::commands::truncate(text, 20)
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
pub(crate) fn rule_of(s: &ScheduleRow) -> Option<Rule> {
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

/// Starts every scheduled run and writes every reminder due at `now`, each
/// exactly once (their posts go through the outbox).
pub async fn tick(bot: &Bot, now: Timestamp, grace: SignedDuration) -> Result<(), StoreError> {
    for schedule in bot.store().schedules().await? {
        let Some(rule) = rule_of(&schedule) else {
            continue;
        };
        remind(bot, &schedule, &rule, now).await?;
        let mut last = schedule.last_run_at;
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
                if bot
                    .store()
                    .claim_run(&claim.schedule_id, claim.previous, claim.due)
                    .await?
                {
                    tracing::warn!(
                        "skipped the {due} round of schedule {} in #{}: missed by {late:#}, more than the {grace:#} grace window",
                        schedule.id,
                        schedule.channel
                    );
                }
            } else {
                run(bot, &schedule, &claim, now, late).await?;
            }
            last = claim.due;
        }
    }
    Ok(())
}

/// Starts the daily round of one due run, if this process claims it.
async fn run(
    bot: &Bot,
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
    let Some(new) = quiz::prepare(bot, &plan).await? else {
        bot.store()
            .claim_run(&claim.schedule_id, claim.previous, claim.due)
            .await?;
        tracing::warn!("schedule {}: the bank has no questions for it", schedule.id);
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
    match bot
        .store()
        .create_claimed_round(&new, opens_at, Some(claim), &posts)
        .await
    {
        Ok(_) => Ok(()),
        Err(StoreError::ChannelBusy) => {
            if bot
                .store()
                .claim_run(&claim.schedule_id, claim.previous, claim.due)
                .await?
            {
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

/// Writes the reminder before the next run, once.
async fn remind(
    bot: &Bot,
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
    }
    .to_post(&schedule.guild, &schedule.channel, millis(now));
    bot.store()
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
pub async fn next_due(bot: &Bot) -> Result<Option<Timestamp>, StoreError> {
    let mut next: Option<Timestamp> = None;
    for schedule in bot.store().schedules().await? {
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
