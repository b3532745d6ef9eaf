//! Unsaved editor text in sessionStorage, so a sign-in in the middle of editing loses nothing.

use serde::{Deserialize, Serialize};

/// What the editor had typed, and the version it was editing.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Draft {
    /// The title field.
    pub title: String,
    /// The body field.
    pub body: String,
    /// The note version the edit started from (absent for a new note).
    pub version: Option<i64>,
}

fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.session_storage().ok()?
}

/// The draft saved under `key`, if any.
pub fn load(key: &str) -> Option<Draft> {
    let text = storage()?.get_item(key).ok()??;
    serde_json::from_str(&text).ok()
}

/// Saves `draft` under `key` (best effort: a full or disabled storage only loses the draft).
pub fn save(key: &str, draft: &Draft) {
    if let (Some(s), Ok(text)) = (storage(), serde_json::to_string(draft)) {
        let _ = s.set_item(key, &text);
    }
}

/// Forgets the draft under `key`.
pub fn clear(key: &str) {
    if let Some(s) = storage() {
        let _ = s.remove_item(key);
    }
}

/// The key of a note's draft (`None`: the new-note form).
pub fn key(note: Option<i64>) -> String {
    match note {
        Some(id) => format!("gatehouse.draft.note.{id}"),
        None => "gatehouse.draft.note.new".into(),
    }
}
