//! The account's ways to sign in, for administrators: password, authenticator app, passkeys;
//! turning its app off or removing its passkeys (which ends its sessions).

use gatehouse_api::AdminUser;
use gatehouse_api::endpoints::{RemoveUserPasskeys, RemoveUserTotp};
use gatehouse_client::{Api, use_mutation};
use yew::prelude::*;

use crate::components::{ErrorView, use_toasts};

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
        use_mutation(move |api: Api, passkeys: bool| {
            let (toasts, name) = (toasts.clone(), name.clone());
            async move {
                if passkeys {
                    api.fetch(&RemoveUserPasskeys { id }).await?;
                    toasts.say(format!("Passkeys of {name} removed; their sessions ended."));
                } else {
                    api.fetch(&RemoveUserTotp { id }).await?;
                    toasts.say(format!(
                        "Authenticator app of {name} turned off; their sessions ended."
                    ));
                }
                Ok(())
            }
        })
    };
    let mut ways = vec!["password".to_string()];
    if user.totp {
        ways.push("authenticator app".into());
    }
    match user.passkeys {
        0 => {}
        1 => ways.push("1 passkey".into()),
        n => ways.push(format!("{n} passkeys")),
    }
    html! {
        <section aria-labelledby="methods-title" class="card">
            <h2 id="methods-title">{ "Ways to sign in" }</h2>
            <p>{ gatehouse_client::capitalized(&ways.join(", ")) }</p>
            <div class="actions">
                if user.totp {
                    <button type="button" class="danger" disabled={remove.running()}
                            onclick={remove.reform(|_: MouseEvent| false)}>{ "Turn off authenticator app" }</button>
                }
                if user.passkeys > 0 {
                    <button type="button" class="danger" disabled={remove.running()}
                            onclick={remove.reform(|_: MouseEvent| true)}>{ "Remove passkeys" }</button>
                }
            </div>
            if let Some(e) = remove.error().cloned() {
                <ErrorView error={e} />
            }
        </section>
    }
}
