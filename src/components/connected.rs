//! "Connected sign-in": the identities at the organization's identity provider that sign in to
//! this account (what the provider calls the person, when connected and last used), connecting
//! one (a round trip through the provider, after a recent confirmation) and removing one (while
//! another way in remains). Shown only when the server has a provider.

use gatehouse_api::endpoints::{ListIdentities, StartProviderLink, UnlinkIdentity};
use gatehouse_api::{LinkedIdentity, ProviderOutcome, ProviderRedirect};
use gatehouse_client::{Api, use_fetch, use_mutation};
use serde::Deserialize;
use yew::prelude::*;
use yew_router::prelude::*;

use super::time::when;
use super::{ErrorView, fetched, use_toasts};
use crate::provider::leave_for;

/// The page's `?provider=` (`gatehouse_api::PROVIDER_PARAM`): how connecting one came back.
#[derive(Default, Deserialize)]
struct OutcomeQuery {
    provider: Option<String>,
}

/// Props of `ConnectedSignIn`.
#[derive(Properties, PartialEq)]
pub struct ConnectedSignInProps {
    /// What the provider is called.
    pub label: AttrValue,
}

/// The section. How a connection came back is said once, and taken out of the address (a
/// reload does not say it again).
#[function_component]
pub fn ConnectedSignIn(props: &ConnectedSignInProps) -> Html {
    let toasts = use_toasts();
    let location = use_location();
    let navigator = use_navigator();
    let outcome = use_state(|| {
        location
            .as_ref()
            .and_then(|l| l.query::<OutcomeQuery>().ok())
            .and_then(|q| q.provider)
            .as_deref()
            .and_then(ProviderOutcome::parse)
    });
    {
        let pathname = location.as_ref().map(|l| l.path().to_string());
        use_effect_with(outcome.is_some(), move |came_back| {
            if *came_back && let (Some(navigator), Some(path)) = (navigator, pathname) {
                navigator.replace(&yew_router::AnyRoute::new(path));
            }
        });
    }
    let list = use_fetch(ListIdentities);
    let connect = use_mutation(move |api: Api, ()| async move {
        let redirect: ProviderRedirect = api.fetch(&StartProviderLink).await?;
        leave_for(&redirect.url);
        Ok(())
    });
    let remove = {
        let label = props.label.clone();
        use_mutation(move |api: Api, identity: LinkedIdentity| {
            let (toasts, label) = (toasts.clone(), label.clone());
            async move {
                api.fetch(&UnlinkIdentity { id: identity.id }).await?;
                toasts.say(format!(
                    "{label} account {} removed.",
                    shown_name(&identity)
                ));
                Ok(())
            }
        })
    };
    let label = props.label.clone();
    let rows = fetched(&list, |identities| {
        if identities.is_empty() {
            return html! { <p class="empty">{ format!("No {label} account is connected. Connect one to sign in with {label}, without a password here.") }</p> };
        }
        html! {
            <ul class="rows">
                { for identities.iter().map(|identity| {
                    let onremove = remove.reform({
                        let identity = identity.clone();
                        move |_: MouseEvent| identity.clone()
                    });
                    let name = shown_name(identity);
                    html! {
                        <li class="row" key={identity.id}>
                            <div>
                                <strong>{ name.clone() }</strong>
                                <p class="meta">
                                    { format!("{} · Connected ", host_of(&identity.issuer)) }{ when(&identity.linked_at) }
                                    { " · " }
                                    if let Some(used) = &identity.last_used_at {
                                        { "Last used " }{ when(used) }
                                    } else {
                                        { "Not used yet" }
                                    }
                                </p>
                            </div>
                            <div class="row-actions">
                                <button type="button" class="danger" onclick={onremove} disabled={remove.running()}
                                        aria-label={format!("Remove {name}")}>{ "Remove" }</button>
                            </div>
                        </li>
                    }
                }) }
            </ul>
        }
    });
    let leaving = connect.running() || connect.state.done().is_some();
    let any = matches!(&list.state, gatehouse_client::Fetch::Ready(rows) if !rows.is_empty());
    let said = (*outcome).map(|o| {
        let text = o.message(&props.label);
        if o.is_error() {
            html! { <p class="error" role="alert">{ text }</p> }
        } else {
            html! { <p class="success" role="status">{ text }</p> }
        }
    });
    html! {
        <section aria-labelledby="connected-title" class="card">
            <h2 id="connected-title">{ "Connected sign-in" }</h2>
            { said.unwrap_or_default() }
            { rows }
            <button type="button" onclick={connect.reform(|_: MouseEvent| ())} disabled={leaving}>
                { match (leaving, any) {
                    (true, _) => format!("Opening {}…", props.label),
                    (false, false) => format!("Connect {}", props.label),
                    (false, true) => format!("Connect another {} account", props.label),
                } }
            </button>
            if let Some(e) = connect.error().or(remove.error()).cloned() {
                <ErrorView error={e} />
            }
        </section>
    }
}

/// What to call an identity: the provider's name for the person, else its subject.
fn shown_name(identity: &LinkedIdentity) -> String {
    identity
        .name
        .clone()
        .unwrap_or_else(|| identity.subject.clone())
}

/// The issuer's host (`https://id.acme.example/realms/x` → `id.acme.example`).
pub fn host_of(issuer: &str) -> &str {
    let rest = issuer.split_once("://").map_or(issuer, |(_, rest)| rest);
    rest.split(['/', '?', '#']).next().unwrap_or(rest)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_issuer_is_shown_by_its_host() {
        assert_eq!(
            host_of("https://id.acme.example/realms/staff"),
            "id.acme.example"
        );
        assert_eq!(host_of("http://127.0.0.1:4444"), "127.0.0.1:4444");
        assert_eq!(host_of("odd"), "odd");
    }
}
