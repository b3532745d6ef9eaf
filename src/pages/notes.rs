//! `/notes`: the user's notes, searchable (the search is in the address, `?q=`), fifty at a
//! time, each with a preview and when it was edited; coming back to it finds the pages loaded,
//! the scroll position and the search as they were. "New note" (or the N key) opens
//! `/notes/new`.

use gatehouse_api::endpoints::{CreateNote, ListNotes};
use gatehouse_api::{NewNote, NoteSummary};
use gatehouse_client::{Api, ApiError, Fetch, use_fetch, use_mutation};
use gloo_timers::callback::Timeout;
use wasm_bindgen::JsCast;
use wasm_bindgen::closure::Closure;
use yew::prelude::*;
use yew_router::prelude::*;

use crate::components::remembered::{use_list_key, use_remembered, use_scroll_memory};
use crate::components::{
    ErrorView, Field, Page, drafts, focus_if_first_invalid, general_error, time, use_toasts,
};
use crate::route::{NotesQuery, Route, replace_with_query};
use crate::session::for_users;

/// What the remembered notes lists are called (`remembered::use_last_address`).
pub const NOTES_LIST: &str = "notes";

/// How many notes a page holds when none is asked for (the server's default).
const PAGE: usize = 50;
/// The most one request may ask for (the server's maximum).
const MAX_PAGE: usize = 100;

/// The notes page (signed-in users).
pub fn notes_page() -> Html {
    for_users(
        "notes",
        html! {
            <Page title="Notes" class="notes-page">
                <Notes />
            </Page>
        },
    )
}

/// The new note page (signed-in users).
pub fn new_note_page() -> Html {
    for_users(
        "new-note",
        html! {
            <Page title="New note" class="note-page">
                <NewNoteForm />
            </Page>
        },
    )
}

