//! Build-time pre-rendering (feature `prerender`, native only): the sign-in page and the app's
//! frame as HTML, so the first paint does not wait for the wasm. `cargo xtask dist` runs the
//! `prerender` binary after Trunk; `main` takes the pre-rendered page over once the app has
//! rendered, keeping what was typed and where the focus was.

use yew::prelude::*;
use yew_router::Router;
use yew_router::history::{AnyHistory, MemoryHistory};

use crate::app::{Frame, PRERENDERED_ID};

/// Props of `At`.
#[derive(Properties, PartialEq)]
struct AtProps {
    path: AttrValue,
    pages: bool,
}

/// The frame as the app renders it at `path`, before any answer from the server.
#[function_component]
fn At(props: &AtProps) -> Html {
    let history = AnyHistory::from(MemoryHistory::with_entries(vec![props.path.to_string()]));
    html! {
        <Router {history}>
            <Frame pages={props.pages} />
        </Router>
    }
}

/// The HTML of the app at `path`: its page when `pages`, else the frame with an empty `main`.
pub async fn render(path: &str, pages: bool) -> String {
    yew::LocalServerRenderer::<At>::with_props(AtProps {
        path: AttrValue::from(path.to_string()),
        pages,
    })
    .hydratable(false)
    .render()
    .await
}

/// `index` (Trunk's `index.html`) with `html` pre-rendered at the start of its body, and
/// `title` as the tab's title.
pub fn page(index: &str, html: &str, title: &str) -> Result<String, String> {
    if index.contains(&format!("id=\"{PRERENDERED_ID}\"")) {
        return Err("index.html is pre-rendered already: build it again with Trunk".into());
    }
    let body = index.find("<body>").ok_or("index.html has no <body>")? + "<body>".len();
    let mut page = String::with_capacity(index.len() + html.len() + 64);
    page.push_str(&index[..body]);
    page.push_str(&format!("<div id=\"{PRERENDERED_ID}\">{html}</div>"));
    page.push_str(&index[body..]);
    Ok(page.replacen(
        "<title>Gatehouse</title>",
        &format!("<title>{title}</title>"),
        1,
    ))
}
