//! Another tab, as this one hears it: messages on a `BroadcastChannel`, `storage` events; and
//! input in this one.

use gatehouse_client::json;
use wasm_bindgen::prelude::*;

#[wasm_bindgen(inline_js = r#"
export function listen_to_channel(name) {
  if (window.__gh_listener) window.__gh_listener.close();
  const told = [];
  const channel = new BroadcastChannel(name);
  channel.onmessage = (e) => told.push(String(e.data));
  window.__gh_listener = channel;
  window.__gh_told = told;
}
export function heard_on_channel() { return JSON.stringify(window.__gh_told || []); }
export function post_to_channel(name, message) {
  const channel = new BroadcastChannel(name);
  channel.postMessage(message);
  channel.close();
}
export function storage_event(key, value) {
  window.dispatchEvent(new StorageEvent('storage', { key, newValue: value }));
}
export function key_down() {
  window.dispatchEvent(new KeyboardEvent('keydown', { key: 'a' }));
}
"#)]
extern "C" {
    /// Starts recording what is posted on the `BroadcastChannel` `name`, as another tab would.
    pub fn listen_to_channel(name: &str);
    fn heard_on_channel() -> String;
    /// Posts `message` on the `BroadcastChannel` `name`, as another tab would.
    pub fn post_to_channel(name: &str, message: &str);
    /// Fires the `storage` event another tab's `localStorage.setItem(key, value)` would.
    pub fn storage_event(key: &str, value: &str);
    /// A key pressed in this tab.
    pub fn key_down();
}

/// What was posted on the channel since `listen_to_channel`: each message's news, without the
/// name of the tab that sent it (the auth channel's messages carry one).
pub fn heard() -> Vec<String> {
    let heard: Vec<String> = json::from_str(&heard_on_channel()).unwrap();
    heard
        .into_iter()
        .map(|m| m.split(' ').next().unwrap_or_default().to_string())
        .collect()
}
