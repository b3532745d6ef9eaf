//! Accounts: look-ups, creation, removal and password changes.

use std::fmt;

use crate::data::cursor::{self, PageError};
use crate::data::db::{self, Db, Tx, on_pool, on_tx};
use gatehouse_api::{Role, Username};

/// A stored Argon2id PHC string. Never `Serialize`, never shown by `Debug`.
#[derive(Clone)]
pub struct PasswordHash(pub String);

impl fmt::Debug for PasswordHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("PasswordHash(<redacted>)")
    }
}

/// One row of `users`.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct Account {
    /// Database id.
    pub id: i64,
    /// The name as created.
    pub username: String,
    #[sqlx(try_from = "String")]
    /// The role.
    pub role: StoredRole,
    /// Bumped by a password change; sessions made under an older epoch are over.
    pub session_epoch: i64,
    /// Unix seconds.
    pub created_at: i64,
    #[sqlx(try_from = "String")]
    /// The Argon2id hash.
    pub password_hash: PasswordHash,
    /// Disabled by an administrator: cannot sign in, sessions refused.
    pub disabled: bool,
    /// Holds a one-time password that must be replaced before anything else.
    pub must_change_password: bool,
    /// Unix seconds of the last sign-in.
    pub last_sign_in_at: Option<i64>,
    /// Its authenticator app is on (read by look-ups, not by writes' `RETURNING`).
    #[sqlx(default)]
    pub totp: bool,
    /// How many passkeys it has (likewise).
    #[sqlx(default)]
    pub passkeys: i64,
    /// Whether it has a password (an account made at a first sign-in through the identity
    /// provider has none until it is given one).
    pub has_password: bool,
    /// How many identities at the provider are linked to it (read by look-ups).
    #[sqlx(default)]
    pub identities: i64,
}

impl Account {
    /// Whether it has a way in besides the password (what `--require-second-factor` asks).
    pub fn has_second_factor(&self) -> bool {
        self.totp || self.passkeys > 0
    }

    /// How many ways it can sign in by: its password, each passkey, each linked identity.
    pub fn ways_in(&self) -> i64 {
        i64::from(self.has_password) + self.passkeys + self.identities
    }
}

/// `Role` as it is stored (`'user'` or `'admin'`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct StoredRole(pub Role);

impl TryFrom<String> for StoredRole {
    type Error = String;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        match s.as_str() {
            "user" => Ok(Self(Role::User)),
            "admin" => Ok(Self(Role::Admin)),
            other => Err(format!("unknown role {other:?}")),
        }
    }
}

impl From<String> for PasswordHash {
    fn from(s: String) -> Self {
        Self(s)
    }
}

impl Account {
    /// The account as the SPA sees it.
    pub fn to_user(&self) -> gatehouse_api::User {
        gatehouse_api::User {
            id: self.id,
            username: self.username.clone(),
            role: self.role.0,
        }
    }
}

const COLUMNS: &str = "id, username, role, session_epoch, created_at, password_hash, disabled, \
                       must_change_password, last_sign_in_at, has_password";

/// `COLUMNS` and the sign-in methods beside the password, for look-ups.
const WITH_METHODS: &str = "id, username, role, session_epoch, created_at, password_hash, \
                            disabled, must_change_password, last_sign_in_at, has_password, \
                            totp_secret IS NOT NULL AS totp, \
                            (SELECT count(*) FROM passkeys p WHERE p.account_id = users.id) \
                            AS passkeys, \
                            (SELECT count(*) FROM linked_identities i \
                             WHERE i.account_id = users.id) AS identities";

/// Accounts by id, as the guard looks them up on every request.
///
/// On SQLite (one process) they are kept for `ACCOUNT_TTL`, so that checking a session costs
/// no database round trip; changes made through the server forget the account at once, and a
/// change made by another process (the `user` command) ends sessions within that time. On
/// PostgreSQL, where another instance may change an account at any moment, nothing is kept:
/// a password change, removal or new role is final at once on every instance.
#[derive(Clone)]
pub struct AccountCache {
    db: Db,
    cache: Option<moka::sync::Cache<i64, Option<Account>>>,
}

/// How long a cached account is trusted (SQLite only).
pub const ACCOUNT_TTL: std::time::Duration = std::time::Duration::from_secs(1);

impl AccountCache {
    /// Accounts in `db`, cached (up to 100,000) when `db` is SQLite.
    pub fn new(db: Db) -> Self {
        let cache = matches!(db, Db::Sqlite(_)).then(|| {
            moka::sync::Cache::builder()
                .max_capacity(100_000)
                .time_to_live(ACCOUNT_TTL)
                .build()
        });
        Self { db, cache }
    }