/// The rows a list had loaded, left for coming back to it.
#[derive(Clone, PartialEq)]
struct Loaded {
    notes: Vec<NoteSummary>,
    next: Option<String>,
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
    let navigator = use_navigator();
    let location = use_location();
    let query = location
        .and_then(|l| l.query::<NotesQuery>().ok())
        .unwrap_or_default()
        .q;
    let key = use_list_key();
    // Coming back: the pages loaded before, shown at once, and read again (as many notes as
    // were shown, up to a request's maximum) in the background.
    let memory = use_remembered();
    let recalled = use_memo((), {
        let (key, memory) = (key.clone(), memory.clone());
        move |()| memory.recall::<Loaded>(&key)
    });
    let mount_query = use_memo((), {
        let query = query.clone();
        move |()| query
    });
    let typed = use_state(|| query.clone());
    let listed = use_state(|| match &*recalled {
        Some(loaded) => Listed::Ready {
            notes: loaded.notes.clone(),
            next: loaded.next.clone(),
            more_loading: false,
        },
        None => Listed::Loading,
    });
    // The first page, whenever the search changes (the request for the one before is aborted,
    // so a newer answer always wins). What is shown stays until the answer comes.
    let limit = (*recalled)
        .as_ref()
        .filter(|_| query == *mount_query)
        .map(|l| u32::try_from(l.notes.len().clamp(PAGE, MAX_PAGE)).unwrap_or(50));
    let first = use_fetch(ListNotes {
        q: query.clone(),
        cursor: None,
        limit,
    });
    // Moves with every first page applied: a "Show more" started before answers nothing.
    let generation = use_mut_ref(|| 0u32);
    {
        let (listed, generation) = (listed.clone(), generation.clone());
        use_effect_with(first.state.clone(), move |state| match state {
            Fetch::Ready(page) => {
                *generation.borrow_mut() += 1;
                listed.set(Listed::Ready {
                    notes: page.notes.clone(),
                    next: page.next_cursor.clone(),
                    more_loading: false,
                });
            }
            Fetch::Failed(e) => listed.set(Listed::Failed(e.clone())),
            Fetch::Loading => {}
        });
    }
    // What is shown is what coming back finds.
    {
        let (key, query) = (key.clone(), query.clone());
        use_effect_with((*listed).clone(), move |listed| {
            if let Listed::Ready { notes, next, .. } = listed {
                let loaded = Loaded {
                    notes: notes.clone(),
                    next: next.clone(),
                };
                let query = NotesQuery { q: query.clone() };
                memory.keep(&key, NOTES_LIST, query, loaded);
            }
        });
    }
    use_scroll_memory(key, matches!(*listed, Listed::Ready { .. }));
    // Searching as one types, a quarter of a second after the last key; the search goes in
    // the address (replacing it: each key is no page to go back to).
    let debounce = use_mut_ref(|| None::<Timeout>);
    let onsearch = {
        let (typed, navigator, debounce) = (typed.clone(), navigator.clone(), debounce.clone());
        Callback::from(move |value: String| {
            typed.set(value.clone());
            let (navigator, pending) = (navigator.clone(), debounce.clone());
            *debounce.borrow_mut() = Some(Timeout::new(250, move || {
                pending.borrow_mut().take();
                if let Some(n) = &navigator {
                    replace_with_query(n, &Route::Notes, &NotesQuery { q: value });
                }
            }));
        })
    };
    // The address changed by itself (Back, or a link): the field follows, unless a search
    // typed is about to change it.
    {
        let typed = typed.clone();
        use_effect_with(query.clone(), move |q| {
            if debounce.borrow().is_none() && *typed != *q {
                typed.set(q.clone());
            }
        });
    }
    // After "Show more", focus goes to the first note it added.
    let focus_row = use_state(|| None::<usize>);
    {
        let focus_row = focus_row.clone();
        use_effect_with((*focus_row, (*listed).clone()), move |(row, _)| {
            if let Some(row) = row {
                let selector = format!("ul.notes > li:nth-child({}) a", row + 1);
                let link = web_sys::window()
                    .and_then(|w| w.document())
                    .and_then(|d| d.query_selector(&selector).ok().flatten())
                    .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok());
                if let Some(link) = link {
                    let _ = link.focus();
                    focus_row.set(None);
                }
            }
        });
    }
    // The next page, added under the ones shown.
    let more = {
        let (listed, query, focus_row) = (listed.clone(), query.clone(), focus_row.clone());
        let generation = generation.clone();
        use_mutation(move |api: Api, cursor: String| {
            let started = *generation.borrow();
            let generation = generation.clone();
            let endpoint = ListNotes {
                q: query.clone(),
                cursor: Some(cursor.clone()),
                limit: None,
            };
            let (listed, focus_row) = (listed.clone(), focus_row.clone());
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
                if *generation.borrow() != started {
                    // The list was read again (a new search, a refresh) meanwhile.
                    return answer;
                }
                match &answer {
                    Ok(page) => {
                        let mut all = shown;
                        if !page.notes.is_empty() {
                            focus_row.set(Some(all.len()));
                        }
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
    use_new_note_key();
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
                else { "No notes yet. Write the first one with “New note”.".to_string() }
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
                        // The whole row is the link (a phone's thumb needs no aim).
                        <li key={n.id} class="row note-row">
                            <Link<Route> to={Route::Note { id: n.id }} classes="row-link">
                                <span class="title">{ &n.title }</span>
                                if !n.preview.is_empty() { <span class="preview">{ &n.preview }</span> }
                                <time class="meta" datetime={n.updated_at.clone()} title={time::full(&n.updated_at)}>
                                    { time::relative(&n.updated_at) }
                                </time>
                            </Link<Route>>
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
        <section aria-label="Your notes" class="card">
            <div class="card-head">
                <span class="meta" role="status" aria-live="polite">{ count }</span>
                <Link<Route> to={Route::NewNote} classes="button">
                    { "New note" }<kbd class="keys" aria-hidden="true">{ "N" }</kbd>
                </Link<Route>>
            </div>
            <Field id="search" label="Search titles and text" kind="search" autocomplete="off"
                   value={(*typed).clone()} oninput={onsearch} />
            { body }
        </section>
    }
}

/// N, outside a field, opens a new note.
#[hook]
fn use_new_note_key() {
    let navigator = use_navigator();
    use_effect_with((), move |()| {
        let listener =
            Closure::<dyn Fn(web_sys::KeyboardEvent)>::new(move |e: web_sys::KeyboardEvent| {
                let typing = e
                    .target()
                    .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
                    .is_some_and(|el| {
                        matches!(el.tag_name().as_str(), "INPUT" | "TEXTAREA" | "SELECT")
                            || el.closest("[contenteditable]").ok().flatten().is_some()
                    });
                let plain = !(e.ctrl_key() || e.meta_key() || e.alt_key());
                if e.key().eq_ignore_ascii_case("n") && plain && !typing && !e.repeat() {
                    e.prevent_default();
                    if let Some(n) = &navigator {
                        n.push(&Route::NewNote);
                    }
                }
            });
        let document = web_sys::window().and_then(|w| w.document());
        if let Some(d) = &document {
            let _ =
                d.add_event_listener_with_callback("keydown", listener.as_ref().unchecked_ref());
        }
        move || {
            if let Some(d) = &document {
                let _ = d.remove_event_listener_with_callback(
                    "keydown",
                    listener.as_ref().unchecked_ref(),
                );
            }
        }
    });
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
    let (title_ref, body_ref) = (use_node_ref(), use_node_ref());
    let title_error = error.and_then(|e| e.field("title")).map(str::to_string);
    let body_error = error.and_then(|e| e.field("body")).map(str::to_string);
    let general = general_error(error, &["title", "body"]);
    // After a failed submit, focus goes to the first field with an error.
    {
        let fields = [title_ref.clone(), body_ref.clone()];
        use_effect_with((title_error.clone(), body_error.clone()), move |_| {
            for field in &fields {
                if let Some(el) = field.cast::<web_sys::HtmlElement>() {
                    focus_if_first_invalid(&el);
                }
            }
        });
    }
    html! {
        <section aria-label="New note" class="card">
            <form class="editor" {onsubmit} aria-busy={busy.to_string()} novalidate=true>
                <div class={classes!("field", title_error.is_some().then_some("invalid"))}>
                    <label for="new-title">{ "Title" }</label>
                    <input id="new-title" ref={title_ref} name="title" type="text" maxlength="200" value={draft.title.clone()} oninput={oninput_title}
                           aria-invalid={title_error.is_some().then_some("true")} aria-describedby={title_error.is_some().then_some("new-title-error")} />
                    if let Some(m) = &title_error { <p class="field-error" id="new-title-error">{ m }</p> }
                </div>
                <div class={classes!("field", body_error.is_some().then_some("invalid"))}>
                    <label for="new-body">{ "Text" }</label>
                    <textarea id="new-body" ref={body_ref} name="body" rows="12" value={draft.body.clone()} oninput={oninput_body}
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
