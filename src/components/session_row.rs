//! `session_row`: one place an account is signed in: the browser and address, when it signed
//! in and was last active, and (on the person's own list) "This device" or a Sign out button.

use gatehouse_api::ActiveSession;
use yew::prelude::*;

use super::time;

/// One session, as a list item keyed by its id. `onend` ends it: the row then offers Sign out
/// (or says "This device" for the current one); without it, the row only tells.
pub fn session_row(s: &ActiveSession, onend: Option<Callback<()>>) -> Html {
    let place = match &s.address {
        Some(address) => format!("{} · {address}", s.device),
        None => s.device.clone(),
    };
    let action = onend.map(|onend| {
        if s.current {
            html! { <span class="badge">{ "This device" }</span> }
        } else {
            let onclick = onend.reform(|_: MouseEvent| ());
            html! { <button type="button" {onclick} aria-label={format!("Sign out {}", s.device)}>{ "Sign out" }</button> }
        }
    });
    html! {
        <li key={s.id.clone()} class="row">
            <div>
                <strong>{ place }</strong>
                <p class="meta">
                    { "Signed in " }<time datetime={s.signed_in_at.clone()} title={time::full(&s.signed_in_at)}>{ time::relative(&s.signed_in_at) }</time>
                    { " · active " }<time datetime={s.last_active_at.clone()} title={time::full(&s.last_active_at)}>{ time::relative(&s.last_active_at) }</time>
                </p>
            </div>
            { action.unwrap_or_default() }
        </li>
    }
}

/// Sessions grouped by browser and address (one person's laptop, signed in from three tabs
/// or three times, is one place), the current session's group first, then the most recently
/// active; each group newest first.
pub fn grouped(sessions: &[ActiveSession]) -> Vec<Vec<ActiveSession>> {
    let mut groups: Vec<Vec<ActiveSession>> = Vec::new();
    for s in sessions {
        match groups
            .iter_mut()
            .find(|g| g[0].device == s.device && g[0].address == s.address)
        {
            Some(group) => group.push(s.clone()),
            None => groups.push(vec![s.clone()]),
        }
    }
    for group in &mut groups {
        group.sort_by(|a, b| {
            b.current
                .cmp(&a.current)
                .then_with(|| b.last_active_at.cmp(&a.last_active_at))
        });
    }
    groups.sort_by(|a, b| {
        b[0].current
            .cmp(&a[0].current)
            .then_with(|| b[0].last_active_at.cmp(&a[0].last_active_at))
    });
    groups
}

/// One place the person is signed in, as a list item: a group of `grouped`'s. `onend` ends
/// the sessions whose ids it is given: the group's, or for the current group its others.
pub fn session_group(group: &[ActiveSession], onend: Callback<Vec<String>>) -> Html {
    let first = &group[0];
    // The browser on the first line, where from under it: each fits a phone's line.
    let from = first
        .address
        .as_ref()
        .map(|address| format!("{address} · "));
    let others: Vec<String> = group
        .iter()
        .filter(|s| !s.current)
        .map(|s| s.id.clone())
        .collect();
    let count = (group.len() > 1).then(|| format!("{} sessions · ", group.len()));
    let action = if first.current {
        html! {
            <>
                <span class="badge">{ "This device" }</span>
                if !others.is_empty() {
                    <button type="button" onclick={onend.reform(move |_: MouseEvent| others.clone())}
                            aria-label={format!("Sign out the other sessions of {}", first.device)}>
                        { "Sign out the others" }
                    </button>
                }
            </>
        }
    } else {
        html! {
            <button type="button" onclick={onend.reform(move |_: MouseEvent| others.clone())}
                    aria-label={format!("Sign out {}", first.device)}>
                { "Sign out" }
            </button>
        }
    };
    html! {
        <li key={first.id.clone()} class="row session">
            <div>
                <strong>{ first.device.clone() }</strong>
                <p class="meta">
                    { from.unwrap_or_default() }
                    { count.unwrap_or_default() }
                    { "active " }<time datetime={first.last_active_at.clone()} title={time::full(&first.last_active_at)}>{ time::relative(&first.last_active_at) }</time>
                </p>
            </div>
            <div class="row-actions">{ action }</div>
        </li>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(id: &str, device: &str, address: &str, active: &str, current: bool) -> ActiveSession {
        ActiveSession {
            id: id.into(),
            device: device.into(),
            address: Some(address.into()),
            signed_in_at: "2026-01-01T00:00:00.000Z".into(),
            last_active_at: active.into(),
            current,
        }
    }

    #[test]
    fn sessions_of_one_browser_and_place_are_one_group_the_current_first() {
        let sessions = [
            s(
                "a",
                "Firefox on Linux",
                "10.0.0.2",
                "2026-01-03T00:00:00.000Z",
                false,
            ),
            s(
                "b",
                "Chrome on Android",
                "10.0.0.9",
                "2026-01-04T00:00:00.000Z",
                false,
            ),
            s(
                "c",
                "Firefox on Linux",
                "10.0.0.2",
                "2026-01-02T00:00:00.000Z",
                true,
            ),
            s(
                "d",
                "Firefox on Linux",
                "10.0.0.3",
                "2026-01-01T00:00:00.000Z",
                false,
            ),
        ];
        let groups = grouped(&sessions);
        let ids: Vec<Vec<&str>> = groups
            .iter()
            .map(|g| g.iter().map(|s| s.id.as_str()).collect())
            .collect();
        assert_eq!(ids, [vec!["c", "a"], vec!["b"], vec!["d"]]);
    }
}
