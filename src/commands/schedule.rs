//! `/quiz schedule`, `/quiz unschedule` and `/quiz schedules`: a channel's
//! daily rounds (moderators change them; the command table says so), listed
//! with their next run in local time and UTC. The runs themselves are in
//! [`crate::schedule`].

use jiff::tz::TimeZone;
use jiff::{SignedDuration, Timestamp};

use crate::bot::{Bot, Context};
use crate::clock::{from_millis, millis};
use crate::quiz;
use crate::reply::{Data, Reply, ScheduleInfo};
use crate::schedule::ScheduleOptions;
use crate::schedule::rule::Days;
use crate::store::ScheduleRow;

fn info(s: &ScheduleRow, now: Timestamp) -> ScheduleInfo {
    let next =
        crate::schedule::rule_of(s).and_then(|r| r.next_after(from_millis(s.last_run_at).max(now)));
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

/// `/quiz schedule`: a daily round for the context's channel (moderators only).
pub async fn schedule(bot: &Bot, ctx: &Context, options: &ScheduleOptions) -> Reply {
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
        time: format!("{:02}:{:02}", options.time.hour(), options.time.minute()),
        zone: options.zone.iana_name().unwrap_or("UTC").to_string(),
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
