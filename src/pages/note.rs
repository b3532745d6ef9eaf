//! `/notes/:id`: edit and delete one note. Unsaved text lives in sessionStorage, so a save that
//! hits an expired session comes back here, restored, after signing in again. Unsaved changes
//! are marked, Ctrl/⌘+S saves, leaving the page with them asks first, and a delete can be
//! undone for ten seconds.

use std::rc::Rc;

use gatehouse_api::endpoints::{DeleteNote, GetNote, RestoreNote, UpdateNote};
use gatehouse_api::{ErrorCode, Note, NoteUpdate};
use gatehouse_client::{ApiError, Fetch, use_api, use_fetch};
use yew::prelude::*;
use yew_router::prelude::*;

use super::drafts;
use crate::app::Route;
use crate::components::{ErrorView, Loading, Page, time, use_toasts};
use crate::session::RequireUser;

/// Props of `NotePage`.
#[derive(Properties, PartialEq)]
pub struct NotePageProps {
    /// The note's id, from the path.
    pub id: i64,
}

/// The note page (signed-in users).
#[function_component]
pub fn NotePage(props: &NotePageProps) -> Html {
    html! { <RequireUser><NoteLoader id={props.id} /></RequireUser> }
}

#[function_component]
fn NoteLoader(props: &NotePageProps) -> Html {
    let note = use_fetch(GetNote { id: props.id });
    match note.state {
        Fetch::Loading => html! { <Page title="Note"><Loading /></Page> },
        Fetch::Failed(e) if e.code() == Some(ErrorCode::NotFound) => html! {
            <Page title="Note not found">
                <p>{ "It may have been deleted. " }<Link<Route> to={Route::Notes}>{ "Back to your notes" }</Link<Route>></p>
            </Page>
        },
        Fetch::Failed(e) => {
            html! { <Page title="Note"><ErrorView error={e} onretry={note.reload} /></Page> }
        }
        Fetch::Ready(note) => {
            let id = note.id;
            html! { <Editor key={id} {note} /> }
        }
    }
}

#[derive(Properties, PartialEq)]
struct EditorProps {
    note: Rc<Note>,
}

#[derive(Clone, PartialEq)]
enum Status {
    Idle,
    Saving,
    Saved,
    Failed(ApiError),
}

/// Whether the page asks before it is left (a `beforeunload` listener while there are unsaved
/// changes; in-app links go through the router, so unsaved text also waits in sessionStorage).
#[hook]
fn use_leave_warning(unsaved: bool) {
    use_effect_with(unsaved, |unsaved| {
        let window = web_sys::window().expect("a window");
        let listener = unsaved.then(|| {
            let warn = wasm_bindgen::closure::Closure::<dyn Fn(web_sys::BeforeUnloadEvent)>::new(
                |e: web_sys::BeforeUnloadEvent| {
                    e.prevent_default();
                    e.set_return_value("You have unsaved changes.");
                },
            );
            let _ = window.add_event_listener_with_callback(
                "beforeunload",
                wasm_bindgen::JsCast::unchecked_ref(warn.as_ref()),
            );
            warn
        });
        move || {
            if let Some(warn) = listener {
                let _ = window.remove_event_listener_with_callback(
                    "beforeunload",
                    wasm_bindgen::JsCast::unchecked_ref(warn.as_ref()),
                );
            }
        }
    });
}

