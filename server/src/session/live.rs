//! Writes that land only while the session asking for them lives.
//!
//! A write runs in a transaction that first locks its account's row (`users::standing`) and
//! then checks, from inside, that the account still stands and the session is still in the
//! store. Every ending of a session deletes it from the store first and then moves the
//! account's `session_generation` (`end_all`, `end_one`, `sign_out`), an update that waits for
//! that lock. So a write whose session ended before its check fails with the usual 401, and an
//! ending that comes later answers only after the write has committed: once a sign-out,
//! password change, disable, end-sessions or new role has answered, no change asked for by the
//! ended session (or lost role) lands. Reads are not held back: one in flight may finish.

use axum::extract::{FromRef, FromRequestParts};
use axum::http::request::Parts;
use gatehouse_api::Role;
use tower_sessions::session::Id;

use super::SessionPolicy;
use super::guard::{Access, CurrentUser};
use super::record::{AuthSession, now_ms};
use crate::data::db::{Db, Tx};
use crate::data::ended::{self, EndReason};
use crate::data::sessions::SessionStore;
use crate::data::users;
use crate::error::AppError;

/// The signed-in user, with what it takes to write as them: [`Writer::begin`] opens a
/// transaction in which their session is known to be live.
pub struct Writer {
    /// Who asks.
    pub user: CurrentUser,
    db: Db,
    store: SessionStore,
    policy: SessionPolicy,
}

impl<S> FromRequestParts<S> for Writer
where
    S: Send + Sync,
    Db: FromRef<S>,
    SessionStore: FromRef<S>,
    SessionPolicy: FromRef<S>,
{
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        Ok(Self {
            user: CurrentUser::from_request_parts(parts, state).await?,
            db: Db::from_ref(state),
            store: SessionStore::from_ref(state),
            policy: SessionPolicy::from_ref(state),
        })
    }
}

impl Writer {
    /// A transaction that holds the account's row and in which the session, the account and
    /// (on administrators' routes) its role were checked: commit it with the write. 401
    /// `session_expired` / `account_disabled` or 403 `forbidden` when they no longer hold.
    pub async fn begin(&self) -> Result<Tx, AppError> {
        self.begin_checked(false).await
    }

    /// `begin`, after taking the administration's lock: for a change whose check reads rows
    /// another such change may remove meanwhile (removing one of an account's ways in while
    /// another is removed elsewhere), so the two take turns on every instance.
    pub async fn begin_in_turn(&self) -> Result<Tx, AppError> {
        self.begin_checked(true).await
    }

    async fn begin_checked(&self, in_turn: bool) -> Result<Tx, AppError> {
        let mut tx = self.db.begin().await?;
        let checked = async {
            if in_turn {
                tx.exclusive().await?;
            }
            self.check_in(&mut tx).await
        }
        .await;
        match checked {
            Ok(()) => Ok(tx),
            Err(e) => {
                let _ = tx.rollback().await;
                Err(e)
            }
        }
    }

    /// Checks that the session is still live, for a change made outside the database (ending
    /// other sessions): a transaction begun as `begin` does, and rolled back.
    pub async fn ensure_live(&self) -> Result<(), AppError> {
        self.begin().await?.rollback().await?;
        Ok(())
    }

    /// What `begin` checks, inside a transaction the caller began (after any lock it must take
    /// first: administration takes its own before the account's row, so that two
    /// administrators changing each other wait in turn instead of deadlocking).
    pub async fn check_in(&self, tx: &mut Tx) -> Result<(), AppError> {
        let admin = self.user.rule.access == Access::Admin;
        let (id, session) = (self.user.account.id, &self.user.session);
        check_live(tx, &self.store, &self.policy, id, session, admin).await
    }
}

/// Within `tx`: the session `session` of `account` is still signed in, at the account's
/// current epoch, and the account enabled (and still an administrator, when `admin`). Read
/// with the account's row shared (on PostgreSQL), so an ending committed meanwhile is seen,
/// and one committed after waits for `tx`.
pub async fn check_live(
    tx: &mut Tx,
    store: &SessionStore,
    policy: &SessionPolicy,
    account: i64,
    session: &Id,
    admin: bool,
) -> Result<(), AppError> {
    let standing = users::standing(tx, account)
        .await?
        .ok_or(AppError::SessionExpired)?;
    if standing.disabled {
        return Err(AppError::AccountDisabled);
    }
    if admin && standing.role.0 != Role::Admin {
        return Err(AppError::Forbidden);
    }
    let auth = store
        .load_in(tx, session)
        .await?
        .as_ref()
        .and_then(AuthSession::of)
        .filter(|auth| auth.user_id == account)
        .ok_or(AppError::SessionExpired)?;
    if auth.epoch < standing.session_epoch || now_ms() >= policy.expires_at_ms(&auth) {
        return Err(AppError::SessionExpired);
    }
    Ok(())
}

/// Ends every session of `account` but `keep`, at once and for writes in flight too: deletes
/// them, then notes it on the account (see the module). The ids it ended.
pub async fn end_all(
    store: &SessionStore,
    db: &Db,
    account: i64,
    keep: Option<Id>,
    reason: EndReason,
) -> Result<Vec<Id>, AppError> {
    let ended = store.end_of_account(account, keep).await?;
    users::sessions_ended(db, account).await?;
    remember_why(db, &ended, reason).await;
    Ok(ended)
}

/// Ends the session `id` of `account`, as `end_all` does.
pub async fn end_one(
    store: &SessionStore,
    db: &Db,
    account: i64,
    id: &Id,
    reason: EndReason,
) -> Result<(), AppError> {
    tower_sessions::session_store::SessionStore::delete(store, id).await?;
    users::sessions_ended(db, account).await?;
    remember_why(db, std::slice::from_ref(id), reason).await;
    Ok(())
}

/// Records why the sessions `ids` ended, for the sign-in page; a failure only costs that
/// sentence (the browser is told `unauthenticated`), never the ending, which is done.
async fn remember_why(db: &Db, ids: &[Id], reason: EndReason) {
    if let Err(e) = ended::record(db, ids, reason, now_ms()).await {
        tracing::warn!(error = %e, "could not record why sessions ended");
    }
}
