//! `/login`: signing in, saying why the user is here, and the way back to where they were.
//!
//! The same route answers what the server asked for (`reason`): a signed-in person asked to
//! confirm their password (`reauth_required`) sees only that; one holding a one-time password
//! (`password_change_required`) chooses their own; anyone else signs in.

use gatehouse_api::endpoints::{ChangePassword, Login, Reauthenticate};
use gatehouse_api::{
    Endpoint, ErrorCode, HOME_AFTER_SIGN_IN, LoginRequest, PasswordChange, Reauth, SIGN_IN_PAGE,
};
use gatehouse_client::{ApiError, AuthState, Request, capitalized, safe_return_path, use_api};
use serde::Deserialize;
use yew::prelude::*;
use yew_router::AnyRoute;
use yew_router::prelude::*;

use crate::components::{Field, Page};
use crate::session::{use_session, user};

/// The `performance.mark` set when the sign-in form has rendered.
pub const LOGIN_FORM_MARK: &str = "gatehouse:login-form";

thread_local! {
    /// The password just used to sign in, for a minute: if it was a one-time password, the
    /// "Choose a new password" form that follows needs it, and asking twice would be absurd.
    /// Only in memory; dropped once the new password is chosen, or after the minute.
    static JUST_SIGNED_IN_WITH: std::cell::RefCell<Option<String>> = const { std::cell::RefCell::new(None) };
}

fn remember_sign_in_password(password: String) {
    JUST_SIGNED_IN_WITH.with(|p| *p.borrow_mut() = Some(password));
    gloo_timers::callback::Timeout::new(60_000, || {
        JUST_SIGNED_IN_WITH.with(|p| p.borrow_mut().take());
    })
    .forget();
}

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
        ErrorCode::AccountDisabled => {
            "This account has been disabled. Ask an administrator if you think that's a mistake."
                .into()
        }
        ErrorCode::Forbidden => match username {
            Some(name) => format!(
                "Your account ({name}) doesn't have access to that page. Sign in as someone else to continue."
            ),
            None => "Your account doesn't have access to that page. Sign in as someone else to continue.".into(),
        },
        ErrorCode::CsrfFailed => "A security check failed. Please sign in again.".into(),
        // What a sign-in posted as a plain form came back with (`POST /login`).
        ErrorCode::InvalidCredentials => "Wrong username or password.".into(),
        ErrorCode::TooManyRequests => "Too many attempts. Try again in a few minutes.".into(),
        ErrorCode::Validation => "Enter your username and password.".into(),
        _ => return None,
    })
}

/// The sign-in page. Form contract (tests rely on it): `name="username"`, `name="password"`,
/// a `type="submit"` button, errors in `role="alert"`.
#[function_component]
pub fn LoginPage() -> Html {
    let auth = use_session();
    let location = use_location();
    let query: LoginQuery = location
        .as_ref()
        .and_then(|l| l.query::<LoginQuery>().ok())
        .unwrap_or_default();
    let reason = query.reason.as_deref().map(ErrorCode::parse);
    let target: AttrValue = query
        .next
        .as_deref()
        .and_then(|n| safe_return_path(n, &[SIGN_IN_PAGE]))
        .unwrap_or(HOME_AFTER_SIGN_IN)
        .to_string()
        .into();
    let signed_in = user(&auth).map(|u| AttrValue::from(u.username.clone()));
    match (reason, signed_in) {
        (Some(ErrorCode::ReauthRequired), Some(name)) => {
            html! { <ConfirmPassword {name} {target} /> }
        }
        (Some(ErrorCode::PasswordChangeRequired), Some(name)) => {
            html! { <ChoosePassword {name} {target} /> }
        }
        (Some(ErrorCode::Forbidden), Some(name)) => html! { <NoAccess {name} {target} /> },
        _ => html! { <SignIn {target} {reason} /> },
    }
}

#[derive(Properties, PartialEq)]
struct SignInProps {
    target: AttrValue,
    reason: Option<ErrorCode>,
}

/// Where to go once done: `target`, replacing the sign-in page in the history.
fn go(navigator: &Option<Navigator>, target: &AttrValue) {
    if let Some(n) = navigator {
        n.replace(&AnyRoute::new(target.to_string()));
    }
}

/// The message of an error not tied to a field (and the fields' own, for those).
fn field_error(error: &Option<ApiError>, name: &str) -> Option<AttrValue> {
    error
        .as_ref()
        .and_then(|e| e.field(name))
        .map(|m| AttrValue::from(capitalized(m)))
}

