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
    let dismiss = |id: u32| {
        let shown = shown.clone();
        Callback::from(move |_| shown.dispatch(Change::Remove(id)))
    };
    html! {
        <ContextProvider<Toasts> context={(*toasts).clone()}>
            { props.children.clone() }
            <div class="toasts" role="status" aria-live="polite">
                { for shown.0.iter().map(|t| {
                    let action = t.action.clone().map(|(label, run)| {
                        let (id, shown) = (t.id, shown.clone());
                        let onclick = Callback::from(move |_| {
                            run.emit(());
                            shown.dispatch(Change::Remove(id));
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
