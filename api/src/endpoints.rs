//! Every endpoint of the API, declared once (see `Endpoint`). The server's route table and the
//! SPA's requests both name these; no `/api/…` path is written anywhere else.

use crate::ErrorCode::{self, *};
use crate::endpoint::{Endpoint, Method, Param, ParamIn, encode, with_query};
use crate::{
    AccountChange, ActiveSession, AdminUser, CreatedAccount, Health, LoginRequest, NewAccount,
    NewNote, Note, NotePage, NoteUpdate, OneTimePassword, PasswordChange, Reauth, SecuredResource,
    SecurityEvent, SessionInfo, SessionState, UserPage,
};
use crate::{LinkedIdentity, ProviderRedirect};
use crate::{
    NewPasskey, PasskeyAssertion, PasskeyInfo, PasskeyName, PasskeyOptions, RecoveryCodes,
    SecondFactorProof, TotpCode, TotpSetup, TotpStatus,
};

/// A body as declarations write it: `()` for none, `[T]` for an array of `T`, `Document` for
/// the OpenAPI document, else a wire type's name. Its Rust type (`@type`) and its schema
/// (`@schema`), so a declaration states both at once.
macro_rules! body {
    (@type ()) => { () };
    (@type [$t:ident]) => { Vec<$t> };
    (@type Document) => { serde_json::Value };
    (@type $t:ident) => { $t };
    (@schema $s:ident, ()) => { None };
    (@schema $s:ident, [$t:ident]) => { Some($crate::schema::array_of::<$t>($s)) };
    (@schema $s:ident, Document) => { Some($crate::schema::any_object()) };
    (@schema $s:ident, $t:ident) => { Some($crate::schema::reference::<$t>($s)) };
}

/// The two schema methods of an endpoint whose bodies are `$req` and `$res` (see `body!`).
macro_rules! schemas {
    ($req:tt, $res:tt) => {
        #[cfg(feature = "openapi")]
        fn request_schema(
            _schemas: &mut $crate::schema::Schemas,
        ) -> Option<serde_json::Value> {
            body!(@schema _schemas, $req)
        }

        #[cfg(feature = "openapi")]
        fn response_schema(
            _schemas: &mut $crate::schema::Schemas,
        ) -> Option<serde_json::Value> {
            body!(@schema _schemas, $res)
        }
    };
}

