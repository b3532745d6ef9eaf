//! Users meet Gatehouse in a browser: each journey drives headless Chromium against the real
//! server binary with the release SPA and a fresh database.

use gatehouse_e2e::{Env, Options, PASSWORD, journey};

/// What only a signed-in user sees on the dashboard.
const SECRET: &str = "Your recent notes";

#[tokio::test]
async fn a_protected_page_opened_signed_out_lands_on_login_and_signing_in_returns_there_with_query_and_hash()
 {
    journey(
        "return_to_protected_page",
        Options::default(),
        |env: Env| async move {
            env.server.lock().await.add_user("ann", false).await;
            env.open("/dashboard?tab=a#sec").await;
            env.wait_for_path("/login").await;
            assert_eq!(
                env.location().await,
                "/login?next=%2Fdashboard%3Ftab%3Da%23sec&reason=unauthenticated"
            );
            env.wait_for_text("Please sign in to continue.").await;
            env.sign_in("ann", PASSWORD).await;
            env.wait_for_path("/dashboard").await;
            assert_eq!(env.location().await, "/dashboard?tab=a#sec");
            env.wait_for_text(SECRET).await;
            env.wait_for_text("Welcome, ann").await;
        },
    )
    .await;
}

#[tokio::test]
async fn a_wrong_password_shows_the_error_in_the_form_and_stays_on_login() {
    journey(
        "wrong_password",
        Options::default(),
        |env: Env| async move {
            env.server.lock().await.add_user("ann", false).await;
            env.open("/login").await;
            let history = env.history_length().await;
            env.sign_in("ann", "not the password").await;
            env.wait_for("the alert", |env: Env| async move {
                env.js(
                    "const a = document.querySelector('[role=alert]'); return a ? a.innerText : ''",
                )
                .await
                .as_str()
                .is_some_and(|t| t.contains("Wrong username or password."))
            })
            .await;
            assert_eq!(env.location().await, "/login");
            assert_eq!(env.history_length().await, history, "nothing navigated");
            let focused = env
                .js("return document.activeElement.getAttribute('role')")
                .await;
            assert_eq!(focused, "alert", "focus moves to the alert");
        },
    )
    .await;
}

#[tokio::test]
async fn after_signing_out_the_back_button_shows_no_protected_data_and_goes_to_login() {
    journey(
        "sign_out_then_back",
        Options::default(),
        |env: Env| async move {
            env.server.lock().await.add_user("ann", false).await;
            env.signed_in("ann").await;
            env.click("a[href='/dashboard']").await;
            env.wait_for_text(SECRET).await;
            env.click_button("Sign out").await;
            env.wait_for_path("/login").await;
            env.client.back().await.unwrap();
            env.wait_for_path("/login").await;
            assert!(
                env.location().await.contains("next=%2Fdashboard"),
                "{}",
                env.location().await
            );
            assert!(!env.text().await.contains(SECRET));
            // The old session is gone on the server too: a reload does not bring the data back.
            env.open("/dashboard").await;
            env.wait_for_path("/login").await;
            assert!(!env.text().await.contains(SECRET));
        },
    )
    .await;
}

#[tokio::test]
async fn a_session_expiring_while_editing_returns_to_the_editor_with_the_unsaved_text_after_sign_in()
 {
    let options = Options {
        idle_timeout: "3s",
        ..Options::default()
    };
    journey("expiry_while_editing", options, |env: Env| async move {
        env.server.lock().await.add_user("ann", false).await;
        env.signed_in("ann").await;
        let note = env.new_note("Draft", "first words").await;
        env.fill("#body", "words I must not lose").await;
        // Nobody touches the page: the warning comes, then at the deadline the page asks the
        // server, which says the session is over.
        env.wait_for_path("/login").await;
        assert!(env.location().await.contains("reason=session_expired"));
        env.wait_for_text("Your session has expired").await;
        env.sign_in("ann", PASSWORD).await;
        env.wait_for_path(&note).await;
        env.wait_for_text("Your unsaved changes were restored")
            .await;
        let body = env.js("return document.querySelector('#body').value").await;
        assert_eq!(body, "words I must not lose");
        assert!(
            env.text().await.contains("Version 1"),
            "never resubmitted automatically"
        );
    })
    .await;
}

