//! "Passkeys": the signed-in person's passkeys (name, when added and last used, synced or on
//! this device), adding one (the browser makes it; the person names it), renaming and removing.
//! Adding and removing need a recent confirmation, which the shared hook asks for.

use gatehouse_api::endpoints::{
    AddPasskey, ListPasskeys, RemovePasskey, RenamePasskey, StartPasskeyRegistration,
};
use gatehouse_api::{NewPasskey, PasskeyInfo, PasskeyName, PasskeyOptions, WebAuthnJson};
use gatehouse_client::{Api, use_fetch, use_mutation};
use yew::prelude::*;

use super::time::when;
use super::{ErrorView, Field, fetched, general_error, use_toasts};
use crate::passkey::{self, PasskeyFailure};

/// What adding a passkey came to, once the server has answered.
#[derive(Clone, Debug, PartialEq)]
enum Added {
    /// The browser made one: it waits for a name.
    Made(WebAuthnJson),
    /// The browser did not make one.
    NotMade(PasskeyFailure),
}

/// The passkeys section. Its list is read again after each change (the shared hook does it).
#[function_component]
pub fn Passkeys() -> Html {
    let toasts = use_toasts();
    let list = use_fetch(ListPasskeys);
    let name = use_state(|| AttrValue::from(default_name()));
    // Step one: the server's options, the browser's dialog.
    let make = use_mutation(move |api: Api, ()| async move {
        let options: PasskeyOptions = api.fetch(&StartPasskeyRegistration).await?;
        Ok(match passkey::create(&options.options).await {
            Ok(credential) => Added::Made(credential),
            Err(failure) => Added::NotMade(failure),
        })
    });
    // Step two: its name, and the server keeps it.
    let keep = {
        let (toasts, make) = (toasts.clone(), make.clone());
        use_mutation(move |api: Api, body: NewPasskey| {
            let (toasts, make) = (toasts.clone(), make.clone());
            async move {
                let added = api.submit(&AddPasskey, &body).await?;
                make.reset();
                toasts.say(format!("Passkey “{}” added.", added.name));
                Ok(())
            }
        })
    };
    let remove = use_mutation(move |api: Api, key: PasskeyInfo| {
        let toasts = toasts.clone();
        async move {
            api.fetch(&RemovePasskey { id: key.id }).await?;
            toasts.say(format!("Passkey “{}” removed.", key.name));
            Ok(())
        }
    });
    let made = make.state.done().and_then(|added| match &*added {
        Added::Made(credential) => Some(credential.clone()),
        Added::NotMade(_) => None,
    });
    let not_made = make.state.done().and_then(|added| match &*added {
        Added::NotMade(failure) => Some(failure.message()),
        Added::Made(_) => None,
    });
    let rows = fetched(&list, |keys| {
        if keys.is_empty() {
            return html! { <p class="empty">{ "No passkeys yet. A passkey signs you in with your fingerprint, face or screen lock, and cannot be phished." }</p> };
        }
        html! {
            <ul class="rows">
                { for keys.iter().map(|key| html! {
                    <PasskeyRow key={key.id} passkey={key.clone()}
                                onremove={remove.reform({ let key = key.clone(); move |()| key.clone() })} />
                }) }
            </ul>
        }
    });
    let onadd = make.reform(|_: MouseEvent| ());
    let naming = made.map(|credential| {
        let onsubmit = {
            let name = name.clone();
            keep.reform(move |e: SubmitEvent| {
                e.prevent_default();
                NewPasskey {
                    name: name.to_string(),
                    credential: credential.clone(),
                }
            })
        };
        let oninput = {
            let name = name.clone();
            Callback::from(move |v: String| name.set(v.into()))
        };
        let error = keep.error();
        let field = error
            .and_then(|e| e.field("name"))
            .map(|m| AttrValue::from(m.to_string()));
        html! {
            <form class="inline" {onsubmit} aria-busy={keep.running().to_string()} novalidate=true>
                <Field id="passkey-name" label="Name this passkey" value={(*name).clone()} {oninput}
                       hint="So you can tell it apart later, for example “Work laptop”."
                       error={field} autofocus=true required=true maxlength={64} />
                <button type="submit" disabled={keep.running()}>{ "Save passkey" }</button>
                if let Some(e) = general_error(error, &["name"]) {
                    <ErrorView error={e} />
                }
            </form>
        }
    });
    html! {
        <section aria-labelledby="passkeys-title" class="card">
            <h2 id="passkeys-title">{ "Passkeys" }</h2>
            { rows }
            if let Some(naming) = naming {
                { naming }
            } else {
                <button type="button" onclick={onadd} disabled={make.running()}>
                    { if make.running() { "Waiting for your passkey…" } else { "Add a passkey" } }
                </button>
            }
            if let Some(message) = not_made {
                <p class="error" role="alert">{ message }</p>
            }
            if let Some(e) = make.error().cloned() {
                <ErrorView error={e} />
            }
        </section>
    }
}