    /// The account with this id (a miss reads the database).
    pub async fn get(&self, id: i64) -> sqlx::Result<Option<Account>> {
        let Some(cache) = &self.cache else {
            return find_by_id(&self.db, id).await;
        };
        if let Some(hit) = cache.get(&id) {
            return Ok(hit);
        }
        let account = find_by_id(&self.db, id).await?;
        cache.insert(id, account.clone());
        Ok(account)
    }

    /// Forgets a changed account, so the next request reads it again.
    pub fn forget(&self, id: i64) {
        if let Some(cache) = &self.cache {
            cache.invalidate(&id);
        }
    }
}

/// The account with this name (any ASCII case), if any.
pub async fn find_by_name(db: &Db, name: &Username) -> sqlx::Result<Option<Account>> {
    let sql = format!("SELECT {WITH_METHODS} FROM users WHERE username_folded = $1");
    on_pool!(db, pool => sqlx::query_as(&sql).bind(name.folded()).fetch_optional(pool).await)
}

/// The account with this id, if it still exists.
pub async fn find_by_id(db: &Db, id: i64) -> sqlx::Result<Option<Account>> {
    let sql = format!("SELECT {WITH_METHODS} FROM users WHERE id = $1");
    on_pool!(db, pool => sqlx::query_as(&sql).bind(id).fetch_optional(pool).await)
}

/// Every account, oldest first.
pub async fn list(db: &Db) -> sqlx::Result<Vec<Account>> {
    let sql = format!("SELECT {WITH_METHODS} FROM users ORDER BY id");
    on_pool!(db, pool => sqlx::query_as(&sql).fetch_all(pool).await)
}

/// How many accounts exist.
pub async fn count(db: &Db) -> sqlx::Result<i64> {
    let sql = "SELECT count(*) FROM users";
    on_pool!(db, pool => sqlx::query_scalar(sql).fetch_one(pool).await)
}

/// Accounts per page of the administrators' list.
pub const PAGE: i64 = 50;

/// One page of accounts whose name contains `q` (in any case and script, see
/// `Username::search_query`), in name order, after `cursor` (from the previous page).
pub async fn search(
    db: &Db,
    q: &str,
    cursor: Option<&str>,
) -> Result<(Vec<Account>, Option<String>), PageError> {
    let after = cursor.map(cursor::decode).transpose()?;
    let sql = format!(
        "SELECT {WITH_METHODS}, username_folded FROM users \
         WHERE COALESCE(username_search, username_folded) LIKE $1 ESCAPE '\\' \
         AND username_folded > $2 ORDER BY username_folded LIMIT $3"
    );
    let pattern = like_pattern(&Username::search_query(q));
    let rows: Vec<Ordered> = on_pool!(db, pool => sqlx::query_as(&sql)
        .bind(pattern)
        .bind(after.unwrap_or_default())
        .bind(PAGE + 1)
        .fetch_all(pool)
        .await)?;
    let more = rows.len() as i64 > PAGE;
    let mut page = Vec::new();
    let mut last = None;
    for row in rows.into_iter().take(PAGE as usize) {
        page.push(row.account);
        last = Some(row.username_folded);
    }
    Ok((page, last.filter(|_| more).map(|l| cursor::encode(&l))))
}

/// An account with the column the list orders by.
#[derive(sqlx::FromRow)]
struct Ordered {
    #[sqlx(flatten)]
    account: Account,
    username_folded: String,
}

/// `LIKE` treats `%`, `_` and the escape character as special; a search means them literally.
fn like_pattern(q: &str) -> String {
    let mut pattern = String::from("%");
    for c in q.chars() {
        if matches!(c, '%' | '_' | '\\') {
            pattern.push('\\');
        }
        pattern.push(c);
    }
    pattern.push('%');
    pattern
}

