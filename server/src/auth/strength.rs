//! The rule for a new password: 12 to 256 characters and hard to guess (zxcvbn's score 3 of 4
//! or better, with its advice as the message). Checked on the server only: zxcvbn's
//! dictionaries would double the SPA's download.
//!
//! The estimate is costly (its l33t and spatial matching grow with the length: a 100-character
//! password of substitutable symbols took 0.3 s in a release build), so it judges only the
//! first [`ESTIMATED`] characters, and callers run it on the hashing threads, after the
//! throttle has reserved the attempt (`Hasher::check_strength`).

use gatehouse_api::{FieldError, Password};

/// The shortest new password accepted.
pub const MIN_LENGTH: usize = 12;

/// How many characters the estimate judges: the worst case measured about 25 ms (release),
/// about one Argon2 verification; 64 characters cost up to 135 ms.
pub const ESTIMATED: usize = 32;

/// The lowest zxcvbn score accepted ("safely unguessable: moderate protection from offline
/// slow-hash scenario").
const MIN_SCORE: zxcvbn::Score = zxcvbn::Score::Three;

/// Parses a new password for `field`: its length only, which costs nothing. The estimate
/// comes after (`estimate`).
pub fn parse_new(field: &'static str, value: &str) -> Result<Password, FieldError> {
    let refuse = |message: String| FieldError { field, message };
    let length = value.chars().count();
    if length < MIN_LENGTH {
        return Err(refuse(format!(
            "Use at least {MIN_LENGTH} characters (this has {length})."
        )));
    }
    if length > Password::MAX_NEW {
        return Err(refuse(format!(
            "Use at most {} characters (this has {length}).",
            Password::MAX_NEW
        )));
    }
    Password::new_account(value).map_err(|e| refuse(e.message))
}

/// Refuses a password that is easy to guess, judging its first `ESTIMATED` characters.
/// `context` holds words a guesser would try first (the username). Costly: run it off the
/// request threads.
pub fn estimate(
    field: &'static str,
    password: &Password,
    context: &[&str],
) -> Result<(), FieldError> {
    let judged: String = password.expose().chars().take(ESTIMATED).collect();
    let estimate = zxcvbn::zxcvbn(&judged, context);
    if estimate.score() >= MIN_SCORE {
        return Ok(());
    }
    let mut advice = vec!["This password is easy to guess.".to_string()];
    if let Some(feedback) = estimate.feedback() {
        advice.extend(feedback.warning().map(|w| sentence(&w.to_string())));
        advice.extend(
            feedback
                .suggestions()
                .iter()
                .map(|s| sentence(&s.to_string())),
        );
    }
    Err(FieldError {
        field,
        message: advice.join(" "),
    })
}

fn sentence(text: &str) -> String {
    let text = text.trim();
    if text.ends_with('.') {
        text.to_string()
    } else {
        format!("{text}.")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn judged(value: &str, context: &[&str]) -> Result<(), FieldError> {
        let password = parse_new("new_password", value)?;
        estimate("new_password", &password, context)
    }

    #[test]
    fn a_short_or_overlong_password_is_refused_with_its_length() {
        let err = judged("Tr0ub4dor&3", &[]).unwrap_err();
        assert_eq!(err.field, "new_password");
        assert!(err.message.contains("at least 12"), "{}", err.message);
        let err = judged(&"x9!".repeat(86), &[]).unwrap_err();
        assert!(err.message.contains("at most 256"), "{}", err.message);
        assert!(err.message.contains("258"), "{}", err.message);
    }

    #[test]
    fn a_long_but_guessable_password_is_refused_with_advice() {
        for weak in ["passwordpassword", "123456789012", "qwertyuiopasdf"] {
            let err = judged(weak, &[]).unwrap_err();
            assert!(
                err.message.starts_with("This password is easy to guess."),
                "{weak}: {}",
                err.message
            );
        }
        let err = judged("annabelle2026!", &["annabelle"]).unwrap_err();
        assert!(
            err.message.contains("easy to guess"),
            "the username counts against it"
        );
    }

    #[test]
    fn a_long_unusual_password_is_accepted() {
        let ok = parse_new("new_password", "velvet-otter-climbs-9-ladders").unwrap();
        assert!(estimate("new_password", &ok, &["ann"]).is_ok());
        assert_eq!(ok.expose(), "velvet-otter-climbs-9-ladders");
    }

    #[test]
    fn only_the_first_characters_are_judged_so_the_cost_is_bounded() {
        let weak_start = format!("{}{}", "a".repeat(ESTIMATED), "Xk9#mQ2$vB7!pL4%");
        assert!(judged(&weak_start, &[]).is_err());
        let strong_start = format!("{}{}", "velvet-otter-climbs-9-ladders!!!", "a".repeat(200));
        assert!(judged(&strong_start, &[]).is_ok());
    }
}
