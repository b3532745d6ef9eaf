//! `/dashboard`: where a signed-in person starts: their recent notes, their session in words,
//! and when they last signed in (with failed attempts since, if any).

use gatehouse_api::endpoints::{GetSessionState, ListActivity, ListNotes};
use gatehouse_api::{SecurityEvent, SecurityEventKind};
use gatehouse_client::{Api, Fetch, use_fetch};
use yew::prelude::*;
use yew_router::prelude::*;

use crate::components::{Page, fetched, time};
use crate::route::Route;
use crate::session::{for_users, use_session, user};

/// The dashboard (signed-in users).
pub fn dashboard_page() -> Html {
    for_users("dashboard", html! { <Dashboard /> })
}

/// "Last signed in 2 days ago from Firefox on Linux (192.0.2.1). 3 failed sign-in attempts
/// since.": from the activity, whose newest sign-in is this one.
fn last_sign_in(events: &[SecurityEvent]) -> Option<String> {
    let mut sign_ins = events
        .iter()
        .enumerate()
        .filter(|(_, e)| e.kind == SecurityEventKind::SignedIn);
    let (current, _) = sign_ins.next()?;
    let (previous_at, previous) = sign_ins.next()?;
    let failed = events[current..previous_at]
        .iter()
        .filter(|e| e.kind == SecurityEventKind::SignInFailed)
        .count();
    let from = match (&previous.device, &previous.address) {
        (Some(device), Some(address)) => format!(" from {device} ({address})"),
        (Some(device), None) => format!(" from {device}"),
        (None, Some(address)) => format!(" from {address}"),
        (None, None) => String::new(),
    };
    let mut text = format!("Last signed in {}{from}.", time::relative(&previous.at));
    match failed {
        0 => {}
        1 => text.push_str(" 1 failed sign-in attempt since."),
        n => text.push_str(&format!(" {n} failed sign-in attempts since.")),
    }
    Some(text)
}

/// The five most recent notes, as the dashboard lists them.
fn recent_notes() -> ListNotes {
    ListNotes {
        limit: Some(5),
        ..ListNotes::default()
    }
}

/// Starts reading what the dashboard shows, for a sign-in about to show it: the requests go
/// out as the sign-in's answer arrives, not once the page has rendered.
pub fn prefetch(api: &Api) {
    api.prefetch(&recent_notes());
    api.prefetch(&GetSessionState);
    api.prefetch(&ListActivity);
}

#[function_component]
fn Dashboard() -> Html {
    let auth = use_session();
    let notes = use_fetch(recent_notes());
    let session = use_fetch(GetSessionState);
    let activity = use_fetch(ListActivity);
    let name = user(&auth).map(|u| u.username.clone()).unwrap_or_default();

    let notice = match &activity.state {
        Fetch::Ready(events) => last_sign_in(events).map(|text| {
            let warn = text.contains("failed");
            html! {
                <p class={classes!("notice", warn.then_some("warn"))} role="status">
                    { text }{ " " }<Link<Route> to={Route::Account}>{ "Review your account" }</Link<Route>>
                </p>
            }
        }),
        _ => None,
    };
    let session_words = match &session.state {
        Fetch::Ready(s) => {
            let away = (s.idle_timeout_seconds as f64 / 60.0).round() as u64;
            html! {
                <p class="meta">
                    { format!("Signed in until {} unless you're away for {} minute{}.", time::clock(&s.absolute_expires_at), away, if away == 1 { "" } else { "s" }) }
                </p>
            }
        }
        _ => html! { <p class="meta skeleton-line" aria-hidden="true">{ "\u{a0}" }</p> },
    };
    let recent = fetched(&notes, |page| {
        if page.notes.is_empty() {
            return html! { <p class="empty">{ "You haven't written any notes yet." }</p> };
        }
        html! {
            <ul class="rows">
                { for page.notes.iter().map(|n| html! {
                    <li key={n.id} class="row">
                        <Link<Route> to={Route::Note { id: n.id }}>{ &n.title }</Link<Route>>
                        <time class="meta" datetime={n.updated_at.clone()} title={time::full(&n.updated_at)}>{ time::relative(&n.updated_at) }</time>
                    </li>
                }) }
            </ul>
        }
    });
    html! {
        <Page title="Dashboard" heading={format!("Welcome, {name}")} class="dashboard">
            { session_words }
            { notice.unwrap_or_default() }
            <section aria-labelledby="recent-title" class="card">
                <div class="card-head">
                    <h2 id="recent-title">{ "Your recent notes" }</h2>
                    <Link<Route> to={Route::Notes} classes="button">{ "All notes" }</Link<Route>>
                </div>
                { recent }
            </section>
        </Page>
    }
}
