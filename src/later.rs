//! Pages loaded later. In the shipped build (feature `split`, `cargo xtask dist`) the pages
//! that the first visit does not show are parts of the wasm of their own, each fetched the
//! first time one of its pages is opened: the notes, the account page, the administration, and
//! the sign-in page's forms other than signing in (confirming, choosing a password, a second
//! step, adding a second way in). `Later` shows the loading indicator while a part comes, and
//! the usual error with Retry when it cannot come (the server is out of reach). Without the
//! feature (`trunk serve`, the app crate's tests) the same pages are in the one wasm, behind
//! the same `Later`.
//!
//! Each part's code is what its split point (`#[wasm_split]` of `wasm_split_helpers`, the
//! mechanism of Yew's and Leptos's lazy loading) reaches and the main part does not; code two
//! parts share is a chunk of its own, fetched with either.

use std::cell::RefCell;
use std::future::Future;
use std::task::{Context, Poll, Waker};

use yew::prelude::*;

use gatehouse_api::endpoints::GetHealth;
use gatehouse_client::{ApiError, use_api, use_unreachable};

use crate::components::{ErrorView, Page, loading};
use crate::pages::{
    Step, account_page, admin_page, admin_user_page, new_note_page, note_page, notes_page,
    sign_in_step,
};
use crate::route::Route;

/// A page in a part of the wasm loaded later.
#[derive(Clone, PartialEq)]
pub enum Deferred {
    /// `/account`.
    Account,
    /// `/admin`.
    Admin,
    /// `/admin/users/{id}`.
    AdminUser(i64),
    /// `/notes`.
    Notes,
    /// `/notes/new`.
    NewNote,
    /// `/notes/{id}`.
    Note(i64),
    /// A form of the sign-in page other than signing in.
    Step(Step),
}

/// A part of the wasm loaded later.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Part {
    /// The account page.
    Account,
    /// The administration.
    Admin,
    /// The notes.
    Notes,
    /// The sign-in page's forms other than signing in.
    SignInSteps,
}

impl Deferred {
    /// The page `route` opens, if it is in a part loaded later.
    pub fn of(route: &Route) -> Option<Self> {
        Some(match route {
            Route::Account => Self::Account,
            Route::Admin => Self::Admin,
            Route::AdminUser { id } => Self::AdminUser(*id),
            Route::Notes => Self::Notes,
            Route::NewNote => Self::NewNote,
            Route::Note { id } => Self::Note(*id),
            Route::Home | Route::Login | Route::Dashboard | Route::NotFound => return None,
        })
    }

    /// The part the page is in.
    pub fn part(&self) -> Part {
        match self {
            Self::Account => Part::Account,
            Self::Admin | Self::AdminUser(_) => Part::Admin,
            Self::Notes | Self::NewNote | Self::Note(_) => Part::Notes,
            Self::Step(_) => Part::SignInSteps,
        }
    }

    /// The page's title, for its frame while its part comes (or cannot).
    fn title(&self) -> &'static str {
        match self {
            Self::Account => "Your account",
            Self::Admin => "Users",
            Self::AdminUser(_) => "Account",
            Self::Notes => "Notes",
            Self::NewNote => "New note",
            Self::Note(_) => "Note",
            Self::Step(_) => "Sign in",
        }
    }
}

/// Props of `Later`.
#[derive(Properties, PartialEq)]
pub struct LaterProps {
    /// The page.
    pub page: Deferred,
}

thread_local! {
    /// The parts that have come.
    static HERE: RefCell<Vec<Part>> = const { RefCell::new(Vec::new()) };
}

/// Whether `part` has come (every part has, without the feature `split`).
fn is_here(part: Part) -> bool {
    !cfg!(feature = "split") || HERE.with(|here| here.borrow().contains(&part))
}

fn came(part: Part) {
    HERE.with(|here| {
        let mut here = here.borrow_mut();
        if !here.contains(&part) {
            here.push(part);
        }
    });
}

/// `page` at once, if its part has come: its split point's call then finishes on the first
/// poll. So a page whose part is here renders like any other, with no loading step between.
fn at_once(page: &Deferred) -> Option<Html> {
    if !is_here(page.part()) {
        return None;
    }
    let mut loading = std::pin::pin!(load(page.clone()));
    match loading
        .as_mut()
        .poll(&mut Context::from_waker(Waker::noop()))
    {
        Poll::Ready(html) => html,
        Poll::Pending => None,
    }
}