/// Why an account could not be created.
#[derive(Debug, thiserror::Error)]
pub enum CreateError {
    /// Another account has this name (in any ASCII case).
    #[error("an account named {0:?} already exists")]
    Taken(String),
    /// The database failed.
    #[error(transparent)]
    Db(#[from] sqlx::Error),
}

/// Creates an account; with `must_change`, its owner must choose their own password at their
/// first sign-in.
pub async fn create(
    tx: &mut Tx,
    name: &Username,
    hash: PasswordHash,
    role: Role,
    must_change: bool,
) -> Result<Account, CreateError> {
    let sql = format!(
        "INSERT INTO users (username, username_folded, username_skeleton, username_search, \
         password_hash, role, created_at, must_change_password) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING {COLUMNS}"
    );
    let result = on_tx!(tx, conn => sqlx::query_as(&sql)
        .bind(name.as_str())
        .bind(name.folded())
        .bind(name.skeleton())
        .bind(name.search_form())
        .bind(&hash.0)
        .bind(role.as_str())
        .bind(db::now())
        .bind(must_change)
        .fetch_one(conn)
        .await);
    match result {
        Ok(account) => Ok(account),
        Err(sqlx::Error::Database(e)) if e.is_unique_violation() => {
            Err(CreateError::Taken(name.to_string()))
        }
        Err(e) => Err(e.into()),
    }
}

/// Marks the account `id` as having no password (made at a first sign-in through the identity
/// provider, with a random hash nobody knows).
pub async fn without_password(tx: &mut Tx, id: i64) -> sqlx::Result<()> {
    let sql = "UPDATE users SET has_password = FALSE WHERE id = $1";
    on_tx!(tx, conn => sqlx::query(sql).bind(id).execute(conn).await.map(drop))
}

/// The account with this id, as the transaction `tx` sees it.
pub async fn find_in(tx: &mut Tx, id: i64) -> sqlx::Result<Option<Account>> {
    let sql = format!("SELECT {WITH_METHODS} FROM users WHERE id = $1");
    on_tx!(tx, conn => sqlx::query_as(&sql).bind(id).fetch_optional(conn).await)
}

/// How many enabled administrators there are besides the account `id`.
pub async fn other_enabled_admins(tx: &mut Tx, id: i64) -> sqlx::Result<i64> {
    let sql = "SELECT count(*) FROM users WHERE role = 'admin' AND NOT disabled AND id <> $1";
    on_tx!(tx, conn => sqlx::query_scalar(sql).bind(id).fetch_one(conn).await)
}

/// Gives the account `id` the role `role`.
pub async fn set_role(tx: &mut Tx, id: i64, role: Role) -> sqlx::Result<()> {
    let sql = "UPDATE users SET role = $1 WHERE id = $2";
    on_tx!(tx, conn => sqlx::query(sql)
        .bind(role.as_str())
        .bind(id)
        .execute(conn)
        .await
        .map(drop))
}

/// Disables the account `id` (a new session epoch: its sessions never come back, even if it
/// is enabled again), or enables it.
pub async fn set_disabled(tx: &mut Tx, id: i64, disabled: bool) -> sqlx::Result<()> {
    let sql = if disabled {
        "UPDATE users SET disabled = TRUE, session_epoch = session_epoch + 1 WHERE id = $1"
    } else {
        "UPDATE users SET disabled = FALSE WHERE id = $1"
    };
    on_tx!(tx, conn => sqlx::query(sql).bind(id).execute(conn).await.map(drop))
}

/// Sets a password on the account `id` that someone else chose (an administrator's one-time
/// password, or the server's command line), moving it to the next session epoch. Whether the
/// account exists.
pub async fn set_password(
    tx: &mut Tx,
    id: i64,
    hash: PasswordHash,
    must_change: bool,
) -> sqlx::Result<bool> {
    let sql = "UPDATE users SET password_hash = $1, must_change_password = $2, \
               has_password = TRUE, session_epoch = session_epoch + 1 WHERE id = $3";
    on_tx!(tx, conn => sqlx::query(sql)
        .bind(&hash.0)
        .bind(must_change)
        .bind(id)
        .execute(conn)
        .await
        .map(|done| done.rows_affected() == 1))
}

/// Removes the account `id` with its notes, events and database sessions (by cascade).
pub async fn remove(tx: &mut Tx, id: i64) -> sqlx::Result<bool> {
    let sql = "DELETE FROM users WHERE id = $1";
    on_tx!(tx, conn => sqlx::query(sql)
        .bind(id)
        .execute(conn)
        .await
        .map(|done| done.rows_affected() == 1))
}

/// What SQL migrations cannot compute for accounts from before it was kept, run at start: the
/// search form and the skeleton of their names.
pub async fn backfill_name_forms(db: &Db) -> sqlx::Result<()> {
    backfill_search_forms(db).await?;
    backfill_skeletons(db).await
}

/// Fills in the skeleton of accounts made before names had one. Two old accounts that look
/// alike keep working (the second keeps none, and is logged); new names are checked against
/// both.
async fn backfill_skeletons(db: &Db) -> sqlx::Result<()> {
    let sql = "SELECT id, username FROM users WHERE username_skeleton IS NULL";
    let rows: Vec<(i64, String)> = on_pool!(db, pool => sqlx::query_as(sql).fetch_all(pool).await)?;
    for (id, name) in rows {
        let Ok(parsed) = Username::try_from(name.as_str()) else {
            tracing::warn!(id, "an account's name breaks today's rules; left as it is");
            continue;
        };
        let update = "UPDATE users SET username_skeleton = $1 WHERE id = $2";
        let done = on_pool!(db, pool => sqlx::query(update)
            .bind(parsed.skeleton())
            .bind(id)
            .execute(pool)
            .await
            .map(drop));
        match done {
            Err(sqlx::Error::Database(e)) if e.is_unique_violation() => {
                tracing::warn!(id, "an account's name looks like another's");
            }
            other => other?,
        }
    }
    Ok(())
}

/// Fills in the search form of accounts made before names had one (or by an older instance
/// beside this one, until its next start: the search falls back to the folded name meanwhile).
async fn backfill_search_forms(db: &Db) -> sqlx::Result<()> {
    let sql = "SELECT id, username FROM users WHERE username_search IS NULL";
    let rows: Vec<(i64, String)> = on_pool!(db, pool => sqlx::query_as(sql).fetch_all(pool).await)?;
    for (id, name) in rows {
        let update = "UPDATE users SET username_search = $1 WHERE id = $2";
        on_pool!(db, pool => sqlx::query(update)
            .bind(Username::search_query(&name))
            .bind(id)
            .execute(pool)
            .await
            .map(drop))?;
    }
    Ok(())
}

/// What a write asked for by a session checks again about its account, inside the write's
/// transaction (see `session::Writer`).
#[derive(Clone, Copy, Debug, sqlx::FromRow)]
pub struct Standing {
    /// Sessions made under an older epoch are over.
    pub session_epoch: i64,
    /// Disabled by an administrator.
    pub disabled: bool,
    /// The role.
    #[sqlx(try_from = "String")]
    pub role: StoredRole,
}

/// The standing of the account `id` (none once it is removed), its row locked until `tx`
/// ends: on PostgreSQL `FOR SHARE`, which a change of the row (a new role, disabling, a new
/// password, the end of a session) waits for; on SQLite the write lock `tx` holds since its
/// `BEGIN` keeps every other writer out.
pub async fn standing(tx: &mut Tx, id: i64) -> sqlx::Result<Option<Standing>> {
    const SELECT: &str = "SELECT session_epoch, disabled, role FROM users WHERE id = $1";
    match tx {
        Tx::Sqlite(tx) => {
            sqlx::query_as(SELECT)
                .bind(id)
                .fetch_optional(tx.connection())
                .await
        }
        Tx::Postgres(tx) => {
            sqlx::query_as(&format!("{SELECT} FOR SHARE"))
                .bind(id)
                .fetch_optional(&mut **tx)
                .await
        }
    }
}

/// Notes that sessions of the account `id` were just ended (deleted from the store). The
/// update waits for the writes that hold the account's row (see `standing`), so once it has
/// returned, every write asked for by an ended session has either committed or will find its
/// session gone.
pub async fn sessions_ended(db: &Db, id: i64) -> sqlx::Result<()> {
    let sql = "UPDATE users SET session_generation = session_generation + 1 WHERE id = $1";
    on_pool!(db, pool => sqlx::query(sql).bind(id).execute(pool).await.map(drop))
}

/// The account whose passkeys carry `handle` (WebAuthn's user handle).
pub async fn find_by_webauthn_handle(db: &Db, handle: &str) -> sqlx::Result<Option<Account>> {
    let sql = format!("SELECT {WITH_METHODS} FROM users WHERE webauthn_handle = $1");
    on_pool!(db, pool => sqlx::query_as(&sql).bind(handle).fetch_optional(pool).await)
}

/// The handle the account's passkeys carry, made (random) with its first one.
pub async fn webauthn_handle(tx: &mut Tx, id: i64, new: &str) -> sqlx::Result<String> {
    let set = "UPDATE users SET webauthn_handle = $1 WHERE id = $2 AND webauthn_handle IS NULL";
    on_tx!(&mut *tx, conn => sqlx::query(set).bind(new).bind(id).execute(conn).await.map(drop))?;
    let get = "SELECT webauthn_handle FROM users WHERE id = $1";
    on_tx!(tx, conn => sqlx::query_scalar(get).bind(id).fetch_one(conn).await)
}

/// Notes a successful sign-in of the account `id`.
pub async fn record_sign_in(db: &Db, id: i64) -> sqlx::Result<()> {
    let sql = "UPDATE users SET last_sign_in_at = $1 WHERE id = $2";
    on_pool!(db, pool => sqlx::query(sql).bind(db::now()).bind(id).execute(pool).await.map(drop))
}

/// Sets a new password on the account `id` (the account's own choice: it no longer must change
/// it) and moves it to the next session epoch, provided it is still at `epoch` (false
/// otherwise: changed meanwhile, or removed).
pub async fn change_password(
    tx: &mut Tx,
    id: i64,
    epoch: i64,
    hash: PasswordHash,
) -> sqlx::Result<bool> {
    let sql = "UPDATE users SET password_hash = $1, session_epoch = session_epoch + 1, \
               must_change_password = FALSE, has_password = TRUE \
               WHERE id = $2 AND session_epoch = $3";
    on_tx!(tx, conn => sqlx::query(sql)
        .bind(&hash.0)
        .bind(id)
        .bind(epoch)
        .execute(conn)
        .await
        .map(|done| done.rows_affected() == 1))
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn pool() -> (tempfile::TempDir, Db) {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}", dir.path().join("u.db").display());
        (dir, db::connect(&url).await.unwrap())
    }

