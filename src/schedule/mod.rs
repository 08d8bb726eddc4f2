//! Daily quiz rounds on a schedule: `/quiz schedule`, `/quiz unschedule`,
//! `/quiz schedules`, and the [`tick`] that posts each due run exactly once.
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

use crate::bot::{Bot, Context};
use crate::clock::{from_millis, millis};
use crate::quiz::{self, DAILY, Post, RoundPlan};
use crate::reply::{Data, Reply, ScheduleInfo};
use crate::store::{RunClaim, ScheduleRow, StoreError};
use rule::{Days, Rule};

/// Defaults and limits of `/quiz schedule`.
pub const DEFAULT_OPEN: SignedDuration = SignedDuration::from_hours(8);
pub const MAX_OPEN: SignedDuration = SignedDuration::from_hours(23);
/// Runs handled per schedule in one tick at most (a long downtime is skipped).
const MAX_RUNS_PER_TICK: usize = 400;

/// What `/quiz schedule` asks for, validated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScheduleOptions {
    pub time: String,
    pub zone: String,
    pub days: Days,
    pub topic: Option<String>,
    pub questions: usize,
    pub open: SignedDuration,
    pub reminder_minutes: Option<i64>,
    pub role: Option<String>,
}

fn rule_of(s: &ScheduleRow) -> Option<Rule> {
    Some(Rule {
        time: rule::parse_time(&s.time).ok()?,
        zone: TimeZone::get(&s.zone).ok()?,
        days: Days::from_bits(s.days),
    })
}

fn info(s: &ScheduleRow, now: Timestamp) -> ScheduleInfo {
    let next = rule_of(s).and_then(|r| r.next_after(from_millis(s.last_run_at).max(now)));
    let zone = TimeZone::get(&s.zone).unwrap_or(TimeZone::UTC);
    ScheduleInfo {
        id: s.id.clone(),
        time: s.time.clone(),
        zone: s.zone.clone(),
        days: Days::from_bits(s.days).to_string(),
        topic: s.topic.clone(),
        questions: s.questions,
        open: format!("{:#}", SignedDuration::from_secs(s.open_seconds)),
        reminder_minutes: s.reminder_minutes,
        next_local: next.map(|t| {
            t.to_zoned_datetime(zone.clone())
                .strftime("%a %Y-%m-%d %H:%M %Z")
                .to_string()
        }),
        next_utc: next.map(|t| t.to_string()),
    }
}

/// One line about a schedule: when, what, and its next run.
fn describe(s: &ScheduleInfo) -> String {
    format!(
        "{}: {} {} {}, {} {} questions, open {}; next {} ({} UTC)",
        s.id,
        s.time,
        s.zone,
        s.days,
        s.questions,
        s.topic.as_deref().unwrap_or("mixed"),
        s.open,
        s.next_local.as_deref().unwrap_or("never"),
        s.next_utc.as_deref().unwrap_or("never"),
    )
}

fn denied() -> Reply {
    Reply::error(
        "only moderators (Manage Server, workspace admins or the configured role) can change schedules",
    )
}

/// `/quiz schedule`: a daily round for the context's channel (moderators only).
pub async fn schedule(bot: &Bot, ctx: &Context, options: &ScheduleOptions) -> Reply {
    if !ctx.moderator {
        return denied();
    }
    if let Some(topic) = &options.topic {
        if !bot.bank().has_topic(topic) {
            return crate::commands::topics::unknown_topic(bot, topic);
        }
    }
    let now = millis(bot.now());
    let row = ScheduleRow {
        id: format!("{:08x}", fastrand::u32(..)),
        guild: ctx.guild.clone(),
        channel: ctx.channel.clone(),
        time: options.time.clone(),
        zone: options.zone.clone(),
        days: options.days.bits(),
        topic: options.topic.clone(),
        questions: options.questions as i64,
        open_seconds: options.open.as_secs(),
        reminder_minutes: options.reminder_minutes,
        role: options.role.clone(),
        created_by: ctx.user.clone(),
        created_at: now,
        last_run_at: now,
        last_reminder_at: now,
    };
    if let Err(e) = bot.store().create_schedule(&row).await {
        return quiz::store_error(e);
    }
    let info = info(&row, bot.now());
    let text = format!("Daily quiz scheduled: {}", describe(&info));
    Reply::public(text).with_data(Data::Schedule(info))
}