/// `page`, once its part of the wasm has come.
#[function_component]
pub fn Later(props: &LaterProps) -> Html {
    // The page whose part could not come, if it is this one.
    let failed = use_state(|| None::<Deferred>);
    // A part that could not come while the server was out of reach comes once it is back, as
    // the data of the pages does (the error view promises so).
    let unreachable = use_unreachable();
    let api = use_api();
    // Which run of the effect is the latest: a load that ends after another run began (the
    // person went on to another page, or the server came back meanwhile) changes nothing.
    let latest = use_mut_ref(|| 0u32);
    let now = at_once(&props.page);
    {
        let failed = failed.clone();
        let here = now.is_some();
        use_effect_with(
            (props.page.clone(), unreachable, here),
            move |(page, unreachable, here)| {
                let run = {
                    let mut latest = latest.borrow_mut();
                    *latest = latest.wrapping_add(1);
                    *latest
                };
                let waits_for_the_server = *unreachable && failed.as_ref() == Some(page);
                if !*here && !waits_for_the_server {
                    let (page, api) = (page.clone(), api.clone());
                    yew::platform::spawn_local(async move {
                        let came_now = load(page.clone()).await.is_some();
                        if came_now {
                            came(page.part());
                        } else {
                            // Whether the server is out of reach, asked through the shared
                            // client: if it is, the banner says so once and this part comes
                            // by itself when it is back.
                            let _ = api.fetch(&GetHealth).await;
                        }
                        if *latest.borrow() == run {
                            // Renders again: `at_once` now has the page, or this says why not.
                            failed.set((!came_now).then_some(page));
                        }
                    });
                }
            },
        );
    }
    if let Some(html) = now {
        return html;
    }
    let title = props.page.title();
    if failed.as_ref() != Some(&props.page) {
        return html! { <Page {title}>{ loading() }</Page> };
    }
    if unreachable {
        // "Not loaded yet: this fills in once Gatehouse can be reached."
        let error = ApiError::Network("a part of the app could not be loaded".into());
        return html! { <Page {title}><ErrorView {error} /></Page> };
    }
    // The server answers, yet the part did not come: most likely this tab is older than the
    // server's build, whose parts have other names. A reload takes the new one.
    let reload = Callback::from(|_: MouseEvent| {
        if let Some(window) = web_sys::window() {
            let _ = window.location().reload();
        }
    });
    html! {
        <Page {title}>
            <div class="error" role="alert">
                <p>{ "This page could not be loaded. Gatehouse may have been updated since this tab was opened: reload to go on." }</p>
                <button type="button" onclick={reload}>{ "Reload" }</button>
            </div>
        </Page>
    }
}

/// Starts fetching `part` unless it has come already: for a link the person points at or
/// focuses, or a form whose answer may need it, so that the page then opens without waiting.
/// A part that cannot come is no error here: opening its page says so.
pub fn prefetch(part: Part) {
    #[cfg(feature = "split")]
    {
        use std::pin::Pin;
        type Fetching =
            Pin<Box<dyn Future<Output = Result<(), wasm_split_helpers::SplitLoaderError>>>>;
        let fetching: Fetching = match part {
            Part::Account => Box::pin(prefetch_account()),
            Part::Admin => Box::pin(prefetch_admin()),
            Part::Notes => Box::pin(prefetch_notes()),
            Part::SignInSteps => Box::pin(prefetch_sign_in_steps()),
        };
        yew::platform::spawn_local(async move {
            if fetching.await.is_ok() {
                came(part);
            }
        });
    }
    #[cfg(not(feature = "split"))]
    let _ = part;
}

/// A part of the wasm that could not be loaded.
struct NotLoaded;

#[cfg(feature = "split")]
impl From<wasm_split_helpers::SplitLoaderError> for NotLoaded {
    fn from(_: wasm_split_helpers::SplitLoaderError) -> Self {
        Self
    }
}

/// A split point's answer: with the feature `split` the call is a future (its part loaded
/// first), without it the answer itself.
macro_rules! part {
    ($call:expr) => {{
        #[cfg(feature = "split")]
        let answer = $call.await;
        #[cfg(not(feature = "split"))]
        let answer = $call;
        answer
    }};
}

/// `page`, its part of the wasm loaded first; `None` if it could not be.
async fn load(page: Deferred) -> Option<Html> {
    match page {
        Deferred::Account => part!(account_part()),
        Deferred::Admin | Deferred::AdminUser(_) => part!(admin_part(page)),
        Deferred::Notes | Deferred::NewNote | Deferred::Note(_) => part!(notes_part(page)),
        Deferred::Step(step) => part!(sign_in_steps_part(step)),
    }
    .ok()
}

#[cfg_attr(
    feature = "split",
    wasm_split_helpers::wasm_split(account, fallible, preload(prefetch_account))
)]
fn account_part() -> Result<Html, NotLoaded> {
    Ok(account_page())
}

#[cfg_attr(
    feature = "split",
    wasm_split_helpers::wasm_split(admin, fallible, preload(prefetch_admin))
)]
fn admin_part(page: Deferred) -> Result<Html, NotLoaded> {
    Ok(match page {
        Deferred::AdminUser(id) => admin_user_page(id),
        _ => admin_page(),
    })
}

#[cfg_attr(
    feature = "split",
    wasm_split_helpers::wasm_split(notes, fallible, preload(prefetch_notes))
)]
fn notes_part(page: Deferred) -> Result<Html, NotLoaded> {
    Ok(match page {
        Deferred::Note(id) => note_page(id),
        Deferred::NewNote => new_note_page(),
        _ => notes_page(),
    })
}

#[cfg_attr(
    feature = "split",
    wasm_split_helpers::wasm_split(sign_in_steps, fallible, preload(prefetch_sign_in_steps))
)]
fn sign_in_steps_part(step: Step) -> Result<Html, NotLoaded> {
    Ok(sign_in_step(step))
}
