//! `/quiz schedule`, `/quiz unschedule` and `/quiz schedules`: a channel's
//! daily rounds (moderators change them; the command table says so), listed
//! with their next run in local time and UTC. The runs themselves are in
//! [`crate::schedule`].

use jiff::tz::TimeZone;
use jiff::{SignedDuration, Timestamp};

use super::spec::{
    Access, CommandSpec, Invocation, Kind, OptionSpec, Privacy, QUESTIONS, Surface, TOPIC, at_most,
    defaults_to, option, required,
};
use super::{Command, ParseError};
use crate::bot::{Bot, Context};
use crate::clock::{from_millis, millis};
use crate::quiz;
use crate::quiz::DEFAULT_QUESTIONS;
use crate::render::{self, plural};
use crate::reply::{Data, Reply, ScheduleInfo};
use crate::schedule::rule::{self, Days};
use crate::schedule::{DEFAULT_OPEN, ScheduleOptions, parse_open};
use crate::store::ScheduleRow;

/// `/quiz schedule`: its entry in the command table.
pub static SCHEDULE: CommandSpec = CommandSpec {
    path: &["quiz", "schedule"],
    aliases: &[],
    summary: "A daily round for this channel (moderators)",
    details: "days: daily, weekdays or mon,wed,fri; reminder:MINUTES role:NAME mentions a role before it starts",
    example: "/quiz schedule 09:30 Europe/Berlin weekdays docker 5 8h",
    options: &[
        at_most(
            required(option("time", Kind::TimeOfDay, "HH:MM, 24-hour")),
            5,
        ),
        OptionSpec {
            aliases: &["tz"],
            ..at_most(
                required(option(
                    "zone",
                    Kind::Zone,
                    "IANA time zone, for example Europe/Berlin",
                )),
                64,
            )
        },
        at_most(
            defaults_to(
                option(
                    "days",
                    Kind::Days,
                    "daily, weekdays, weekends, or days like mon,wed,fri",
                ),
                "daily",
            ),
            40,
        ),
        TOPIC,
        QUESTIONS,
        at_most(
            defaults_to(
                option(
                    "open",
                    Kind::Duration,
                    "how long the round takes answers, for example 8h",
                ),
                "8h",
            ),
            10,
        ),
        option(
            "reminder",
            Kind::Integer { min: 1, max: 720 },
            "remind this many minutes before",
        ),
        option("role", Kind::Role, "the role the reminder mentions"),
    ],
    access: Access::Moderator,
    privacy: Privacy::Public,
    surface: Surface::Everywhere,
    decode: |inv| schedule_options(inv).map(Command::Schedule),
};

/// `/quiz unschedule`: its entry in the command table.
pub static UNSCHEDULE: CommandSpec = CommandSpec {
    path: &["quiz", "unschedule"],
    aliases: &[],
    summary: "Remove one of this channel's schedules, or all of them (moderators)",
    details: "without an id it lists the schedules and asks which; `all` removes every one",
    example: "/quiz unschedule 1a2b3c4d",
    options: &[at_most(
        option("id", Kind::Id, "the schedule's id, or all"),
        40,
    )],
    access: Access::Moderator,
    privacy: Privacy::Public,
    surface: Surface::Everywhere,
    decode: |inv| {
        Ok(Command::Unschedule {
            id: inv.string("id"),
        })
    },
};

/// `/quiz schedules`: its entry in the command table.
pub static SCHEDULES: CommandSpec = CommandSpec {
    path: &["quiz", "schedules"],
    aliases: &[],
    summary: "This channel's schedules with their next runs",
    details: "",
    example: "/quiz schedules",
    options: &[],
    access: Access::Anyone,
    privacy: Privacy::Personal,
    surface: Surface::Everywhere,
    decode: |_| Ok(Command::Schedules),
};

/// `/quiz schedule`: time of day, zone, weekdays and window parsed once.
pub fn schedule_options(inv: &Invocation) -> Result<ScheduleOptions, ParseError> {
    let time = rule::parse_time(inv.text("time").unwrap_or_default()).map_err(ParseError)?;
    let zone = rule::resolve_zone(inv.text("zone").unwrap_or_default()).map_err(ParseError)?;
    let days = match inv.text("days") {
        Some(days) => Days::parse(days).map_err(ParseError)?,
        None => Days::DAILY,
    };
    let open = match inv.text("open") {
        Some(open) => parse_open(open).map_err(ParseError)?,
        None => DEFAULT_OPEN,
    };
    Ok(ScheduleOptions {
        time,
        zone: zone.zone,
        zone_name: zone.name,
        days,
        topic: inv.text("topic").map(str::to_string),
        questions: inv
            .integer("questions")
            .map_or(DEFAULT_QUESTIONS, |n| n as usize),
        open,
        reminder_minutes: inv.integer("reminder"),
        role: inv.text("role").map(str::to_string),
    })
}

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
        "{}: {} {} {}, {} from {}, open {}; next {} ({} UTC)",
        s.id,
        s.time,
        s.zone,
        s.days,
        plural(s.questions, "question"),
        s.topic.as_deref().unwrap_or("all topics"),
        s.open,
        s.next_local.as_deref().unwrap_or("never"),
        s.next_utc.as_deref().unwrap_or("never"),
    )
}

