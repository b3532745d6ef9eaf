//! The first paint: the sign-in page is pre-rendered at build time, so it shows (and works)
//! before the wasm has arrived, without JavaScript at all, and the app takes it over without
//! losing what was typed or where the focus was.

use fantoccini::Locator;
use gatehouse_e2e::{Env, Options, PASSWORD, journey};
use serde_json::json;

/// Whether the page is still the pre-rendered one (the app has not taken it over).
async fn still_pre_rendered(env: &Env) -> bool {
    env.js("return document.getElementById('prerendered') !== null")
        .await
        .as_bool()
        .unwrap()
}

async fn focused_field(env: &Env) -> String {
    env.js("return document.activeElement && document.activeElement.name || ''")
        .await
        .as_str()
        .unwrap_or_default()
        .to_string()
}

#[tokio::test]
async fn the_sign_in_page_shows_and_signs_in_before_the_wasm_has_arrived() {
    journey(
        "before_the_wasm",
        Options::default(),
        |env: Env| async move {
            env.server.lock().await.add_user("ann", false).await;
            env.cdp("Network.enable", json!({})).await;
            env.cdp("Network.setBlockedURLs", json!({ "urls": ["*.wasm"] }))
                .await;
            env.open_before_the_app("/login?next=%2Fnotes").await;
            env.wait_for_text("Sign in").await;
            assert!(still_pre_rendered(&env).await, "no wasm, no app");
            assert_eq!(env.client.title().await.unwrap(), "Sign in · Gatehouse");
            assert_eq!(focused_field(&env).await, "username", "autofocus");
            env.assert_accessible("the pre-rendered sign-in page").await;

            // A wrong password comes back to the page with the reason in the address, said on
            // the page, the username kept.
            env.sign_in("ann", "not the password").await;
            env.wait_for("the sign-in page again", |env: Env| async move {
                env.location().await == "/login?reason=invalid_credentials&next=%2Fnotes"
            })
            .await;
            env.wait_for_text("Wrong username or password.").await;
            assert_eq!(env.value("#username").await, "ann");
            // The right one lands where the user was going, signed in.
            env.sign_in("ann", PASSWORD).await;
            env.wait_for_path("/notes").await;
            let cookie = env.client.get_named_cookie("gatehouse_session").await;
            assert!(cookie.is_ok(), "a session cookie");

            // With the wasm back, the app shows the notes, and a failed plain-form sign-in's
            // reason reads as the form's own error would.
            env.cdp("Network.setBlockedURLs", json!({ "urls": [] }))
                .await;
            env.open("/notes").await;
            env.wait_for_text("New note").await;
            env.client.delete_all_cookies().await.unwrap();
            env.open("/login?reason=invalid_credentials&next=%2Fnotes")
                .await;
            let alert = env
                .js("const a = document.querySelector('[role=alert]'); return a && a.innerText")
                .await;
            assert_eq!(alert.as_str(), Some("Wrong username or password."));
        },
    )
    .await;
}

#[tokio::test]
async fn what_is_typed_before_the_app_takes_over_is_kept_with_the_focus_and_caret() {
    journey("typed_before_the_app", Options::default(), |env: Env| async move {
        env.server.lock().await.add_user("ann", false).await;
        // A slow line: the wasm takes seconds to arrive.
        env.cdp("Network.enable", json!({})).await;
        env.cdp(
            "Network.emulateNetworkConditions",
            json!({ "offline": false, "latency": 20, "downloadThroughput": 60_000, "uploadThroughput": -1 }),
        )
        .await;
        env.open_before_the_app("/login").await;
        env.wait_for_text("Sign in").await;
        env.type_into("input[name=username]", "ann").await;
        env.type_into("input[name=password]", &PASSWORD[..5]).await;
        assert!(
            still_pre_rendered(&env).await,
            "the app took over before the typing was done: slow the line further"
        );
        env.wait_for_the_app().await;
        env.cdp(
            "Network.emulateNetworkConditions",
            json!({ "offline": false, "latency": 0, "downloadThroughput": -1, "uploadThroughput": -1 }),
        )
        .await;
        assert_eq!(env.value("input[name=username]").await, "ann");
        assert_eq!(env.value("input[name=password]").await, &PASSWORD[..5]);
        assert_eq!(focused_field(&env).await, "password", "the focus stayed");
        // Typing goes on where it left off, and the app signs in with what it holds.
        env.type_into("input[name=password]", &PASSWORD[5..]).await;
        assert_eq!(env.value("input[name=password]").await, PASSWORD);
        env.click("button[type=submit]").await;
        env.wait_for_path("/dashboard").await;
    })
    .await;
}

#[tokio::test]
async fn with_javascript_off_the_sign_in_page_still_shows_and_signs_in() {
    journey("no_javascript", Options::default(), |env: Env| async move {
        env.server.lock().await.add_user("ann", false).await;
        env.cdp(
            "Emulation.setScriptExecutionDisabled",
            json!({ "value": true }),
        )
        .await;
        env.open_before_the_app("/login?next=%2Faccount").await;
        let find = |css: &'static str| env.element(Locator::Css(css));
        assert_eq!(find("h1").await.text().await.unwrap(), "Sign in");
        // What cannot work without JavaScript is not offered, and the page says what can.
        for dead in [".reveal", ".theme"] {
            let shown = find(dead).await.is_displayed().await.unwrap();
            assert!(!shown, "{dead} is hidden");
        }
        let note = find(".noscript").await.text().await.unwrap();
        assert!(
            note.starts_with("You can sign in without JavaScript"),
            "{note}"
        );
        // A wrong password says so on the page, and keeps the username and where to go next.
        env.sign_in("ann", "not the password").await;
        let alert = find("[role=alert]").await.text().await.unwrap();
        assert_eq!(alert, "Wrong username or password.");
        let typed = find("#username").await.prop("value").await.unwrap();
        assert_eq!(typed.as_deref(), Some("ann"));
        // How to get back in, without the app too.
        find(".forgot summary").await.click().await.unwrap();
        let help = find(".forgot p").await.text().await.unwrap();
        assert!(help.contains("Ask an administrator to reset it."), "{help}");
        env.sign_in("ann", PASSWORD).await;
        env.wait_for_path("/account").await;
        assert!(
            env.client
                .get_named_cookie("gatehouse_session")
                .await
                .is_ok(),
            "signed in"
        );
    })
    .await;
}

#[tokio::test]
async fn the_landing_page_paints_before_the_wasm_has_arrived() {
    journey(
        "home_before_the_wasm",
        Options::default(),
        |env: Env| async move {
            env.cdp("Network.enable", json!({})).await;
            env.cdp("Network.setBlockedURLs", json!({ "urls": ["*.wasm"] }))
                .await;
            env.open_before_the_app("/").await;
            env.wait_for_text("Your notes, kept private").await;
            assert!(still_pre_rendered(&env).await, "no wasm, no app");
            assert!(env.text().await.contains("Find anything"));
            assert_eq!(
                env.client.title().await.unwrap(),
                "Your notes, kept private · Gatehouse"
            );
            env.assert_accessible("the pre-rendered landing page").await;
        },
    )
    .await;
}
