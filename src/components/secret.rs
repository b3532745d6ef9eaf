//! A secret shown once (a one-time password), with a Copy button, and the Copy button itself.

use yew::prelude::*;

/// Props of `CopyButton`.
#[derive(Properties, PartialEq)]
pub struct CopyButtonProps {
    /// What it puts on the clipboard.
    pub text: AttrValue,
}

/// "Copy", then "Copied" once the clipboard took the text.
#[function_component]
pub fn CopyButton(props: &CopyButtonProps) -> Html {
    let copied = use_state(|| false);
    let onclick = {
        let (text, copied) = (props.text.clone(), copied.clone());
        Callback::from(move |_: MouseEvent| {
            if let Some(clipboard) = web_sys::window().map(|w| w.navigator().clipboard()) {
                let copied = copied.clone();
                let written = clipboard.write_text(&text);
                wasm_bindgen_futures::spawn_local(async move {
                    if wasm_bindgen_futures::JsFuture::from(written).await.is_ok() {
                        copied.set(true);
                    }
                });
            }
        })
    };
    html! {
        <button type="button" class="secondary" {onclick}>
            { if *copied { "Copied" } else { "Copy" } }
        </button>
    }
}

/// A new account's, or a reset account's, one-time password: shown this once, with Copy.
pub fn one_time_password(username: &str, password: &str) -> Html {
    let password = AttrValue::from(password.to_string());
    html! {
        <div class="secret" role="status">
            <p>{ format!(
                "Give {username} this one-time password. It is shown only now; they choose their own when they next sign in.",
            ) }</p>
            <p class="otp-row">
                <code class="otp">{ password.clone() }</code>
                <CopyButton text={password} />
            </p>
        </div>
    }
}
