//! Daily quiz rounds on a schedule.
pub mod rule;
