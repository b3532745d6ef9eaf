//! The ways in besides the password, as a person uses them: a passkey added from the account
//! page and used to sign in (Chromium's WebDriver virtual authenticator plays the phone or
//! laptop), and an authenticator app set up from the account page and asked for at sign-in
//! (its codes computed here, as the app would).

use std::time::Duration;

use gatehouse_e2e::{Env, Options, PASSWORD, journey, provider_env, totp_code};

/// Signs out through the header and waits for the sign-in page.
async fn sign_out(env: &Env) {
    env.click_button("Sign out").await;
    env.wait_for_path("/login").await;
}

#[tokio::test]
async fn a_passkey_added_from_the_account_page_signs_in_without_a_username_confirms_and_is_removed()
{
    // Long enough to add the passkey right after signing in, short enough to wait out.
    let options = Options {
        reauth_window: "6s",
        ..Options::default()
    };
    journey("passkeys", options, |env: Env| async move {
        env.server.lock().await.add_user("ann", false).await;
        // Passkeys belong to a site named by its host: never an IP address.
        let env = env.on_localhost();
        env.add_virtual_authenticator().await;
        env.signed_in("ann").await;

        env.open("/account").await;
        env.wait_for_text("No passkeys yet").await;
        env.click_button("Add a passkey").await;
        env.wait_for_text("Name this passkey").await;
        env.fill("#passkey-name", "Work laptop").await;
        env.click_button("Save passkey").await;
        env.wait_for_text("Passkey “Work laptop” added.").await;
        env.wait_for_text("Not used yet").await;
        // The activity list below shows it without a reload.
        env.wait_for_text("Added the passkey “Work laptop”").await;

        // Signed out, the sign-in page's username field offers the passkey (conditional
        // mediation); the virtual authenticator picks it at once, as a person would from the
        // list, so the page may be gone before anyone sees it: what shows it happened is the
        // dashboard of a second sign-in, which tells of the first.
        env.click_button("Sign out").await;
        env.wait_for_text("Last signed in").await;
        assert_eq!(env.location().await, "/dashboard");

        // Removing it needs a recent confirmation: once the window has passed (the condition
        // is time passing), the passkey itself confirms, through the browser's dialog.
        env.open("/account").await;
        env.wait_for_text("Last used").await;
        tokio::time::sleep(Duration::from_millis(6_500)).await;
        env.click_button("Remove").await;
        env.wait_for_text("Confirm it's you").await;
        env.click_button("Use a passkey instead").await;
        // The confirmation finishes the removal it was asked for.
        env.wait_for_path("/account").await;
        env.wait_for_text("Confirmed, and done.").await;
        env.wait_for_text("No passkeys yet").await;
        env.wait_for_text("Removed the passkey “Work laptop”").await;

        // The authenticator still holds it, but this site no longer knows it.
        sign_out(&env).await;
        env.wait_for_the_app().await;
        env.wait_for_text("not one this site knows").await;
        assert!(
            env.location().await.starts_with("/login"),
            "still signed out"
        );
    })
    .await;
}

/// Turns the authenticator app on from the account page: the URI its QR code holds, and the
/// recovery codes shown once.
async fn set_up_the_app(env: &Env) -> (String, Vec<String>) {
    env.open("/account").await;
    env.click_button("Set up an authenticator app").await;
    env.wait_for_text("Scan this code with your authenticator app")
        .await;
    let key = env
        .js("return document.querySelector('.setup-key').innerText")
        .await
        .as_str()
        .unwrap()
        .to_string();
    let uri = format!("otpauth://totp/Gatehouse:ann?secret={key}&issuer=Gatehouse");
    env.fill("#totp-code", "000000").await;
    env.click_button("Turn on").await;
    env.wait_for_field_error("#totp-code").await;
    env.fill("#totp-code", &totp_code(&uri, 0)).await;
    env.click_button("Turn on").await;
    env.wait_for_text("Save these recovery codes now.").await;
    let codes: Vec<String> = env
        .js("return [...document.querySelectorAll('.codes code')].map(c => c.innerText)")
        .await
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c.as_str().unwrap().to_string())
        .collect();
    assert_eq!(codes.len(), 10);
    env.click_button("I have saved them").await;
    env.wait_for_text("recovery codes left").await;
    (uri, codes)
}

#[tokio::test]
async fn an_authenticator_app_set_up_from_the_account_page_is_asked_for_at_sign_in() {
    journey("totp", Options::default(), |env: Env| async move {
        env.server.lock().await.add_user("ann", false).await;
        env.signed_in("ann").await;
        let (uri, codes) = set_up_the_app(&env).await;

        sign_out(&env).await;
        env.sign_in("ann", PASSWORD).await;
        env.wait_for_text("Enter the code from your authenticator app")
            .await;
        env.fill("#code", "111111").await;
        env.click_button("Continue").await;
        env.wait_for_text("This code is not right").await;
        env.fill("#code", &totp_code(&uri, 1)).await;
        env.click_button("Continue").await;
        env.wait_for_path("/dashboard").await;

        sign_out(&env).await;
        env.sign_in("ann", PASSWORD).await;
        env.wait_for_text("Enter the code from your authenticator app")
            .await;
        env.click_button("Use a recovery code instead").await;
        env.fill("#recovery_code", &codes[0]).await;
        env.click_button("Continue").await;
        env.wait_for_path("/dashboard").await;

        env.open("/account").await;
        env.wait_for_text("9 recovery codes left").await;
        env.wait_for_text("Used a recovery code").await;
    })
    .await;
}

