//! Security events: each account's sign-ins, failures, password changes, ended sessions and
//! re-authentications, kept for `RETENTION` and listed on the account page.

use std::time::Duration;

use gatehouse_api::{SecurityEvent, SecurityEventKind};

use crate::data::db::{self, Db, on_pool};

/// How long events are kept.
pub const RETENTION: Duration = Duration::from_secs(90 * 24 * 3600);

/// How many events `recent` returns.
pub const RECENT: i64 = 50;

/// Where a request came from, as events record it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Origin {
    /// Browser and operating system ("Firefox on Linux").
    pub device: Option<String>,
    /// The client's address.
    pub address: Option<String>,
}

/// One event to record for an account.
#[derive(Clone, Debug)]
pub struct Event {
    /// What happened.
    pub kind: SecurityEventKind,
    /// From where.
    pub origin: Origin,
    /// Who did it, when not the account itself.
    pub actor: Option<String>,
    /// The account it was done to, when not this one.
    pub subject: Option<String>,
    /// More, where the kind needs it (the new role).
    pub detail: Option<String>,
}

impl Event {
    /// `kind`, done by the account itself from `origin`.
    pub fn by_self(kind: SecurityEventKind, origin: &Origin) -> Self {
        Self {
            kind,
            origin: origin.clone(),
            actor: None,
            subject: None,
            detail: None,
        }
    }
}

fn kind_str(kind: SecurityEventKind) -> &'static str {
    match kind {
        SecurityEventKind::SignedIn => "signed_in",
        SecurityEventKind::SignInFailed => "sign_in_failed",
        SecurityEventKind::SignedOut => "signed_out",
        SecurityEventKind::PasswordChanged => "password_changed",
        SecurityEventKind::SessionEnded => "session_ended",
        SecurityEventKind::Reauthenticated => "reauthenticated",
        SecurityEventKind::AccountCreated => "account_created",
        SecurityEventKind::RoleChanged => "role_changed",
        SecurityEventKind::AccountDisabled => "account_disabled",
        SecurityEventKind::AccountEnabled => "account_enabled",
        SecurityEventKind::PasswordReset => "password_reset",
        SecurityEventKind::AccountRemoved => "account_removed",
        SecurityEventKind::PasskeyAdded => "passkey_added",
        SecurityEventKind::PasskeyRemoved => "passkey_removed",
        SecurityEventKind::TotpEnabled => "totp_enabled",
        SecurityEventKind::TotpDisabled => "totp_disabled",
        SecurityEventKind::RecoveryCodesRenewed => "recovery_codes_renewed",
        SecurityEventKind::RecoveryCodeUsed => "recovery_code_used",
        SecurityEventKind::SecondFactorFailed => "second_factor_failed",
        SecurityEventKind::IdentityLinked => "identity_linked",
        SecurityEventKind::IdentityUnlinked => "identity_unlinked",
        SecurityEventKind::Other => "other",
    }
}

fn kind_of(s: &str) -> SecurityEventKind {
    serde_json::from_value(serde_json::Value::String(s.to_string()))
        .unwrap_or(SecurityEventKind::Other)
}

/// Records `event` for `account`.
pub async fn record(db: &Db, account: i64, event: Event) -> sqlx::Result<()> {
    let sql = "INSERT INTO security_events \
               (account_id, kind, at, device, address, actor, subject, detail) \
               VALUES ($1, $2, $3, $4, $5, $6, $7, $8)";
    on_pool!(db, pool => sqlx::query(sql)
        .bind(account)
        .bind(kind_str(event.kind))
        .bind(db::now())
        .bind(event.origin.device.as_deref())
        .bind(event.origin.address.as_deref())
        .bind(event.actor.as_deref())
        .bind(event.subject.as_deref())
        .bind(event.detail.as_deref())
        .execute(pool)
        .await
        .map(drop))
}

/// Records `event` in the background, logging a failure: for paths whose answer must not wait
/// for it (a failed sign-in must take as long for an unknown name as for a known one).
pub fn record_later(db: &Db, account: i64, event: Event) {
    let db = db.clone();
    tokio::spawn(async move {
        if let Err(e) = record(&db, account, event).await {
            tracing::warn!(error = %e, account, "could not record a security event");
        }
    });
}

