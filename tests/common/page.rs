//! The whole app mounted at an address against a script, and what a test does with it: find,
//! read, click, type, submit, wait.

use gatehouse::app::App;
use gatehouse_api::Role;
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use yew::AppHandle;

use super::{Script, wait_until};

/// The whole app, mounted at an address, against a script. Unmounted when dropped.
pub struct Page {
    root: web_sys::Element,
}

thread_local! {
    /// The app mounted now. A test that fails does not unmount its app (a panic in wasm runs
    /// no destructors), so the next `open` does, lest two apps share the browser's history.
    static MOUNTED: std::cell::RefCell<Option<(web_sys::Element, AppHandle<App>)>> =
        const { std::cell::RefCell::new(None) };
}

fn unmount() {
    if let Some((root, app)) = MOUNTED.with(|m| m.borrow_mut().take()) {
        app.destroy();
        root.remove();
    }
}

/// Scripts the fetch with `script`, puts the page at `location` with empty session and local
/// storage, and mounts the app.
pub fn open(location: &str, script: Script) -> Page {
    open_after(&[], location, script)
}

/// `open`, with the history holding `earlier` before `location` (so Back goes there).
pub fn open_after(earlier: &[&str], location: &str, script: Script) -> Page {
    open_seeded(earlier, location, script, || {})
}

/// `open_after`, with `seed` run on the emptied storage before the app starts.
pub fn open_seeded(earlier: &[&str], location: &str, script: Script, seed: impl FnOnce()) -> Page {
    unmount();
    let window = web_sys::window().unwrap();
    window.session_storage().unwrap().unwrap().clear().unwrap();
    window.local_storage().unwrap().unwrap().clear().unwrap();
    seed();
    script.install();
    let history = window.history().unwrap();
    match earlier.split_first() {
        None => history.replace_state_with_url(&JsValue::NULL, "", Some(location)),
        Some((first, rest)) => {
            history
                .replace_state_with_url(&JsValue::NULL, "", Some(first))
                .unwrap();
            for entry in rest.iter().chain([&location]) {
                history
                    .push_state_with_url(&JsValue::NULL, "", Some(entry))
                    .unwrap();
            }
            Ok(())
        }
    }
    .unwrap();
    let document = window.document().unwrap();
    let root = document.create_element("div").unwrap();
    document.body().unwrap().append_child(&root).unwrap();
    let app = yew::Renderer::<App>::with_root(root.clone()).render();
    MOUNTED.with(|m| *m.borrow_mut() = Some((root.clone(), app)));
    Page { root }
}

/// Opens `location` with `ann` signed in as a user, and `script` answering the rest.
pub fn open_signed_in(location: &str, script: Script) -> Page {
    open(location, Script::signed_in("ann", Role::User).and(script))
}

impl Page {
    /// The text of what the app shows.
    pub fn text(&self) -> String {
        self.root.text_content().unwrap_or_default()
    }

    /// The first element matching `selector`.
    pub fn find(&self, selector: &str) -> Option<web_sys::HtmlElement> {
        self.root
            .query_selector(selector)
            .unwrap()
            .map(|e| e.unchecked_into())
    }

    /// How many elements match `selector`.
    pub fn count(&self, selector: &str) -> u32 {
        self.root.query_selector_all(selector).unwrap().length()
    }

    /// The text of the first element matching `selector` (empty when there is none).
    pub fn text_of(&self, selector: &str) -> String {
        self.find(selector)
            .and_then(|e| e.text_content())
            .unwrap_or_default()
    }

    /// The button whose text is `label`.
    pub fn button(&self, label: &str) -> Option<web_sys::HtmlButtonElement> {
        let buttons = self.root.query_selector_all("button").unwrap();
        (0..buttons.length())
            .filter_map(|i| buttons.item(i))
            .map(|b| b.unchecked_into::<web_sys::HtmlButtonElement>())
            .find(|b| b.text_content().is_some_and(|t| t.trim() == label))
    }

    /// Clicks the button whose text is `label`.
    pub fn click_button(&self, label: &str) {
        self.button(label)
            .unwrap_or_else(|| panic!("no button {label:?} in {}", self.text()))
            .click();
    }

    /// Clicks the first element matching `selector`.
    pub fn click(&self, selector: &str) {
        self.find(selector)
            .unwrap_or_else(|| panic!("nothing matches {selector} in {}", self.text()))
            .click();
    }

    /// Types `value` into the field matching `selector` (as one input event).
    pub fn type_into(&self, selector: &str, value: &str) {
        let element = self
            .root
            .query_selector(selector)
            .unwrap()
            .unwrap_or_else(|| panic!("no field {selector}"));
        if let Some(input) = element.dyn_ref::<web_sys::HtmlInputElement>() {
            input.set_value(value);
        } else {
            element
                .unchecked_ref::<web_sys::HtmlTextAreaElement>()
                .set_value(value);
        }
        // What the app's `oninput` handlers read is the field's value, as for a real keystroke.
        let init = web_sys::EventInit::new();
        init.set_bubbles(true);
        let event = web_sys::Event::new_with_event_init_dict("input", &init).unwrap();
        element.dispatch_event(&event).unwrap();
    }

    /// The value of the field matching `selector`.
    pub fn value_of(&self, selector: &str) -> String {
        self.root
            .query_selector(selector)
            .unwrap()
            .and_then(|e| e.dyn_into::<web_sys::HtmlInputElement>().ok())
            .map(|i| i.value())
            .unwrap_or_default()
    }

    /// Submits the form matching `selector` as pressing Enter in it would.
    pub fn submit(&self, selector: &str) {
        self.root
            .query_selector(selector)
            .unwrap()
            .unwrap_or_else(|| panic!("no form {selector}"))
            .unchecked_into::<web_sys::HtmlFormElement>()
            .request_submit()
            .unwrap();
    }

    /// Waits until the app shows `text`.
    pub async fn wait_for_text(&self, text: &str) {
        wait_until(&format!("the page shows {text:?}"), || {
            self.text().contains(text)
        })
        .await;
    }

    /// Waits until something matches `selector`.
    pub async fn wait_for(&self, selector: &str) {
        wait_until(&format!("something matches {selector}"), || {
            self.count(selector) > 0
        })
        .await;
    }

    /// The element that has the focus, if it is in the app.
    pub fn focused(&self) -> Option<web_sys::Element> {
        let active = web_sys::window()?.document()?.active_element()?;
        self.root.contains(Some(&active)).then_some(active)
    }
}

impl Drop for Page {
    fn drop(&mut self) {
        unmount();
    }
}
