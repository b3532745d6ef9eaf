//! Unsaved editor text in sessionStorage, so a sign-in in the middle of editing loses nothing.

use serde::{Deserialize, Serialize};
use web_sys::{HtmlInputElement, HtmlTextAreaElement};
use yew::prelude::*;

/// What the editor had typed, and the version it was editing.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
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
    gatehouse_client::json::from_str(&text).ok()
}

/// Saves `draft` under `key` (best effort: a full or disabled storage only loses the draft).
pub fn save(key: &str, draft: &Draft) {
    if let (Some(s), Ok(text)) = (storage(), gatehouse_client::json::to_string(draft)) {
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

/// A draft being edited, and the `oninput` handlers that keep it (and sessionStorage) current.
pub struct DraftFields {
    /// The current text.
    pub draft: UseStateHandle<Draft>,
    /// For the title `<input>`.
    pub oninput_title: Callback<InputEvent>,
    /// For the body `<textarea>`.
    pub oninput_body: Callback<InputEvent>,
}

/// Editor state saved under `key` on every keystroke; `onedit` hears each change.
#[hook]
pub fn use_draft(
    key: String,
    initial: impl FnOnce() -> Draft,
    onedit: Callback<()>,
) -> DraftFields {
    let draft = use_state(initial);
    let field = |edit: fn(&mut Draft, String), read: fn(&InputEvent) -> String| {
        let (draft, key, onedit) = (draft.clone(), key.clone(), onedit.clone());
        Callback::from(move |e: InputEvent| {
            let mut next = (*draft).clone();
            edit(&mut next, read(&e));
            save(&key, &next);
            draft.set(next);
            onedit.emit(());
        })
    };
    DraftFields {
        oninput_title: field(
            |d, v| d.title = v,
            |e| e.target_unchecked_into::<HtmlInputElement>().value(),
        ),
        oninput_body: field(
            |d, v| d.body = v,
            |e| e.target_unchecked_into::<HtmlTextAreaElement>().value(),
        ),
        draft,
    }
}