/// Ends the browser's session on the server behind the page's back (as another device or an
/// administrator would), so the page learns of it only from its next requests.
async fn end_session_behind_the_page(env: &Env) {
    let (status, _) = env.call(&gatehouse_api::endpoints::Logout, None).await;
    assert_eq!(status, 204, "signed out on the server");
}

#[tokio::test]
async fn a_page_whose_requests_all_fail_with_401_navigates_exactly_once() {
    journey(
        "failing_page_navigates_once",
        Options::default(),
        |env: Env| async move {
            env.server.lock().await.add_user("ann", false).await;
            env.signed_in("ann").await;
            env.click("a[href='/notes']").await;
            env.wait_for_text("No notes yet").await;
            end_session_behind_the_page(&env).await;
            let before = env.history_length().await;
            // The dashboard fires its requests together; all answer 401.
            env.click("a[href='/dashboard']").await;
            env.wait_for_path("/login").await;
            assert_eq!(
                env.location().await,
                "/login?next=%2Fdashboard&reason=unauthenticated"
            );
            assert_eq!(
                env.history_length().await,
                before + 1,
                "the link's push, then one replace"
            );
        },
    )
    .await;
}

#[tokio::test]
async fn a_non_admin_opening_admin_is_told_the_account_lacks_access_and_an_admin_sees_the_users() {
    journey("admin_only", Options::default(), |env: Env| async move {
        {
            let server = env.server.lock().await;
            server.add_user("ann", false).await;
            server.add_user("root", true).await;
        }
        env.signed_in("ann").await;
        env.open("/admin").await;
        env.wait_for_path("/login").await;
        assert!(env.location().await.contains("reason=forbidden"));
        env.wait_for_text("You're signed in as ann, which can't open Admin.").await;
        env.click_button("Sign in as someone else").await;
        env.sign_in("root", PASSWORD).await;
        env.wait_for_path("/admin").await;
        env.wait_for_text("Users").await;
        // The heading comes before the list has loaded: wait for the rows themselves.
        env.wait_for("the rows ann and root", |env| async move {
            env.js("return [...document.querySelectorAll('table.users td:first-child')].map(td => td.innerText)")
                .await
                == serde_json::json!(["ann", "root"])
        })
        .await;
    })
    .await;
}

#[tokio::test]
async fn a_lost_csrf_cookie_is_asked_for_again_and_a_forged_one_asks_to_sign_in_losing_nothing() {
    journey(
        "csrf_cookie_removed",
        Options::default(),
        |env: Env| async move {
            env.server.lock().await.add_user("ann", false).await;
            env.signed_in("ann").await;
            let note = env.new_note("Keep", "original").await;
            // Lost (a browser restart under an older server): the client asks for the token
            // and the save goes through, once.
            env.js("document.cookie = 'CSRF-TOKEN=; path=/; max-age=0'; return null")
                .await;
            env.fill("#body", "saved without a token").await;
            env.click_button("Save").await;
            env.wait_for_text("Version 2").await;
            assert_eq!(env.location().await, note);
            // Forged: refused, and the way back through sign-in keeps the text.
            env.js("document.cookie = 'CSRF-TOKEN=forged; path=/'; return null")
                .await;
            env.fill("#body", "edited with a forged token").await;
            env.click_button("Save").await;
            env.wait_for_path("/login").await;
            assert!(env.location().await.contains("reason=csrf_failed"));
            env.wait_for_text("A security check failed").await;
            env.sign_in("ann", PASSWORD).await;
            env.wait_for_path(&note).await;
            env.wait_for_text("Your unsaved changes were restored")
                .await;
            assert_eq!(
                env.js("return document.querySelector('#body').value").await,
                "edited with a forged token"
            );
            // The server's copy is untouched and still there.
            assert!(env.text().await.contains("Version 2"));
            env.click_button("Save").await;
            env.wait_for_text("Saved.").await;
            // The toast and the editor render apart: wait for the version, not only the toast.
            env.wait_for_text("Version 3").await;
        },
    )
    .await;
}

