//! What the server answers the pages with: notes, sessions, events, accounts.

use crate::common::*;
use gatehouse_api::endpoints::ListNotes;
use gatehouse_api::{
    ActiveSession, AdminUser, Note, NotePage, NoteSummary, Role, SecurityEvent, SecurityEventKind,
};

/// A note as the list shows it, edited an hour ago.
pub fn summary(id: i64, title: &str) -> NoteSummary {
    NoteSummary {
        id,
        title: title.into(),
        preview: format!("about {title}"),
        version: 1,
        updated_at: iso_in(-3_600_000.0),
    }
}

/// A page of the list.
pub fn notes(list: Vec<NoteSummary>, next: Option<&str>) -> NotePage {
    NotePage {
        notes: list,
        next_cursor: next.map(Into::into),
    }
}

/// A note as the editor gets it (version 4).
pub fn note(id: i64, title: &str, body: &str) -> Note {
    Note {
        id,
        title: title.into(),
        body: body.into(),
        version: 4,
        created_at: iso_in(-86_400_000.0),
        updated_at: iso_in(-3_600_000.0),
    }
}

/// A session signed in two hours ago, active a minute ago, from 192.0.2.1.
pub fn session(id: &str, device: &str, current: bool) -> ActiveSession {
    ActiveSession {
        id: id.into(),
        device: device.into(),
        address: Some("192.0.2.1".into()),
        signed_in_at: iso_in(-7_200_000.0),
        last_active_at: iso_in(-60_000.0),
        current,
    }
}

/// A security event `ago_ms` ago, from Firefox on Linux at 192.0.2.1.
pub fn event(kind: SecurityEventKind, ago_ms: f64) -> SecurityEvent {
    SecurityEvent {
        kind,
        at: iso_in(-ago_ms),
        device: Some("Firefox on Linux".into()),
        address: Some("192.0.2.1".into()),
        by: None,
        subject: None,
        detail: None,
    }
}

/// An active account as administrators see it.
pub fn account(id: i64, name: &str) -> AdminUser {
    AdminUser {
        id,
        username: name.into(),
        role: Role::User,
        disabled: false,
        must_change_password: false,
        created_at: iso_in(-86_400_000.0),
        last_sign_in_at: None,
        sessions: 1,
        totp: false,
        passkeys: 0,
        identities: 0,
        has_password: true,
    }
}

/// The dashboard's request for the five most recent notes.
pub fn recent_notes() -> ListNotes {
    ListNotes {
        limit: Some(5),
        ..ListNotes::default()
    }
}

/// A 500 with the server's error body.
pub fn server_error() -> Reply {
    Reply::error(500, "internal", "internal error")
}

/// `script`, with `root` signed in as an administrator.
pub fn as_admin(script: Script) -> Script {
    Script::signed_in("root", Role::Admin).and(script)
}
