//! `/notes/:id`: edit and delete one note. Unsaved text lives in sessionStorage, so a save that
//! hits an expired session comes back here, restored, after signing in again. Unsaved changes
//! are marked, Ctrl/⌘+S saves (and says so when there is nothing to save), leaving the page
//! with them asks first (a reload, or a link in the app), an edit that meets a newer version
//! shows both and lets the person keep theirs or take the other, and a delete can be undone
//! for ten seconds.

use std::rc::Rc;

use gatehouse_api::endpoints::{DeleteNote, GetNote, RestoreNote, UpdateNote};
use gatehouse_api::{ErrorCode, Note, NoteUpdate};
use gatehouse_client::{Api, Fetch, Mutation, use_fetch, use_mutation};
use yew::prelude::*;
use yew_router::prelude::*;

use crate::components::remembered::use_last_query;
use crate::components::{ErrorView, Page, Toasts, drafts, time, use_toasts, waiting};
use crate::pages::NOTES_LIST;
use crate::route::{NotesQuery, Route};
use crate::session::for_users;

/// Props of `NoteLoader`.
#[derive(Properties, PartialEq)]
pub struct NotePageProps {
    /// The note's id, from the path.
    pub id: i64,
}

/// The note page (signed-in users).
pub fn note_page(id: i64) -> Html {
    for_users("note", html! { <NoteLoader {id} /> })
}

#[function_component]
fn NoteLoader(props: &NotePageProps) -> Html {
    let note = use_fetch(GetNote { id: props.id });
    match &note.state {
        Fetch::Ready(note) => html! { <Editor key={note.id} note={note.clone()} /> },
        Fetch::Failed(e) if e.code() == Some(ErrorCode::NotFound) => html! {
            <Page title="Note not found">
                <p>{ "It may have been deleted. " }<Link<Route> to={Route::Notes}>{ "Back to your notes" }</Link<Route>></p>
            </Page>
        },
        _ => html! { <Page title="Note">{ waiting(&note) }</Page> },
    }
}

#[derive(Properties, PartialEq)]
struct EditorProps {
    note: Rc<Note>,
}

/// The question asked before unsaved changes are left behind.
pub const LEAVE_QUESTION: &str = "You have unsaved changes to this note. Leave without saving?";

/// Whether the page asks before it is left while there are unsaved changes: a reload or a
/// closed tab through `beforeunload`, a link in the app (the header's, "All notes") by asking
/// before the router sees the click. Unsaved text also waits in sessionStorage either way.
#[hook]
fn use_leave_warning(unsaved: bool) {
    use_effect_with(unsaved, |unsaved| {
        let window = web_sys::window().expect("a window");
        let listeners = unsaved.then(|| {
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
            // In the capture phase on the window: before the router's own listener.
            let ask = wasm_bindgen::closure::Closure::<dyn Fn(web_sys::MouseEvent)>::new(
                |e: web_sys::MouseEvent| {
                    let plain = e.button() == 0
                        && !(e.ctrl_key() || e.meta_key() || e.shift_key() || e.alt_key());
                    // A link that leaves this page in this tab (not "Skip to content", not
                    // a new tab or a download).
                    let link = e
                        .target()
                        .and_then(|t| wasm_bindgen::JsCast::dyn_into::<web_sys::Element>(t).ok())
                        .and_then(|el| el.closest("a[href]").ok().flatten())
                        .filter(|a| {
                            let href = a.get_attribute("href").unwrap_or_default();
                            !href.starts_with('#')
                                && !a.has_attribute("download")
                                && a.get_attribute("target").is_none_or(|t| t == "_self")
                        });
                    if plain && link.is_some() {
                        let window = web_sys::window().expect("a window");
                        if !window.confirm_with_message(LEAVE_QUESTION).unwrap_or(true) {
                            e.prevent_default();
                            e.stop_immediate_propagation();
                        }
                    }
                },
            );
            let _ = window.add_event_listener_with_callback_and_bool(
                "click",
                wasm_bindgen::JsCast::unchecked_ref(ask.as_ref()),
                true,
            );
            (warn, ask)
        });
        move || {
            if let Some((warn, ask)) = listeners {
                let _ = window.remove_event_listener_with_callback(
                    "beforeunload",
                    wasm_bindgen::JsCast::unchecked_ref(warn.as_ref()),
                );
                let _ = window.remove_event_listener_with_callback_and_bool(
                    "click",
                    wasm_bindgen::JsCast::unchecked_ref(ask.as_ref()),
                    true,
                );
            }
        }
    });
}

