//! The smallest app on `gatehouse-client`: a public page, a sign-in page, and a protected page
//! whose data comes through `use_fetch`. Build it with
//! `cargo build -p gatehouse-client --example minimal --target wasm32-unknown-unknown`
//! (or serve it with Trunk, against any server that speaks the contract in the README).

use gatehouse_api::endpoints::{GetSecuredResource, Login, Me};
use gatehouse_api::{LoginRequest, SessionInfo};
use gatehouse_client::{
    Api, ApiProvider, AuthProvider, Fetch, Request, RequireAuth, use_auth, use_fetch, use_mutation,
};
use yew::prelude::*;
use yew_router::prelude::*;

#[derive(Clone, PartialEq, Routable)]
enum Route {
    #[at("/")]
    Home,
    #[at("/login")]
    Login,
    #[at("/secret")]
    Secret,
}

fn switch(route: Route) -> Html {
    match route {
        Route::Home => html! { <Link<Route> to={Route::Secret}>{ "See the secret" }</Link<Route>> },
        Route::Login => html! { <SignIn /> },
        Route::Secret => html! {
            // Anyone not signed in is sent to /login?next=/secret and comes back after.
            <RequireAuth<SessionInfo>><Secret /></RequireAuth<SessionInfo>>
        },
    }
}

#[function_component]
fn Secret() -> Html {
    // A 401 or 403 here takes the user to sign in; anything else comes back to render.
    let secret = use_fetch(GetSecuredResource);
    match secret.state {
        Fetch::Loading => html! { <p aria-busy="true">{ "Loading…" }</p> },
        Fetch::Ready(r) => html! { <p>{ &r.message }</p> },
        Fetch::Failed(e) => html! { <p role="alert">{ e.message() }</p> },
    }
}

#[function_component]
fn SignIn() -> Html {
    let auth = use_auth::<SessionInfo>();
    let navigator = use_navigator();
    let sign_in = use_mutation(move |api: Api, body: LoginRequest| {
        let (auth, navigator) = (auth.clone(), navigator.clone());
        async move {
            // A wrong password is this form's business: opt out of the trip to sign-in.
            let request = Request::to(&Login).json(&body).handle_auth_errors();
            let session = api.send::<SessionInfo>(request).await?;
            auth.signed_in(session);
            if let Some(n) = navigator {
                n.replace(&Route::Secret);
            }
            Ok(())
        }
    });
    let onsubmit = sign_in.reform(|e: SubmitEvent| {
        e.prevent_default();
        let form: web_sys::HtmlFormElement = e.target_unchecked_into();
        let data = web_sys::FormData::new_with_form(&form).expect("a form");
        let field = |name| data.get(name).as_string().unwrap_or_default();
        LoginRequest {
            username: field("username"),
            password: field("password"),
        }
    });
    html! {
        <form {onsubmit}>
            <input name="username" autocomplete="username" />
            <input name="password" type="password" autocomplete="current-password" />
            <button type="submit" disabled={sign_in.running()}>{ "Sign in" }</button>
            if let Some(e) = sign_in.error() { <p role="alert">{ e.message() }</p> }
        </form>
    }
}

#[function_component]
fn App() -> Html {
    html! {
        <BrowserRouter>
            <ApiProvider>
                <AuthProvider<Me> check={Me} login_path="/login">
                    <Switch<Route> render={switch} />
                </AuthProvider<Me>>
            </ApiProvider>
        </BrowserRouter>
    }
}

fn main() {
    yew::Renderer::<App>::new().render();
}
