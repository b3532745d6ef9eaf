//! The session made visible: the expiry warning and its countdown, activity shared between tabs,
//! the account page's sessions and password change, and "Confirm it's you".

use std::time::Duration;

use gatehouse_api::endpoints::{CreateNote, GetSessionState};
use gatehouse_e2e::{Env, Options, PASSWORD, PHONE, Screen, journey};

const SESSION_ROWS: &str = "section[aria-labelledby=sessions-title] li.row";
const NEW_PASSWORD: &str = "otter lantern quarry 42";

/// The countdown the warning shows, in seconds.
async fn countdown(env: &Env) -> u64 {
    let text = env
        .js("const c = document.querySelector('[role=alertdialog] .countdown'); return c ? c.innerText : ''")
        .await;
    let text = text.as_str().unwrap_or_default();
    let (minutes, seconds) = text
        .split_once(':')
        .unwrap_or_else(|| panic!("a m:ss countdown, not {text:?}"));
    minutes.parse::<u64>().unwrap() * 60 + seconds.parse::<u64>().unwrap()
}

async fn warning_shown(env: Env) -> bool {
    env.count("[role=alertdialog]").await == 1
}

#[tokio::test]
async fn the_expiry_warning_counts_down_stay_signed_in_renews_and_an_unanswered_one_signs_out_at_the_deadline()
 {
    let options = Options {
        idle_timeout: "15s",
        ..Options::default()
    };
    journey("expiry_warning", options, |env: Env| async move {
        env.server.lock().await.add_user("ann", false).await;
        env.signed_in("ann").await;
        // A third of the idle timeout ahead of it (two minutes at most).
        env.wait_for("the warning", warning_shown).await;
        env.wait_for_text("Are you still there?").await;
        let left = countdown(&env).await;
        assert!((1..=5).contains(&left), "{left} s left");
        assert_eq!(
            env.js("return document.activeElement.getAttribute('role')")
                .await,
            "alertdialog",
            "focus moves to the warning"
        );
        env.assert_accessible("the expiry warning").await;

        env.click_button("Stay signed in").await;
        env.wait_for("the warning to close", |env: Env| async move {
            !warning_shown(env).await
        })
        .await;
        assert_eq!(env.location().await, "/dashboard");
        let (status, state) = env.call(&GetSessionState, None).await;
        assert_eq!(status, 200);
        assert_eq!(state["idle_timeout_seconds"], 15);

        // Nobody answers the next one: at the deadline the tab asks the server, and goes.
        env.wait_for("the warning again", warning_shown).await;
        env.wait_for_path("/login").await;
        assert_eq!(
            env.location().await,
            "/login?next=%2Fdashboard&reason=session_expired"
        );
        env.wait_for_text("Your session has expired").await;
    })
    .await;
}