/// Declares an endpoint without parameters: a unit struct.
macro_rules! endpoint {
    ($(#[doc = $doc:literal])* $name:ident: $method:ident $path:literal, $req:tt => $res:tt
     $(, $konst:ident = $value:expr)* $(,)?) => {
        $(#[doc = $doc])*
        #[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
        pub struct $name;

        impl Endpoint for $name {
            const METHOD: Method = Method::$method;
            const PATH: &'static str = $path;
            type Request = body!(@type $req);
            type Response = body!(@type $res);
            const SUMMARY: &'static str = concat!($($doc),*);
            $(const $konst: endpoint!(@type $konst) = $value;)*
            schemas!($req, $res);
        }
    };
    (@type ERRORS) => { &'static [ErrorCode] };
    (@type CREATES) => { bool };
    (@type PARAMS) => { &'static [Param] };
}

/// Declares an endpoint whose path has one `{id}` parameter: a struct with that field.
macro_rules! endpoint_with_id {
    ($(#[doc = $doc:literal])* $name:ident($id:tt): $method:ident $path:literal, $req:tt => $res:tt
     $(, ERRORS = $errors:expr)? $(,)?) => {
        $(#[doc = $doc])*
        #[derive(Clone, Debug, PartialEq, Eq)]
        pub struct $name {
            /// The `{id}` in the path.
            pub id: $id,
        }

        impl Endpoint for $name {
            const METHOD: Method = Method::$method;
            const PATH: &'static str = $path;
            type Request = body!(@type $req);
            type Response = body!(@type $res);
            const SUMMARY: &'static str = concat!($($doc),*);
            const PARAMS: &'static [Param] = &[Param {
                name: "id",
                at: ParamIn::Path,
                integer: endpoint_with_id!(@integer $id),
            }];
            const ERRORS: &'static [ErrorCode] = endpoint_with_id!(@errors $($errors)?);
            schemas!($req, $res);

            fn path(&self) -> String {
                Self::PATH.replace("{id}", &encode(&self.id.to_string()))
            }
        }
    };
    (@integer i64) => { true };
    (@integer String) => { false };
    (@errors $errors:expr) => { $errors };
    (@errors) => { &[NotFound] };
}

endpoint! {
    /// Signs in: 200 with the session, 401 `invalid_credentials`, 429 when throttled.
    Login: Post "/api/auth/login", LoginRequest => SessionInfo,
    ERRORS = &[InvalidCredentials, SecondFactorRequired, TooManyRequests],
}
endpoint! {
    /// Signs out: 204, the session deleted and both cookies cleared.
    Logout: Post "/api/auth/logout", () => ()
}
endpoint! {
    /// Who is signed in, and until when.
    Me: Get "/api/auth/me", () => SessionInfo
}
endpoint! {
    /// Whether the server and its dependencies answer (200, or 503).
    GetHealth: Get "/api/health", () => Health
}
endpoint! {
    /// This API's description: OpenAPI 3.1, generated from these declarations.
    GetOpenApi: Get "/api/openapi.json", () => Document
}
endpoint! {
    /// A message only a signed-in user can read.
    GetSecuredResource: Get "/api/secured-resource", () => SecuredResource
}
/// The user's notes, a page at a time: most recently edited first, or, with `q`, the notes
/// whose title or body has words starting with the words of `q`, best matches first. Its
/// fields are the query string: the server reads them into this same type.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Deserialize)]
#[serde(default)]
pub struct ListNotes {
    /// Words to search for (empty: every note).
    pub q: String,
    /// From the previous page's `next_cursor`.
    pub cursor: Option<String>,
    /// Notes per page (1 to 100; 50 when absent).
    pub limit: Option<u32>,
}

impl Endpoint for ListNotes {
    const METHOD: Method = Method::Get;
    const PATH: &'static str = "/api/notes";
    type Request = ();
    type Response = NotePage;
    const SUMMARY: &'static str = "The user's notes, a page at a time: most recently edited first, or with `q`, those whose title or body has words starting with its words: every word in the title first, then the rest, each newest first.";
    const PARAMS: &'static [Param] = &[
        Param::query_text("q"),
        Param::query_text("cursor"),
        Param::query_number("limit"),
    ];
    schemas!((), NotePage);

    fn path(&self) -> String {
        let q = Some(self.q.as_str()).filter(|q| !q.trim().is_empty());
        let limit = self.limit.map(|l| l.to_string());
        with_query(
            Self::PATH.into(),
            &[
                ("q", q),
                ("cursor", self.cursor.as_deref()),
                ("limit", limit.as_deref()),
            ],
        )
    }
}
endpoint! {
    /// Creates a note: 201 with it.
    CreateNote: Post "/api/notes", NewNote => Note,
    CREATES = true,
}
endpoint_with_id! {
    /// One of the user's notes.
    GetNote(i64): Get "/api/notes/{id}", () => Note
}
endpoint_with_id! {
    /// Replaces a note's title and body; 409 when `version` is stale.
    UpdateNote(i64): Put "/api/notes/{id}", NoteUpdate => Note,
    ERRORS = &[NotFound, Conflict],
}
endpoint_with_id! {
    /// Deletes a note: 204. For a minute it can still be restored.
    DeleteNote(i64): Delete "/api/notes/{id}", () => ()
}
endpoint_with_id! {
    /// Brings back a note deleted within the last minute ("Undo").
    RestoreNote(i64): Post "/api/notes/{id}/restore", () => Note
}
endpoint! {
    /// The current session's deadlines, without renewing it.
    GetSessionState: Get "/api/auth/session", () => SessionState
}
endpoint! {
    /// Renews the idle clock ("Stay signed in").
    ExtendSession: Post "/api/auth/session/extend", () => SessionState,
    ERRORS = &[Conflict],
}
endpoint! {
    /// Where this account is signed in.
    ListSessions: Get "/api/auth/sessions", () => [ActiveSession]
}
endpoint_with_id! {
    /// Ends one of this account's sessions (by its handle): 204.
    EndSession(String): Delete "/api/auth/sessions/{id}", () => ()
}
endpoint! {
    /// Ends every session of this account but the current one: 204.
    EndOtherSessions: Post "/api/auth/sessions/end-others", () => ()
}
endpoint! {
    /// Changes the password, keeping this session and ending the others: 204.
    ChangePassword: Post "/api/auth/password", PasswordChange => (),
    ERRORS = &[TooManyRequests, Conflict],
}
endpoint! {
    /// This account's last 50 security events, newest first.
    ListActivity: Get "/api/auth/activity", () => [SecurityEvent]
}
endpoint! {
    /// Confirms the password again, for actions that need a recent proof.
    Reauthenticate: Post "/api/auth/reauth", Reauth => SessionState,
    ERRORS = &[TooManyRequests],
}

endpoint! {
    /// Finishes a sign-in whose password was right with a code from the authenticator app or a
    /// recovery code: the same 200 as a sign-in; 401 `invalid_code` for a wrong, expired or
    /// used one (throttled like passwords), `unauthenticated` when no sign-in is waiting.
    SignInSecondFactor: Post "/api/auth/login/second-factor", SecondFactorProof => SessionInfo,
    ERRORS = &[InvalidCode, Unauthenticated, AccountDisabled, TooManyRequests],
}
endpoint! {
    /// Starts signing in with a passkey (no username: the passkey names its account). The
    /// options stay valid five minutes, for one answer.
    StartPasskeySignIn: Post "/api/auth/passkey/options", () => PasskeyOptions
}
endpoint! {
    /// Signs in with a passkey: the same 200 as a sign-in; 401 `invalid_credentials` for a
    /// passkey this server does not know or that does not verify.
    SignInWithPasskey: Post "/api/auth/passkey", PasskeyAssertion => SessionInfo,
    ERRORS = &[InvalidCredentials, TooManyRequests],
}
endpoint! {
    /// This account's passkeys.
    ListPasskeys: Get "/api/auth/passkeys", () => [PasskeyInfo]
}
endpoint! {
    /// Starts adding a passkey to this account: the options for the browser to create it.
    StartPasskeyRegistration: Post "/api/auth/passkeys/options", () => PasskeyOptions
}
endpoint! {
    /// Adds the passkey the browser created (201); 422 when it does not verify, 409 when no
    /// registration is waiting (none was started, or its answer came already).
    AddPasskey: Post "/api/auth/passkeys", NewPasskey => PasskeyInfo,
    ERRORS = &[Conflict],
    CREATES = true,
}
endpoint_with_id! {
    /// Renames one of this account's passkeys.
    RenamePasskey(i64): Patch "/api/auth/passkeys/{id}", PasskeyName => PasskeyInfo
}
endpoint_with_id! {
    /// Removes one of this account's passkeys: 204.
    RemovePasskey(i64): Delete "/api/auth/passkeys/{id}", () => ()
}
endpoint! {
    /// Whether the authenticator app is on, and the recovery codes left.
    GetTotp: Get "/api/auth/totp", () => TotpStatus
}
endpoint! {
    /// Starts setting up an authenticator app: its secret (not active until a code is
    /// confirmed).
    SetUpTotp: Post "/api/auth/totp/setup", () => TotpSetup
}
endpoint! {
    /// Turns the authenticator app on with a code from it: the recovery codes, shown once. 422
    /// at `code` for a wrong one; 409 when no setup is waiting.
    ConfirmTotp: Post "/api/auth/totp/confirm", TotpCode => RecoveryCodes,
    ERRORS = &[Conflict],
}
endpoint! {
    /// Turns the authenticator app off, with its recovery codes: 204; 404 when it is off.
    DisableTotp: Delete "/api/auth/totp", () => (),
    ERRORS = &[NotFound],
}
endpoint! {
    /// A new set of recovery codes; the old set stops working.
    RenewRecoveryCodes: Post "/api/auth/recovery-codes", () => RecoveryCodes,
    ERRORS = &[Conflict],
}
endpoint! {
    /// Starts confirming it is you with a passkey instead of the password; 409 for an account
    /// without one.
    StartPasskeyReauth: Post "/api/auth/reauth/passkey/options", () => PasskeyOptions,
    ERRORS = &[Conflict],
}
endpoint! {
    /// Confirms it is you with one of this account's passkeys, allowing actions that need a
    /// recent proof for the next reauth window; 409 when no confirmation is waiting.
    ReauthWithPasskey: Post "/api/auth/reauth/passkey", PasskeyAssertion => SessionState,
    ERRORS = &[InvalidCredentials, TooManyRequests, Conflict],
}

/// Administrators: one page of accounts, those whose name contains `q`. Its fields are the
/// query string: the server reads them into this same type.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Deserialize)]
#[serde(default)]
pub struct ListUsers {
    /// Part of a name, any case (empty: everyone).
    pub q: String,
    /// From the previous page's `next_cursor`.
    pub cursor: Option<String>,
}

impl Endpoint for ListUsers {
    const METHOD: Method = Method::Get;
    const PATH: &'static str = "/api/admin/users";
    type Request = ();
    type Response = UserPage;
    const SUMMARY: &'static str =
        "Administrators: one page of accounts (50), by name, those whose name contains `q`.";
    const PARAMS: &'static [Param] = &[Param::query_text("q"), Param::query_text("cursor")];
    schemas!((), UserPage);

    fn path(&self) -> String {
        let q = Some(self.q.as_str()).filter(|q| !q.is_empty());
        with_query(
            Self::PATH.into(),
            &[("q", q), ("cursor", self.cursor.as_deref())],
        )
    }
}

endpoint! {
    /// Administrators: creates an account (201), with a one-time password unless one is given.
    CreateUser: Post "/api/admin/users", NewAccount => CreatedAccount,
    CREATES = true,
}
endpoint_with_id! {
    /// Administrators: one account.
    GetUser(i64): Get "/api/admin/users/{id}", () => AdminUser
}
endpoint_with_id! {
    /// Administrators: changes an account's role or disables or enables it.
    ChangeUser(i64): Patch "/api/admin/users/{id}", AccountChange => AdminUser,
    ERRORS = &[NotFound, Conflict],
}
endpoint_with_id! {
    /// Administrators: removes an account with its notes and sessions: 204.
    RemoveUser(i64): Delete "/api/admin/users/{id}", () => (),
    ERRORS = &[NotFound, Conflict],
}
endpoint_with_id! {
    /// Administrators: a new one-time password, every session of the account ended.
    ResetPassword(i64): Post "/api/admin/users/{id}/password-reset", () => OneTimePassword
}
endpoint_with_id! {
    /// Administrators: an account's live sessions.
    ListUserSessions(i64): Get "/api/admin/users/{id}/sessions", () => [ActiveSession]
}
endpoint_with_id! {
    /// Administrators: ends every session of an account: 204.
    EndUserSessions(i64): Delete "/api/admin/users/{id}/sessions", () => ()
}
endpoint_with_id! {
    /// Administrators: turns an account's authenticator app off, ending its sessions: 204.
    RemoveUserTotp(i64): Delete "/api/admin/users/{id}/totp", () => ()
}
endpoint_with_id! {
    /// Administrators: removes every passkey of an account, ending its sessions: 204.
    RemoveUserPasskeys(i64): Delete "/api/admin/users/{id}/passkeys", () => ()
}
endpoint_with_id! {
    /// Administrators: an account's last 50 security events.
    ListUserActivity(i64): Get "/api/admin/users/{id}/activity", () => [SecurityEvent]
}

/// Starts signing in through the identity provider: a browser navigation (the sign-in page's
/// link), answered with a 303 to the provider's authorization page, or back to the sign-in page
/// with `?provider=…` saying why not. `next` is where to go once signed in.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Deserialize)]
#[serde(default)]
pub struct StartProviderSignIn {
    /// Where to go once signed in (a path on this site; anything else is ignored).
    pub next: Option<String>,
}

impl Endpoint for StartProviderSignIn {
    const METHOD: Method = Method::Get;
    const PATH: &'static str = "/api/auth/oidc/start";
    type Request = ();
    type Response = ();
    const SUMMARY: &'static str = "Starts signing in through the identity provider (a browser navigation): a 303 to its authorization page, or back to the sign-in page with `?provider=` saying why not.";
    const PARAMS: &'static [Param] = &[Param::query_text("next")];
    const REDIRECTS: bool = true;
    schemas!((), ());

    fn path(&self) -> String {
        with_query(Self::PATH.into(), &[("next", self.next.as_deref())])
    }
}

/// Where the identity provider sends the browser back (`redirect_uri`): a 303 to where the
/// round trip was to end, signed in (or the identity linked), or to the sign-in page (the
/// account page, when linking) with `?provider=…` saying what went wrong.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Deserialize)]
#[serde(default)]
pub struct ProviderCallback {
    /// The authorization code.
    pub code: Option<String>,
    /// The `state` the round trip started with.
    pub state: Option<String>,
    /// The provider's error (`access_denied` when the person cancelled).
    pub error: Option<String>,
}

impl Endpoint for ProviderCallback {
    const METHOD: Method = Method::Get;
    const PATH: &'static str = "/api/auth/oidc/callback";
    type Request = ();
    type Response = ();
    const SUMMARY: &'static str = "Where the identity provider sends the browser back: a 303 to where the round trip was to end, or to the sign-in or account page with `?provider=` saying what went wrong.";
    const PARAMS: &'static [Param] = &[
        Param::query_text("code"),
        Param::query_text("state"),
        Param::query_text("error"),
    ];
    const REDIRECTS: bool = true;
    schemas!((), ());

    fn path(&self) -> String {
        with_query(
            Self::PATH.into(),
            &[
                ("code", self.code.as_deref()),
                ("state", self.state.as_deref()),
                ("error", self.error.as_deref()),
            ],
        )
    }
}
endpoint! {
    /// Starts linking an identity at the provider to this account: where to send the browser.
    /// 404 when no provider is configured.
    StartProviderLink: Post "/api/auth/oidc/link", () => ProviderRedirect,
    ERRORS = &[NotFound],
}
/// Starts confirming it is you through the provider (as a password confirms it), for an
/// account with a linked identity: where to send the browser, which comes back to `next`.
/// 404 when no provider is configured or none is linked.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Deserialize)]
#[serde(default)]
pub struct StartProviderConfirm {
    /// Where to go once confirmed (a path on this site; the account page otherwise).
    pub next: Option<String>,
}

impl Endpoint for StartProviderConfirm {
    const METHOD: Method = Method::Post;
    const PATH: &'static str = "/api/auth/oidc/confirm";
    type Request = ();
    type Response = ProviderRedirect;
    const SUMMARY: &'static str = "Starts confirming it is you through the identity provider, for an account with a linked identity: where to send the browser, which comes back to `next`. 404 when no provider is configured or none is linked.";
    const PARAMS: &'static [Param] = &[Param::query_text("next")];
    const ERRORS: &'static [ErrorCode] = &[NotFound];
    schemas!((), ProviderRedirect);

    fn path(&self) -> String {
        with_query(Self::PATH.into(), &[("next", self.next.as_deref())])
    }
}
endpoint! {
    /// The identities at the provider linked to this account.
    ListIdentities: Get "/api/auth/identities", () => [LinkedIdentity]
}
endpoint_with_id! {
    /// Unlinks one of this account's identities: 204; 409 when it is the account's last way in.
    UnlinkIdentity(i64): Delete "/api/auth/identities/{id}", () => (),
    ERRORS = &[NotFound, Conflict],
}
endpoint_with_id! {
    /// Administrators: the identities at the provider linked to an account.
    ListUserIdentities(i64): Get "/api/admin/users/{id}/identities", () => [LinkedIdentity]
}
endpoint_with_id! {
    /// Administrators: unlinks every identity of an account, ending its sessions: 204.
    RemoveUserIdentities(i64): Delete "/api/admin/users/{id}/identities", () => ()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parameters_fill_the_path_and_the_query_string() {
        assert_eq!(DeleteNote { id: 3 }.path(), "/api/notes/3");
        assert_eq!(
            EndSession { id: "a/b".into() }.path(),
            "/api/auth/sessions/a%2Fb"
        );
        assert_eq!(ListUsers::default().path(), "/api/admin/users");
        let page = ListUsers {
            q: "ann b".into(),
            cursor: Some("x=".into()),
        };
        assert_eq!(page.path(), "/api/admin/users?q=ann%20b&cursor=x%3D");
        assert_eq!(
            ResetPassword { id: 9 }.path(),
            "/api/admin/users/9/password-reset"
        );
    }
}
