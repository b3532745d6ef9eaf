//! `/login`: the sign-in form, saying why the user is here, and the way back to where they were.

use gatehouse_api::endpoints::Login;
use gatehouse_api::{ErrorCode, LoginRequest};
use gatehouse_client::{ApiError, AuthState, Request, safe_return_path, use_api};
use serde::Deserialize;
use web_sys::HtmlInputElement;
use yew::prelude::*;
use yew_router::AnyRoute;
use yew_router::prelude::*;

use crate::app::LOGIN_PATH;
use crate::session::{use_session, user};

/// The `performance.mark` set when the sign-in form has rendered.
pub const LOGIN_FORM_MARK: &str = "gatehouse:login-form";

#[derive(Default, Deserialize)]
struct LoginQuery {
    next: Option<String>,
    reason: Option<String>,
}

/// Why the user was sent here, in words.
fn reason_text(reason: ErrorCode, username: Option<&str>) -> Option<String> {
    Some(match reason {
        ErrorCode::Unauthenticated => "Please sign in to continue.".into(),
        ErrorCode::SessionExpired => "Your session has expired. Please sign in again.".into(),
        ErrorCode::Forbidden => match username {
            Some(name) => format!(
                "Your account ({name}) doesn't have access to that page. Sign in as someone else to continue."
            ),
            None => "Your account doesn't have access to that page. Sign in as someone else to continue.".into(),
        },
        ErrorCode::CsrfFailed => "A security check failed. Please sign in again.".into(),
        _ => return None,
    })
}

/// The sign-in page. Form contract (tests rely on it): `name="username"`, `name="password"`,
/// a `type="submit"` button, errors in `role="alert"`.
#[function_component]
pub fn LoginPage() -> Html {
    let api = use_api();
    let auth = use_session();
    let navigator = use_navigator();
    let location = use_location();
    let query: LoginQuery = location
        .as_ref()
        .and_then(|l| l.query::<LoginQuery>().ok())
        .unwrap_or_default();
    let reason = query.reason.as_deref().map(ErrorCode::parse);
    let target = query
        .next
        .as_deref()
        .and_then(|n| safe_return_path(n, &[LOGIN_PATH]))
        .unwrap_or("/")
        .to_string();

    let username = use_node_ref();
    let password = use_node_ref();
    let alert = use_node_ref();
    let busy = use_state(|| false);
    let error = use_state(|| None::<ApiError>);

    // A mark for `cargo xtask bench`: the form is in the document (effects run after render).
    use_effect_with((), |()| {
        if let Some(performance) = web_sys::window().and_then(|w| w.performance()) {
            let _ = performance.mark(LOGIN_FORM_MARK);
        }
    });
    // Already signed in, with nothing to fix: go on.
    {
        let (navigator, target) = (navigator.clone(), target.clone());
        let signed_in = matches!(auth.state, AuthState::SignedIn(_));
        use_effect_with((signed_in, reason), move |(signed_in, reason)| {
            if *signed_in
                && reason.is_none()
                && let Some(n) = navigator
            {
                n.replace(&AnyRoute::new(target));
            }
        });
    }
    // Move focus to the alert when an error appears, so screen readers announce it.
    {
        let alert = alert.clone();
        use_effect_with((*error).clone(), move |e| {
            if e.is_some()
                && let Some(el) = alert.cast::<web_sys::HtmlElement>()
            {
                let _ = el.focus();
            }
        });
    }

    let onsubmit = {
        let (username, password, busy, error) = (
            username.clone(),
            password.clone(),
            busy.clone(),
            error.clone(),
        );
        let auth = auth.clone();
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            if *busy {
                return;
            }
            let value = |r: &NodeRef| {
                r.cast::<HtmlInputElement>()
                    .map(|i| i.value())
                    .unwrap_or_default()
            };
            let body = LoginRequest {
                username: value(&username),
                password: value(&password),
            };
            let (api, auth, navigator, busy, error, target) = (
                api.clone(),
                auth.clone(),
                navigator.clone(),
                busy.clone(),
                error.clone(),
                target.clone(),
            );
            busy.set(true);
            yew::platform::spawn_local(async move {
                // A wrong password is this form's business, not a trip to the sign-in page.
                let request = Request::to(&Login).json(&body).handle_auth_errors();
                match api.send(request).await {
                    Ok(info) => {
                        auth.signed_in(info);
                        if let Some(n) = navigator {
                            n.replace(&AnyRoute::new(target));
                        }
                    }
                    Err(e) => {
                        busy.set(false);
                        error.set(Some(e));
                    }
                }
            });
        })
    };

    let notice = reason.and_then(|r| reason_text(r, user(&auth).map(|u| u.username.as_str())));
    html! {
        <section class="login">
            <h1>{ "Sign in" }</h1>
            if let Some(notice) = notice {
                <p class="notice" role="status">{ notice }</p>
            }
            <form {onsubmit} aria-busy={(*busy).to_string()} novalidate=true>
                <label for="username">{ "Username" }</label>
                <input id="username" name="username" type="text" autocomplete="username" required=true ref={username} />
                <label for="password">{ "Password" }</label>
                <input id="password" name="password" type="password" autocomplete="current-password" required=true ref={password} />
                <button type="submit" disabled={*busy}>{ if *busy { "Signing in…" } else { "Sign in" } }</button>
            </form>
            if let Some(e) = &*error {
                <div class="error" role="alert" tabindex="-1" ref={alert}>
                    <p>{ login_error_text(e) }</p>
                </div>
            }
        </section>
    }
}

fn login_error_text(e: &ApiError) -> String {
    match e.code() {
        Some(ErrorCode::Validation) => {
            let fields: Vec<String> = ["username", "password"]
                .into_iter()
                .filter_map(|f| e.field(f).map(|m| format!("{f} {m}")))
                .collect();
            if fields.is_empty() {
                e.message()
            } else {
                format!("Check your input: {}.", fields.join("; "))
            }
        }
        _ => e.message(),
    }
}
