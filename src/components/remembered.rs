//! What a list page leaves behind for when the person comes back to it (Back from a note, or
//! its "All notes" link): the rows it had loaded, where it was scrolled, and the row last
//! opened. Kept in memory, per person and address, for as long as the app runs: a reload starts
//! afresh (so does each mount of the app: the memory is a context, see `RememberedProvider`),
//! and someone else signing in on this tab finds nothing of it.

use std::any::Any;
use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;

use gloo_timers::callback::Timeout;
use wasm_bindgen::JsCast;
use wasm_bindgen::closure::Closure;
use yew::prelude::*;
use yew_router::prelude::*;

use crate::session::{use_session, user};

/// Whose list, at which address (path and query).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct ListKey {
    who: Option<i64>,
    address: String,
}

/// Something left, of a type only its page knows.
type Kept = Rc<dyn Any>;

#[derive(Default)]
struct Left {
    rows: Option<Kept>,
    scroll: Option<f64>,
}

#[derive(Default)]
struct Inner {
    left: HashMap<ListKey, Left>,
    /// The query of each kind of list last shown, per person (`use_last_query`).
    last: HashMap<(Option<i64>, &'static str), Kept>,
}

/// What the lists left, one per app (`RememberedProvider`). Cloning shares it.
#[derive(Clone, Default)]
pub struct Remembered(Rc<RefCell<Inner>>);

impl PartialEq for Remembered {
    /// The same memory: there is one per app, and what it holds never causes a render.
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.0, &other.0)
    }
}

impl Remembered {
    /// The rows left at `key`, if any (of type `T`).
    pub fn recall<T: Clone + 'static>(&self, key: &ListKey) -> Option<T> {
        let inner = self.0.borrow();
        let rows = inner.left.get(key)?.rows.as_ref()?;
        rows.downcast_ref::<T>().cloned()
    }

    /// Leaves `rows` at `key`, and `query` as the last query of the `kind` of list (a list
    /// page's own query type).
    pub fn keep<T: 'static, Q: 'static>(
        &self,
        key: &ListKey,
        kind: &'static str,
        query: Q,
        rows: T,
    ) {
        let mut inner = self.0.borrow_mut();
        inner.left.entry(key.clone()).or_default().rows = Some(Rc::new(rows));
        inner.last.insert((key.who, kind), Rc::new(query));
    }

    fn set_scroll(&self, key: &ListKey, y: Option<f64>) {
        self.0
            .borrow_mut()
            .left
            .entry(key.clone())
            .or_default()
            .scroll = y;
    }

    fn scroll(&self, key: &ListKey) -> Option<f64> {
        self.0.borrow().left.get(key).and_then(|l| l.scroll)
    }
}

/// Props of `RememberedProvider`.
#[derive(Properties, PartialEq)]
pub struct RememberedProviderProps {
    /// The app.
    pub children: Html,
}

/// Provides `Remembered` to the app.
#[function_component]
pub fn RememberedProvider(props: &RememberedProviderProps) -> Html {
    let memory = use_state(Remembered::default);
    html! {
        <ContextProvider<Remembered> context={(*memory).clone()}>
            { props.children.clone() }
        </ContextProvider<Remembered>>
    }
}

/// The app's `Remembered` (a fresh, unshared one outside a provider).
#[hook]
pub fn use_remembered() -> Remembered {
    use_context::<Remembered>().unwrap_or_default()
}

/// The key of the list on this page, for the person signed in.
#[hook]
pub fn use_list_key() -> ListKey {
    let auth = use_session();
    let location = use_location();
    let address = location
        .map(|l| format!("{}{}", l.path(), l.query_str()))
        .unwrap_or_default();
    ListKey {
        who: user(&auth).map(|u| u.id),
        address,
    }
}

/// The query of the `kind` of list the person signed in last saw (for a link back to it).
#[hook]
pub fn use_last_query<Q: Clone + 'static>(kind: &'static str) -> Option<Q> {
    let auth = use_session();
    let who = user(&auth).map(|u| u.id);
    let memory = use_remembered();
    let inner = memory.0.borrow();
    inner
        .last
        .get(&(who, kind))
        .and_then(|q| q.downcast_ref::<Q>().cloned())
}

/// Follows the window's scroll position into what is left at `key` while the page is shown,
/// and once `ready` (its rows rendered) on coming back, scrolls to where it was.
#[hook]
pub fn use_scroll_memory(key: ListKey, ready: bool) {
    let restored = use_mut_ref(|| false);
    let memory = use_remembered();
    {
        let (key, memory) = (key.clone(), memory.clone());
        use_effect_with(key, move |key| {
            let key = key.clone();
            let listener = Closure::<dyn Fn()>::new(move || {
                let y = web_sys::window().and_then(|w| w.scroll_y().ok());
                memory.set_scroll(&key, y);
            });
            let window = web_sys::window();
            if let Some(w) = &window {
                let _ =
                    w.add_event_listener_with_callback("scroll", listener.as_ref().unchecked_ref());
            }
            move || {
                if let Some(w) = &window {
                    let _ = w.remove_event_listener_with_callback(
                        "scroll",
                        listener.as_ref().unchecked_ref(),
                    );
                }
            }
        });
    }
    use_effect_with(ready, move |ready| {
        if *ready && !*restored.borrow() {
            *restored.borrow_mut() = true;
            let y = memory.scroll(&key);
            if let Some(y) = y.filter(|y| *y > 0.0) {
                // After the page's own effects (its heading takes focus, which scrolls).
                Timeout::new(0, move || {
                    if let Some(w) = web_sys::window() {
                        w.scroll_to_with_x_and_y(0.0, y);
                    }
                })
                .forget();
            }
        }
    });
}
