//! `Page`: every route's frame: the tab's title, the one `h1` (which takes focus when the page
//! opens, so keyboard and screen-reader users start at the top of what changed), the content.

use yew::prelude::*;

/// Props of `Page`.
#[derive(Properties, PartialEq)]
pub struct PageProps {
    /// The tab's title, before " · Gatehouse"; also the heading unless `heading` is given.
    pub title: AttrValue,
    /// The visible heading, when it says more than the title ("Welcome, ann").
    #[prop_or_default]
    pub heading: Option<AttrValue>,
    /// A CSS class for the section.
    #[prop_or_default]
    pub class: Classes,
    /// The page's content.
    pub children: Html,
}

/// The frame of a page.
#[function_component]
pub fn Page(props: &PageProps) -> Html {
    let heading = use_node_ref();
    {
        let heading = heading.clone();
        use_effect_with(props.title.clone(), move |title| {
            if let Some(document) = web_sys::window().and_then(|w| w.document()) {
                document.set_title(&format!("{title} · Gatehouse"));
            }
            if let Some(h1) = heading.cast::<web_sys::HtmlElement>() {
                let _ = h1.focus();
            }
        });
    }
    let text = props.heading.clone().unwrap_or_else(|| props.title.clone());
    html! {
        <section class={classes!("page", props.class.clone())}>
            <h1 tabindex="-1" ref={heading}>{ text }</h1>
            { props.children.clone() }
        </section>
    }
}
