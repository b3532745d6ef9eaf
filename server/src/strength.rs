//! The rule for a new password: at least 12 characters and hard to guess (zxcvbn's score 3 of
//! 4 or better, with its advice as the message). Checked on the server only: zxcvbn's
//! dictionaries would double the SPA's download.

use gatehouse_api::{FieldError, Password};

/// The shortest new password accepted.
pub const MIN_LENGTH: usize = 12;

/// The lowest zxcvbn score accepted ("safely unguessable: moderate protection from offline
/// slow-hash scenario").
const MIN_SCORE: zxcvbn::Score = zxcvbn::Score::Three;

/// Parses a new password for `field`, refusing one that is short or guessable. `context` holds
/// words a guesser would try first (the username).
pub fn new_password(
    field: &'static str,
    value: &str,
    context: &[&str],
) -> Result<Password, FieldError> {
    let refuse = |message: String| FieldError { field, message };
    let length = value.chars().count();
    if length < MIN_LENGTH {
        return Err(refuse(format!(
            "Use at least {MIN_LENGTH} characters (this has {length})."
        )));
    }
    let password = Password::new_account(value).map_err(|e| refuse(e.message))?;
    let estimate = zxcvbn::zxcvbn(value, context);
    if estimate.score() < MIN_SCORE {
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
        return Err(refuse(advice.join(" ")));
    }
    Ok(password)
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

    #[test]
    fn a_short_password_is_refused_with_its_length() {
        let err = new_password("new_password", "Tr0ub4dor&3", &[]).unwrap_err();
        assert_eq!(err.field, "new_password");
        assert!(err.message.contains("at least 12"), "{}", err.message);
    }

    #[test]
    fn a_long_but_guessable_password_is_refused_with_advice() {
        for weak in ["passwordpassword", "123456789012", "qwertyuiopasdf"] {
            let err = new_password("new_password", weak, &[]).unwrap_err();
            assert!(
                err.message.starts_with("This password is easy to guess."),
                "{weak}: {}",
                err.message
            );
        }
        let err = new_password("new_password", "annabelle2026!", &["annabelle"]).unwrap_err();
        assert!(
            err.message.contains("easy to guess"),
            "the username counts against it"
        );
    }

    #[test]
    fn a_long_unusual_password_is_accepted() {
        let ok = new_password("new_password", "velvet-otter-climbs-9-ladders", &["ann"]).unwrap();
        assert_eq!(ok.expose(), "velvet-otter-climbs-9-ladders");
    }
}
