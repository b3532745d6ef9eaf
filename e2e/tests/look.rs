//! Every page as people see it: at phone and desktop width, in light and dark, each checked by
//! axe-core and photographed (whole page) into `target/screenshots/` (or
//! `GATEHOUSE_SCREENSHOTS`; `cargo xtask screenshots` writes `docs/screenshots/`).

use std::path::PathBuf;

use gatehouse_api::endpoints::{CreateNote, UpdateNote};
use gatehouse_e2e::{
    DESKTOP, Env, Options, PASSWORD, PHONE, journey, provider_env, totp_code, workspace_target,
};
use serde_json::json;

fn screenshots() -> PathBuf {
    std::env::var_os("GATEHOUSE_SCREENSHOTS")
        .map(PathBuf::from)
        .unwrap_or_else(|| workspace_target().join("screenshots"))
}

/// Looks at the page as it is now in the four ways, saving each picture as
/// `NAME-{desktop,phone}-{light,dark}.png`; returns what axe-core found, prefixed with where.
async fn look_at(env: &Env, name: &str) -> Vec<String> {
    let dir = screenshots();
    std::fs::create_dir_all(&dir).unwrap();
    let mut found = Vec::new();
    for screen in [DESKTOP, PHONE] {
        for dark in [false, true] {
            env.look_like(screen, dark).await;
            let scheme = if dark { "dark" } else { "light" };
            let png = env.full_screenshot().await;
            std::fs::write(
                dir.join(format!("{name}-{}-{scheme}.png", screen.name)),
                png,
            )
            .unwrap();
            for problem in env.accessibility_violations().await {
                found.push(format!("{name}, {} {scheme}: {problem}", screen.name));
            }
        }
    }
    env.look_like(DESKTOP, false).await;
    found
}

