//! `/notes/:id`: view, edit and delete one note. Unsaved text lives in sessionStorage, so a
//! save that hits an expired session comes back here, restored, after signing in again.

use std::rc::Rc;

use gatehouse_api::endpoints::{DeleteNote, GetNote, UpdateNote};
use gatehouse_api::{ErrorCode, Note, NoteUpdate};
use gatehouse_client::{ApiError, Fetch, use_api, use_fetch};
use yew::prelude::*;
use yew_router::prelude::*;

use super::{drafts, local_time};
use crate::app::Route;
use crate::components::{ErrorView, Loading};
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
        Fetch::Loading => html! { <Loading /> },
        Fetch::Failed(e) if e.code() == Some(ErrorCode::NotFound) => html! {
            <section>
                <h1>{ "Note not found" }</h1>
                <p>{ "It may have been deleted. " }<Link<Route> to={Route::Notes}>{ "Back to your notes" }</Link<Route>></p>
            </section>
        },
        Fetch::Failed(e) => html! { <ErrorView error={e} onretry={note.reload} /> },
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

#[function_component]
fn Editor(props: &EditorProps) -> Html {
    let api = use_api();
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
            let (api, draft, saved, status, restored, key) = (
                api.clone(),
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
                    }
                    // Redirecting: the draft stays in sessionStorage for after sign-in.
                    Err(e) if e.is_silent() => {}
                    Err(e) => status.set(Status::Failed(e)),
                }
            });
        })
    };
    let ondelete = {
        let (status, id) = (status.clone(), saved.id);
        Callback::from(move |_| {
            let (api, navigator, status, key) =
                (api.clone(), navigator.clone(), status.clone(), key.clone());
            status.set(Status::Saving);
            yew::platform::spawn_local(async move {
                match api.fetch(&DeleteNote { id }).await {
                    Ok(()) => {
                        drafts::clear(&key);
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
    html! {
        <section>
            <p><Link<Route> to={Route::Notes}>{ "← All notes" }</Link<Route>></p>
            if restored.is_some() {
                <p class="notice" role="status">{ "Your unsaved changes were restored. Save again to keep them." }</p>
            }
            <form class="editor" onsubmit={onsave} aria-busy={busy.to_string()}>
                <label for="title">{ "Title" }</label>
                <input id="title" name="title" type="text" maxlength="200" value={draft.title.clone()} oninput={oninput_title} />
                <label for="body">{ "Text" }</label>
                <textarea id="body" name="body" rows="12" value={draft.body.clone()} oninput={oninput_body} />
                <div class="actions">
                    <button type="submit" disabled={busy}>{ "Save" }</button>
                    <button type="button" class="danger" disabled={busy} onclick={ondelete}>{ "Delete" }</button>
                    <span class="meta">{ format!("Version {} · edited {}", saved.version, local_time(&saved.updated_at)) }</span>
                </div>
                {
                    match &*status {
                        Status::Saved => html! { <p class="saved" role="status">{ "Saved." }</p> },
                        Status::Failed(e) if e.code() == Some(ErrorCode::Conflict) => html! {
                            <div class="error" role="alert"><p>{ "This note was changed elsewhere since you opened it. Copy your text, reload the page, and apply your edit again." }</p></div>
                        },
                        Status::Failed(e) => html! { <ErrorView error={e.clone()} /> },
                        _ => html! {},
                    }
                }
            </form>
        </section>
    }
}
