//! Toasts: short results of what the user just did ("Note deleted. Undo"), announced to screen
//! readers from one polite live region, each gone after a while or when dismissed.

use std::rc::Rc;

use gloo_timers::callback::Timeout;
use yew::prelude::*;

use crate::session::{use_session, user};

/// One message.
#[derive(Clone, PartialEq)]
pub struct Toast {
    id: u32,
    text: AttrValue,
    /// A button beside the message ("Undo"), and what it does.
    action: Action,
    error: bool,
}

/// A button beside a toast's message, and what it does.
type Action = Option<(AttrValue, Callback<()>)>;

/// What to show: the text, its action, whether it is an error, and for how long (ms).
type Request = (AttrValue, Action, bool, u32);

/// What components use to show a toast.
#[derive(Clone, PartialEq)]
pub struct Toasts {
    show: Callback<Request>,
}

/// How long a toast stays, in milliseconds.
pub const SHOWN_MS: u32 = 6_000;
/// How long one with an action (Undo) stays.
pub const WITH_ACTION_MS: u32 = 10_000;

impl Toasts {
    /// Says `text` (that something worked).
    pub fn say(&self, text: impl Into<AttrValue>) {
        self.show.emit((text.into(), None, false, SHOWN_MS));
    }

    /// Says `text`, that something failed.
    pub fn fail(&self, text: impl Into<AttrValue>) {
        self.show.emit((text.into(), None, true, SHOWN_MS));
    }

    /// Says `text` with a button `label` that runs `action` (for ten seconds).
    pub fn offer(
        &self,
        text: impl Into<AttrValue>,
        label: impl Into<AttrValue>,
        action: Callback<()>,
    ) {
        self.show.emit((
            text.into(),
            Some((label.into(), action)),
            false,
            WITH_ACTION_MS,
        ));
    }
}

/// The toasts of the page below.
#[hook]
pub fn use_toasts() -> Toasts {
    use_context::<Toasts>().expect("use_toasts needs a ToastProvider above it")
}

enum Change {
    Add(Toast),
    Remove(u32),
    Clear,
}

#[derive(Default, PartialEq)]
struct Shown(Vec<Toast>);

impl Reducible for Shown {
    type Action = Change;

    fn reduce(self: Rc<Self>, change: Change) -> Rc<Self> {
        let mut list = self.0.clone();
        match change {
            Change::Add(toast) => {
                list.push(toast);
                // The three newest are enough on a phone.
                let excess = list.len().saturating_sub(3);
                list.drain(..excess);
            }
            Change::Remove(id) => list.retain(|t| t.id != id),
            Change::Clear => list.clear(),
        }
        Rc::new(Self(list))
    }
}

/// Props of `ToastProvider`.
#[derive(Properties, PartialEq)]
pub struct ToastProviderProps {
    /// The app.
    pub children: Html,
}

/// Provides `Toasts` and shows them.
#[function_component]
pub fn ToastProvider(props: &ToastProviderProps) -> Html {
    let shown = use_reducer(Shown::default);
    let next_id = use_mut_ref(|| 0u32);
    // One person's toasts (and their Undo) are not for the next: a change of who is signed in
    // clears them.
    let who = user(&use_session()).map(|u| u.id);
    {
        let shown = shown.clone();
        use_effect_with(who, move |_| shown.dispatch(Change::Clear));
    }
    // The last element outside the toasts that had the focus (a button that disables itself
    // while it works loses it, so the element focused when a toast comes is no guide).
    let came_from = use_mut_ref(|| None::<web_sys::HtmlElement>);
    {
        let came_from = came_from.clone();
        use_effect_with((), move |()| {
            let listener = wasm_bindgen::closure::Closure::<dyn Fn(web_sys::FocusEvent)>::new(
                move |e: web_sys::FocusEvent| {
                    let focused = e
                        .target()
                        .and_then(|t| {
                            wasm_bindgen::JsCast::dyn_into::<web_sys::HtmlElement>(t).ok()
                        })
                        .filter(|el| el.closest(".toasts").ok().flatten().is_none());
                    if let Some(focused) = focused {
                        *came_from.borrow_mut() = Some(focused);
                    }
                },
            );
            let document = web_sys::window().and_then(|w| w.document());
            if let Some(d) = &document {
                let _ = d.add_event_listener_with_callback(
                    "focusin",
                    wasm_bindgen::JsCast::unchecked_ref(listener.as_ref()),
                );
            }
            move || {
                if let Some(d) = &document {
                    let _ = d.remove_event_listener_with_callback(
                        "focusin",
                        wasm_bindgen::JsCast::unchecked_ref(listener.as_ref()),
                    );
                }
            }
        });
    }
    let toasts = {
        let shown = shown.clone();
        use_memo((), move |()| Toasts {
            show: Callback::from(
                move |(text, action, error, ms): (
                    AttrValue,
                    Option<(AttrValue, Callback<()>)>,
                    bool,
                    u32,
                )| {
                    let id = {
                        let mut n = next_id.borrow_mut();
                        *n = n.wrapping_add(1);
                        *n
                    };
                    shown.dispatch(Change::Add(Toast {
                        id,
                        text,
                        action,
                        error,
                    }));
                    let shown = shown.clone();
                    Timeout::new(ms, move || shown.dispatch(Change::Remove(id))).forget();
                },
            ),
        })
    };
    // Closing a toast gives the focus back to where it was before (else the page's heading):
    // a closed toast leaves no one lost on the page's body.
    let give_focus_back = Rc::new(move || {
        let back = came_from.borrow().clone().filter(|el| el.is_connected());
        let heading = || {
            web_sys::window()?
                .document()?
                .query_selector("main h1")
                .ok()
                .flatten()
                .and_then(|e| wasm_bindgen::JsCast::dyn_into::<web_sys::HtmlElement>(e).ok())
        };
        if let Some(el) = back.or_else(heading) {
            let _ = el.focus();
        }
    });
    let dismiss = |id: u32| {
        let (shown, give_focus_back) = (shown.clone(), give_focus_back.clone());
        Callback::from(move |_| {
            shown.dispatch(Change::Remove(id));
            give_focus_back();
        })
    };
    html! {
        <ContextProvider<Toasts> context={(*toasts).clone()}>
            { props.children.clone() }
            <div class="toasts" role="status" aria-live="polite">
                { for shown.0.iter().map(|t| {
                    let action = t.action.clone().map(|(label, run)| {
                        let (id, shown, give_focus_back) = (t.id, shown.clone(), give_focus_back.clone());
                        let onclick = Callback::from(move |_| {
                            run.emit(());
                            shown.dispatch(Change::Remove(id));
                            give_focus_back();
                        });
                        html! { <button type="button" {onclick}>{ label }</button> }
                    });
                    html! {
                        <div key={t.id} class={classes!("toast", t.error.then_some("error"))}>
                            <span>{ t.text.clone() }</span>
                            { action.unwrap_or_default() }
                            <button type="button" class="dismiss" aria-label="Dismiss" onclick={dismiss(t.id)}>{ "×" }</button>
                        </div>
                    }
                }) }
            </div>
        </ContextProvider<Toasts>>
    }
}
