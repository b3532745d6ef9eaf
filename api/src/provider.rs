//! Signing in through the organization's OpenID provider: the identities linked to an account,
//! and what the browser is told when a round trip through the provider ends.
//!
//! The round trip itself is two browser navigations (`GET /api/auth/oidc/start` and the
//! provider's redirect to `GET /api/auth/oidc/callback`), answered with 303s: the outcome comes
//! back in the address of the page it lands on (`?provider=…`), never as JSON.

use serde::{Deserialize, Serialize};

/// The `<meta name>` the server puts in every page it serves when a provider is configured,
/// with its label (`--oidc-label`) as the content: the SPA reads it instead of asking.
pub const PROVIDER_META: &str = "gatehouse-provider";

/// The query parameter saying how a round trip through the provider ended.
pub const PROVIDER_PARAM: &str = "provider";

/// An identity at the provider linked to this account: its sign-ins open this account.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LinkedIdentity {
    /// Its id.
    pub id: i64,
    /// The provider's issuer URL.
    pub issuer: String,
    /// The provider's stable identifier for the person (`sub`).
    pub subject: String,
    /// What the provider calls the person (a name, username or address), when it said.
    pub name: Option<String>,
    /// RFC 3339, UTC.
    pub linked_at: String,
    /// RFC 3339, UTC; never used to sign in when absent.
    pub last_used_at: Option<String>,
}

/// Where the browser goes next: the provider's authorization page.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ProviderRedirect {
    /// The URL to navigate to.
    pub url: String,
}

/// How a round trip through the provider ended (`?provider=…` on the page it lands on).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ProviderOutcome {
    /// An identity was linked to the signed-in account.
    Linked,
    /// The person cancelled at the provider, or it refused.
    Cancelled,
    /// The answer could not be trusted or used: no round trip waiting (started in another
    /// browser, or more than five minutes ago), used already, or a token that did not verify.
    Failed,
    /// The provider could not be reached, or answered with an error.
    Unavailable,
    /// The identity is linked to no account here (and accounts are not created for it).
    NotLinked,
    /// The identity is linked to another account already.
    LinkedElsewhere,
    /// The account it is linked to is disabled.
    AccountDisabled,
    /// No provider is configured.
    Off,
}

impl ProviderOutcome {
    const ALL: [Self; 8] = [
        Self::Linked,
        Self::Cancelled,
        Self::Failed,
        Self::Unavailable,
        Self::NotLinked,
        Self::LinkedElsewhere,
        Self::AccountDisabled,
        Self::Off,
    ];

    /// Its spelling in the address.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Linked => "linked",
            Self::Cancelled => "cancelled",
            Self::Failed => "failed",
            Self::Unavailable => "unavailable",
            Self::NotLinked => "not_linked",
            Self::LinkedElsewhere => "linked_elsewhere",
            Self::AccountDisabled => "account_disabled",
            Self::Off => "off",
        }
    }

    /// The outcome spelled `s`, if any.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|o| o.as_str() == s)
    }

    /// Whether it is an error.
    pub fn is_error(self) -> bool {
        self != Self::Linked
    }

    /// What a person is told, naming the provider by `label`.
    pub fn message(self, label: &str) -> String {
        match self {
            Self::Linked => format!("{label} is connected: you can sign in with it from now on."),
            Self::Cancelled => {
                format!("Signing in with {label} was cancelled. You can try again, or sign in another way.")
            }
            Self::Failed => format!(
                "Signing in with {label} didn't work: it took too long, was started in another browser, or was used already. Please try again."
            ),
            Self::Unavailable => format!(
                "{label} can't be reached right now. Try again in a moment, or sign in another way."
            ),
            Self::NotLinked => format!(
                "That {label} account isn't connected to an account here. Sign in another way, then connect it from your account page."
            ),
            Self::LinkedElsewhere => format!(
                "That {label} account is already connected to another account here. Remove it there first."
            ),
            Self::AccountDisabled => {
                "This account has been disabled. Ask an administrator if you think that's a mistake."
                    .into()
            }
            Self::Off => "Signing in with an identity provider isn't set up on this server.".into(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_outcome_reads_back_from_its_spelling_and_says_a_sentence() {
        for outcome in ProviderOutcome::ALL {
            assert_eq!(ProviderOutcome::parse(outcome.as_str()), Some(outcome));
            let text = outcome.message("Acme SSO");
            assert!(text.ends_with('.'), "{text}");
            assert!(!text.contains('{'), "{text}");
        }
        assert_eq!(ProviderOutcome::parse("stack trace"), None);
    }
}
