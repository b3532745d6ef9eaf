//! The administrators' wire types: the paged account list, new accounts, changes and one-time
//! passwords.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::Role;

/// One row of `GET /api/admin/users` and the detail view.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AdminUser {
    /// Database id.
    pub id: i64,
    /// The sign-in name.
    pub username: String,
    /// What the account may do.
    pub role: Role,
    /// Disabled accounts cannot sign in.
    pub disabled: bool,
    /// Signed in with a one-time password not yet replaced.
    pub must_change_password: bool,
    /// RFC 3339, UTC.
    pub created_at: String,
    /// RFC 3339, UTC; never signed in when absent.
    pub last_sign_in_at: Option<String>,
    /// Live sessions now.
    pub sessions: u32,
    /// Its authenticator app is on.
    #[serde(default)]
    pub totp: bool,
    /// How many passkeys it has.
    #[serde(default)]
    pub passkeys: u32,
    /// How many identities at the identity provider are linked to it.
    #[serde(default)]
    pub identities: u32,
    /// Whether it has a password (an account made at its first sign-in through the identity
    /// provider has none until an administrator resets it).
    #[serde(default = "yes")]
    pub has_password: bool,
}

fn yes() -> bool {
    true
}

/// `GET /api/admin/users?q=&cursor=`: one page of accounts, by name.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct UserPage {
    /// Up to 50 accounts, ordered by name.
    pub users: Vec<AdminUser>,
    /// Pass as `cursor` for the next page; absent on the last one.
    pub next_cursor: Option<String>,
}

/// `POST /api/admin/users` body. Without `password`, the server makes a one-time password and
/// shows it once; either way the account must choose its own at first sign-in.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct NewAccount {
    /// The sign-in name.
    #[cfg_attr(feature = "openapi", schema(min_length = 1, max_length = 64))]
    pub username: String,
    /// What it may do.
    pub role: Role,
    /// A first password (held to the account page's rule), instead of a generated one.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(min_length = 12, max_length = 256))]
    pub password: Option<String>,
}

impl fmt::Debug for NewAccount {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("NewAccount")
            .field("username", &self.username)
            .field("role", &self.role)
            .finish_non_exhaustive()
    }
}

/// `POST /api/admin/users` answer (201).
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CreatedAccount {
    /// The new account.
    pub user: AdminUser,
    /// The generated one-time password, shown this once; absent when one was given.
    pub one_time_password: Option<String>,
}

impl fmt::Debug for CreatedAccount {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CreatedAccount")
            .field("user", &self.user)
            .finish_non_exhaustive()
    }
}

/// `PATCH /api/admin/users/{id}` body: what to change.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct AccountChange {
    /// A new role.
    #[serde(default)]
    pub role: Option<Role>,
    /// Disable (true) or enable (false).
    #[serde(default)]
    pub disabled: Option<bool>,
}

/// `POST /api/admin/users/{id}/password-reset` answer: shown to the administrator once.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OneTimePassword {
    /// The account must replace it at its next sign-in.
    pub one_time_password: String,
}

impl fmt::Debug for OneTimePassword {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("OneTimePassword(<redacted>)")
    }
}
