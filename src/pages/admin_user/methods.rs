//! The account's ways to sign in, for administrators: password, authenticator app, passkeys,
//! connected sign-ins at the identity provider; turning its app off, or removing its passkeys
//! or its connected sign-ins (which ends its sessions).

use gatehouse_api::AdminUser;
use gatehouse_api::endpoints::{
    ListUserIdentities, RemoveUserIdentities, RemoveUserPasskeys, RemoveUserTotp,
};
use gatehouse_client::{Api, use_fetch, use_mutation};
use yew::prelude::*;

use crate::components::{ErrorView, fetched, host_of, use_toasts};

/// Which of an account's ways in an administrator removes.
#[derive(Clone, Copy, PartialEq)]
enum Removal {
    Totp,
    Passkeys,
    Identities,
}

/// Props of `Methods`.
#[derive(Properties, PartialEq)]
pub struct MethodsProps {
    /// The account.
    pub user: AdminUser,
}

/// The account's ways in, and removing its authenticator app or passkeys (its sessions end).
#[function_component]
pub fn Methods(props: &MethodsProps) -> Html {
    let toasts = use_toasts();
    let user = &props.user;
    let remove = {
        let (id, name) = (user.id, user.username.clone());
        use_mutation(move |api: Api, removal: Removal| {
            let (toasts, name) = (toasts.clone(), name.clone());
            async move {
                match removal {
                    Removal::Passkeys => {
                        api.fetch(&RemoveUserPasskeys { id }).await?;
                        toasts.say(format!("Passkeys of {name} removed; their sessions ended."));
                    }
                    Removal::Totp => {
                        api.fetch(&RemoveUserTotp { id }).await?;
                        toasts.say(format!(
                            "Authenticator app of {name} turned off; their sessions ended."
                        ));
                    }
                    Removal::Identities => {
                        api.fetch(&RemoveUserIdentities { id }).await?;
                        toasts.say(format!(
                            "Connected sign-ins of {name} removed; their sessions ended."
                        ));
                    }
                }
                Ok(())
            }
        })
    };
    let mut ways = Vec::new();
    if user.has_password {
        ways.push("password".to_string());
    }
    if user.totp {
        ways.push("authenticator app".into());
    }
    match user.passkeys {
        0 => {}
        1 => ways.push("1 passkey".into()),
        n => ways.push(format!("{n} passkeys")),
    }
    match user.identities {
        0 => {}
        1 => ways.push("1 connected sign-in".into()),
        n => ways.push(format!("{n} connected sign-ins")),
    }
    if ways.is_empty() {
        ways.push("none: reset the password to give one".into());
    }
    html! {
        <section aria-labelledby="methods-title" class="card">
            <h2 id="methods-title">{ "Ways to sign in" }</h2>
            <p>{ gatehouse_client::capitalized(&ways.join(", ")) }</p>
            if user.identities > 0 {
                <Identities id={user.id} />
            }
            <div class="actions">
                if user.totp {
                    <button type="button" class="danger" disabled={remove.running()}
                            onclick={remove.reform(|_: MouseEvent| Removal::Totp)}>{ "Turn off authenticator app" }</button>
                }
                if user.passkeys > 0 {
                    <button type="button" class="danger" disabled={remove.running()}
                            onclick={remove.reform(|_: MouseEvent| Removal::Passkeys)}>{ "Remove passkeys" }</button>
                }
                if user.identities > 0 {
                    <button type="button" class="danger" disabled={remove.running()}
                            onclick={remove.reform(|_: MouseEvent| Removal::Identities)}>{ "Remove connected sign-ins" }</button>
                }
            </div>
            if let Some(e) = remove.error().cloned() {
                <ErrorView error={e} />
            }
        </section>
    }
}

/// Props of `Identities`.
#[derive(Properties, PartialEq)]
struct IdentitiesProps {
    id: i64,
}

/// The account's connected sign-ins: what the provider calls the person, and where.
#[function_component]
fn Identities(props: &IdentitiesProps) -> Html {
    let list = use_fetch(ListUserIdentities { id: props.id });
    fetched(&list, |identities| {
        html! {
            <ul class="plain">
                { for identities.iter().map(|i| html! {
                    <li key={i.id}>
                        { format!(
                            "{} at {}",
                            i.name.clone().unwrap_or_else(|| i.subject.clone()),
                            host_of(&i.issuer)
                        ) }
                    </li>
                }) }
            </ul>
        }
    })
}
