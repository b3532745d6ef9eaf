//! `EventList`: security events (sign-ins, failed attempts, changes) as a list, each in words,
//! with where it came from and when: the account page's and, for administrators, another's.

use gatehouse_api::{SecurityEvent, SecurityEventKind};
use yew::prelude::*;

use super::time;

/// What an event says, in words.
pub fn event_text(e: &SecurityEvent) -> String {
    use SecurityEventKind as K;
    let by_admin = |done: &str| match &e.by {
        Some(admin) => format!("{done} by an administrator ({admin})"),
        None => done.to_string(),
    };
    let subject = e.subject.as_deref().unwrap_or("an account");
    match (e.kind, e.subject.is_some()) {
        (K::SignedIn, _) => "Signed in".into(),
        (K::SignInFailed, _) => "Failed sign-in attempt".into(),
        (K::SignedOut, _) => "Signed out".into(),
        (K::Reauthenticated, _) => "Confirmed your password".into(),
        (K::PasswordChanged, _) => by_admin("Password changed"),
        (K::SessionEnded, true) => format!("Ended the sessions of {subject}"),
        (K::SessionEnded, false) if e.by.is_some() => by_admin("Sessions ended"),
        (K::SessionEnded, false) => "Signed out a session".into(),
        (K::AccountCreated, true) => format!("Created the account {subject}"),
        (K::AccountCreated, false) => by_admin("Account created"),
        (K::RoleChanged, true) => format!("Made {subject} {}", role_words(e.detail.as_deref())),
        (K::RoleChanged, false) => by_admin(&format!("Made {}", role_words(e.detail.as_deref()))),
        (K::AccountDisabled, true) => format!("Disabled the account {subject}"),
        (K::AccountDisabled, false) => by_admin("Account disabled"),
        (K::AccountEnabled, true) => format!("Enabled the account {subject}"),
        (K::AccountEnabled, false) => by_admin("Account enabled"),
        (K::PasswordReset, true) => format!("Reset the password of {subject}"),
        (K::PasswordReset, false) => by_admin("Password reset"),
        (K::AccountRemoved, _) => format!("Removed the account {subject}"),
        (K::PasskeyAdded, _) => named("Added the passkey", e.detail.as_deref()),
        (K::PasskeyRemoved, true) => format!("Removed the passkeys of {subject}"),
        (K::PasskeyRemoved, false) if e.by.is_some() => by_admin("Passkeys removed"),
        (K::PasskeyRemoved, false) => named("Removed the passkey", e.detail.as_deref()),
        (K::TotpEnabled, _) => "Turned on the authenticator app".into(),
        (K::TotpDisabled, true) => format!("Turned off the authenticator app of {subject}"),
        (K::TotpDisabled, false) => by_admin("Authenticator app turned off"),
        (K::RecoveryCodesRenewed, _) => "Made new recovery codes".into(),
        (K::RecoveryCodeUsed, _) => "Used a recovery code".into(),
        (K::SecondFactorFailed, _) => "Wrong code from the authenticator app".into(),
        (K::IdentityLinked, _) => named("Connected the sign-in", e.detail.as_deref()),
        (K::IdentityUnlinked, true) => format!("Removed the connected sign-ins of {subject}"),
        (K::IdentityUnlinked, false) if e.by.is_some() => by_admin("Connected sign-ins removed"),
        (K::IdentityUnlinked, false) => named("Removed the connected sign-in", e.detail.as_deref()),
        (K::Other, _) => "Something changed".into(),
    }
}

/// "Added the passkey “Work laptop”", or without the name when there is none.
fn named(done: &str, name: Option<&str>) -> String {
    match name {
        Some(name) => format!("{done} “{name}”"),
        None => done.to_string(),
    }
}

fn role_words(role: Option<&str>) -> &'static str {
    match role {
        Some("admin") => "an administrator",
        _ => "a user",
    }
}

/// Security events, newest first, as a list ("Nothing yet." when there are none).
pub fn event_list(events: &[SecurityEvent]) -> Html {
    if events.is_empty() {
        return html! { <p class="empty">{ "Nothing yet." }</p> };
    }
    html! {
        <ul class="rows events">
            { for events.iter().map(|e| {
                let place = [e.device.clone(), e.address.clone()].into_iter().flatten().collect::<Vec<_>>().join(" · ");
                let warn = matches!(e.kind, SecurityEventKind::SignInFailed);
                html! {
                    <li class={classes!("row", warn.then_some("warn"))}>
                        <div>
                            <strong>{ event_text(e) }</strong>
                            if !place.is_empty() { <p class="meta">{ place }</p> }
                        </div>
                        <time datetime={e.at.clone()} title={time::full(&e.at)}>{ time::relative(&e.at) }</time>
                    </li>
                }
            }) }
        </ul>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use SecurityEventKind as K;

    fn event(
        kind: K,
        by: Option<&str>,
        subject: Option<&str>,
        detail: Option<&str>,
    ) -> SecurityEvent {
        SecurityEvent {
            kind,
            at: "2026-01-01T00:00:00Z".into(),
            device: None,
            address: None,
            by: by.map(Into::into),
            subject: subject.map(Into::into),
            detail: detail.map(Into::into),
        }
    }

    #[test]
    fn an_administrators_change_to_an_account_names_the_administrator() {
        let e = event(K::PasswordChanged, Some("root"), None, None);
        assert_eq!(
            event_text(&e),
            "Password changed by an administrator (root)"
        );
        let e = event(K::PasswordChanged, None, None, None);
        assert_eq!(event_text(&e), "Password changed");
        let e = event(K::SessionEnded, Some("root"), None, None);
        assert_eq!(event_text(&e), "Sessions ended by an administrator (root)");
    }

    #[test]
    fn an_administrators_own_activity_names_the_account_acted_on() {
        let e = event(K::RoleChanged, None, Some("bea"), Some("admin"));
        assert_eq!(event_text(&e), "Made bea an administrator");
        let e = event(K::RoleChanged, Some("root"), None, Some("user"));
        assert_eq!(event_text(&e), "Made a user by an administrator (root)");
        let e = event(K::SessionEnded, None, Some("bea"), None);
        assert_eq!(event_text(&e), "Ended the sessions of bea");
    }

    #[test]
    fn a_session_ended_by_its_owner_reads_signed_out_a_session() {
        let e = event(K::SessionEnded, None, None, None);
        assert_eq!(event_text(&e), "Signed out a session");
    }
}
