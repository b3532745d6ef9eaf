//! The account page's wire types: the session's deadlines, the account's sessions, the
//! password change, re-authentication and security activity.

use std::fmt;

use serde::{Deserialize, Serialize};

/// `GET /api/auth/session` and `POST /api/auth/session/extend`: the current session's
/// deadlines (RFC 3339, UTC). Reading it does not renew the idle clock.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SessionState {
    /// The server's clock when it answered, so a client can correct for its own clock.
    pub now: String,
    /// The session ends at this time unless it is used (or extended) before.
    pub idle_expires_at: String,
    /// The session ends at this time however active it is.
    pub absolute_expires_at: String,
    /// The last proof of the password: sign-in or re-authentication.
    pub reauthenticated_at: String,
    /// Until when that proof allows actions that need a recent one (changing the password,
    /// ending sessions).
    pub reauthenticated_until: String,
    /// How long the session lasts without activity, in seconds (the server's setting).
    pub idle_timeout_seconds: u64,
}

/// One row of `GET /api/auth/sessions`: a place where this account is signed in.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ActiveSession {
    /// An opaque handle for `DELETE /api/auth/sessions/{id}`; never the cookie's value.
    pub id: String,
    /// Browser and operating system, from the User-Agent at sign-in ("Firefox on Linux").
    pub device: String,
    /// The client's address at sign-in, when known.
    pub address: Option<String>,
    /// RFC 3339, UTC.
    pub signed_in_at: String,
    /// When it was last used (to the minute), RFC 3339, UTC.
    pub last_active_at: String,
    /// Whether this is the session making the request.
    pub current: bool,
}

/// `POST /api/auth/password` body.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct PasswordChange {
    /// The password in use; a wrong one is a field error here, not a 401.
    #[cfg_attr(feature = "openapi", schema(min_length = 1, max_length = 1024))]
    pub current_password: String,
    /// 12 to 256 characters, hard to guess, and not the current one.
    #[cfg_attr(feature = "openapi", schema(min_length = 12, max_length = 256))]
    pub new_password: String,
}

impl fmt::Debug for PasswordChange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("PasswordChange { <redacted> }")
    }
}

/// `POST /api/auth/reauth` body: the signed-in account's password, again.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Reauth {
    /// The password in use.
    #[cfg_attr(feature = "openapi", schema(min_length = 1, max_length = 1024))]
    pub password: String,
    /// With an authenticator app on: the code it shows now (or `recovery_code`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(max_length = 16))]
    pub code: Option<String>,
    /// With an authenticator app on: an unused recovery code instead of `code`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(max_length = 64))]
    pub recovery_code: Option<String>,
}

impl fmt::Debug for Reauth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Reauth { <redacted> }")
    }
}

/// What happened, in `SecurityEvent`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum SecurityEventKind {
    /// Signed in (with the device and address).
    SignedIn,
    /// A sign-in with a wrong password (the device and address tried from).
    SignInFailed,
    /// Signed out.
    SignedOut,
    /// The password was changed (by the account, or reset by `by`).
    PasswordChanged,
    /// A session was ended from elsewhere (by the account, or by `by`).
    SessionEnded,
    /// The password was confirmed again for a sensitive action.
    Reauthenticated,
    /// The account was created (by `by`; on an administrator's copy, `subject` was created).
    AccountCreated,
    /// The role changed to `detail` (`user` or `admin`).
    RoleChanged,
    /// The account was disabled: it cannot sign in and its sessions ended.
    AccountDisabled,
    /// The account was enabled again.
    AccountEnabled,
    /// An administrator set a one-time password; every session ended.
    PasswordReset,
    /// The account was removed (only on the administrator's copy).
    AccountRemoved,
    /// A passkey was added (`detail`: its name).
    PasskeyAdded,
    /// A passkey was removed (`detail`: its name; by the account, or by `by`).
    PasskeyRemoved,
    /// The authenticator app was turned on.
    TotpEnabled,
    /// The authenticator app was turned off (by the account, or by `by`).
    TotpDisabled,
    /// A new set of recovery codes replaced the old one.
    RecoveryCodesRenewed,
    /// A recovery code was used to sign in or confirm.
    RecoveryCodeUsed,
    /// A wrong, expired or reused code from the app, or recovery code, was tried.
    SecondFactorFailed,
    /// An identity at the identity provider was linked (`detail`: what it calls the person).
    IdentityLinked,
    /// An identity at the identity provider was unlinked (`detail`: likewise; by the account,
    /// or by `by`).
    IdentityUnlinked,
    /// Something newer than this build; shown generically.
    #[serde(other)]
    Other,
}

/// One row of `GET /api/auth/activity` (newest first). Never holds a password or a cookie.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SecurityEvent {
    /// What happened.
    pub kind: SecurityEventKind,
    /// When, RFC 3339, UTC.
    pub at: String,
    /// Browser and operating system of the client, when known.
    pub device: Option<String>,
    /// The client's address, when known.
    pub address: Option<String>,
    /// Who did it, when it was not this account (an administrator's name).
    pub by: Option<String>,
    /// The account it was done to, when it was not this one (on an administrator's activity).
    #[serde(default)]
    pub subject: Option<String>,
    /// More, where the kind needs it (the new role).
    #[serde(default)]
    pub detail: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn password_bodies_reject_unknown_fields_and_never_show_in_debug() {
        let change: PasswordChange =
            serde_json::from_str(r#"{"current_password":"old secret","new_password":"new one"}"#)
                .unwrap();
        assert!(!format!("{change:?}").contains("secret"));
        assert!(serde_json::from_str::<Reauth>(r#"{"password":"p","remember":true}"#).is_err());
    }

    #[test]
    fn an_unknown_event_kind_from_a_newer_server_still_decodes() {
        let e: SecurityEvent = serde_json::from_str(
            r#"{"kind":"signed_in_by_carrier_pigeon","at":"2026-01-01T00:00:00Z","device":null,"address":null,"by":null}"#,
        )
        .unwrap();
        assert_eq!(e.kind, SecurityEventKind::Other);
    }
}