#[function_component]
fn Editor(props: &EditorProps) -> Html {
    let toasts = use_toasts();
    let navigator = use_navigator();
    let key = drafts::key(Some(props.note.id));
    let saved = use_state(|| props.note.clone());
    // Unsaved text from before a sign-in wins over the server's copy, with a notice.
    let restored = use_state(|| {
        drafts::load(&key).filter(|d| d.title != props.note.title || d.body != props.note.body)
    });
    let (note, restored_draft) = (props.note.clone(), (*restored).clone());
    let initial = move || {
        restored_draft.unwrap_or_else(|| drafts::Draft {
            title: note.title.clone(),
            body: note.body.clone(),
            version: Some(note.version),
        })
    };
    // Saving and deleting share one place for their error, which an edit clears.
    let edited = use_state(|| 0u32);
    let onedit = {
        let edited = edited.clone();
        Callback::from(move |()| edited.set(edited.wrapping_add(1)))
    };
    let drafts::DraftFields {
        draft,
        oninput_title,
        oninput_body,
    } = drafts::use_draft(key.clone(), initial, onedit);

    // The newer version a save met, shown beside the person's own until they choose.
    let theirs = use_state(|| None::<Rc<Note>>);
    let save = {
        let (toasts, draft, saved, restored, key, theirs) = (
            toasts.clone(),
            draft.clone(),
            saved.clone(),
            restored.clone(),
            key.clone(),
            theirs.clone(),
        );
        use_mutation(move |api: Api, edit: NoteUpdate| {
            let id = saved.id;
            let (toasts, draft, saved, restored, key, theirs) = (
                toasts.clone(),
                draft.clone(),
                saved.clone(),
                restored.clone(),
                key.clone(),
                theirs.clone(),
            );
            async move {
                // Redirecting: the draft stays in sessionStorage for after sign-in.
                let note = match api.submit(&UpdateNote { id }, &edit).await {
                    Ok(note) => note,
                    Err(e) if e.code() == Some(ErrorCode::Conflict) => {
                        // Someone saved first: show theirs beside this one.
                        theirs.set(api.fetch(&GetNote { id }).await.ok().map(Rc::new));
                        return Err(e);
                    }
                    Err(e) => return Err(e),
                };
                theirs.set(None);
                drafts::clear(&key);
                draft.set(drafts::Draft {
                    title: note.title.clone(),
                    body: note.body.clone(),
                    version: Some(note.version),
                });
                saved.set(Rc::new(note));
                restored.set(None);
                toasts.say("Saved.");
                Ok(())
            }
        })
    };
    let list = use_last_query::<NotesQuery>(NOTES_LIST);
    let delete = {
        let (saved, key, list, toasts) = (saved.clone(), key.clone(), list.clone(), toasts.clone());
        use_mutation(move |api: Api, ()| {
            let (id, title) = (saved.id, saved.title.clone());
            let (toasts, navigator, key) = (toasts.clone(), navigator.clone(), key.clone());
            let list = list.clone().unwrap_or_default();
            async move {
                api.fetch(&DeleteNote { id }).await?;
                drafts::clear(&key);
                // Ten seconds to change one's mind; the server keeps it a minute.
                let undo = undo_delete(api, toasts.clone(), navigator.clone(), id);
                toasts.offer(format!("Note “{title}” deleted."), "Undo", undo);
                if let Some(n) = navigator {
                    let _ = n.push_with_query(&Route::Notes, &list);
                }
                Ok(())
            }
        })
    };
    {
        let (save, delete) = (save.clone(), delete.clone());
        use_effect_with(*edited, move |edits| {
            if *edits > 0 {
                save.reset();
                delete.reset();
            }
        });
    }
    let unsaved = draft.title != saved.title || draft.body != saved.body;
    let onsave = {
        let (draft, saved, delete, save, toasts) = (
            draft.clone(),
            saved.clone(),
            delete.clone(),
            save.clone(),
            toasts.clone(),
        );
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            delete.reset();
            // Read now, not at the last render: a keystroke may not have rendered yet.
            let unsaved = draft.title != saved.title || draft.body != saved.body;
            if !unsaved {
                toasts.say("Nothing to save: no changes since the last save.");
                return;
            }
            save.run(NoteUpdate {
                title: draft.title.clone(),
                body: draft.body.clone(),
                version: draft.version.unwrap_or(saved.version),
            });
        })
    };
    // The conflict's two ways out: save this version over theirs, or take theirs.
    let onkeep = {
        let (draft, theirs, save) = (draft.clone(), theirs.clone(), save.clone());
        Callback::from(move |_: MouseEvent| {
            if let Some(theirs) = &*theirs {
                save.run(NoteUpdate {
                    title: draft.title.clone(),
                    body: draft.body.clone(),
                    version: theirs.version,
                });
            }
        })
    };
    let ontake = {
        let (draft, saved, theirs, save, key, toasts) = (
            draft.clone(),
            saved.clone(),
            theirs.clone(),
            save.clone(),
            key.clone(),
            toasts.clone(),
        );
        Callback::from(move |_: MouseEvent| {
            if let Some(note) = (*theirs).clone() {
                drafts::clear(&key);
                draft.set(drafts::Draft {
                    title: note.title.clone(),
                    body: note.body.clone(),
                    version: Some(note.version),
                });
                saved.set(note);
                theirs.set(None);
                save.reset();
                toasts.say("You have the newer version; your changes were set aside.");
            }
        })
    };
    let ondelete = {
        let save = save.clone();
        delete.reform(move |_: MouseEvent| save.reset())
    };

    let busy = save.running() || delete.running();
    let failed = match (&save.state, &delete.state) {
        (Mutation::Failed(e), _) | (_, Mutation::Failed(e)) => Some(e.clone()),
        _ => None,
    };
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
            <p><Link<Route, NotesQuery> to={Route::Notes} query={list.clone()}>{ "← All notes" }</Link<Route, NotesQuery>></p>
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
                    match failed {
                        Some(e) if e.code() == Some(ErrorCode::Conflict) => match &*theirs {
                            Some(other) => html! {
                                <div class="conflict" role="alert" aria-labelledby="conflict-title">
                                    <p id="conflict-title"><strong>{ format!("This note was saved elsewhere (version {}) while you edited it.", other.version) }</strong>{ " Choose which to keep." }</p>
                                    <div class="versions">
                                        <section aria-labelledby="mine-title">
                                            <h2 id="mine-title">{ "Yours (not saved)" }</h2>
                                            <p class="version-title">{ draft.title.clone() }</p>
                                            <pre class="version-body" tabindex="0">{ draft.body.clone() }</pre>
                                        </section>
                                        <section aria-labelledby="theirs-title">
                                            <h2 id="theirs-title">{ format!("Saved elsewhere · version {}", other.version) }</h2>
                                            <p class="version-title">{ other.title.clone() }</p>
                                            <pre class="version-body" tabindex="0">{ other.body.clone() }</pre>
                                        </section>
                                    </div>
                                    <div class="actions">
                                        <button type="button" onclick={onkeep.clone()} disabled={busy}>{ "Keep mine" }</button>
                                        <button type="button" class="secondary" onclick={ontake.clone()} disabled={busy}>{ "Take theirs" }</button>
                                    </div>
                                </div>
                            },
                            None => html! {
                                <div class="error" role="alert"><p>{ "This note was saved elsewhere while you edited it, and the newer version could not be read. Copy your text and reload the page." }</p></div>
                            },
                        },
                        Some(e) => html! { <ErrorView error={e} /> },
                        None => html! {},
                    }
                }
            </form>
        </Page>
    }
}

/// The toast's Undo for a deleted note: brings it back and opens it. It runs after the editor
/// has gone (the delete leaves for the list), so it is a task of its own rather than a hook of
/// the editor's; `api` is the editor's, whose abort-on-unmount has already happened.
fn undo_delete(api: Api, toasts: Toasts, navigator: Option<Navigator>, id: i64) -> Callback<()> {
    Callback::from(move |()| {
        let (api, toasts, navigator) = (api.clone(), toasts.clone(), navigator.clone());
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
}