#[tokio::test]
async fn every_page_at_phone_and_desktop_width_in_light_and_dark_passes_axe() {
    journey("look", Options::default(), |env: Env| async move {
        {
            let server = env.server.lock().await;
            server.add_user("root", true).await;
            server.add_user("ann", false).await;
        }
        let mut found = Vec::new();

        env.open("/").await;
        env.wait_for_text("Sign in").await;
        found.extend(look_at(&env, "home").await);

        env.open("/login").await;
        env.wait_for_text("Username").await;
        found.extend(look_at(&env, "login").await);
        env.sign_in("ann", "not the password").await;
        env.wait_for_text("Wrong username or password.").await;
        found.extend(look_at(&env, "login-error").await);

        env.open("/login?next=%2Fnotes&reason=session_expired")
            .await;
        env.wait_for_text("Your session has expired").await;
        found.extend(look_at(&env, "login-expired").await);

        env.open("/login?next=%2Fnotes&reason=session_ended").await;
        env.wait_for_text("This session was ended from another device").await;
        found.extend(look_at(&env, "login-ended").await);

        env.open("/no-such-page").await;
        env.wait_for_text("Page not found").await;
        found.extend(look_at(&env, "not-found").await);

        env.signed_in("ann").await;
        let notes = [
            (
                "Groceries",
                "Eggs, flour, a lemon, and the good butter for Sunday's cake.",
            ),
            (
                "Trip to Porto",
                "Train at 08:12. Book the hotel near Ribeira; ask about the tram museum.",
            ),
            (
                "Ideas",
                "A reading list that sorts itself by how long each book takes.",
            ),
        ];
        let mut last = 0;
        for (title, body) in notes {
            let (status, note) = env
                .call(&CreateNote, Some(json!({ "title": title, "body": body })))
                .await;
            assert_eq!(status, 201);
            last = note["id"].as_i64().unwrap();
        }
        env.open("/dashboard").await;
        env.wait_for_text("Ideas").await;
        found.extend(look_at(&env, "dashboard").await);

        env.open("/notes").await;
        env.wait_for_text("3 notes").await;
        found.extend(look_at(&env, "notes").await);

        env.open("/notes/new").await;
        env.wait_for_text("Create note").await;
        found.extend(look_at(&env, "new-note").await);

        env.open(&format!("/notes/{last}")).await;
        env.wait_for_text("Version 1").await;
        env.type_into("#body", " And a shelf for the ones I gave up on.")
            .await;
        env.wait_for_text("Unsaved changes").await;
        found.extend(look_at(&env, "note-unsaved").await);
        env.click_button("Save").await;
        env.wait_for_text("Saved.").await;
        found.extend(look_at(&env, "note-saved").await);
        // Saved elsewhere meanwhile: both versions, side by side.
        let theirs = json!({
            "title": "Ideas",
            "body": "A reading list that sorts itself by how long each book takes. Start with the short ones.",
            "version": 2,
        });
        assert_eq!(env.call(&UpdateNote { id: last }, Some(theirs)).await.0, 200);
        env.type_into("#body", " Lend the long ones out.").await;
        env.click_button("Save").await;
        env.wait_for_text("Choose which to keep.").await;
        found.extend(look_at(&env, "note-conflict").await);
        env.click_button("Take theirs").await;
        env.wait_for_text("Version 3").await;

        env.open("/account").await;
        env.wait_for_text("Recent security activity").await;
        env.wait_for_text("This device").await;
        found.extend(look_at(&env, "account").await);
        // Its ways in: the authenticator app being set up, then its recovery codes.
        env.click_button("Set up an authenticator app").await;
        env.wait_for_text("Scan this code with your authenticator app")
            .await;
        found.extend(look_at(&env, "account-methods").await);
        let key = env
            .js("return document.querySelector('.setup-key').innerText")
            .await
            .as_str()
            .unwrap()
            .to_string();
        let app = format!("otpauth://totp/Gatehouse:ann?secret={key}&issuer=Gatehouse");
        env.fill("#totp-code", &totp_code(&app, 0)).await;
        env.click_button("Turn on").await;
        env.wait_for_text("Save these recovery codes now.").await;
        found.extend(look_at(&env, "recovery-codes").await);
        env.click_button("I have saved them").await;

        env.open("/login?next=%2Faccount&reason=reauth_required")
            .await;
        env.wait_for_text("Confirm it's you").await;
        found.extend(look_at(&env, "confirm").await);

        env.open("/admin").await;
        env.wait_for_text("which can't open Admin").await;
        found.extend(look_at(&env, "no-access").await);

        env.click_button("Sign in as someone else").await;
        env.sign_in("root", PASSWORD).await;
        env.wait_for_path("/admin").await;
        env.wait_for_count("table.users tbody tr", 2).await;
        env.fill("#new-username", "bea").await;
        env.click_button("Create account").await;
        env.wait_for_text("Account bea created.").await;
        found.extend(look_at(&env, "admin").await);
        let otp = env
            .js("return document.querySelector('code.otp').innerText")
            .await
            .as_str()
            .unwrap()
            .to_string();

        env.click_link("ann").await;
        env.wait_for_text("Last sign-in").await;
        env.wait_for_text("Signed in").await;
        found.extend(look_at(&env, "admin-user").await);
        env.click_button("Disable").await;
        env.wait_for_text("Every session of ann ends at once").await;
        found.extend(look_at(&env, "admin-confirm").await);
        env.click_button("Cancel").await;

        // The header's menu on a phone.
        for dark in [false, true] {
            env.look_like(PHONE, dark).await;
            env.click(".menu-button").await;
            env.wait_for_count(".nav.open", 1).await;
            let scheme = if dark { "dark" } else { "light" };
            let png = env.full_screenshot().await;
            std::fs::write(screenshots().join(format!("menu-phone-{scheme}.png")), png).unwrap();
            for problem in env.accessibility_violations().await {
                found.push(format!("menu, phone {scheme}: {problem}"));
            }
            env.click(".menu-button").await;
        }
        env.look_like(DESKTOP, false).await;

        env.click_button("Sign out").await;
        env.wait_for_path("/login").await;
        env.sign_in("bea", &otp).await;
        env.wait_for_text("Choose a new password").await;
        found.extend(look_at(&env, "choose-password").await);

        // The sign-in's second step, for an account with the authenticator app.
        env.client.delete_all_cookies().await.unwrap();
        env.open("/login").await;
        env.sign_in("ann", PASSWORD).await;
        env.wait_for_text("Enter the code from your authenticator app")
            .await;
        found.extend(look_at(&env, "second-step").await);

        // A passkey in the account's list: on localhost, where passkeys work (an IP address
        // is never a passkey's site), with the browser's virtual authenticator.
        env.server.lock().await.add_user("cat", false).await;
        let env = env.on_localhost();
        env.add_virtual_authenticator().await;
        env.signed_in("cat").await;
        env.open("/account").await;
        env.click_button("Add a passkey").await;
        env.fill("#passkey-name", "Work laptop").await;
        env.click_button("Save passkey").await;
        env.wait_for_text("Not used yet").await;
        found.extend(look_at(&env, "account-passkeys").await);

        // The server out of reach: one banner.
        env.server.lock().await.stop().await;
        env.click("a[href='/notes']").await;
        env.wait_for_count(".unreachable", 1).await;
        found.extend(look_at(&env, "unreachable").await);
        env.server.lock().await.restart().await;

        // A part of the wasm that does not come while the server answers (a tab older than
        // the server's build): Reload.
        env.cdp("Network.enable", json!({})).await;
        // (The administration's part: never fetched by this browser. Not a sign-in step: the
        // sign-in form's passkey autofill would sign in with the virtual authenticator.)
        env.cdp("Network.setBlockedURLs", json!({ "urls": ["*split_admin*"] }))
            .await;
        env.open("/admin").await;
        env.wait_for_text("This page could not be loaded.").await;
        found.extend(look_at(&env, "part-not-loaded").await);
        env.cdp("Network.setBlockedURLs", json!({ "urls": [] }))
            .await;

        assert!(
            found.is_empty(),
            "axe-core found {} problems:\n{}",
            found.len(),
            found.join("\n")
        );
    })
    .await;
}

