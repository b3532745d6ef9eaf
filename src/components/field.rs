//! `Field`: a labelled input with its error beside it (`aria-invalid`, `aria-describedby`), a
//! hint, and for passwords a Show toggle.

use web_sys::HtmlInputElement;
use yew::prelude::*;

/// Props of `Field`.
#[derive(Properties, PartialEq)]
pub struct FieldProps {
    /// The input's id (and `name`, unless `name` is given).
    pub id: AttrValue,
    /// The `name` attribute (what the form contract and password managers read).
    #[prop_or_default]
    pub name: Option<AttrValue>,
    /// The visible label.
    pub label: AttrValue,
    /// `text`, `password`, `search`…
    #[prop_or(AttrValue::Static("text"))]
    pub kind: AttrValue,
    /// `autocomplete` (`username`, `current-password`, `new-password`, `off`).
    #[prop_or_default]
    pub autocomplete: Option<AttrValue>,
    /// The value shown.
    pub value: AttrValue,
    /// Told the new value on every keystroke.
    pub oninput: Callback<String>,
    /// The error for this field, in words; the field is marked invalid while there is one.
    #[prop_or_default]
    pub error: Option<AttrValue>,
    /// A hint under the label ("At least 12 characters").
    #[prop_or_default]
    pub hint: Option<AttrValue>,
    /// Longest accepted value, in characters.
    #[prop_or_default]
    pub maxlength: Option<u32>,
    /// The keyboard a phone shows (`numeric` for codes).
    #[prop_or_default]
    pub inputmode: Option<AttrValue>,
    /// Takes focus when shown.
    #[prop_or_default]
    pub autofocus: bool,
    /// Required (for assistive technology; the server decides).
    #[prop_or_default]
    pub required: bool,
}

/// A form field.
#[function_component]
pub fn Field(props: &FieldProps) -> Html {
    let revealed = use_state(|| false);
    let input = use_node_ref();
    {
        let input = input.clone();
        use_effect_with(props.autofocus, move |autofocus| {
            if *autofocus && let Some(el) = input.cast::<HtmlInputElement>() {
                let _ = el.focus();
            }
        });
    }
    // An error appearing after a submit takes the focus to the form's first invalid field
    // (each field with an error looks; only the first in its form takes it).
    {
        let input = input.clone();
        use_effect_with(props.error.clone(), move |error| {
            if error.is_some()
                && let Some(el) = input.cast::<HtmlInputElement>()
            {
                focus_if_first_invalid(&el);
            }
        });
    }
    let id = &props.id;
    let error_id = format!("{id}-error");
    let hint_id = format!("{id}-hint");
    let described: Vec<&str> = [
        props.hint.as_ref().map(|_| hint_id.as_str()),
        props.error.as_ref().map(|_| error_id.as_str()),
    ]
    .into_iter()
    .flatten()
    .collect();
    let password = props.kind == "password";
    let kind = if password && *revealed {
        AttrValue::Static("text")
    } else {
        props.kind.clone()
    };
    let oninput = {
        let oninput = props.oninput.clone();
        Callback::from(move |e: InputEvent| {
            oninput.emit(e.target_unchecked_into::<HtmlInputElement>().value());
        })
    };
    let toggle = password.then(|| {
        let shown = *revealed;
        let revealed = revealed.clone();
        let onclick = Callback::from(move |_| revealed.set(!shown));
        html! {
            <button type="button" class="reveal" aria-controls={id.clone()} aria-pressed={shown.to_string()} {onclick}>
                { if shown { "Hide" } else { "Show" } }
            </button>
        }
    });
    html! {
        <div class={classes!("field", props.error.is_some().then_some("invalid"))}>
            <label for={id.clone()}>{ props.label.clone() }</label>
            if let Some(hint) = &props.hint {
                <p class="hint" id={hint_id.clone()}>{ hint.clone() }</p>
            }
            <div class="control">
                <input
                    id={id.clone()}
                    name={props.name.clone().unwrap_or_else(|| id.clone())}
                    type={kind}
                    autocomplete={props.autocomplete.clone()}
                    value={props.value.clone()}
                    {oninput}
                    ref={input}
                    maxlength={props.maxlength.map(|m| m.to_string())}
                    inputmode={props.inputmode.clone()}
                    required={props.required}
                    autofocus={props.autofocus}
                    aria-invalid={props.error.is_some().then_some("true")}
                    aria-describedby={(!described.is_empty()).then(|| described.join(" "))}
                />
                { toggle.unwrap_or_default() }
            </div>
            if let Some(error) = &props.error {
                <p class="field-error" id={error_id}>{ error.clone() }</p>
            }
        </div>
    }
}

/// Focuses `input` if it is the first field marked invalid in its form (or, outside a form,
/// in the document): where a failed submit leaves the person.
pub fn focus_if_first_invalid(input: &web_sys::HtmlElement) {
    let scope: Option<web_sys::Element> = input
        .closest("form")
        .ok()
        .flatten()
        .or_else(|| web_sys::window()?.document()?.document_element());
    let first = scope.and_then(|s| s.query_selector("[aria-invalid=true]").ok().flatten());
    if first.is_some_and(|f| f.is_same_node(Some(input))) {
        let _ = input.focus();
    }
}
