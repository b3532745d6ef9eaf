//! `/notes`: a new note first, then the user's notes, searchable, fifty at a time, each with a
//! one-line preview and when it was edited.

use gatehouse_api::endpoints::{CreateNote, ListNotes};
use gatehouse_api::{NewNote, NotePage, NoteSummary};
use gatehouse_client::{ApiError, use_api};
use gloo_timers::callback::Timeout;
use yew::prelude::*;
use yew_router::prelude::*;

use super::drafts;
use crate::app::Route;
use crate::components::{ErrorView, Field, Page, time, use_toasts};
use crate::session::RequireUser;

/// The notes page (signed-in users).
#[function_component]
pub fn NotesPage() -> Html {
    html! {
        <RequireUser>
            <Page title="Notes" class="notes-page">
                <NewNoteForm />
                <Notes />
            </Page>
        </RequireUser>
    }
}

/// What the list shows: loading (the first page), some pages, or an error.
#[derive(Clone, PartialEq)]
enum Listed {
    Loading,
    Ready {
        notes: Vec<NoteSummary>,
        next: Option<String>,
        more_loading: bool,
    },
    Failed(ApiError),
}

#[function_component]
fn Notes() -> Html {
    let api = use_api();
    let typed = use_state(String::new);
    let query = use_state(String::new);
    let listed = use_state(|| Listed::Loading);
    let generation = use_mut_ref(|| 0u32);
    let retries = use_state(|| 0u32);
    // The first page, whenever the search (or a retry) changes; a newer answer wins.
    {
        let (api, listed, generation) = (api.clone(), listed.clone(), generation.clone());
        use_effect_with(((*query).clone(), *retries), move |(q, _)| {
            let this = {
                let mut g = generation.borrow_mut();
                *g += 1;
                *g
            };
            let endpoint = ListNotes {
                q: q.clone(),
                ..ListNotes::default()
            };
            yew::platform::spawn_local(async move {
                let result = api.fetch(&endpoint).await;
                if *generation.borrow() != this {
                    return;
                }
                match result {
                    Ok(NotePage { notes, next_cursor }) => listed.set(Listed::Ready {
                        notes,
                        next: next_cursor,
                        more_loading: false,
                    }),
                    Err(e) if e.is_silent() => {}
                    Err(e) => listed.set(Listed::Failed(e)),
                }
            });
        });
    }
    // Searching as one types, a quarter of a second after the last key.
    let debounce = use_mut_ref(|| None::<Timeout>);
    let onsearch = {
        let (typed, query) = (typed.clone(), query.clone());
        Callback::from(move |value: String| {
            typed.set(value.clone());
            let query = query.clone();
            *debounce.borrow_mut() = Some(Timeout::new(250, move || query.set(value)));
        })
    };
    let onmore = {
        let (api, listed, query) = (api.clone(), listed.clone(), query.clone());
        Callback::from(move |_| {
            let Listed::Ready {
                notes,
                next: Some(cursor),
                ..
            } = (*listed).clone()
            else {
                return;
            };
            listed.set(Listed::Ready {
                notes: notes.clone(),
                next: Some(cursor.clone()),
                more_loading: true,
            });
            let endpoint = ListNotes {
                q: (*query).clone(),
                cursor: Some(cursor),
                limit: None,
            };
            let (api, listed) = (api.clone(), listed.clone());
            yew::platform::spawn_local(async move {
                match api.fetch(&endpoint).await {
                    Ok(page) => {
                        let mut all = notes;
                        all.extend(page.notes);
                        listed.set(Listed::Ready {
                            notes: all,
                            next: page.next_cursor,
                            more_loading: false,
                        });
                    }
                    Err(e) if e.is_silent() => {}
                    Err(e) => listed.set(Listed::Failed(e)),
                }
            });
        })
    };
    let searching = !query.trim().is_empty();
    let body = match &*listed {
        Listed::Loading => html! {
            <div class="skeleton" aria-busy="true" aria-label="Loading your notes">
                { for (0..4).map(|_| html! { <div class="skeleton-line"></div> }) }
            </div>
        },
        Listed::Failed(e) => {
            let retries = retries.clone();
            let onretry = Callback::from(move |()| retries.set(*retries + 1));
            html! { <ErrorView error={e.clone()} {onretry} /> }
        }
        Listed::Ready { notes, .. } if notes.is_empty() => html! {
            <p class="empty">{
                if searching { format!("No note has a word starting with “{}”.", query.trim()) }
                else { "No notes yet. Write the first one above.".to_string() }
            }</p>
        },
        Listed::Ready {
            notes,
            next,
            more_loading,
        } => html! {
            <>
                <ul class="rows notes">
                    { for notes.iter().map(|n| html! {
                        <li key={n.id} class="row">
                            <div>
                                <Link<Route> to={Route::Note { id: n.id }}>{ &n.title }</Link<Route>>
                                if !n.preview.is_empty() { <p class="preview">{ &n.preview }</p> }
                            </div>
                            <time class="meta" datetime={n.updated_at.clone()} title={time::full(&n.updated_at)}>
                                { time::relative(&n.updated_at) }
                            </time>
                        </li>
                    }) }
                </ul>
                if next.is_some() {
                    <button type="button" onclick={onmore} disabled={*more_loading}>
                        { if *more_loading { "Loading…" } else { "Show more" } }
                    </button>
                }
            </>
        },
    };
    let count = match &*listed {
        Listed::Ready { notes, next, .. } => {
            let n = notes.len();
            let plus = if next.is_some() { "+" } else { "" };
            match (searching, n) {
                (true, 1) => "1 note found".to_string(),
                (true, n) => format!("{n}{plus} notes found"),
                (false, 1) => "1 note".to_string(),
                (false, n) => format!("{n}{plus} notes"),
            }
        }
        _ => String::new(),
    };
    html! {
        <section aria-labelledby="list-title" class="card">
            <div class="card-head">
                <h2 id="list-title">{ "Your notes" }</h2>
                <span class="meta" role="status" aria-live="polite">{ count }</span>
            </div>
            <Field id="search" label="Search titles and text" kind="search" autocomplete="off"
                   value={(*typed).clone()} oninput={onsearch} />
            { body }
        </section>
    }
}

