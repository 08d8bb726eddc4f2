//! When a card comes back after a grade: the memory model is FSRS (the `fsrs`
//! crate, default parameters), which has no same-day steps; this module adds
//! them (a new or forgotten card comes back in minutes), turns FSRS's
//! intervals into whole days, keeps Hard ≤ Good ≤ Easy, and widens a day
//! interval into a small range ("fuzz") from which the caller picks the
//! least loaded day.

use fsrs::{FSRS, MemoryState, NextStates};
use jiff::SignedDuration;

use super::Grade;

/// Same-day steps of a card seen for the first time.
pub const LEARNING_STEPS: [SignedDuration; 2] =
    [SignedDuration::from_mins(1), SignedDuration::from_mins(10)];
/// Same-day steps of a learned card graded Again.
pub const RELEARNING_STEPS: [SignedDuration; 1] = [SignedDuration::from_mins(10)];
/// The longest interval, in days.
const MAX_DAYS: u32 = 36_500;

/// Where a card is before a grade.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    /// Never graded.
    New,
    /// In same-day step `n` of a new card.
    Learning(usize),
    /// Learned; comes back after days.
    Review,
    /// In same-day step `n` after a lapse.
    Relearning(usize),
}

impl Phase {
    /// From a stored card: its reps, lapses and step (-1 in review).
    pub fn of(reps: i64, lapses: i64, step: i64) -> Phase {
        match (reps, step) {
            (0, _) => Phase::New,
            (_, step) if step < 0 => Phase::Review,
            (_, step) if lapses > 0 => Phase::Relearning(step as usize),
            (_, step) => Phase::Learning(step as usize),
        }
    }

    /// What the review log calls it.
    pub fn kind(self) -> &'static str {
        match self {
            Phase::New => "new",
            Phase::Learning(_) => "learning",
            Phase::Review => "review",
            Phase::Relearning(_) => "relearning",
        }
    }
}

/// When the card comes back.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Due {
    /// Later today, after a same-day step.
    After(SignedDuration),
    /// On a day `ideal` days from today; any day in `earliest..=latest` will do.
    Days {
        ideal: u32,
        earliest: u32,
        latest: u32,
    },
}

/// A card's state after a grade.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Plan {
    pub memory: MemoryState,
    /// The same-day step the card is in now, or -1 in review.
    pub step: i64,
    pub lapses: i64,
    pub due: Due,
}

/// Schedules cards with FSRS and same-day steps.
pub struct Scheduler {
    fsrs: FSRS,
    retention: f32,
}

impl Scheduler {
    /// FSRS with its default parameters, aiming at `retention` (0.7 to 0.99).
    pub fn new(retention: f32) -> Scheduler {
        Scheduler {
            fsrs: FSRS::default(),
            retention,
        }
    }

    /// The card's state after `grade`. `memory` is its FSRS state (none when
    /// new) and `days_elapsed` the whole days since its last review.
    pub fn plan(
        &self,
        phase: Phase,
        memory: Option<MemoryState>,
        lapses: i64,
        days_elapsed: u32,
        grade: Grade,
    ) -> Result<Plan, fsrs::FSRSError> {
        let memory = memory.filter(|_| phase != Phase::New);
        let next = self
            .fsrs
            .next_states(memory, self.retention, days_elapsed)?;
        let state = match grade {
            Grade::Again => next.again.memory,
            Grade::Hard => next.hard.memory,
            Grade::Good => next.good.memory,
            Grade::Easy => next.easy.memory,
        };
        let days = Intervals::of(&next);
        let in_step = |steps: &[SignedDuration], step: usize, lapses| Plan {
            memory: state,
            step: step as i64,
            lapses,
            due: Due::After(steps[step.min(steps.len() - 1)]),
        };
        let graduate = |ideal: u32, lapses| Plan {
            memory: state,
            step: -1,
            lapses,
            due: fuzzed(ideal),
        };
        Ok(match (phase, grade) {
            (Phase::New, Grade::Again | Grade::Hard) => in_step(&LEARNING_STEPS, 0, lapses),
            (Phase::New, Grade::Good) => in_step(&LEARNING_STEPS, 1, lapses),
            (Phase::Learning(_), Grade::Again) => in_step(&LEARNING_STEPS, 0, lapses),
            (Phase::Learning(step), Grade::Hard) => in_step(&LEARNING_STEPS, step, lapses),
            (Phase::Learning(step), Grade::Good) if step + 1 < LEARNING_STEPS.len() => {
                in_step(&LEARNING_STEPS, step + 1, lapses)
            }
            (Phase::Learning(_), Grade::Good) => graduate(days.good, lapses),
            (Phase::Relearning(_), Grade::Again) => in_step(&RELEARNING_STEPS, 0, lapses),
            (Phase::Relearning(step), Grade::Hard) => in_step(&RELEARNING_STEPS, step, lapses),
            (Phase::Relearning(step), Grade::Good) if step + 1 < RELEARNING_STEPS.len() => {
                in_step(&RELEARNING_STEPS, step + 1, lapses)
            }
            (Phase::Relearning(_), Grade::Good) => graduate(days.good, lapses),
            (Phase::Review, Grade::Again) => in_step(&RELEARNING_STEPS, 0, lapses + 1),
            (Phase::Review, Grade::Hard) => graduate(days.hard, lapses),
            (Phase::Review, Grade::Good) => graduate(days.good, lapses),
            (_, Grade::Easy) => graduate(days.easy, lapses),
        })
    }
}

/// FSRS's intervals as whole days, at least one, Hard ≤ Good < Easy.
struct Intervals {
    hard: u32,
    good: u32,
    easy: u32,
}