    /// Creates `name` in a transaction of its own.
    async fn add(db: &Db, name: &str, role: Role) -> Result<Account, CreateError> {
        let mut tx = db.begin().await?;
        let name = Username::try_from(name).unwrap();
        let created = create(&mut tx, &name, PasswordHash("h".into()), role, false).await;
        tx.settle(created).await
    }

    #[test]
    fn a_search_matches_percent_and_underscore_literally() {
        assert_eq!(like_pattern("a_b%"), "%a\\_b\\%%");
        assert_eq!(like_pattern(""), "%%");
    }

    #[tokio::test]
    async fn usernames_are_unique_without_regard_to_case() {
        let (_dir, db) = pool().await;
        add(&db, "Ann", Role::User).await.unwrap();
        let err = add(&db, "ANN", Role::User).await.unwrap_err();
        assert!(matches!(err, CreateError::Taken(_)), "{err}");
        let found = find_by_name(&db, &Username::try_from("ann").unwrap())
            .await
            .unwrap()
            .unwrap();
        assert_eq!(found.username, "Ann");
    }

    #[tokio::test]
    async fn accounts_from_before_skeletons_get_one_at_start_and_look_alikes_keep_working() {
        let (_dir, db) = pool().await;
        for name in ["ann", "\u{0430}nn"] {
            let sql = "INSERT INTO users (username, username_folded, password_hash, role, created_at) \
                       VALUES ($1, $1, 'h', 'user', 0)";
            on_pool!(&db, pool => sqlx::query(sql).bind(name).execute(pool).await.map(drop))
                .unwrap();
        }
        backfill_name_forms(&db).await.unwrap();
        let sql = "SELECT count(*) FROM users WHERE username_skeleton IS NOT NULL";
        let filled: i64 =
            on_pool!(&db, pool => sqlx::query_scalar(sql).fetch_one(pool).await).unwrap();
        assert_eq!(filled, 1, "the second look-alike keeps none");
        let sql = "SELECT username_search FROM users ORDER BY id";
        let search: Vec<String> =
            on_pool!(&db, pool => sqlx::query_scalar(sql).fetch_all(pool).await).unwrap();
        assert_eq!(
            search,
            ["ann", "\u{0430}nn"],
            "both are found by the search"
        );
        let err = add(&db, "ANN", Role::User).await.unwrap_err();
        assert!(matches!(err, CreateError::Taken(_)));
    }

