//! An inline confirmation: what is about to happen, said before it does, with the action and
//! Cancel. Focus goes to Cancel when it opens (a stray Enter does nothing harmful); Escape
//! cancels.

use yew::prelude::*;

/// Props of `Confirm`.
#[derive(Properties, PartialEq)]
pub struct ConfirmProps {
    /// The question ("Disable ann?").
    pub question: AttrValue,
    /// What will happen, in a sentence or two.
    pub detail: AttrValue,
    /// The action's label ("Disable ann").
    pub action: AttrValue,
    /// Whether the action destroys something (shown as dangerous).
    #[prop_or_default]
    pub danger: bool,
    /// Whether the action is under way.
    #[prop_or_default]
    pub busy: bool,
    /// Confirmed.
    pub onconfirm: Callback<()>,
    /// Cancelled (the caller puts focus back on what opened it).
    pub oncancel: Callback<()>,
}

/// The confirmation, in place of a browser `confirm()` that would say nothing of what follows.
#[function_component]
pub fn Confirm(props: &ConfirmProps) -> Html {
    let cancel = use_node_ref();
    {
        let button = cancel.clone();
        use_effect_with((), move |()| {
            if let Some(b) = button.cast::<web_sys::HtmlElement>() {
                let _ = b.focus();
            }
        });
    }
    let onkeydown = {
        let oncancel = props.oncancel.clone();
        Callback::from(move |e: KeyboardEvent| {
            if e.key() == "Escape" {
                e.prevent_default();
                oncancel.emit(());
            }
        })
    };
    let onconfirm = props.onconfirm.reform(|_: MouseEvent| ());
    let oncancel = props.oncancel.reform(|_: MouseEvent| ());
    html! {
        <div class="confirm" role="alertdialog" aria-labelledby="confirm-question"
             aria-describedby="confirm-detail" {onkeydown}>
            <p id="confirm-question"><strong>{ props.question.clone() }</strong></p>
            <p id="confirm-detail">{ props.detail.clone() }</p>
            <div class="actions">
                <button type="button" class={classes!(props.danger.then_some("danger"))}
                        disabled={props.busy} onclick={onconfirm}>
                    { props.action.clone() }
                </button>
                <button type="button" ref={cancel} class="secondary" onclick={oncancel}>{ "Cancel" }</button>
            </div>
        </div>
    }
}

/// Moves focus to the element `id` (the button that opened a confirmation, once it closes).
pub fn focus(id: &str) {
    let element = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.get_element_by_id(id))
        .and_then(|e| wasm_bindgen::JsCast::dyn_into::<web_sys::HtmlElement>(e).ok());
    if let Some(element) = element {
        let _ = element.focus();
    }
}
