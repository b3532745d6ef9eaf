//! Gatehouse's single-page app: Yew components that reach the server only through one API
//! client hook, which sends the user to sign in on 401/403 and hands every other error back.

pub mod app;
pub mod components;
pub mod expiry;
pub mod kept;
pub mod later;
pub mod pages;
pub mod passkey;
#[cfg(feature = "prerender")]
pub mod prerender;
pub mod provider;
pub mod route;
pub mod session;
