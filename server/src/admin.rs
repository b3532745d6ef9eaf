//! Administration of accounts: one implementation of each action, used by `/api/admin` and by
//! the `user` command. Each action is final at once (sessions ended through the store, cached
//! accounts forgotten) and recorded as a security event for the account concerned and, when an
//! administrator did it, for the administrator. An administrator's change commits only while
//! their session lives and they are still an administrator.

use gatehouse_api::{AccountChange, FieldError, Password, Role, SecurityEventKind, Username};
use rand::Rng;

use crate::auth::hashing::Hasher;
use crate::data::db::{Db, Tx};
use crate::data::ended::EndReason;
use crate::data::events::{self, Event, Origin};
use crate::data::sessions::SessionStore;
use crate::data::users::{self, Account, AccountCache, CreateError};
use crate::data::{factors, identities, passkeys};
use crate::error::AppError;
use crate::session::{self, Writer};

/// Who acts.
#[derive(Clone, Copy)]
pub enum Actor<'a> {
    /// A signed-in administrator, from a browser: their changes commit only while their
    /// session lives and they are still an administrator (see `session::Writer`).
    Admin {
        /// Their session.
        writer: &'a Writer,
        /// Where they acted from (recorded on their own activity, never on the account's).
        origin: &'a Origin,
    },
    /// The `gatehouse-server user …` command, run on the server.
    CommandLine,
}

impl Actor<'_> {
    fn name(&self) -> &str {
        match self {
            Self::Admin { writer, .. } => &writer.user.account.username,
            Self::CommandLine => "the server's command line",
        }
    }
}