    #[tokio::test]
    async fn a_password_set_by_someone_else_bumps_the_session_epoch() {
        let (_dir, db) = pool().await;
        let before = add(&db, "bob", Role::Admin).await.unwrap();
        let mut tx = db.begin().await.unwrap();
        let set = set_password(&mut tx, before.id, PasswordHash("b".into()), true).await;
        assert!(tx.settle(set).await.unwrap());
        let after = find_by_id(&db, before.id).await.unwrap().unwrap();
        assert_eq!(after.session_epoch, before.session_epoch + 1);
        assert!(after.must_change_password);
        assert_eq!(after.role.0, Role::Admin);
        assert!(!format!("{after:?}").contains("\"b\""));
    }

    #[tokio::test]
    async fn a_rolled_back_transaction_changes_nothing() {
        let (_dir, db) = pool().await;
        let ann = add(&db, "ann", Role::User).await.unwrap();
        let mut tx = db.begin().await.unwrap();
        set_role(&mut tx, ann.id, Role::Admin).await.unwrap();
        tx.rollback().await.unwrap();
        let mut tx = db.begin().await.unwrap();
        set_disabled(&mut tx, ann.id, true).await.unwrap();
        drop(tx);
        let after = find_by_id(&db, ann.id).await.unwrap().unwrap();
        assert_eq!((after.role.0, after.disabled), (Role::User, false));
    }
}
