//! Build-time pre-rendering (feature `prerender`, native only): the sign-in page and the app's
//! frame as HTML, so the first paint does not wait for the wasm. `cargo xtask dist` runs the
//! `prerender` binary after Trunk; `main` takes the pre-rendered page over once the app has
//! rendered, keeping what was typed and where the focus was.

use yew::prelude::*;
use yew_router::Router;
use yew_router::history::{AnyHistory, MemoryHistory};

use crate::app::{PRERENDERED_ID, frame};

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
            { frame(props.pages) }
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

/// `page` without Trunk's preloads of the app's script and wasm, for a page that is complete
/// without them (the sign-in page). With them, the app's download and start competed with the
/// page's first paint on two cores: median LCP ×1.3 of the static form's with both preloads,
/// ×1.1 with neither (`cargo xtask bench`'s first load, alternating builds; without only the
/// wasm's it stayed ×1.2–1.5). The app still starts as soon as the page's module script runs.
/// Trunk's integrity hashes live on these links, so this page's script and wasm go without;
/// they come from the same server as the page, which SRI would not guard against anyway.
pub fn without_preloads(page: &str) -> Result<String, String> {
    let preload = |tag: &&str| tag.contains("rel=preload") || tag.contains("rel=modulepreload");
    let tags: Vec<&str> = page
        .match_indices("<link ")
        .filter_map(|(at, _)| page[at..].find('>').map(|end| &page[at..=at + end]))
        .filter(preload)
        .collect();
    let (js, wasm) = (
        tags.iter().filter(|t| t.contains(".js")).count(),
        tags.iter().filter(|t| t.contains(".wasm")).count(),
    );
    if (js, wasm) != (1, 1) || tags.len() != 2 {
        return Err(format!(
            "index.html should preload the app's script and wasm once each (Trunk's links), found {tags:?}"
        ));
    }
    Ok(tags
        .iter()
        .fold(page.to_string(), |page, tag| page.replacen(tag, "", 1)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_script_and_wasm_preloads_are_taken_out_and_nothing_else() {
        let page = "<head><link crossorigin href=/a.js integrity=sha384-j rel=modulepreload>\
                    <link as=fetch crossorigin href=/a_bg.wasm integrity=sha384-w rel=preload type=application/wasm>\
                    <link href=/favicon.svg rel=icon></head><script type=module>import init from '/a.js';</script>";
        let out = without_preloads(page).unwrap();
        assert!(!out.contains("preload"), "{out}");
        assert!(!out.contains(".wasm"), "{out}");
        assert!(out.contains("<link href=/favicon.svg rel=icon>"), "{out}");
        assert!(out.contains("import init from '/a.js'"), "{out}");
    }

    #[test]
    fn a_page_without_both_preloads_is_refused() {
        assert!(without_preloads("<head><link href=/a.js rel=modulepreload></head>").is_err());
        assert!(without_preloads("<head></head>").is_err());
    }
}