/// `/quiz unschedule [id]`: removes the channel's schedules, or the one named.
pub async fn unschedule(bot: &Bot, ctx: &Context, id: Option<&str>) -> Reply {
    if !ctx.moderator {
        return denied();
    }
    match bot
        .store()
        .delete_schedules(&ctx.guild, &ctx.channel, id)
        .await
    {
        Ok(0) => Reply::error(match id {
            Some(id) => format!(
                "no schedule `{}` in this channel: /quiz schedules lists them",
                crate::commands::truncate(id, 20)
            ),
            None => "this channel has no schedules".to_string(),
        }),
        Ok(n) => Reply::public(format!(
            "removed {n} schedule{}",
            if n == 1 { "" } else { "s" }
        )),
        Err(e) => quiz::store_error(e),
    }
}

/// `/quiz schedules`: the channel's schedules with their next runs.
pub async fn list(bot: &Bot, ctx: &Context) -> Reply {
    let rows = match bot.store().schedules_in(&ctx.guild, &ctx.channel).await {
        Ok(rows) => rows,
        Err(e) => return quiz::store_error(e),
    };
    let now = bot.now();
    let schedules: Vec<ScheduleInfo> = rows.iter().map(|s| info(s, now)).collect();
    let mut text = if schedules.is_empty() {
        "this channel has no schedules: /quiz schedule 09:30 Europe/Berlin weekdays adds one"
            .to_string()
    } else {
        "Schedules here:".to_string()
    };
    for s in &schedules {
        text.push_str(&format!("\n- {}", describe(s)));
    }
    Reply::private(text).with_data(Data::Schedules { schedules })
}

/// Posts every scheduled run and reminder due at `now`, each exactly once.
pub async fn tick(
    bot: &Bot,
    now: Timestamp,
    grace: SignedDuration,
) -> Result<Vec<Post>, StoreError> {
    let mut posts = Vec::new();
    for schedule in bot.store().schedules().await? {
        let Some(rule) = rule_of(&schedule) else {
            continue;
        };
        remind(bot, &schedule, &rule, now, &mut posts).await?;
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
                run(bot, &schedule, &claim, now, late, &mut posts).await?;
            }
            last = claim.due;
        }
    }
    Ok(posts)
}

/// Starts the daily round of one due run, if this process claims it.
async fn run(
    bot: &Bot,
    schedule: &ScheduleRow,
    claim: &RunClaim,
    now: Timestamp,
    late: SignedDuration,
    posts: &mut Vec<Post>,
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
    match bot
        .store()
        .create_claimed_round(&new, opens_at, Some(claim))
        .await
    {
        Ok(true) => {}
        Ok(false) => return Ok(()),
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
            return Ok(());
        }
        Err(e) => return Err(e),
    }
    let post = |reply: Reply| Post {
        guild: schedule.guild.clone(),
        channel: schedule.channel.clone(),
        at: now,
        reply,
    };
    let mut intro = format!(
        "**Daily quiz**: {} questions, open until {}. Answer with /answer NUMBER LETTER.",
        new.questions.len(),
        from_millis(new.round.closes_at)
    );
    if late > SignedDuration::from_secs(60) {
        intro.push_str(&format!(
            "\n(Posted late: the bot was away when it was due at {}.)",
            from_millis(claim.due)
        ));
    }
    posts.push(post(Reply::public(intro)));
    for question in &new.questions {
        posts.push(post(quiz::render::question(bot, &new.round, question)));
    }
    Ok(())
}

/// Sends the reminder before the next run, once.
async fn remind(
    bot: &Bot,
    schedule: &ScheduleRow,
    rule: &Rule,
    now: Timestamp,
    posts: &mut Vec<Post>,
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
    if !bot
        .store()
        .claim_reminder(&schedule.id, schedule.last_reminder_at, millis(next))
        .await?
    {
        return Ok(());
    }
    let mention = schedule
        .role
        .as_deref()
        .map_or(String::new(), |r| match r.starts_with("<@&") {
            // Already a platform mention (a Discord role option).
            true => format!("{r} "),
            false => format!("@{r} "),
        });
    posts.push(Post {
        guild: schedule.guild.clone(),
        channel: schedule.channel.clone(),
        at: now,
        reply: Reply::public(format!(
            "{mention}the daily quiz starts in {minutes} minutes ({next})"
        ))
        .with_data(Data::Reminder {
            schedule: schedule.id.clone(),
            starts_at: next.to_string(),
            role: schedule.role.clone(),
        }),
    });
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
