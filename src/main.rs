//! Renders the app, taking over the page pre-rendered at build time when there is one.

use gatehouse::app::App;
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::Closure;
use web_sys::{Document, Element, Event, EventInit, HtmlInputElement};

/// The id `prerender` gives the element holding the pre-rendered page.
const PRERENDERED_ID: &str = "prerendered";

fn main() {
    let document = web_sys::window().and_then(|w| w.document());
    let shell = document
        .as_ref()
        .and_then(|d| d.get_element_by_id(PRERENDERED_ID));
    let (Some(document), Some(shell)) = (document, shell) else {
        yew::Renderer::<App>::new().render();
        return;
    };
    // The app renders out of sight beside the pre-rendered page, which stays usable meanwhile;
    // two frames later (the app's first render and its effects are done) it takes the place.
    let Some(root) = hidden_root(&document) else {
        yew::Renderer::<App>::new().render();
        return;
    };
    yew::Renderer::<App>::with_root(root.clone()).render();
    after_two_frames(move || take_over(&document, &shell, &root));
}

fn hidden_root(document: &Document) -> Option<Element> {
    let root = document.create_element("div").ok()?;
    root.set_id("app");
    root.set_attribute("hidden", "").ok()?;
    document.body()?.append_child(&root).ok()?;
    Some(root)
}

fn after_two_frames(then: impl FnOnce() + 'static) {
    let Some(window) = web_sys::window() else {
        return;
    };
    let second = Closure::once_into_js(then);
    let first = Closure::once_into_js(move || {
        if let Some(window) = web_sys::window() {
            let _ = window.request_animation_frame(second.unchecked_ref());
        }
    });
    let _ = window.request_animation_frame(first.unchecked_ref());
}

/// Swaps the pre-rendered page for the app, carrying over what was typed into its fields and
/// which field had the focus (and where its caret was).
fn take_over(document: &Document, shell: &Element, root: &Element) {
    let focused = document
        .active_element()
        .filter(|e| shell.contains(Some(e)))
        .and_then(|e| e.dyn_into::<HtmlInputElement>().ok());
    let mut focus_to = None;
    if let Ok(inputs) = shell.query_selector_all("input[name]") {
        for i in 0..inputs.length() {
            let Some(old) = inputs
                .item(i)
                .and_then(|n| n.dyn_into::<HtmlInputElement>().ok())
            else {
                continue;
            };
            let selector = format!("input[name=\"{}\"]", old.name());
            let Some(new) = root
                .query_selector(&selector)
                .ok()
                .flatten()
                .and_then(|e| e.dyn_into::<HtmlInputElement>().ok())
            else {
                continue;
            };
            if !old.value().is_empty() && new.value().is_empty() {
                new.set_value(&old.value());
                // The app's state follows its fields' input events.
                let init = EventInit::new();
                init.set_bubbles(true);
                if let Ok(event) = Event::new_with_event_init_dict("input", &init) {
                    let _ = new.dispatch_event(&event);
                }
            }
            if focused.as_ref() == Some(&old) {
                focus_to = Some((new, old.selection_start().ok().flatten()));
            }
        }
    }
    shell.remove();
    let _ = root.remove_attribute("hidden");
    if let Some((input, caret)) = focus_to {
        let _ = input.focus();
        if let Some(at) = caret {
            let _ = input.set_selection_range(at, at);
        }
    }
}