#[function_component]
fn SignIn(props: &SignInProps) -> Html {
    let api = use_api();
    let auth = use_session();
    let navigator = use_navigator();
    let username = use_state(String::new);
    let password = use_state(String::new);
    let busy = use_state(|| false);
    let error = use_state(|| None::<ApiError>);
    let alert = use_node_ref();

    // A mark for `cargo xtask bench`: the form is in the document (effects run after render).
    use_effect_with((), |()| {
        if let Some(performance) = web_sys::window().and_then(|w| w.performance()) {
            let _ = performance.mark(LOGIN_FORM_MARK);
        }
    });
    // Already signed in, with nothing to fix: go on.
    {
        let (navigator, target) = (navigator.clone(), props.target.clone());
        let signed_in = matches!(auth.state, AuthState::SignedIn(_));
        use_effect_with((signed_in, props.reason), move |(signed_in, reason)| {
            if *signed_in && reason.is_none() {
                go(&navigator, &target);
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
        let (auth, target) = (auth.clone(), props.target.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            if *busy {
                return;
            }
            let body = LoginRequest {
                username: (*username).clone(),
                password: (*password).clone(),
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
                        remember_sign_in_password(body.password);
                        auth.signed_in(info);
                        go(&navigator, &target);
                    }
                    Err(e) => {
                        busy.set(false);
                        error.set(Some(e));
                    }
                }
            });
        })
    };
    let set = |state: &UseStateHandle<String>| {
        let state = state.clone();
        Callback::from(move |v: String| state.set(v))
    };
    let notice = props
        .reason
        .and_then(|r| reason_text(r, user(&auth).map(|u| u.username.as_str())));
    let general = (*error)
        .clone()
        .filter(|e| e.field("username").is_none() && e.field("password").is_none());
    // A sign-in posted as a plain form that failed comes back with its reason: an error, shown
    // as this form's own would be, until the next try.
    let failed_before = matches!(
        props.reason,
        Some(ErrorCode::InvalidCredentials | ErrorCode::TooManyRequests | ErrorCode::Validation)
    );
    let (notice, earlier_error) = if failed_before {
        (None, notice.filter(|_| error.is_none()))
    } else {
        (notice, None)
    };
    html! {
        <Page title="Sign in" class="login">
            if let Some(notice) = notice {
                <p class="notice" role="status">{ notice }</p>
            }
            // `method="post"`: before the app has taken the pre-rendered page over (or with
            // JavaScript off) the browser posts it to `POST /login` itself.
            <form {onsubmit} method="post" aria-busy={(*busy).to_string()} novalidate=true>
                <Field id="username" label="Username" autocomplete="username"
                       value={(*username).clone()} oninput={set(&username)}
                       error={field_error(&error, "username")} autofocus=true required=true />
                <Field id="password" label="Password" kind="password" autocomplete="current-password"
                       value={(*password).clone()} oninput={set(&password)}
                       error={field_error(&error, "password")} required=true />
                <button type="submit" disabled={*busy}>{ if *busy { "Signing in…" } else { "Sign in" } }</button>
            </form>
            if let Some(e) = general {
                <div class="error" role="alert" tabindex="-1" ref={alert}>
                    <p>{ e.message() }</p>
                </div>
            }
            if let Some(text) = earlier_error {
                <div class="error" role="alert"><p>{ text }</p></div>
            }
        </Page>
    }
}

/// What the page at `path` is called, for "which can't open …".
fn page_name(path: &str) -> &'static str {
    let path = path.split(['?', '#']).next().unwrap_or_default();
    if path == "/admin" || path.starts_with("/admin/") {
        "Admin"
    } else {
        "that page"
    }
}

/// A signed-in person sent here for lacking access: say so; offer to go back, or to sign in as
/// someone else (only then is there a form).
#[function_component]
fn NoAccess(props: &SignedInProps) -> Html {
    let other = use_state(|| false);
    if *other {
        return html! { <SignIn target={props.target.clone()} reason={Some(ErrorCode::Forbidden)} /> };
    }
    let onback = Callback::from(|_| {
        if let Some(history) = web_sys::window().and_then(|w| w.history().ok()) {
            let _ = history.back();
        }
    });
    let onother = {
        let other = other.clone();
        Callback::from(move |_| other.set(true))
    };
    html! {
        <Page title="No access" class="login">
            <p class="notice" role="status">
                { format!("You're signed in as {}, which can't open {}.", props.name, page_name(&props.target)) }
            </p>
            <div class="actions">
                <button type="button" onclick={onback}>{ "Go back" }</button>
                <button type="submit" onclick={onother}>{ "Sign in as someone else" }</button>
            </div>
        </Page>
    }
}

#[derive(Properties, PartialEq)]
struct SignedInProps {
    name: AttrValue,
    target: AttrValue,
}

/// A form's round trip to `endpoint`: whether it is on its way, the error it came back with,
/// and the callback that sends a body. `done` gets the answer; a silent error (the trip to
/// sign-in under way) changes nothing, any other re-enables the form with the error.
struct Submission<E: Endpoint> {
    busy: bool,
    error: Option<ApiError>,
    send: Callback<E::Request>,
}

