//! The API client every component fetches through, and its pieces: the error type, the hook,
//! and the return-path rule. Nothing here knows this app's pages; the sign-in route is a prop.

mod client;
mod error;
mod hook;
mod return_path;

pub use client::{ApiClient, GET_RETRIES, Request, current_location, decode, read_cookie};
pub use error::{ApiError, Verdict, classify, is_transient};
pub use hook::{Api, ApiProvider, ApiProviderProps, Fetch, FetchHandle, use_api, use_fetch};
pub use return_path::safe_return_path;
