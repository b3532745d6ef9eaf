//! Each page of the app in a real headless Chromium against a scripted `fetch`: what it shows
//! while loading, with nothing to show, after an error (and its Retry), and when ready.

#![cfg(target_arch = "wasm32")]

#[path = "../common/mod.rs"]
mod common;
mod fixtures;

mod account;
mod admin;
mod dashboard;
mod note;
mod notes;
mod public;

wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);