#[tokio::test]
async fn with_the_server_stopped_one_banner_says_so_and_after_a_restart_the_page_loads_by_itself() {
    journey(
        "server_restart",
        Options::default(),
        |env: Env| async move {
            env.server.lock().await.add_user("ann", false).await;
            env.signed_in("ann").await;
            env.server.lock().await.stop().await;
            env.click("a[href='/notes']").await;
            // One banner says so, and that it keeps trying; the page says only what waits.
            env.wait_for_count(".unreachable", 1).await;
            env.wait_for_text("Not loaded yet").await;
            assert_eq!(env.location().await, "/notes", "stays where it is");
            assert_eq!(env.count("[role=alert]").await, 0, "one message, not two");
            assert!(env.text().await.contains("Gatehouse can't be reached."));
            env.assert_accessible("the unreachable banner").await;
            env.server.lock().await.restart().await;
            // It goes by itself once the server answers, and the page loads what it lacked.
            env.wait_for_count(".unreachable", 0).await;
            env.wait_for_text("No notes yet").await;
            assert_eq!(env.location().await, "/notes");
        },
    )
    .await;
}

#[tokio::test]
async fn an_unsafe_next_parameter_lands_on_the_dashboard_after_sign_in() {
    journey("unsafe_next", Options::default(), |env: Env| async move {
        env.server.lock().await.add_user("ann", false).await;
        for next in ["//evil.example", "https://evil.example", "/%5Cevil.example"] {
            env.open(&format!(
                "/login?next={}",
                next.replace('/', "%2F").replace(':', "%3A")
            ))
            .await;
            env.sign_in("ann", PASSWORD).await;
            env.wait_for_path("/dashboard").await;
            let url = env.client.current_url().await.unwrap();
            assert_eq!(url.host_str(), Some("127.0.0.1"), "{next}");
            assert_eq!(url.path(), "/dashboard", "{next}");
            env.click_button("Sign out").await;
            env.wait_for_path("/login").await;
        }
    })
    .await;
}

#[tokio::test]
async fn signing_out_in_one_window_sends_the_other_to_login_without_a_reload() {
    journey("two_windows", Options::default(), |env: Env| async move {
        env.server.lock().await.add_user("ann", false).await;
        env.signed_in("ann").await;
        let first = env.client.window().await.unwrap();
        let second = env.client.new_window(true).await.unwrap().handle;
        env.client.switch_to_window(second.clone()).await.unwrap();
        env.open("/dashboard").await;
        env.wait_for_text(SECRET).await;
        env.js("window.__same_document = true; return null").await;
        env.client.switch_to_window(first).await.unwrap();
        env.click_button("Sign out").await;
        env.wait_for_path("/login").await;
        env.client.switch_to_window(second).await.unwrap();
        env.wait_for_path("/login").await;
        assert_eq!(
            env.js("return window.__same_document === true").await,
            true,
            "no reload"
        );
        assert!(!env.text().await.contains(SECRET));
    })
    .await;
}

#[tokio::test]
async fn reloading_a_deep_link_renders_that_note_and_unknown_api_paths_answer_json_404() {
    journey("deep_link", Options::default(), |env: Env| async move {
        env.server.lock().await.add_user("ann", false).await;
        env.signed_in("ann").await;
        let note = env.new_note("Deep", "linked").await;
        env.client.refresh().await.unwrap();
        env.wait_for_path(&note).await;
        env.wait_for("the note", |env: Env| async move {
            env.js("const t = document.querySelector('#title'); return t ? t.value : ''")
                .await
                == "Deep"
        })
        .await;
        // A path under /api that no endpoint declares, on purpose: written out, not named.
        env.open("/api/no-such-thing").await;
        let body = env.text().await;
        let json: serde_json::Value =
            serde_json::from_str(&body).unwrap_or_else(|_| panic!("not JSON: {body}"));
        assert_eq!(json["code"], "not_found");
    })
    .await;
}
