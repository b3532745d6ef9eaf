//! The expiry warning's arithmetic: the session's deadlines on this browser's clock, when the
//! warning is due, how often input may renew the session, and the countdown's text.

use gatehouse_api::SessionState;

use crate::components::time;

/// The longest warning ahead of the idle deadline (ms).
pub const WARN_MS: f64 = 120_000.0;
/// The fewest milliseconds between two renewals made for input.
pub const EXTEND_EVERY_MS: f64 = 60_000.0;

/// The session's deadlines, in milliseconds since the epoch on this browser's clock.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Deadlines {
    /// When it ends unless something renews it.
    pub idle: f64,
    /// When it ends however active.
    pub absolute: f64,
    /// The idle timeout (ms): the warning comes a third of it ahead, two minutes at most.
    pub idle_timeout: f64,
}

/// Where the session is, seen from the warning.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Phase {
    /// Nothing to say yet.
    Quiet,
    /// Within the warning's time before the end.
    Warning,
    /// The end has passed (the server is asked before anything else happens).
    Over,
}

impl Deadlines {
    /// From the server's answer read at `now` (this browser's clock), corrected by the
    /// difference between the server's clock and ours, so a wrong clock here changes nothing.
    /// `None` when a time stamp does not read.
    pub fn of(state: &SessionState, now: f64) -> Option<Self> {
        let offset = now - time::millis(&state.now)?;
        Some(Self {
            idle: time::millis(&state.idle_expires_at)? + offset,
            absolute: time::millis(&state.absolute_expires_at)? + offset,
            idle_timeout: state.idle_timeout_seconds as f64 * 1000.0,
        })
    }

    /// How long ahead of the end the warning shows: a third of the idle timeout, two minutes
    /// at most.
    pub fn warn_ahead(&self) -> f64 {
        WARN_MS.min(self.idle_timeout / 3.0)
    }

    /// The fewest milliseconds between two renewals for input: a minute, or a third of the
    /// idle timeout when that is shorter.
    pub fn extend_every(&self) -> f64 {
        EXTEND_EVERY_MS.min(self.idle_timeout / 3.0)
    }

    /// When the session ends: the earlier deadline.
    pub fn end(&self) -> f64 {
        self.idle.min(self.absolute)
    }

    /// Whether the end coming is the absolute one (nothing can move it).
    pub fn is_final(&self) -> bool {
        self.absolute <= self.idle
    }

    /// Where the session is at `now`.
    pub fn phase(&self, now: f64) -> Phase {
        let left = self.end() - now;
        if left <= 0.0 {
            Phase::Over
        } else if left <= self.warn_ahead() {
            Phase::Warning
        } else {
            Phase::Quiet
        }
    }
}

/// Whether input at `now` should renew the session, the last renewal having been at
/// `last_extend` (before the deadlines are known, at most once a minute).
pub fn extend_due(deadlines: Option<&Deadlines>, last_extend: f64, now: f64) -> bool {
    let every = deadlines.map_or(EXTEND_EVERY_MS, Deadlines::extend_every);
    now - last_extend >= every
}

/// The time left as the warning counts it down: "m:ss", rounded up to the second, "0:00"
/// once past.
pub fn countdown(left_ms: f64) -> String {
    let seconds = (left_ms / 1000.0).ceil().max(0.0) as u64;
    format!("{}:{:02}", seconds / 60, seconds % 60)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn deadlines(idle: f64, absolute: f64, idle_timeout: f64) -> Deadlines {
        Deadlines {
            idle,
            absolute,
            idle_timeout,
        }
    }

    #[test]
    fn the_warning_comes_a_third_of_the_idle_timeout_ahead_and_two_minutes_at_most() {
        assert_eq!(deadlines(0.0, 0.0, 15_000.0).warn_ahead(), 5_000.0);
        assert_eq!(deadlines(0.0, 0.0, 1_800_000.0).warn_ahead(), 120_000.0);
    }

    #[test]
    fn input_renews_at_most_once_a_minute_or_a_third_of_a_shorter_timeout() {
        let short = deadlines(0.0, 0.0, 12_000.0);
        assert!(!extend_due(Some(&short), 1_000.0, 4_999.0));
        assert!(extend_due(Some(&short), 1_000.0, 5_000.0));
        assert!(!extend_due(None, 0.0, 59_999.0));
        assert!(extend_due(None, 0.0, 60_000.0));
    }

    #[test]
    fn the_session_ends_at_the_earlier_deadline_and_only_the_absolute_one_is_final() {
        let idle_first = deadlines(1_000.0, 5_000.0, 30_000.0);
        assert_eq!((idle_first.end(), idle_first.is_final()), (1_000.0, false));
        let absolute_first = deadlines(5_000.0, 1_000.0, 30_000.0);
        assert_eq!(
            (absolute_first.end(), absolute_first.is_final()),
            (1_000.0, true)
        );
    }

    #[test]
    fn the_phase_is_quiet_then_warning_then_over() {
        let d = deadlines(100_000.0, 1_000_000.0, 30_000.0);
        assert_eq!(d.phase(89_999.0), Phase::Quiet);
        assert_eq!(d.phase(90_000.0), Phase::Warning);
        assert_eq!(d.phase(99_999.0), Phase::Warning);
        assert_eq!(d.phase(100_000.0), Phase::Over);
    }

    #[test]
    fn the_countdown_rounds_up_to_the_second_and_stops_at_zero() {
        assert_eq!(countdown(120_000.0), "2:00");
        assert_eq!(countdown(61_001.0), "1:02");
        assert_eq!(countdown(4_200.0), "0:05");
        assert_eq!(countdown(-3_000.0), "0:00");
    }
}
