//! Why sessions were ended (`ended_sessions`): kept a day under a hash of their id, so that a
//! browser still holding an ended session's cookie is told why it is signed out.

use sha2::{Digest, Sha256};
use tower_sessions::session::Id;

use super::db::{Db, on_pool};

/// How long the reason is kept (ms): a browser closed for longer is told only to sign in.
pub const KEPT_MS: i64 = 24 * 60 * 60 * 1000;

/// Why a session was ended by something other than its own sign-out.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EndReason {
    /// The account's password changed (its owner elsewhere, or an administrator's reset).
    PasswordChanged,
    /// Another of the account's sessions, or an administrator, signed it out.
    EndedElsewhere,
}

impl EndReason {
    fn as_str(self) -> &'static str {
        match self {
            Self::PasswordChanged => "password_changed",
            Self::EndedElsewhere => "ended_elsewhere",
        }
    }

    fn parse(s: &str) -> Option<Self> {
        [Self::PasswordChanged, Self::EndedElsewhere]
            .into_iter()
            .find(|r| r.as_str() == s)
    }
}

fn hash(id: &Id) -> String {
    let digest = Sha256::digest(id.to_string().as_bytes());
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

/// Records that the sessions `ids` were ended for `reason` at `now_ms`.
pub async fn record(db: &Db, ids: &[Id], reason: EndReason, now_ms: i64) -> sqlx::Result<()> {
    for id in ids {
        let sql = "INSERT INTO ended_sessions (id_hash, reason, ended_at) VALUES ($1, $2, $3) \
                   ON CONFLICT (id_hash) DO UPDATE SET reason = $2, ended_at = $3";
        let (h, r) = (hash(id), reason.as_str());
        on_pool!(db, pool => sqlx::query(sql).bind(&h).bind(r).bind(now_ms).execute(pool).await.map(drop))?;
    }
    Ok(())
}

/// Why the session `id` was ended, if it was within the last `KEPT_MS` before `now_ms`.
pub async fn reason(db: &Db, id: &Id, now_ms: i64) -> sqlx::Result<Option<EndReason>> {
    let sql = "SELECT reason FROM ended_sessions WHERE id_hash = $1 AND ended_at > $2";
    let h = hash(id);
    let found: Option<String> = on_pool!(db, pool => sqlx::query_scalar(sql)
        .bind(&h)
        .bind(now_ms - KEPT_MS)
        .fetch_optional(pool)
        .await)?;
    Ok(found.as_deref().and_then(EndReason::parse))
}

/// Forgets the reasons older than `KEPT_MS` before `now_ms`; how many.
pub async fn prune(db: &Db, now_ms: i64) -> sqlx::Result<u64> {
    let sql = "DELETE FROM ended_sessions WHERE ended_at <= $1";
    on_pool!(db, pool => sqlx::query(sql)
        .bind(now_ms - KEPT_MS)
        .execute(pool)
        .await
        .map(|r| r.rows_affected()))
}