#[tokio::test]
async fn typing_in_one_tab_keeps_the_other_tab_signed_in_without_a_warning() {
    let options = Options {
        idle_timeout: "12s",
        ..Options::default()
    };
    journey("activity_across_tabs", options, |env: Env| async move {
        env.server.lock().await.add_user("ann", false).await;
        env.signed_in("ann").await;
        let first = env.client.window().await.unwrap();
        let second = env.client.new_window(true).await.unwrap().handle;
        env.client.switch_to_window(second.clone()).await.unwrap();
        env.open("/dashboard").await;
        env.wait_for_text("Welcome, ann").await;
        env.js("window.__warned = false;
             new MutationObserver(() => {
               if (document.querySelector('[role=alertdialog]')) window.__warned = true;
             }).observe(document.body, { childList: true, subtree: true });
             return null")
            .await;
        env.client.switch_to_window(first).await.unwrap();
        env.open("/notes/new").await;
        // Someone types a little every two seconds for twice the idle timeout, in this tab only.
        // (The pauses are the person's, not a wait for the page.)
        for _ in 0..12 {
            env.type_into("#new-body", "a").await;
            tokio::time::sleep(Duration::from_secs(2)).await;
        }
        env.client.switch_to_window(second).await.unwrap();
        assert_eq!(env.location().await, "/dashboard", "still signed in");
        assert_eq!(
            env.js("return window.__warned").await,
            false,
            "never warned"
        );
        let (status, _) = env.call(&GetSessionState, None).await;
        assert_eq!(status, 200);
    })
    .await;
}

#[tokio::test]
async fn signing_out_another_session_from_the_account_page_sends_that_browser_to_sign_in() {
    journey(
        "end_other_session",
        Options::default(),
        |env: Env| async move {
            env.server.lock().await.add_user("ann", false).await;
            env.signed_in("ann").await;
            let (_phone, phone) = env.another_browser().await;
            phone.signed_in("ann").await;

            env.open("/account").await;
            env.wait_for_text("Where you're signed in").await;
            // Both browsers here are Chrome on this machine: one place, two sessions, this
            // one first and marked.
            env.wait_for_text("2 sessions").await;
            env.wait_for_count(SESSION_ROWS, 1).await;
            assert_eq!(
                env.count("section[aria-labelledby=sessions-title] .badge")
                    .await,
                1,
                "this device is marked"
            );
            env.click(
                "section[aria-labelledby=sessions-title] button[aria-label^='Sign out the other']",
            )
            .await;
            env.wait_for_text("Signed out that session.").await;
            env.wait_for(
                "the group to be this session alone",
                |env: Env| async move { !env.text().await.contains("2 sessions") },
            )
            .await;

            phone.click("a[href='/notes']").await;
            phone.wait_for_path("/login").await;
            assert_eq!(
                phone.location().await,
                "/login?next=%2Fnotes&reason=session_ended"
            );
            phone
                .wait_for_text("This session was ended from another device or by an administrator.")
                .await;
            // This browser is still signed in.
            let (status, _) = env.call(&GetSessionState, None).await;
            assert_eq!(status, 200);
        },
    )
    .await;
}

#[tokio::test]
async fn a_password_change_after_the_confirmation_window_never_asks_for_the_password_twice() {
    let options = Options {
        reauth_window: "3s",
        ..Options::default()
    };
    journey("password_change_reauth", options, |env: Env| async move {
        env.server.lock().await.add_user("ann", false).await;
        env.signed_in("ann").await;
        let (_laptop, laptop) = env.another_browser().await;
        laptop.signed_in("ann").await;

        env.open("/account").await;
        env.wait_for_text("Change your password").await;
        // The condition is time passing: the password typed at sign-in must be older than
        // the window. The form's current password is itself the confirmation.
        tokio::time::sleep(Duration::from_millis(3_500)).await;
        env.fill("#current_password", PASSWORD).await;
        env.fill("#new_password", NEW_PASSWORD).await;
        env.click_button("Change password").await;
        env.wait_for_text("Password changed.").await;
        assert_eq!(env.location().await, "/account");

        // Everywhere else is signed out; the new password works there.
        laptop.click("a[href='/notes']").await;
        laptop.wait_for_path("/login").await;
        let at = laptop.location().await;
        assert!(at.contains("reason=password_changed"), "{at}");
        laptop
            .wait_for_text("Your password was changed, so this browser was signed out.")
            .await;
        laptop.sign_in("ann", NEW_PASSWORD).await;
        laptop.wait_for_path("/notes").await;
        // And this browser stays signed in.
        let (status, _) = env.call(&GetSessionState, None).await;
        assert_eq!(status, 200);
    })
    .await;
}

#[tokio::test]
async fn signing_out_elsewhere_after_the_confirmation_window_asks_for_the_password_then_is_done() {
    let options = Options {
        reauth_window: "3s",
        ..Options::default()
    };
    journey("end_others_reauth", options, |env: Env| async move {
        env.server.lock().await.add_user("ann", false).await;
        env.signed_in("ann").await;
        let (_laptop, laptop) = env.another_browser().await;
        laptop.signed_in("ann").await;

        env.open("/account").await;
        env.wait_for_text("Sign out everywhere else").await;
        // The condition is time passing, as above.
        tokio::time::sleep(Duration::from_millis(3_500)).await;
        env.click_button("Sign out everywhere else").await;

        env.wait_for_path("/login").await;
        assert_eq!(
            env.location().await,
            "/login?next=%2Faccount&reason=reauth_required"
        );
        env.wait_for_text("Confirm it's you").await;
        env.fill("input[name=password]", "not my password").await;
        env.click_button("Confirm").await;
        env.wait_for_field_error("#password").await;
        env.fill("input[name=password]", PASSWORD).await;
        env.click_button("Confirm").await;

        // The confirmation finishes what was asked: nothing to click again, and the page
        // shows the truth at once.
        env.wait_for_path("/account").await;
        env.wait_for_text("Confirmed, and done.").await;
        env.wait_for(
            "the other session to leave the list",
            |env: Env| async move { !env.text().await.contains("Sign out everywhere else") },
        )
        .await;
        assert_eq!(
            env.count("section[aria-labelledby=sessions-title] li")
                .await,
            1
        );
        laptop.click("a[href='/notes']").await;
        laptop.wait_for_path("/login").await;
        let (status, _) = env.call(&GetSessionState, None).await;
        assert_eq!(status, 200, "this browser stays signed in");
    })
    .await;
}

#[tokio::test]
async fn the_dashboard_says_when_and_where_the_last_sign_in_was_and_the_failed_attempts_since() {
    journey("last_sign_in", Options::default(), |env: Env| async move {
        env.server.lock().await.add_user("ann", false).await;
        env.signed_in("ann").await;
        // A first sign-in has nothing to compare with.
        env.wait_for_text("Your recent notes").await;
        assert!(!env.text().await.contains("Last signed in"));
        env.click_button("Sign out").await;
        env.wait_for_path("/login").await;
        for _ in 0..2 {
            env.sign_in("ann", "not the password").await;
            env.wait_for("the answer", |env: Env| async move {
                env.js("return document.querySelector('form').getAttribute('aria-busy')")
                    .await
                    == "false"
            })
            .await;
            env.wait_for_text("Wrong username or password.").await;
        }
        env.sign_in("ann", PASSWORD).await;
        env.wait_for_path("/dashboard").await;
        env.wait_for_text("Last signed in just now from Chrome on Linux (127.0.0.1). 2 failed sign-in attempts since.")
            .await;
        env.click_link("Review your account").await;
        env.wait_for_path("/account").await;
        env.wait_for_text("Failed sign-in attempt").await;
    })
    .await;
}

#[tokio::test]
async fn on_a_phone_the_expiry_warning_leaves_the_editors_save_and_delete_uncovered() {
    let options = Options {
        idle_timeout: "15s",
        ..Options::default()
    };
    journey("expiry_on_a_phone", options, |env: Env| async move {
        env.server.lock().await.add_user("ann", false).await;
        env.signed_in("ann").await;
        let (status, note) = env
            .call(&CreateNote, Some(serde_json::json!({ "title": "Plans", "body": "Go north." })))
            .await;
        assert_eq!(status, 201);
        // A phone with its keyboard open: half the screen is left for the page.
        let typing = Screen {
            height: 420,
            ..PHONE
        };
        env.look_like(typing, false).await;
        env.open(&format!("/notes/{}", note["id"])).await;
        env.wait_for_text("Version 1").await;
        env.wait_for("the warning", warning_shown).await;
        // Wherever the page is scrolled: where it is, with the buttons at the top, the middle
        // and the bottom of the screen.
        let bring = |block: &str| {
            format!("document.querySelector('form.editor .actions').scrollIntoView({{block: '{block}'}});")
        };
        for place in [String::new(), bring("start"), bring("center"), bring("end")] {
            let covered = env
                .js(&format!(
                    "{place}
                     const w = document.querySelector('.expiry').getBoundingClientRect();
                     return [...document.querySelectorAll('form.editor .actions button')].some(b => {{
                         const r = b.getBoundingClientRect();
                         return !(r.bottom <= w.top || r.top >= w.bottom || r.right <= w.left || r.left >= w.right);
                     }})"
                ))
                .await;
            assert_eq!(covered, false, "Save or Delete under the warning ({place:?})");
        }
    })
    .await;
}
