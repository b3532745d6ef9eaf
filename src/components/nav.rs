//! `Nav`: the header: the logo, the pages (the current one marked), the light/dark switch, and
//! who is signed in with their account and Sign out.

use gatehouse_api::Role;
use yew::prelude::*;
use yew_router::prelude::*;

use crate::later::{Deferred, prefetch};
use crate::route::Route;
use crate::session::{use_session, use_sign_out, user};

/// Where the chosen theme is remembered (read by `index.html` before the app loads, so the
/// page never flashes the other one).
const THEME_KEY: &str = "gatehouse-theme";

/// The theme chosen: the system's, or light or dark.
#[derive(Clone, Copy, PartialEq)]
enum Theme {
    System,
    Light,
    Dark,
}

impl Theme {
    fn stored() -> Self {
        // Pre-rendered at build time, there is no browser to ask.
        if cfg!(not(target_arch = "wasm32")) {
            return Self::System;
        }
        let value = web_sys::window()
            .and_then(|w| w.local_storage().ok().flatten())
            .and_then(|s| s.get_item(THEME_KEY).ok().flatten());
        match value.as_deref() {
            Some("light") => Self::Light,
            Some("dark") => Self::Dark,
            _ => Self::System,
        }
    }

    fn next(self) -> Self {
        match self {
            Self::System => Self::Light,
            Self::Light => Self::Dark,
            Self::Dark => Self::System,
        }
    }

    fn label(self) -> &'static str {
        match self {
            Self::System => "Theme: system",
            Self::Light => "Theme: light",
            Self::Dark => "Theme: dark",
        }
    }

    fn icon(self) -> &'static str {
        match self {
            Self::System => "◐",
            Self::Light => "☀",
            Self::Dark => "☾",
        }
    }

    /// Applies it to the page and remembers it.
    fn apply(self) {
        let Some(window) = web_sys::window() else {
            return;
        };
        let storage = window.local_storage().ok().flatten();
        let root = window.document().and_then(|d| d.document_element());
        let name = match self {
            Self::System => None,
            Self::Light => Some("light"),
            Self::Dark => Some("dark"),
        };
        if let Some(root) = root {
            let _ = match name {
                Some(name) => root.set_attribute("data-theme", name),
                None => root.remove_attribute("data-theme"),
            };
        }
        if let Some(storage) = storage {
            let _ = match name {
                Some(name) => storage.set_item(THEME_KEY, name),
                None => storage.remove_item(THEME_KEY),
            };
        }
    }
}

/// The logo: a gate.
pub fn logo() -> Html {
    html! {
        <svg viewBox="0 0 24 24" aria-hidden="true" focusable="false">
            <rect x="2" y="3" width="20" height="18" rx="4" fill="currentColor" opacity=".12" />
            <path d="M6 20V9a6 6 0 0 1 12 0v11" fill="none" stroke="currentColor" stroke-width="2" />
            <path d="M10 20v-6h4v6" fill="none" stroke="currentColor" stroke-width="2" />
        </svg>
    }
}

/// Props of `NavLink`.
#[derive(Properties, PartialEq)]
struct NavLinkProps {
    to: Route,
    current: bool,
    #[prop_or_default]
    class: Classes,
    children: Html,
}

/// A link within the app that says whether it is the page shown (`aria-current`).
#[function_component]
fn NavLink(props: &NavLinkProps) -> Html {
    let navigator = use_navigator();
    let onclick = {
        let to = props.to.clone();
        Callback::from(move |e: MouseEvent| {
            // Let the browser open new tabs and windows as it would.
            if e.ctrl_key() || e.meta_key() || e.shift_key() || e.button() != 0 {
                return;
            }
            e.prevent_default();
            if let Some(n) = &navigator {
                n.push(&to);
            }
        })
    };
    // Pointed at, touched or focused: its page's part of the wasm starts coming, so that the
    // click rarely waits for it.
    let coming = {
        let page = Deferred::of(&props.to);
        Callback::from(move |()| {
            if let Some(page) = &page {
                prefetch(page.part());
            }
        })
    };
    html! {
        <a href={props.to.to_path()} class={props.class.clone()} aria-current={props.current.then_some("page")} {onclick}
           onmouseenter={coming.reform(|_: MouseEvent| ())} ontouchstart={coming.reform(|_: TouchEvent| ())}
           onfocus={coming.reform(|_: FocusEvent| ())}>
            { props.children.clone() }
        </a>
    }
}