#[function_component]
fn NewNoteForm() -> Html {
    let api = use_api();
    let toasts = use_toasts();
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
            let (api, toasts, navigator, busy, error, key) = (
                api.clone(),
                toasts.clone(),
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
                        toasts.say(format!("Note “{}” created.", note.title));
                        if let Some(n) = navigator {
                            n.push(&Route::Note { id: note.id });
                        }
                    }
                    Err(e) => {
                        busy.set(false);
                        if !e.is_silent() {
                            error.set(Some(e));
                        }
                    }
                }
            });
        })
    };
    let title_error = (*error)
        .as_ref()
        .and_then(|e| e.field("title"))
        .map(|m| format!("The title {m}."));
    let body_error = (*error)
        .as_ref()
        .and_then(|e| e.field("body"))
        .map(|m| format!("The text {m}."));
    let general = (*error)
        .clone()
        .filter(|e| e.field("title").is_none() && e.field("body").is_none());
    html! {
        <section aria-labelledby="new-title-heading" class="card">
            <h2 id="new-title-heading">{ "New note" }</h2>
            <form class="editor" {onsubmit} aria-busy={(*busy).to_string()} novalidate=true>
                <div class={classes!("field", title_error.is_some().then_some("invalid"))}>
                    <label for="new-title">{ "Title" }</label>
                    <input id="new-title" name="title" type="text" maxlength="200" value={draft.title.clone()} oninput={oninput_title}
                           aria-invalid={title_error.is_some().then_some("true")} aria-describedby={title_error.is_some().then_some("new-title-error")} />
                    if let Some(m) = &title_error { <p class="field-error" id="new-title-error">{ m }</p> }
                </div>
                <div class={classes!("field", body_error.is_some().then_some("invalid"))}>
                    <label for="new-body">{ "Text" }</label>
                    <textarea id="new-body" name="body" rows="4" value={draft.body.clone()} oninput={oninput_body}
                              aria-invalid={body_error.is_some().then_some("true")} aria-describedby={body_error.is_some().then_some("new-body-error")} />
                    if let Some(m) = &body_error { <p class="field-error" id="new-body-error">{ m }</p> }
                </div>
                <button type="submit" disabled={*busy}>{ if *busy { "Creating…" } else { "Create note" } }</button>
            </form>
            if let Some(e) = general {
                <ErrorView error={e} />
            }
        </section>
    }
}