/// A passkey's default name: the browser and system it was made on.
fn default_name() -> String {
    let agent = web_sys::window()
        .and_then(|w| w.navigator().user_agent().ok())
        .unwrap_or_default();
    let browser = ["Edg/", "Firefox/", "Chrome/", "Safari/"]
        .iter()
        .find(|b| agent.contains(*b))
        .map(|b| match *b {
            "Edg/" => "Edge",
            "Firefox/" => "Firefox",
            "Chrome/" => "Chrome",
            _ => "Safari",
        })
        .unwrap_or("This browser");
    let system = [
        ("Android", "Android"),
        ("iPhone", "iPhone"),
        ("iPad", "iPad"),
        ("Mac OS X", "Mac"),
        ("Windows", "Windows"),
        ("Linux", "Linux"),
    ]
    .iter()
    .find(|(k, _)| agent.contains(*k))
    .map(|(_, s)| *s);
    match system {
        Some(system) => format!("{browser} on {system}"),
        None => browser.to_string(),
    }
}

/// Props of `PasskeyRow`.
#[derive(Properties, PartialEq)]
struct PasskeyRowProps {
    passkey: PasskeyInfo,
    onremove: Callback<()>,
}

/// One passkey: its name (renamed in place), when added and last used, synced or not.
#[function_component]
fn PasskeyRow(props: &PasskeyRowProps) -> Html {
    let editing = use_state(|| false);
    let name = use_state(|| AttrValue::from(props.passkey.name.clone()));
    let rename = {
        let (editing, id) = (editing.clone(), props.passkey.id);
        use_mutation(move |api: Api, body: PasskeyName| {
            let editing = editing.clone();
            async move {
                api.submit(&RenamePasskey { id }, &body).await?;
                editing.set(false);
                Ok(())
            }
        })
    };
    let key = &props.passkey;
    let label = format!("passkey-{}-name", key.id);
    if *editing {
        let onsubmit = {
            let name = name.clone();
            rename.reform(move |e: SubmitEvent| {
                e.prevent_default();
                PasskeyName {
                    name: name.to_string(),
                }
            })
        };
        let oninput = {
            let name = name.clone();
            Callback::from(move |v: String| name.set(v.into()))
        };
        let error = rename
            .error()
            .and_then(|e| e.field("name"))
            .map(|m| AttrValue::from(m.to_string()));
        return html! {
            <li class="row">
                <form class="inline" {onsubmit} novalidate=true>
                    <Field id={label} label="Name" value={(*name).clone()} {oninput} {error}
                           autofocus=true required=true maxlength={64} />
                    <button type="submit" disabled={rename.running()}>{ "Save" }</button>
                    <button type="button" class="secondary" onclick={let editing = editing.clone(); move |_| editing.set(false)}>{ "Cancel" }</button>
                </form>
            </li>
        };
    }
    let onremove = {
        let onremove = props.onremove.clone();
        Callback::from(move |_: MouseEvent| onremove.emit(()))
    };
    html! {
        <li class="row">
            <div>
                <strong>{ key.name.clone() }</strong>
                <p class="meta">
                    { if key.synced { "Synced across your devices · " } else { "On one device · " } }
                    { "Added " }{ when(&key.created_at) }
                    { " · " }
                    if let Some(used) = &key.last_used_at {
                        { "Last used " }{ when(used) }
                    } else {
                        { "Not used yet" }
                    }
                </p>
            </div>
            <div class="row-actions">
                <button type="button" class="secondary" onclick={let editing = editing.clone(); move |_| editing.set(true)}
                        aria-label={format!("Rename {}", key.name)}>{ "Rename" }</button>
                <button type="button" class="danger" onclick={onremove}
                        aria-label={format!("Remove {}", key.name)}>{ "Remove" }</button>
            </div>
        </li>
    }
}
