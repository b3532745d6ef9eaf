//! `/notes`: the user's notes, and a form for a new one.

use gatehouse_api::NewNote;
use gatehouse_api::endpoints::{CreateNote, ListNotes};
use gatehouse_client::{ApiError, Fetch, use_api, use_fetch};
use yew::prelude::*;
use yew_router::prelude::*;

use super::{drafts, local_time};
use crate::app::Route;
use crate::components::{ErrorView, Loading};
use crate::session::RequireUser;

/// The notes page (signed-in users).
#[function_component]
pub fn NotesPage() -> Html {
    html! { <RequireUser><Notes /></RequireUser> }
}

#[function_component]
fn Notes() -> Html {
    let list = use_fetch(ListNotes);
    let body = match list.state {
        Fetch::Loading => html! { <Loading /> },
        Fetch::Failed(e) => html! { <ErrorView error={e} onretry={list.reload} /> },
        Fetch::Ready(notes) if notes.is_empty() => {
            html! { <p class="empty">{ "No notes yet. Write the first one below." }</p> }
        }
        Fetch::Ready(notes) => html! {
            <ul class="notes">
                { for notes.iter().map(|n| html! {
                    <li key={n.id}>
                        <Link<Route> to={Route::Note { id: n.id }}>{ &n.title }</Link<Route>>
                        <small>{ " edited " }{ local_time(&n.updated_at) }</small>
                    </li>
                }) }
            </ul>
        },
    };
    html! {
        <section>
            <h1>{ "Notes" }</h1>
            { body }
            <NewNoteForm />
        </section>
    }
}

#[function_component]
fn NewNoteForm() -> Html {
    let api = use_api();
    let navigator = use_navigator();
    let key = drafts::key(None);
    let stored = key.clone();
    let drafts::DraftFields {
        draft,
        oninput_title,
        oninput_body,
    } = drafts::use_draft(
        key.clone(),
        move || drafts::load(&stored).unwrap_or_default(),
        Callback::noop(),
    );
    let busy = use_state(|| false);
    let error = use_state(|| None::<ApiError>);

    let onsubmit = {
        let (draft, busy, error, key) = (draft.clone(), busy.clone(), error.clone(), key.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let body = NewNote {
                title: draft.title.clone(),
                body: draft.body.clone(),
            };
            let (api, navigator, busy, error, key) = (
                api.clone(),
                navigator.clone(),
                busy.clone(),
                error.clone(),
                key.clone(),
            );
            busy.set(true);
            yew::platform::spawn_local(async move {
                match api.submit(&CreateNote, &body).await {
                    Ok(note) => {
                        drafts::clear(&key);
                        if let Some(n) = navigator {
                            n.push(&Route::Note { id: note.id });
                        }
                    }
                    Err(e) => {
                        busy.set(false);
                        error.set(Some(e));
                    }
                }
            });
        })
    };
    html! {
        <form class="editor" {onsubmit} aria-busy={(*busy).to_string()}>
            <h2>{ "New note" }</h2>
            <label for="new-title">{ "Title" }</label>
            <input id="new-title" name="title" type="text" maxlength="200" value={draft.title.clone()} oninput={oninput_title} />
            <label for="new-body">{ "Text" }</label>
            <textarea id="new-body" name="body" rows="6" value={draft.body.clone()} oninput={oninput_body} />
            <button type="submit" disabled={*busy}>{ "Create note" }</button>
            if let Some(e) = &*error {
                <ErrorView error={e.clone()} />
            }
        </form>
    }
}