type Row = (
    String,
    i64,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
);

/// The account's last `RECENT` events, newest first.
pub async fn recent(db: &Db, account: i64) -> sqlx::Result<Vec<SecurityEvent>> {
    let sql = "SELECT kind, at, device, address, actor, subject, detail FROM security_events \
               WHERE account_id = $1 AND at > $2 ORDER BY id DESC LIMIT $3";
    let oldest = db::now() - RETENTION.as_secs() as i64;
    let rows: Vec<Row> = on_pool!(db, pool => sqlx::query_as(sql)
        .bind(account)
        .bind(oldest)
        .bind(RECENT)
        .fetch_all(pool)
        .await)?;
    Ok(rows
        .into_iter()
        .map(
            |(kind, at, device, address, by, subject, detail)| SecurityEvent {
                kind: kind_of(&kind),
                at: db::rfc3339(at),
                device,
                address,
                by,
                subject,
                detail,
            },
        )
        .collect())
}

/// Deletes events older than `RETENTION`.
pub async fn prune(db: &Db) -> sqlx::Result<u64> {
    let oldest = db::now() - RETENTION.as_secs() as i64;
    on_pool!(db, pool => sqlx::query("DELETE FROM security_events WHERE at <= $1")
        .bind(oldest)
        .execute(pool)
        .await
        .map(|done| done.rows_affected()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_is_stored_under_its_wire_spelling() {
        use SecurityEventKind as K;
        for kind in [
            K::SignedIn,
            K::SignInFailed,
            K::SignedOut,
            K::PasswordChanged,
            K::SessionEnded,
            K::Reauthenticated,
            K::AccountCreated,
            K::RoleChanged,
            K::AccountDisabled,
            K::AccountEnabled,
            K::PasswordReset,
            K::AccountRemoved,
            K::PasskeyAdded,
            K::PasskeyRemoved,
            K::TotpEnabled,
            K::TotpDisabled,
            K::RecoveryCodesRenewed,
            K::RecoveryCodeUsed,
            K::SecondFactorFailed,
            K::IdentityLinked,
            K::IdentityUnlinked,
        ] {
            let wire = serde_json::to_value(kind).unwrap();
            assert_eq!(wire.as_str(), Some(kind_str(kind)));
            assert_eq!(kind_of(kind_str(kind)), kind);
        }
        assert_eq!(kind_of("from_the_future"), K::Other);
    }

    #[tokio::test]
    async fn events_are_listed_newest_first_fifty_at_most_and_old_ones_pruned() {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}", dir.path().join("e.db").display());
        let db = crate::data::db::connect(&url).await.unwrap();
        let sql = "INSERT INTO users (username, username_folded, password_hash, role, created_at) \
                   VALUES ('ann', 'ann', 'h', 'user', 0)";
        on_pool!(&db, pool => sqlx::query(sql).execute(pool).await.map(drop)).unwrap();
        let here = Origin {
            device: Some("Firefox on Linux".into()),
            address: Some("192.0.2.1".into()),
        };
        for _ in 0..RECENT {
            record(
                &db,
                1,
                Event::by_self(SecurityEventKind::SignInFailed, &here),
            )
            .await
            .unwrap();
        }
        record(&db, 1, Event::by_self(SecurityEventKind::SignedIn, &here))
            .await
            .unwrap();
        let listed = recent(&db, 1).await.unwrap();
        assert_eq!(listed.len() as i64, RECENT);
        assert_eq!(listed[0].kind, SecurityEventKind::SignedIn);
        assert_eq!(listed[0].device.as_deref(), Some("Firefox on Linux"));
        let old =
            "UPDATE security_events SET at = at - 91 * 24 * 3600 WHERE kind = 'sign_in_failed'";
        on_pool!(&db, pool => sqlx::query(old).execute(pool).await.map(drop)).unwrap();
        assert_eq!(
            recent(&db, 1).await.unwrap().len(),
            1,
            "old ones are not shown"
        );
        assert_eq!(prune(&db).await.unwrap() as i64, RECENT);
    }
}