#[tokio::test]
async fn where_the_server_requires_a_second_factor_a_new_account_adds_one_before_anything_else() {
    let options = Options {
        extra: vec!["--require-second-factor", "everyone"],
        ..Options::default()
    };
    journey("enrol", options, |env: Env| async move {
        env.server.lock().await.add_user("ann", false).await;
        env.open("/login").await;
        env.sign_in("ann", PASSWORD).await;
        env.wait_for_text("Add a second way to sign in").await;
        assert!(
            env.location()
                .await
                .contains("reason=second_factor_enrolment_required"),
            "{}",
            env.location().await
        );
        // Nothing else opens until then.
        env.click("a[href='/notes']").await;
        env.wait_for_text("Add a second way to sign in").await;
        assert!(env.location().await.starts_with("/login?next=%2Fnotes"));
        let continues = "return [...document.querySelectorAll('button')]\
                         .some(b => b.innerText.trim() === 'Continue')";
        assert_eq!(
            env.js(continues).await,
            false,
            "nothing to continue with yet"
        );

        env.click_button("Set up an authenticator app").await;
        env.wait_for_text("Scan this code with your authenticator app")
            .await;
        let key = env
            .js("return document.querySelector('.setup-key').innerText")
            .await;
        let uri = format!(
            "otpauth://totp/Gatehouse:ann?secret={}&issuer=Gatehouse",
            key.as_str().unwrap()
        );
        env.fill("#totp-code", &totp_code(&uri, 0)).await;
        env.click_button("Turn on").await;
        env.wait_for_text("Save these recovery codes now.").await;
        env.click_button("I have saved them").await;
        env.click_button("Continue").await;
        env.wait_for_path("/notes").await;
        env.wait_for_text("No notes yet").await;
    })
    .await;
}

#[tokio::test]
async fn an_identity_connected_from_the_account_page_signs_in_keeps_next_and_is_removed() {
    // The provider at `localhost`, the app at `127.0.0.1`: two sites, as a real provider and
    // this server are, so its answer comes back without the app's SameSite=Strict cookies.
    let provider = gatehouse_test_provider::Provider::start_as("localhost").await;
    provider.signs_in(gatehouse_test_provider::Person::new("ann-at-acme").named("Ann Example"));
    provider.shows_a_page();
    let secret = tempfile::NamedTempFile::new().unwrap();
    let options = Options {
        env: provider_env(&provider, secret.path(), "Acme SSO"),
        ..Options::default()
    };
    journey("provider", options, |env: Env| async move {
        env.server.lock().await.add_user("ann", false).await;
        env.signed_in("ann").await;
        env.open("/account").await;
        env.wait_for_text("No Acme SSO account is connected").await;
        env.click_button("Connect Acme SSO").await;
        env.click_link("Continue").await;
        // There and back: the page says so once, and the address loses the outcome.
        env.wait_for_text("Acme SSO is connected: you can sign in with it from now on.")
            .await;
        env.wait_for_text("Ann Example").await;
        env.wait_for_path("/account").await;
        env.wait_for_text("Connected the sign-in “Ann Example”")
            .await;
        env.assert_accessible("the account page with a connected sign-in")
            .await;

        // Signed out, a protected page sends to the sign-in page, whose provider link comes
        // back to it.
        sign_out(&env).await;
        env.open("/notes").await;
        env.wait_for_path("/login").await;
        env.click_link("Sign in with Acme SSO").await;
        env.click_link("Continue").await;
        env.wait_for_path("/notes").await;
        env.wait_for_text("New note").await;

        // Removed, it signs in no more; the sign-in page says why, in words.
        env.open("/account").await;
        env.wait_for_text("Ann Example").await;
        env.click_button("Remove").await;
        env.wait_for_text("Acme SSO account Ann Example removed.")
            .await;
        env.wait_for_text("No Acme SSO account is connected").await;
        sign_out(&env).await;
        env.click_link("Sign in with Acme SSO").await;
        env.click_link("Continue").await;
        env.wait_for_text("That Acme SSO account isn't connected to an account here.")
            .await;
        assert!(
            env.location().await.starts_with("/login"),
            "still signed out"
        );
        env.assert_accessible("the sign-in page after a refused provider sign-in")
            .await;

        // Before the app has taken the page over (or without JavaScript): the same link.
        env.open_before_the_app("/login?provider=cancelled").await;
        let html = env.js("return document.body.innerHTML").await;
        let html = html.as_str().unwrap();
        assert!(html.contains("Sign in with Acme SSO"), "{html}");
        assert!(
            html.contains("Signing in with Acme SSO was cancelled."),
            "{html}"
        );
    })
    .await;
}
