//! `/notes`: a new note first, then the user's notes, searchable, fifty at a time, each with a
//! one-line preview and when it was edited.

use gatehouse_api::endpoints::{CreateNote, ListNotes};
use gatehouse_api::{NewNote, NoteSummary};
use gatehouse_client::{Api, ApiError, Fetch, use_fetch, use_mutation};
use gloo_timers::callback::Timeout;
use yew::prelude::*;
use yew_router::prelude::*;

use crate::components::{ErrorView, Field, Page, drafts, general_error, time, use_toasts};
use crate::route::Route;
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
    let typed = use_state(String::new);
    let query = use_state(String::new);
    let listed = use_state(|| Listed::Loading);
    // The first page, whenever the search changes (the request for the one before is aborted,
    // so a newer answer always wins). What is shown stays until the answer comes.
    let first = use_fetch(ListNotes {
        q: (*query).clone(),
        ..ListNotes::default()
    });
    {
        let listed = listed.clone();
        use_effect_with(first.state.clone(), move |state| match state {
            Fetch::Ready(page) => listed.set(Listed::Ready {
                notes: page.notes.clone(),
                next: page.next_cursor.clone(),
                more_loading: false,
            }),
            Fetch::Failed(e) => listed.set(Listed::Failed(e.clone())),
            Fetch::Loading => {}
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
    // The next page, added under the ones shown.
    let more = {
        let (listed, query) = (listed.clone(), query.clone());
        use_mutation(move |api: Api, cursor: String| {
            let endpoint = ListNotes {
                q: (*query).clone(),
                cursor: Some(cursor.clone()),
                limit: None,
            };
            let listed = listed.clone();
            let shown = match &*listed {
                Listed::Ready { notes, .. } => notes.clone(),
                _ => Vec::new(),
            };
            listed.set(Listed::Ready {
                notes: shown.clone(),
                next: Some(cursor),
                more_loading: true,
            });
            async move {
                let answer = api.fetch(&endpoint).await;
                match &answer {
                    Ok(page) => {
                        let mut all = shown;
                        all.extend(page.notes.iter().cloned());
                        listed.set(Listed::Ready {
                            notes: all,
                            next: page.next_cursor.clone(),
                            more_loading: false,
                        });
                    }
                    Err(e) if e.is_silent() => {}
                    Err(e) => listed.set(Listed::Failed(e.clone())),
                }
                answer
            }
        })
    };
    let onmore = {
        let listed = listed.clone();
        Callback::from(move |_: MouseEvent| {
            if let Listed::Ready {
                next: Some(cursor), ..
            } = &*listed
            {
                more.run(cursor.clone());
            }
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
            html! { <ErrorView error={e.clone()} onretry={first.reload.clone()} /> }
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
    let create = use_mutation(move |api: Api, body: NewNote| {
        let (toasts, navigator, key) = (toasts.clone(), navigator.clone(), key.clone());
        async move {
            let note = api.submit(&CreateNote, &body).await?;
            drafts::clear(&key);
            toasts.say(format!("Note “{}” created.", note.title));
            if let Some(n) = navigator {
                n.push(&Route::Note { id: note.id });
            }
            Ok(())
        }
    });
    let onsubmit = {
        let draft = draft.clone();
        create.reform(move |e: SubmitEvent| {
            e.prevent_default();
            NewNote {
                title: draft.title.clone(),
                body: draft.body.clone(),
            }
        })
    };
    let (busy, error) = (create.running(), create.error());
    let title_error = error
        .and_then(|e| e.field("title"))
        .map(|m| format!("The title {m}."));
    let body_error = error
        .and_then(|e| e.field("body"))
        .map(|m| format!("The text {m}."));
    let general = general_error(error, &["title", "body"]);
    html! {
        <section aria-labelledby="new-title-heading" class="card">
            <h2 id="new-title-heading">{ "New note" }</h2>
            <form class="editor" {onsubmit} aria-busy={busy.to_string()} novalidate=true>
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
                <button type="submit" disabled={busy}>{ if busy { "Creating…" } else { "Create note" } }</button>
            </form>
            if let Some(e) = general {
                <ErrorView error={e} />
            }
        </section>
    }
}