#[hook]
fn use_submission<E>(endpoint: E, done: Callback<E::Response>) -> Submission<E>
where
    E: Endpoint + Clone + 'static,
    E::Request: 'static,
    E::Response: 'static,
{
    let api = use_api();
    let busy = use_state(|| false);
    let error = use_state(|| None::<ApiError>);
    let send = {
        let (busy, error) = (busy.clone(), error.clone());
        Callback::from(move |body: E::Request| {
            let (api, endpoint, done, busy, error) = (
                api.clone(),
                endpoint.clone(),
                done.clone(),
                busy.clone(),
                error.clone(),
            );
            busy.set(true);
            yew::platform::spawn_local(async move {
                match api.submit(&endpoint, &body).await {
                    Ok(answer) => done.emit(answer),
                    Err(e) if e.is_silent() => {}
                    Err(e) => {
                        busy.set(false);
                        error.set(Some(e));
                    }
                }
            });
        })
    };
    Submission {
        busy: *busy,
        error: (*error).clone(),
        send,
    }
}

/// "Confirm it's you": the password of the account signed in, then back to where they were.
#[function_component]
fn ConfirmPassword(props: &SignedInProps) -> Html {
    let navigator = use_navigator();
    let password = use_state(String::new);
    let done = {
        let target = props.target.clone();
        Callback::from(move |_| go(&navigator, &target))
    };
    let Submission { busy, error, send } = use_submission(Reauthenticate, done);
    let onsubmit = {
        let password = password.clone();
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            send.emit(Reauth {
                password: (*password).clone(),
            });
        })
    };
    let oninput = {
        let password = password.clone();
        Callback::from(move |v: String| password.set(v))
    };
    let general = error.clone().filter(|e| e.field("password").is_none());
    html! {
        <Page title="Confirm it's you" class="login">
            <p>{ format!("You're signed in as {}. Enter your password again to continue; then you'll be back where you were.", props.name) }</p>
            <form {onsubmit} aria-busy={busy.to_string()} novalidate=true>
                // For password managers: which account this password is for.
                <input type="text" name="username" autocomplete="username" value={props.name.clone()} hidden=true readonly=true />
                <Field id="password" label="Password" kind="password" autocomplete="current-password"
                       value={(*password).clone()} {oninput} error={field_error(&error, "password")}
                       autofocus=true required=true />
                <button type="submit" disabled={busy}>{ if busy { "Confirming…" } else { "Confirm" } }</button>
            </form>
            if let Some(e) = general {
                <div class="error" role="alert"><p>{ e.message() }</p></div>
            }
        </Page>
    }
}

/// "Choose a new password": for an account holding a one-time password.
#[function_component]
fn ChoosePassword(props: &SignedInProps) -> Html {
    let navigator = use_navigator();
    let current = use_state(|| {
        JUST_SIGNED_IN_WITH
            .with(|p| p.borrow().clone())
            .unwrap_or_default()
    });
    let new = use_state(String::new);
    let done = {
        let target = props.target.clone();
        Callback::from(move |()| {
            JUST_SIGNED_IN_WITH.with(|p| p.borrow_mut().take());
            go(&navigator, &target);
        })
    };
    let Submission { busy, error, send } = use_submission(ChangePassword, done);
    let onsubmit = {
        let (current, new) = (current.clone(), new.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            send.emit(PasswordChange {
                current_password: (*current).clone(),
                new_password: (*new).clone(),
            });
        })
    };
    let set = |state: &UseStateHandle<String>| {
        let state = state.clone();
        Callback::from(move |v: String| state.set(v))
    };
    let general = error
        .clone()
        .filter(|e| e.field("current_password").is_none() && e.field("new_password").is_none());
    let prefilled = use_state(|| !current.is_empty());
    let prefilled = *prefilled;
    html! {
        <Page title="Choose a new password" class="login">
            <p>{ format!("Welcome, {}. You signed in with a one-time password; choose your own to continue.", props.name) }</p>
            <form {onsubmit} aria-busy={busy.to_string()} novalidate=true>
                <input type="text" name="username" autocomplete="username" value={props.name.clone()} hidden=true readonly=true />
                <Field id="current_password" label="One-time password" kind="password" autocomplete="current-password"
                       value={(*current).clone()} oninput={set(&current)}
                       error={field_error(&error, "current_password")} autofocus={!prefilled} required=true />
                <Field id="new_password" label="New password" kind="password" autocomplete="new-password"
                       value={(*new).clone()} oninput={set(&new)} autofocus={prefilled}
                       hint="At least 12 characters, and not something others could guess."
                       error={field_error(&error, "new_password")} required=true />
                <button type="submit" disabled={busy}>{ if busy { "Saving…" } else { "Save and continue" } }</button>
            </form>
            if let Some(e) = general {
                <div class="error" role="alert"><p>{ e.message() }</p></div>
            }
        </Page>
    }
}
