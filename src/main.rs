//! Renders the app, taking over the page pre-rendered at build time when there is one.

use std::cell::RefCell;
use std::rc::Rc;

use gatehouse::app::{App, PRERENDERED_ID};
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::Closure;
use web_sys::{
    Document, Element, Event, EventInit, HtmlInputElement, PerformanceObserver,
    PerformanceObserverEntryList, PerformanceObserverInit,
};

fn main() {
    let Some((document, shell, root)) = pre_rendered() else {
        yew::Renderer::<App>::new().render();
        return;
    };
    // The app renders out of sight beside the pre-rendered page, which stays usable meanwhile,
    // and takes its place two frames after the page's first contentful paint (not before: on a
    // fast line the wasm can be ready first, and what the person saw first would then be the
    // app's, later).
    yew::Renderer::<App>::with_root(root.clone()).render();
    after_first_contentful_paint(move || {
        after_two_frames(move || take_over(&document, &shell, &root));
    });
}

/// The document, the pre-rendered page in it, and a hidden root for the app beside it; `None`
/// when nothing was pre-rendered (`trunk serve`).
fn pre_rendered() -> Option<(Document, Element, Element)> {
    let document = web_sys::window()?.document()?;
    let shell = document.get_element_by_id(PRERENDERED_ID)?;
    let root = document.create_element("div").ok()?;
    root.set_id("app");
    root.set_attribute("hidden", "").ok()?;
    document.body()?.append_child(&root).ok()?;
    Some((document, shell, root))
}

/// Runs `then` once the page has had its first contentful paint (at once if it has), or after
/// two seconds whatever happened (a browser without paint timing, a page never shown).
fn after_first_contentful_paint(then: impl FnOnce() + 'static) {
    const FCP: &str = "first-contentful-paint";
    let Some(window) = web_sys::window() else {
        return then();
    };
    let painted = window
        .performance()
        .is_some_and(|p| p.get_entries_by_name(FCP).length() > 0);
    if painted {
        return then();
    }
    let once = Rc::new(RefCell::new(Some(Box::new(then) as Box<dyn FnOnce()>)));
    let run = {
        let once = Rc::clone(&once);
        move || {
            if let Some(then) = once.borrow_mut().take() {
                then();
            }
        }
    };
    let on_paint = {
        let run = run.clone();
        Closure::<dyn FnMut(PerformanceObserverEntryList, PerformanceObserver)>::new(
            move |list: PerformanceObserverEntryList, observer: PerformanceObserver| {
                if list.get_entries_by_name(FCP).length() > 0 {
                    observer.disconnect();
                    run();
                }
            },
        )
    };
    match PerformanceObserver::new(on_paint.as_ref().unchecked_ref()) {
        Ok(observer) => {
            // No paint yet (checked above, in this same task), so no need for `buffered`.
            let types = js_sys::Array::of1(&"paint".into());
            observer.observe(&PerformanceObserverInit::new(&types));
            on_paint.forget();
        }
        Err(_) => return run(),
    }
    let fallback = Closure::once_into_js(run);
    let _ = window
        .set_timeout_with_callback_and_timeout_and_arguments_0(fallback.unchecked_ref(), 2000);
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
