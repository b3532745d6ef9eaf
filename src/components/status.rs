//! How an account reads in a word or two: its role and its state.

use gatehouse_api::{AdminUser, Role};

/// "Administrator" or "User".
pub fn role_name(role: Role) -> &'static str {
    match role {
        Role::Admin => "Administrator",
        Role::User => "User",
    }
}

/// What state an account is in, in a word or two.
pub fn status(user: &AdminUser) -> &'static str {
    if user.disabled {
        "Disabled"
    } else if user.must_change_password {
        "Has a one-time password"
    } else {
        "Active"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn account(disabled: bool, must_change_password: bool) -> AdminUser {
        AdminUser {
            id: 1,
            username: "ann".into(),
            role: Role::User,
            disabled,
            must_change_password,
            created_at: "2026-01-01T00:00:00Z".into(),
            last_sign_in_at: None,
            sessions: 0,
            totp: false,
            passkeys: 0,
            identities: 0,
            has_password: true,
        }
    }

    #[test]
    fn a_disabled_account_reads_disabled_even_with_a_one_time_password() {
        assert_eq!(status(&account(true, true)), "Disabled");
        assert_eq!(status(&account(false, true)), "Has a one-time password");
        assert_eq!(status(&account(false, false)), "Active");
    }

    #[test]
    fn roles_read_as_words() {
        assert_eq!(role_name(Role::Admin), "Administrator");
        assert_eq!(role_name(Role::User), "User");
    }
}