impl Intervals {
    fn of(next: &NextStates) -> Intervals {
        let days = |interval: f32| (interval.round() as u32).clamp(1, MAX_DAYS);
        let good = days(next.good.interval);
        let hard = days(next.hard.interval).min(good);
        let easy = days(next.easy.interval).max(good + 1);
        Intervals { hard, good, easy }
    }
}

/// The days an interval may land on: none either side under three days,
/// then a range that widens with the interval (15% of the days between 2.5
/// and 7, 10% up to 20, 5% beyond, plus one), as Anki spreads its reviews.
pub fn fuzzed(ideal: u32) -> Due {
    if ideal < 3 {
        return Due::Days {
            ideal,
            earliest: ideal,
            latest: ideal,
        };
    }
    let ivl = ideal as f32;
    let delta = 1.0
        + [(2.5, 7.0, 0.15), (7.0, 20.0, 0.1), (20.0, f32::MAX, 0.05)]
            .iter()
            .map(|(start, end, factor)| factor * (ivl.min(*end) - start).max(0.0))
            .sum::<f32>();
    let latest = ((ivl + delta).round() as u32).min(MAX_DAYS);
    let earliest = ((ivl - delta).round() as u32).max(2).min(latest);
    Due::Days {
        ideal,
        earliest,
        latest,
    }
}

/// The day to come back on, of `earliest..=latest` days from today: the one
/// with the fewest cards due already (`load`), a day a related card is due
/// on (`related`) counting as crowded; ties go to the day nearest `ideal`.
pub fn pick_day(
    ideal: u32,
    earliest: u32,
    latest: u32,
    load: impl Fn(u32) -> usize,
    related: impl Fn(u32) -> bool,
) -> u32 {
    /// A related card on the same day weighs more than any ordinary load.
    const RELATED: usize = 1_000_000;
    (earliest..=latest)
        .min_by_key(|&day| {
            let crowd = load(day) + if related(day) { RELATED } else { 0 };
            (crowd, day.abs_diff(ideal), day)
        })
        .unwrap_or(ideal)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn days(plan: &Plan) -> u32 {
        match plan.due {
            Due::Days { ideal, .. } => ideal,
            Due::After(after) => panic!("still in a step: {after:?}"),
        }
    }

    #[test]
    fn a_new_card_goes_through_the_same_day_steps() {
        let scheduler = Scheduler::new(0.9);
        let again = scheduler
            .plan(Phase::New, None, 0, 0, Grade::Again)
            .unwrap();
        assert_eq!(again.due, Due::After(SignedDuration::from_mins(1)));
        let good = scheduler.plan(Phase::New, None, 0, 0, Grade::Good).unwrap();
        assert_eq!(good.due, Due::After(SignedDuration::from_mins(10)));
        assert_eq!(good.step, 1);
        let graduated = scheduler
            .plan(Phase::Learning(1), Some(good.memory), 0, 0, Grade::Good)
            .unwrap();
        assert_eq!(graduated.step, -1);
        assert!(days(&graduated) >= 1);
        let easy = scheduler.plan(Phase::New, None, 0, 0, Grade::Easy).unwrap();
        assert!(days(&easy) > days(&graduated), "{easy:?} vs {graduated:?}");
    }

    #[test]
    fn good_intervals_grow_and_again_is_a_lapse() {
        let scheduler = Scheduler::new(0.9);
        let mut plan = scheduler.plan(Phase::New, None, 0, 0, Grade::Easy).unwrap();
        let mut last = days(&plan);
        for _ in 0..5 {
            plan = scheduler
                .plan(Phase::Review, Some(plan.memory), 0, last, Grade::Good)
                .unwrap();
            let now = days(&plan);
            assert!(now > last, "{now} after {last}");
            last = now;
        }
        let lapse = scheduler
            .plan(Phase::Review, Some(plan.memory), 0, last, Grade::Again)
            .unwrap();
        assert_eq!(lapse.lapses, 1);
        assert_eq!(lapse.due, Due::After(RELEARNING_STEPS[0]));
        assert!(lapse.memory.stability < plan.memory.stability);
        let hard = scheduler
            .plan(Phase::Review, Some(plan.memory), 0, last, Grade::Hard)
            .unwrap();
        let good = scheduler
            .plan(Phase::Review, Some(plan.memory), 0, last, Grade::Good)
            .unwrap();
        let easy = scheduler
            .plan(Phase::Review, Some(plan.memory), 0, last, Grade::Easy)
            .unwrap();
        assert!(days(&hard) <= days(&good) && days(&good) < days(&easy));
    }

    #[test]
    fn fuzz_widens_with_the_interval() {
        assert_eq!(
            fuzzed(2),
            Due::Days {
                ideal: 2,
                earliest: 2,
                latest: 2
            }
        );
        let Due::Days {
            earliest, latest, ..
        } = fuzzed(30)
        else {
            panic!()
        };
        assert!(earliest < 30 && latest > 30, "{earliest}..={latest}");
        let Due::Days {
            earliest: e100,
            latest: l100,
            ..
        } = fuzzed(100)
        else {
            panic!()
        };
        assert!(l100 - e100 > latest - earliest);
    }

    #[test]
    fn the_least_loaded_day_wins_and_related_cards_stay_apart() {
        let load = |day: u32| match day {
            9 => 5,
            10 => 3,
            11 => 4,
            _ => 0,
        };
        assert_eq!(pick_day(10, 9, 11, load, |_| false), 10);
        assert_eq!(pick_day(10, 9, 12, load, |_| false), 12);
        assert_eq!(pick_day(10, 9, 11, load, |day| day == 10), 11);
        // No other day: the ideal one, related or not.
        assert_eq!(pick_day(2, 2, 2, |_| 0, |_| true), 2);
    }
}