/// Why an action was not done.
#[derive(Debug, thiserror::Error)]
pub enum AdminError {
    /// No account with that id (or name).
    #[error("no such account")]
    NotFound,
    /// The name, or one that looks the same, is taken.
    #[error("an account named {0:?} already exists")]
    Taken(String),
    /// Refused, with the reason (the last enabled administrator).
    #[error("{0}")]
    Refused(&'static str),
    /// Something below failed (database, session store, hashing), or the administrator's own
    /// session ended.
    #[error(transparent)]
    Failed(#[from] AppError),
}

impl From<sqlx::Error> for AdminError {
    fn from(e: sqlx::Error) -> Self {
        Self::Failed(e.into())
    }
}

impl From<tower_sessions::session_store::Error> for AdminError {
    fn from(e: tower_sessions::session_store::Error) -> Self {
        Self::Failed(e.into())
    }
}

impl From<AdminError> for AppError {
    fn from(e: AdminError) -> Self {
        match e {
            AdminError::NotFound => AppError::NotFound,
            AdminError::Taken(name) => AppError::Invalid(vec![FieldError {
                field: "username",
                message: format!(
                    "An account named {name} (or one that looks the same) already exists."
                ),
            }]),
            AdminError::Refused(reason) => AppError::Refused(reason),
            AdminError::Failed(e) => e,
        }
    }
}

/// What the last enabled administrator cannot lose.
const LAST_ADMIN: &str =
    "This is the last enabled administrator: make another account an administrator first.";

/// The administration actions, over what they change.
#[derive(Clone, Copy)]
pub struct Admin<'a> {
    /// Accounts and events.
    pub db: &'a Db,
    /// Sessions, ended through it.
    pub store: &'a SessionStore,
    /// Cached accounts, forgotten after a change.
    pub accounts: &'a AccountCache,
    /// Hashing for new passwords.
    pub hasher: &'a Hasher,
}

/// A readable one-time password: 20 characters from an alphabet without look-alikes, in
/// groups of five (about 98 bits).
pub fn one_time_password() -> String {
    const ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyz23456789";
    let mut rng = rand::rng();
    let chars: Vec<char> = (0..20)
        .map(|_| ALPHABET[rng.random_range(0..ALPHABET.len())] as char)
        .collect();
    chars
        .chunks(5)
        .map(|c| c.iter().collect::<String>())
        .collect::<Vec<_>>()
        .join("-")
}

impl Admin<'_> {
    /// A transaction for `actor`'s change, which no other administration transaction runs
    /// beside (so "is there another enabled administrator?" stays true until it commits).
    async fn begin(&self, actor: Actor<'_>) -> Result<Tx, AdminError> {
        let mut tx = self.db.begin().await?;
        let checked = async {
            tx.exclusive().await?;
            if let Actor::Admin { writer, .. } = actor {
                writer.check_in(&mut tx).await?;
            }
            Ok::<_, AdminError>(())
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

    /// Records `kind` for the account `target` (named `name`) and, when an administrator did
    /// it, for the administrator. The account's copy names the administrator but never their
    /// device or address, which are not the account's; theirs keeps both.
    async fn record(
        &self,
        actor: Actor<'_>,
        target: Option<i64>,
        name: &str,
        kind: SecurityEventKind,
        detail: Option<&str>,
    ) -> Result<(), AdminError> {
        let event = Event {
            kind,
            origin: Origin::default(),
            actor: Some(actor.name().to_string()),
            subject: None,
            detail: detail.map(str::to_owned),
        };
        if let Some(target) = target {
            events::record(self.db, target, event.clone()).await?;
        }
        if let Actor::Admin { writer, origin } = actor {
            let own = Event {
                actor: None,
                subject: Some(name.to_string()),
                origin: origin.clone(),
                ..event
            };
            events::record(self.db, writer.user.account.id, own).await?;
        }
        Ok(())
    }

    /// The account with this id.
    pub async fn get(&self, id: i64) -> Result<Account, AdminError> {
        users::find_by_id(self.db, id)
            .await?
            .ok_or(AdminError::NotFound)
    }

    /// Creates an account. With `password`, that is its password; without, a one-time
    /// password is made and returned. With `must_change`, the account must choose its own at
    /// first sign-in (always, when an administrator made it from the browser, and always with
    /// a one-time password).
    pub async fn create(
        &self,
        actor: Actor<'_>,
        name: &Username,
        role: Role,
        password: Option<Password>,
        must_change: bool,
    ) -> Result<(Account, Option<String>), AdminError> {
        let (password, generated) = match password {
            Some(p) => (p, None),
            None => {
                let otp = one_time_password();
                let p = Password::new_account(&otp).expect("a one-time password is long enough");
                (p, Some(otp))
            }
        };
        let hash = self.hasher.hash(&password).await?;
        let mut tx = self.begin(actor).await?;
        let must_change = must_change || generated.is_some();
        let created = users::create(&mut tx, name, hash, role, must_change).await;
        let account = match tx.settle(created).await {
            Ok(account) => account,
            Err(CreateError::Taken(name)) => return Err(AdminError::Taken(name)),
            Err(CreateError::Db(e)) => return Err(e.into()),
        };
        let kind = SecurityEventKind::AccountCreated;
        self.record(
            actor,
            Some(account.id),
            &account.username,
            kind,
            Some(role.as_str()),
        )
        .await?;
        Ok((account, generated))
    }

    /// Refuses a change that would leave no enabled administrator: `target` is one and is
    /// losing the role or being disabled or removed.
    async fn keep_an_administrator(tx: &mut Tx, target: &Account) -> Result<(), AdminError> {
        if target.role.0 == Role::Admin
            && !target.disabled
            && users::other_enabled_admins(tx, target.id).await? == 0
        {
            return Err(AdminError::Refused(LAST_ADMIN));
        }
        Ok(())
    }

    /// Changes the role and whether the account is disabled. Disabling ends its sessions at
    /// once (they answer `account_disabled`); the last enabled administrator can be neither
    /// demoted nor disabled.
    pub async fn change(
        &self,
        actor: Actor<'_>,
        id: i64,
        change: &AccountChange,
    ) -> Result<Account, AdminError> {
        let mut tx = self.begin(actor).await?;
        let changed = async {
            let target = users::find_in(&mut tx, id)
                .await?
                .ok_or(AdminError::NotFound)?;
            let demoted = change.role == Some(Role::User);
            let disabled = change.disabled == Some(true);
            if demoted || disabled {
                Self::keep_an_administrator(&mut tx, &target).await?;
            }
            if let Some(role) = change.role {
                users::set_role(&mut tx, id, role).await?;
            }
            if let Some(disabled) = change.disabled.filter(|d| *d != target.disabled) {
                users::set_disabled(&mut tx, id, disabled).await?;
            }
            Ok::<_, AdminError>(target)
        }
        .await;
        let before = tx.settle(changed).await?;
        self.accounts.forget(id);
        let name = before.username.as_str();
        if let Some(role) = change.role.filter(|r| *r != before.role.0) {
            let kind = SecurityEventKind::RoleChanged;
            self.record(actor, Some(id), name, kind, Some(role.as_str()))
                .await?;
        }
        match change.disabled {
            Some(true) if !before.disabled => {
                let kind = SecurityEventKind::AccountDisabled;
                self.record(actor, Some(id), name, kind, None).await?;
            }
            Some(false) if before.disabled => {
                let kind = SecurityEventKind::AccountEnabled;
                self.record(actor, Some(id), name, kind, None).await?;
            }
            _ => {}
        }
        self.get(id).await
    }

    /// Sets a one-time password (returned, to be shown once), which the account must replace
    /// at its next sign-in, and ends every session of the account.
    pub async fn reset_password(&self, actor: Actor<'_>, id: i64) -> Result<String, AdminError> {
        let otp = one_time_password();
        let password = Password::new_account(&otp).expect("a one-time password is long enough");
        let target = self.set_password(actor, id, &password, true).await?;
        let kind = SecurityEventKind::PasswordReset;
        self.record(actor, Some(id), &target.username, kind, None)
            .await?;
        Ok(otp)
    }

    /// Sets a password chosen on the server's command line, ending every session.
    pub async fn change_password(
        &self,
        actor: Actor<'_>,
        id: i64,
        password: &Password,
    ) -> Result<(), AdminError> {
        let target = self.set_password(actor, id, password, false).await?;
        let kind = SecurityEventKind::PasswordChanged;
        self.record(actor, Some(id), &target.username, kind, None)
            .await
    }

    async fn set_password(
        &self,
        actor: Actor<'_>,
        id: i64,
        password: &Password,
        must_change: bool,
    ) -> Result<Account, AdminError> {
        let target = self.get(id).await?;
        let hash = self.hasher.hash(password).await?;
        let mut tx = self.begin(actor).await?;
        let set = users::set_password(&mut tx, id, hash, must_change).await;
        if !tx.settle(set).await? {
            return Err(AdminError::NotFound);
        }
        self.accounts.forget(id);
        session::end_all(self.store, self.db, id, None, EndReason::PasswordChanged).await?;
        Ok(target)
    }

    /// Turns the account's authenticator app off (with its recovery codes) and ends its
    /// sessions; `NotFound` when the app was not on.
    pub async fn remove_totp(&self, actor: Actor<'_>, id: i64) -> Result<(), AdminError> {
        let target = self.get(id).await?;
        let mut tx = self.begin(actor).await?;
        let removed = factors::disable_totp(&mut tx, id).await;
        if !tx.settle(removed).await? {
            return Err(AdminError::NotFound);
        }
        self.accounts.forget(id);
        session::end_all(self.store, self.db, id, None, EndReason::EndedElsewhere).await?;
        let kind = SecurityEventKind::TotpDisabled;
        self.record(actor, Some(id), &target.username, kind, None)
            .await
    }

    /// Removes every passkey of the account and ends its sessions; how many it had.
    pub async fn remove_passkeys(&self, actor: Actor<'_>, id: i64) -> Result<u64, AdminError> {
        let target = self.get(id).await?;
        let mut tx = self.begin(actor).await?;
        let removed = passkeys::remove_all(&mut tx, id).await;
        let removed = tx.settle(removed).await?;
        self.accounts.forget(id);
        session::end_all(self.store, self.db, id, None, EndReason::EndedElsewhere).await?;
        let kind = SecurityEventKind::PasskeyRemoved;
        let detail = format!("all ({removed})");
        self.record(actor, Some(id), &target.username, kind, Some(&detail))
            .await?;
        Ok(removed)
    }

    /// Unlinks every identity at the identity provider from the account and ends its sessions;
    /// how many it had.
    pub async fn remove_identities(&self, actor: Actor<'_>, id: i64) -> Result<u64, AdminError> {
        let target = self.get(id).await?;
        let mut tx = self.begin(actor).await?;
        let removed = identities::remove_all(&mut tx, id).await;
        let removed = tx.settle(removed).await?;
        self.accounts.forget(id);
        session::end_all(self.store, self.db, id, None, EndReason::EndedElsewhere).await?;
        let kind = SecurityEventKind::IdentityUnlinked;
        let detail = format!("all ({removed})");
        self.record(actor, Some(id), &target.username, kind, Some(&detail))
            .await?;
        Ok(removed)
    }

    /// Ends every session of the account, at once; returns how many were live.
    pub async fn end_sessions(&self, actor: Actor<'_>, id: i64) -> Result<usize, AdminError> {
        let target = self.get(id).await?;
        if let Actor::Admin { writer, .. } = actor {
            writer.ensure_live().await?;
        }
        let ended = session::end_all(self.store, self.db, id, None, EndReason::EndedElsewhere)
            .await?
            .len();
        let kind = SecurityEventKind::SessionEnded;
        let detail = ended.to_string();
        self.record(actor, Some(id), &target.username, kind, Some(&detail))
            .await?;
        Ok(ended)
    }

    /// Removes the account with its notes, events and sessions; the last enabled administrator
    /// cannot be removed. Returns the name it had.
    pub async fn remove(&self, actor: Actor<'_>, id: i64) -> Result<String, AdminError> {
        let mut tx = self.begin(actor).await?;
        let removed = async {
            let target = users::find_in(&mut tx, id)
                .await?
                .ok_or(AdminError::NotFound)?;
            Self::keep_an_administrator(&mut tx, &target).await?;
            users::remove(&mut tx, id).await?;
            Ok::<_, AdminError>(target)
        }
        .await;
        let removed = tx.settle(removed).await?;
        self.accounts.forget(id);
        // The database's sessions went with the row; Redis keeps its own.
        self.store.end_of_account(id, None).await?;
        let kind = SecurityEventKind::AccountRemoved;
        self.record(actor, None, &removed.username, kind, None)
            .await?;
        Ok(removed.username)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_time_passwords_are_long_random_and_unambiguous() {
        let (a, b) = (one_time_password(), one_time_password());
        assert_ne!(a, b);
        assert_eq!(a.len(), 23);
        assert_eq!(a.matches('-').count(), 3);
        assert!(!a.contains(['0', 'o', '1', 'l', 'i']), "{a}");
    }
}
