//! Helpers for the app's browser tests: a `fetch` scripted per endpoint, the whole app mounted
//! at an address, the person signed in (or not), finding and using what is on the page, the
//! other tabs, and polling for a condition. After the client crate's `tests/common/mod.rs`,
//! answering by endpoint rather than in order, since a page sends several requests at once.

#![allow(dead_code, reason = "each test binary uses some of the helpers")]

mod fetch;
mod page;
mod tabs;

#[allow(unused_imports, reason = "each test binary uses some of the helpers")]
pub use {fetch::*, page::*, tabs::*};

use std::time::Duration;

/// `path + search + hash` of the page.
pub fn location() -> String {
    gatehouse_client::current_location().unwrap()
}

/// Polls `condition` every 10 ms for up to 5 s.
pub async fn wait_until(what: &str, condition: impl Fn() -> bool) {
    wait_up_to(5_000, what, condition).await;
}

/// Polls `condition` every 10 ms for up to `ms`.
pub async fn wait_up_to(ms: u32, what: &str, condition: impl Fn() -> bool) {
    for _ in 0..ms / 10 {
        if condition() {
            return;
        }
        gloo_timers::future::sleep(Duration::from_millis(10)).await;
    }
    panic!("timed out waiting until {what}");
}
