//! "Authenticator app": turning it on (the QR code and the setup key, then one code from the
//! app), the recovery codes shown once with Copy and Download, new recovery codes, and turning
//! it off. Turning it on or off and new codes need a recent confirmation, which the shared hook
//! asks for.

use gatehouse_api::endpoints::{ConfirmTotp, DisableTotp, GetTotp, RenewRecoveryCodes, SetUpTotp};
use gatehouse_api::{RecoveryCodes, TotpCode, TotpSetup};
use gatehouse_client::{Api, use_fetch, use_mutation};
use yew::prelude::*;

use super::{CopyButton, ErrorView, Field, fetched, general_error, use_toasts};

/// The authenticator app section. Its status is read again after each change (the shared hook
/// does it).
#[function_component]
pub fn AuthenticatorApp() -> Html {
    let toasts = use_toasts();
    let status = use_fetch(GetTotp);
    let code = use_state(AttrValue::default);
    // The recovery codes just made, shown until the person says they kept them.
    let shown = use_state(|| None::<RecoveryCodes>);
    let setup = use_mutation(|api: Api, ()| async move { api.fetch(&SetUpTotp).await });
    let confirm = {
        let (shown, setup, code) = (shown.clone(), setup.clone(), code.clone());
        use_mutation(move |api: Api, body: TotpCode| {
            let (shown, setup, code) = (shown.clone(), setup.clone(), code.clone());
            async move {
                let codes = api.submit(&ConfirmTotp, &body).await?;
                setup.reset();
                code.set(AttrValue::default());
                shown.set(Some(codes));
                Ok(())
            }
        })
    };
    let renew = {
        let shown = shown.clone();
        use_mutation(move |api: Api, ()| {
            let shown = shown.clone();
            async move {
                shown.set(Some(api.fetch(&RenewRecoveryCodes).await?));
                Ok(())
            }
        })
    };
    let disable = use_mutation(move |api: Api, ()| {
        let toasts = toasts.clone();
        async move {
            api.fetch(&DisableTotp).await?;
            toasts.say("The authenticator app is off. Your password alone signs you in now.");
            Ok(())
        }
    });

    let body = if let Some(codes) = (*shown).clone() {
        let ondone = {
            let shown = shown.clone();
            Callback::from(move |_: MouseEvent| shown.set(None))
        };
        recovery_codes(&codes.recovery_codes, ondone)
    } else if let Some(pending) = setup.state.done() {
        let onsubmit = {
            let code = code.clone();
            confirm.reform(move |e: SubmitEvent| {
                e.prevent_default();
                TotpCode {
                    code: code.to_string(),
                }
            })
        };
        let oninput = {
            let code = code.clone();
            Callback::from(move |v: String| code.set(v.into()))
        };
        let error = confirm.error();
        set_up(&SetUp {
            setup: &pending,
            code: (*code).clone(),
            oninput,
            onsubmit,
            busy: confirm.running(),
            field: error
                .and_then(|e| e.field("code"))
                .map(|m| AttrValue::from(m.to_string())),
            other: general_error(error, &["code"]),
        })
    } else {
        fetched(&status, |s| {
            if s.enabled {
                html! {
                    <>
                        <p>{ format!("On. Signing in asks for a code from your app. {} recovery codes left.", s.recovery_codes_left) }</p>
                        <div class="actions">
                            <button type="button" class="secondary" onclick={renew.reform(|_: MouseEvent| ())} disabled={renew.running()}>
                                { "New recovery codes" }
                            </button>
                            <button type="button" class="danger" onclick={disable.reform(|_: MouseEvent| ())} disabled={disable.running()}>
                                { "Turn off" }
                            </button>
                        </div>
                    </>
                }
            } else {
                html! {
                    <>
                        <p>{ "Off. With an authenticator app (such as Google Authenticator, 1Password or Authy), signing in also asks for a six-digit code from your phone." }</p>
                        <button type="button" onclick={setup.reform(|_: MouseEvent| ())} disabled={setup.running()}>
                            { "Set up an authenticator app" }
                        </button>
                    </>
                }
            }
        })
    };
    let failures = [setup.error(), renew.error(), disable.error()]
        .into_iter()
        .flatten()
        .next()
        .cloned();
    html! {
        <section aria-labelledby="totp-title" class="card">
            <h2 id="totp-title">{ "Authenticator app" }</h2>
            { body }
            if let Some(e) = failures {
                <ErrorView error={e} />
            }
        </section>
    }
}

/// What `set_up` shows.
struct SetUp<'a> {
    setup: &'a TotpSetup,
    code: AttrValue,
    oninput: Callback<String>,
    onsubmit: Callback<SubmitEvent>,
    busy: bool,
    field: Option<AttrValue>,
    other: Option<gatehouse_client::ApiError>,
}

/// Scan the QR code (or type the key), then confirm with one code.
fn set_up(props: &SetUp<'_>) -> Html {
    let qr = Html::from_html_unchecked(AttrValue::from(props.setup.qr_svg.clone()));
    html! {
        <form class="totp-setup" onsubmit={props.onsubmit.clone()} aria-busy={props.busy.to_string()} novalidate=true>
            <ol>
                <li>
                    <p>{ "Scan this code with your authenticator app:" }</p>
                    <figure class="qr" role="img" aria-label="QR code for your authenticator app">{ qr }</figure>
                    <p>{ "Or type this setup key into it:" }</p>
                    <p><code class="setup-key">{ props.setup.secret.clone() }</code></p>
                </li>
                <li>
                    <Field id="totp-code" label="Enter the six-digit code the app shows" value={props.code.clone()}
                           oninput={props.oninput.clone()} autocomplete="one-time-code" inputmode="numeric"
                           error={props.field.clone()} autofocus=true required=true maxlength={7} />
                </li>
            </ol>
            <button type="submit" disabled={props.busy}>{ if props.busy { "Checking…" } else { "Turn on" } }</button>
            if let Some(e) = props.other.clone() {
                <ErrorView error={e} />
            }
        </form>
    }
}

/// The recovery codes, this once, with Copy and Download.
fn recovery_codes(codes: &[String], ondone: Callback<MouseEvent>) -> Html {
    let text = codes.join("\n");
    let download = format!(
        "data:text/plain;charset=utf-8,{}",
        js_sys::encode_uri_component(&format!(
            "Gatehouse recovery codes. Each works once, when your authenticator app is not at hand.\n\n{text}\n"
        ))
    );
    html! {
        <div class="recovery-codes" role="status">
            <p><strong>{ "Save these recovery codes now." }</strong>{ " Each signs you in once if you lose your phone. They are not shown again." }</p>
            <ul class="codes">{ for codes.iter().map(|c| html! { <li><code>{ c.clone() }</code></li> }) }</ul>
            <div class="actions">
                <CopyButton text={text.clone()} />
                <a class="button secondary" href={download} download="gatehouse-recovery-codes.txt">{ "Download" }</a>
                <button type="button" onclick={ondone}>{ "I have saved them" }</button>
            </div>
        </div>
    }
}
