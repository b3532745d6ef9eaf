//! `gatehouse-client`: one API client hook for a Yew app whose pages sit behind a sign-in.
//!
//! Every component reads through `use_fetch` and changes through `use_mutation` (both on
//! `use_api`). When the server answers **401 or 403**, the auth layer takes the user to the
//! app's sign-in route, remembering where they were (`/login?next=…&reason=…`), and the
//! component gets the silent `ApiError::Redirecting`;
//! **every other error is handed to the component**, typed. A call can opt out with
//! `Request::handle_auth_errors`. See the README for the whole contract.
//!
//! Data flows one way: `ApiClient` sends and returns typed outcomes (`ApiError::SignInRequired`
//! with the server's code); `AuthProvider` owns who is signed in and the trip to sign-in;
//! pages ask for data and render.

mod client;
pub mod json;

mod auth;
mod error;
mod guard;
mod hook;
mod mutation;
mod sign_in_route;
mod sign_out;

pub use auth::{Auth, AuthProvider, AuthProviderProps, AuthState, use_auth};
pub use client::{ApiClient, GET_RETRIES, Request, current_location, decode, read_cookie};
pub use error::{ApiError, Verdict, capitalized, classify, is_transient};
pub use gatehouse_api::safe_return_path;
pub use guard::{Allow, RequireAuth, RequireAuthProps};
pub use hook::{
    Api, ApiProvider, ApiProviderProps, Fetch, FetchHandle, RETRY_MS, use_api, use_fetch,
    use_unreachable,
};
pub use mutation::{Mutation, MutationHandle, use_mutation};
pub use sign_in_route::{SignInRequired, SignInRoute, SignInRouteProps};
pub use sign_out::use_sign_out;