#[function_component]
fn Editor(props: &EditorProps) -> Html {
    let api = use_api();
    let toasts = use_toasts();
    let navigator = use_navigator();
    let key = drafts::key(Some(props.note.id));
    let saved = use_state(|| props.note.clone());
    // Unsaved text from before a sign-in wins over the server's copy, with a notice.
    let restored = use_state(|| {
        drafts::load(&key).filter(|d| d.title != props.note.title || d.body != props.note.body)
    });
    let status = use_state(|| Status::Idle);
    let (note, restored_draft) = (props.note.clone(), (*restored).clone());
    let initial = move || {
        restored_draft.unwrap_or_else(|| drafts::Draft {
            title: note.title.clone(),
            body: note.body.clone(),
            version: Some(note.version),
        })
    };
    let onedit = {
        let status = status.clone();
        Callback::from(move |()| status.set(Status::Idle))
    };
    let drafts::DraftFields {
        draft,
        oninput_title,
        oninput_body,
    } = drafts::use_draft(key.clone(), initial, onedit);

    let onsave = {
        let toasts = toasts.clone();
        let (api, draft, saved, status, restored, key) = (
            api.clone(),
            draft.clone(),
            saved.clone(),
            status.clone(),
            restored.clone(),
            key.clone(),
        );
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let edit = NoteUpdate {
                title: draft.title.clone(),
                body: draft.body.clone(),
                version: draft.version.unwrap_or(saved.version),
            };
            let id = saved.id;
            let (api, toasts, draft, saved, status, restored, key) = (
                api.clone(),
                toasts.clone(),
                draft.clone(),
                saved.clone(),
                status.clone(),
                restored.clone(),
                key.clone(),
            );
            status.set(Status::Saving);
            yew::platform::spawn_local(async move {
                match api.submit(&UpdateNote { id }, &edit).await {
                    Ok(note) => {
                        drafts::clear(&key);
                        draft.set(drafts::Draft {
                            title: note.title.clone(),
                            body: note.body.clone(),
                            version: Some(note.version),
                        });
                        saved.set(Rc::new(note));
                        restored.set(None);
                        status.set(Status::Saved);
                        toasts.say("Saved.");
                    }
                    // Redirecting: the draft stays in sessionStorage for after sign-in.
                    Err(e) if e.is_silent() => {}
                    Err(e) => status.set(Status::Failed(e)),
                }
            });
        })
    };
    let ondelete = {
        let (status, id, title) = (status.clone(), saved.id, saved.title.clone());
        let toasts = toasts.clone();
        Callback::from(move |_| {
            let (api, toasts, navigator, status, key, title) = (
                api.clone(),
                toasts.clone(),
                navigator.clone(),
                status.clone(),
                key.clone(),
                title.clone(),
            );
            status.set(Status::Saving);
            yew::platform::spawn_local(async move {
                match api.fetch(&DeleteNote { id }).await {
                    Ok(()) => {
                        drafts::clear(&key);
                        // Ten seconds to change one's mind; the server keeps it a minute.
                        let undo = {
                            let (api, toasts, navigator) =
                                (api.clone(), toasts.clone(), navigator.clone());
                            Callback::from(move |()| {
                                let (api, toasts, navigator) =
                                    (api.clone(), toasts.clone(), navigator.clone());
                                yew::platform::spawn_local(async move {
                                    match api.fetch(&RestoreNote { id }).await {
                                        Ok(note) => {
                                            toasts.say(format!("Note “{}” restored.", note.title));
                                            if let Some(n) = navigator {
                                                n.push(&Route::Note { id });
                                            }
                                        }
                                        Err(e) if e.is_silent() => {}
                                        Err(e) => toasts.fail(e.message()),
                                    }
                                });
                            })
                        };
                        toasts.offer(format!("Note “{title}” deleted."), "Undo", undo);
                        if let Some(n) = navigator {
                            n.push(&Route::Notes);
                        }
                    }
                    Err(e) if e.is_silent() => {}
                    Err(e) => status.set(Status::Failed(e)),
                }
            });
        })
    };

    let busy = *status == Status::Saving;
    let unsaved = draft.title != saved.title || draft.body != saved.body;
    use_leave_warning(unsaved);
    // Ctrl/⌘+S saves (the browser's own "save page" would be no help here).
    let form = use_node_ref();
    {
        let form = form.clone();
        use_effect_with((), move |()| {
            let window = web_sys::window().expect("a window");
            let keys = wasm_bindgen::closure::Closure::<dyn Fn(web_sys::KeyboardEvent)>::new(
                move |e: web_sys::KeyboardEvent| {
                    if (e.ctrl_key() || e.meta_key()) && e.key().eq_ignore_ascii_case("s") {
                        e.prevent_default();
                        if let Some(form) = form.cast::<web_sys::HtmlFormElement>() {
                            let _ = form.request_submit();
                        }
                    }
                },
            );
            let _ = window.add_event_listener_with_callback(
                "keydown",
                wasm_bindgen::JsCast::unchecked_ref(keys.as_ref()),
            );
            move || {
                let _ = window.remove_event_listener_with_callback(
                    "keydown",
                    wasm_bindgen::JsCast::unchecked_ref(keys.as_ref()),
                );
            }
        });
    }
    html! {
        <Page title={format!("Edit “{}”", saved.title)} heading="Edit note" class="note">
            <p><Link<Route> to={Route::Notes}>{ "← All notes" }</Link<Route>></p>
            if restored.is_some() {
                <p class="notice" role="status">{ "Your unsaved changes were restored. Save again to keep them." }</p>
            }
            <form class="editor" onsubmit={onsave} aria-busy={busy.to_string()} ref={form} novalidate=true>
                <label for="title">{ "Title" }</label>
                <input id="title" name="title" type="text" maxlength="200" value={draft.title.clone()} oninput={oninput_title} />
                <label for="body">{ "Text" }</label>
                <textarea id="body" name="body" rows="12" value={draft.body.clone()} oninput={oninput_body} />
                <div class="actions">
                    <button type="submit" disabled={busy}>{ if busy { "Saving…" } else { "Save" } }</button>
                    <button type="button" class="danger" disabled={busy} onclick={ondelete}>{ "Delete" }</button>
                    if unsaved {
                        <span class="unsaved">{ "● Unsaved changes" }</span>
                    }
                    <span class="meta">
                        { format!("Version {} · edited ", saved.version) }
                        <time datetime={saved.updated_at.clone()} title={time::full(&saved.updated_at)}>{ time::relative(&saved.updated_at) }</time>
                        <span class="keys">{ " · Ctrl+S saves" }</span>
                    </span>
                </div>
                {
                    match &*status {
                        Status::Saved => html! {},
                        Status::Failed(e) if e.code() == Some(ErrorCode::Conflict) => html! {
                            <div class="error" role="alert"><p>{ "This note was changed elsewhere since you opened it. Copy your text, reload the page, and apply your edit again." }</p></div>
                        },
                        Status::Failed(e) => html! { <ErrorView error={e.clone()} /> },
                        _ => html! {},
                    }
                }
            </form>
        </Page>
    }
}