#[tokio::test]
async fn the_identity_provider_on_every_page_it_touches_passes_axe() {
    let provider = gatehouse_test_provider::Provider::start_as("localhost").await;
    provider.signs_in(gatehouse_test_provider::Person::new("ann-at-acme").named("Ann Example"));
    let secret = tempfile::NamedTempFile::new().unwrap();
    let options = Options {
        env: provider_env(&provider, secret.path(), "Acme SSO"),
        ..Options::default()
    };
    journey("look-provider", options, |env: Env| async move {
        {
            let server = env.server.lock().await;
            server.add_user("root", true).await;
            server.add_user("ann", false).await;
        }
        let mut found = Vec::new();
        env.open("/login").await;
        env.wait_for_text("Sign in with Acme SSO").await;
        found.extend(look_at(&env, "login-provider").await);
        env.open("/login?provider=not_linked").await;
        env.wait_for_text("isn't connected to an account here")
            .await;
        found.extend(look_at(&env, "login-provider-refused").await);

        env.signed_in("ann").await;
        env.open("/account").await;
        env.click_button("Connect Acme SSO").await;
        env.wait_for_text("Acme SSO is connected").await;
        env.wait_for_text("Not used yet").await;
        found.extend(look_at(&env, "account-connected").await);

        env.click_button("Sign out").await;
        env.wait_for_path("/login").await;
        env.signed_in("root").await;
        env.open("/admin").await;
        env.click_link("ann").await;
        env.wait_for_text("Ann Example at localhost").await;
        found.extend(look_at(&env, "admin-user-connected").await);

        assert!(
            found.is_empty(),
            "axe-core found {} problems:\n{}",
            found.len(),
            found.join("\n")
        );
    })
    .await;
}