/// `/quiz schedule`: a daily round for the context's channel (moderators only).
/// Refused when the channel already has that schedule, when its window would
/// overlap another schedule's there, or when its topic is too small.
pub async fn schedule(bot: &Bot, ctx: &Context, options: &ScheduleOptions) -> Reply {
    if let Some(topic) = &options.topic {
        let entries = bot.entries(&ctx.guild);
        if let Err(e) = quiz::check_topic(&entries, topic, options.questions) {
            return render::quiz_error(e, entries.bank(), ctx.platform, |n| {
                ctx.platform.command(&format!(
                    "quiz schedule {:02}:{:02} {} {} {topic} {n}",
                    options.time.hour(),
                    options.time.minute(),
                    options.zone_name,
                    options.days
                ))
            });
        }
    }
    let now = millis(bot.now());
    let row = ScheduleRow {
        id: format!("{:08x}", fastrand::u32(..)),
        guild: ctx.guild.clone(),
        channel: ctx.channel.clone(),
        time: format!("{:02}:{:02}", options.time.hour(), options.time.minute()),
        zone: options.zone_name.clone(),
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
    let existing = match bot.store().schedules_in(&ctx.guild, &ctx.channel).await {
        Ok(rows) => rows,
        Err(e) => return render::store_error(e),
    };
    let current = bot.now();
    if let Some(same) = existing
        .iter()
        .find(|s| s.time == row.time && s.zone == row.zone && s.days == row.days)
    {
        return Reply::error(format!(
            "this channel already has that schedule: {}",
            describe(&info(same, current))
        ));
    }
    if let Some((other, at)) = existing
        .iter()
        .find_map(|s| crate::schedule::overlap(&row, s, current).map(|at| (s, at)))
    {
        let zone = TimeZone::get(&row.zone).unwrap_or(TimeZone::UTC);
        return Reply::error(format!(
            "its round would overlap schedule {} ({} {} {}, open {:#}) on {}: one round runs in a channel at a time, so pick another time, a shorter open window, or {} first",
            other.id,
            other.time,
            other.zone,
            Days::from_bits(other.days),
            SignedDuration::from_secs(other.open_seconds),
            at.to_zoned_datetime(zone).strftime("%a %Y-%m-%d"),
            ctx.platform
                .command(&format!("quiz unschedule {}", other.id))
        ));
    }
    if let Err(e) = bot.store().create_schedule(&row).await {
        return render::store_error(e);
    }
    let info = info(&row, current);
    let text = format!("Daily quiz scheduled: {}", describe(&info));
    Reply::public(text).with_data(Data::Schedule(info))
}

/// `/quiz unschedule [id|all]`: removes the schedule named, or all of the
/// channel's with `all`; without either it lists them and asks which.
pub async fn unschedule(bot: &Bot, ctx: &Context, id: Option<&str>) -> Reply {
    let store = bot.store();
    let Some(id) = id else {
        let rows = match store.schedules_in(&ctx.guild, &ctx.channel).await {
            Ok(rows) => rows,
            Err(e) => return render::store_error(e),
        };
        if rows.is_empty() {
            return Reply::error("this channel has no schedules");
        }
        let now = bot.now();
        let schedules: Vec<ScheduleInfo> = rows.iter().map(|s| info(s, now)).collect();
        let unschedule = ctx.platform.command("quiz unschedule");
        let mut text = format!(
            "Which schedule? {unschedule} ID removes one, {unschedule} all removes every one here:"
        );
        for s in &schedules {
            text.push_str(&format!("\n- {}", describe(s)));
        }
        return Reply::private(text).with_data(Data::Schedules { schedules });
    };
    let all = id.eq_ignore_ascii_case("all");
    match store
        .delete_schedules(&ctx.guild, &ctx.channel, (!all).then_some(id))
        .await
    {
        Ok(0) => Reply::error(match all {
            false => format!(
                "no schedule `{}` in this channel: {} lists them",
                crate::markdown::truncate(id, 20),
                ctx.platform.command("quiz schedules")
            ),
            true => "this channel has no schedules".to_string(),
        }),
        Ok(n) => Reply::public(format!("removed {}", plural(n as i64, "schedule"))),
        Err(e) => render::store_error(e),
    }
}

/// `/quiz schedules`: the channel's schedules with their next runs.
pub async fn list(bot: &Bot, ctx: &Context) -> Reply {
    let rows = match bot.store().schedules_in(&ctx.guild, &ctx.channel).await {
        Ok(rows) => rows,
        Err(e) => return render::store_error(e),
    };
    let now = bot.now();
    let schedules: Vec<ScheduleInfo> = rows.iter().map(|s| info(s, now)).collect();
    let mut text = if schedules.is_empty() {
        format!(
            "this channel has no schedules: {} adds one",
            ctx.platform
                .command("quiz schedule 09:30 Europe/Berlin weekdays")
        )
    } else {
        "Schedules here:".to_string()
    };
    for s in &schedules {
        text.push_str(&format!("\n- {}", describe(s)));
    }
    Reply::private(text).with_data(Data::Schedules { schedules })
}
