//! The accounts and axum-login's backend over them, as axum-login's `examples/sqlite` has it,
//! except that the password is compared as the Express peer compares it (see [`Backend`]).

use axum_login::{AuthUser, AuthnBackend, UserId};
use serde::Deserialize;
use sqlx::{FromRow, SqlitePool};

/// An account: its id, its name and its password as stored.
#[derive(Clone, FromRow)]
pub struct User {
    /// The row id, which the session keeps.
    pub id: i64,
    /// The name signed in with.
    pub username: String,
    password: String,
}

// Written by hand so that the password never appears in a log.
impl std::fmt::Debug for User {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("User")
            .field("id", &self.id)
            .field("username", &self.username)
            .field("password", &"[redacted]")
            .finish()
    }
}

impl AuthUser for User {
    type Id = i64;

    fn id(&self) -> Self::Id {
        self.id
    }

    // As in the example: the stored password column, so that changing it ends every session.
    fn session_auth_hash(&self) -> &[u8] {
        self.password.as_bytes()
    }
}

/// The sign-in request's body.
#[derive(Clone, Deserialize)]
pub struct Credentials {
    /// The account's name.
    pub username: String,
    /// Its password.
    pub password: String,
}

/// axum-login's backend: the accounts in the SQLite database.
///
/// The example hashes passwords with argon2id (`password-auth`). This peer stores and compares
/// them as the Express peer does, in plain text: neither peer's sign-in costs a hash, so the
/// two stay alike, and the bench measures no sign-in of theirs, only the requests of a session.
#[derive(Clone, Debug)]
pub struct Backend {
    db: SqlitePool,
}

impl Backend {
    /// The backend over `db`.
    pub fn new(db: SqlitePool) -> Self {
        Self { db }
    }
}

/// What the backend can fail with.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The database.
    #[error(transparent)]
    Sqlx(#[from] sqlx::Error),
}

impl AuthnBackend for Backend {
    type User = User;
    type Credentials = Credentials;
    type Error = Error;

    async fn authenticate(&self, creds: Credentials) -> Result<Option<User>, Error> {
        let user: Option<User> = sqlx::query_as("SELECT * FROM users WHERE username = ?")
            .bind(creds.username)
            .fetch_optional(&self.db)
            .await?;
        Ok(user.filter(|user| user.password == creds.password))
    }

    async fn get_user(&self, user_id: &UserId<Self>) -> Result<Option<User>, Error> {
        let user = sqlx::query_as("SELECT * FROM users WHERE id = ?")
            .bind(user_id)
            .fetch_optional(&self.db)
            .await?;
        Ok(user)
    }
}

/// The request's session as axum-login sees it.
pub type AuthSession = axum_login::AuthSession<Backend>;