/// The navigation bar.
#[function_component]
pub fn Nav() -> Html {
    let auth = use_session();
    let route = use_route::<Route>();
    let theme = use_state(Theme::stored);
    let sign_out = use_sign_out();
    let ontheme = {
        let theme = theme.clone();
        Callback::from(move |_| {
            let next = theme.next();
            next.apply();
            theme.set(next);
        })
    };
    let current = |target: &Route| -> bool {
        route.as_ref().is_some_and(|here| match (target, here) {
            (Route::Notes, Route::Note { .. } | Route::NewNote)
            | (Route::Admin, Route::AdminUser { .. }) => true,
            _ => target == here,
        })
    };
    let link = |to: Route, text: &'static str| {
        let current = current(&to);
        html! { <NavLink {to} {current}>{ text }</NavLink> }
    };
    let signed_in = user(&auth).cloned();
    // On a phone the pages and the account fold into a menu, so the header is one row.
    let open = use_state(|| false);
    {
        let open = open.clone();
        use_effect_with(route.clone(), move |_| open.set(false));
    }
    let ontoggle = {
        let open = open.clone();
        Callback::from(move |_: MouseEvent| open.set(!*open))
    };
    // Escape closes it, and the focus goes back to "Menu".
    let menu_button = use_node_ref();
    let onkeydown = {
        let (open, menu_button) = (open.clone(), menu_button.clone());
        Callback::from(move |e: KeyboardEvent| {
            if *open && e.key() == "Escape" {
                open.set(false);
                if let Some(button) = menu_button.cast::<web_sys::HtmlElement>() {
                    let _ = button.focus();
                }
            }
        })
    };
    html! {
        <header class={classes!("nav", open.then_some("open"))} {onkeydown}>
            <Link<Route> to={if signed_in.is_some() { Route::Dashboard } else { Route::Home }} classes="brand">
                { logo() }<span>{ "Gatehouse" }</span>
            </Link<Route>>
            <div class="menu" id="nav-menu">
                <nav class="pages" aria-label="Main">
                    if signed_in.is_some() {
                        { link(Route::Dashboard, "Dashboard") }
                        { link(Route::Notes, "Notes") }
                    }
                    if signed_in.as_ref().is_some_and(|u| u.role == Role::Admin) {
                        { link(Route::Admin, "Admin") }
                    }
                    if signed_in.is_some() {
                        { link(Route::Account, "Account") }
                    }
                </nav>
                if let Some(u) = &signed_in {
                    <div class="who">
                        <span class="username" title="Signed in as">{ u.username.clone() }</span>
                        <button type="button" onclick={sign_out.reform(|_| ())}>{ "Sign out" }</button>
                    </div>
                }
            </div>
            <div class="tools">
                <button type="button" class="theme" aria-label={theme.label()} title={theme.label()} onclick={ontheme}>
                    <span aria-hidden="true">{ theme.icon() }</span>
                </button>
                if signed_in.is_some() {
                    <button type="button" ref={menu_button} class="menu-button secondary" aria-expanded={open.to_string()}
                            aria-controls="nav-menu" onclick={ontoggle}>
                        { "Menu" }
                    </button>
                } else if !current(&Route::Login) {
                    <Link<Route> to={Route::Login} classes="button">{ "Sign in" }</Link<Route>>
                }
            </div>
        </header>
    }
}
