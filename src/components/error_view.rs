//! `ErrorView`: how every `ApiError` is shown, with Retry where retrying makes sense; and which
//! error a form shows under itself rather than at a field.

use yew::prelude::*;

use gatehouse_client::{ApiError, use_unreachable};

/// Props of `ErrorView`.
#[derive(Properties, PartialEq)]
pub struct ErrorViewProps {
    /// The error to show; silent ones (aborted, redirecting) render nothing.
    pub error: ApiError,
    /// Offered as a Retry button when the error may pass.
    #[prop_or_default]
    pub onretry: Option<Callback<()>>,
}

/// The error not tied to any of a form's `fields` (those show at their field), to show under
/// the form.
pub fn general_error(error: Option<&ApiError>, fields: &[&str]) -> Option<ApiError> {
    error
        .filter(|e| fields.iter().all(|f| e.field(f).is_none()))
        .cloned()
}

/// Renders an error as an alert.
#[function_component]
pub fn ErrorView(props: &ErrorViewProps) -> Html {
    let error = &props.error;
    let unreachable = use_unreachable();
    if error.is_silent() {
        return html! {};
    }
    // The banner at the top says it once; here only what waits, loaded once the server answers.
    if unreachable && matches!(error, ApiError::Network(_)) {
        return html! { <p class="waiting meta">{ "Not loaded yet: this fills in once Gatehouse can be reached." }</p> };
    }
    let fields = match error {
        ApiError::Http { body, .. } if !body.fields.is_empty() => html! {
            <ul>{ for body.fields.iter().map(|(f, m)| html! { <li><strong>{ f }</strong>{ ": " }{ m }</li> }) }</ul>
        },
        _ => html! {},
    };
    let retry = match (&props.onretry, error.can_retry()) {
        (Some(onretry), true) => {
            let onretry = onretry.clone();
            html! { <button type="button" onclick={Callback::from(move |_| onretry.emit(()))}>{ "Retry" }</button> }
        }
        _ => html! {},
    };
    html! {
        <div class="error" role="alert">
            <p>{ error.message() }</p>
            { fields }
            { retry }
        </div>
    }
}
