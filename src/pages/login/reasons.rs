//! Why the person is on the sign-in page (the `reason` the server or a guard gave), in words.

use gatehouse_api::ErrorCode;

/// The sentence for `reason`, naming the signed-in `username` where it helps; `None` for a
/// reason with nothing to say.
pub fn reason_text(reason: ErrorCode, username: Option<&str>) -> Option<String> {
    Some(match reason {
        ErrorCode::Unauthenticated => "Please sign in to continue.".into(),
        ErrorCode::SessionExpired => "Your session has expired. Please sign in again.".into(),
        ErrorCode::PasswordChanged => {
            "Your password was changed, so this browser was signed out. Sign in with the new password."
                .into()
        }
        ErrorCode::SessionEnded => {
            "This session was ended from another device or by an administrator. Sign in again to continue."
                .into()
        }
        ErrorCode::AccountDisabled => {
            "This account has been disabled. Ask an administrator if you think that's a mistake."
                .into()
        }
        ErrorCode::Forbidden => match username {
            Some(name) => format!(
                "Your account ({name}) doesn't have access to that page. Sign in as someone else to continue."
            ),
            None => "Your account doesn't have access to that page. Sign in as someone else to continue.".into(),
        },
        ErrorCode::CsrfFailed => "A security check failed. Please sign in again.".into(),
        // What a sign-in posted as a plain form came back with (`POST /login`).
        code => return code.failed_sign_in_message().map(String::from),
    })
}

/// Whether `reason` is how a sign-in posted as a plain form failed (shown as the form's error,
/// not as a notice).
pub fn is_failed_sign_in(reason: Option<ErrorCode>) -> bool {
    reason.is_some_and(|r| r.failed_sign_in_message().is_some())
}

/// What the page at `path` is called, for "which can't open …".
pub fn page_name(path: &str) -> &'static str {
    let path = path.split(['?', '#']).next().unwrap_or_default();
    if path == "/admin" || path.starts_with("/admin/") {
        "Admin"
    } else {
        "that page"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_reason_the_page_has_nothing_to_say_about_shows_no_notice() {
        for code in [
            ErrorCode::ReauthRequired,
            ErrorCode::PasswordChangeRequired,
            ErrorCode::Internal,
            ErrorCode::Unknown,
        ] {
            assert_eq!(reason_text(code, None), None, "{code:?}");
        }
    }

    #[test]
    fn no_access_names_the_account_when_someone_is_signed_in() {
        let text = reason_text(ErrorCode::Forbidden, Some("ann")).unwrap();
        assert!(text.starts_with("Your account (ann) doesn't"), "{text}");
        let text = reason_text(ErrorCode::Forbidden, None).unwrap();
        assert!(text.starts_with("Your account doesn't"), "{text}");
    }

    #[test]
    fn only_the_ways_a_posted_form_fails_count_as_a_failed_sign_in() {
        assert!(is_failed_sign_in(Some(ErrorCode::InvalidCredentials)));
        assert!(is_failed_sign_in(Some(ErrorCode::TooManyRequests)));
        assert!(!is_failed_sign_in(Some(ErrorCode::SessionExpired)));
        assert!(!is_failed_sign_in(None));
    }

    #[test]
    fn admin_pages_are_called_admin_and_others_that_page() {
        assert_eq!(page_name("/admin"), "Admin");
        assert_eq!(page_name("/admin/users/3?x=1"), "Admin");
        assert_eq!(page_name("/administrator"), "that page");
        assert_eq!(page_name("/notes#admin/"), "that page");
    }
}
