//! Administration in the browser: accounts made with a one-time password, and an account
//! disabled while its owner is signed in elsewhere.

use gatehouse_e2e::{Env, Options, PASSWORD, journey};

const CHOSEN: &str = "heron basalt meadow 77";

#[tokio::test]
async fn an_account_an_admin_creates_signs_in_with_the_one_time_password_and_must_choose_its_own() {
    journey(
        "admin_creates_account",
        Options::default(),
        |env: Env| async move {
            env.server.lock().await.add_user("root", true).await;
            env.signed_in("root").await;
            env.open("/admin").await;
            env.wait_for_text("New account").await;
            // A name already taken is refused at the field.
            env.fill("#new-username", "ROOT").await;
            env.click_button("Create account").await;
            env.wait_for_field_error("#new-username").await;
            env.fill("#new-username", "bea").await;
            env.click_button("Create account").await;
            env.wait_for_text("Account bea created.").await;
            let otp = env
                .js("return document.querySelector('code.otp').innerText")
                .await
                .as_str()
                .unwrap()
                .to_string();
            assert!(otp.len() >= 12, "{otp}");
            env.wait_for_count("table.users tbody tr", 2).await;
            // What root was told is not for whoever signs in next on this browser.
            env.click_button("Sign out").await;
            env.wait_for_path("/login").await;
            assert_eq!(env.count(".toast").await, 0, "toasts go with the person");

            let (_other, bea) = env.another_browser().await;
            bea.open("/login").await;
            bea.sign_in("bea", &otp).await;
            bea.wait_for_text("Choose a new password").await;
            assert!(
                bea.location()
                    .await
                    .contains("reason=password_change_required")
            );
            assert_eq!(
                bea.value("#current_password").await,
                otp,
                "not asked for twice"
            );
            // Every other page sends bea back here until the password is chosen.
            bea.click("a[href='/notes']").await;
            bea.wait_for_text("Choose a new password").await;
            // A weak choice is refused at the field.
            bea.fill("#new_password", "password").await;
            bea.click_button("Save and continue").await;
            bea.wait_for_field_error("#new_password").await;
            bea.fill("#new_password", CHOSEN).await;
            bea.click_button("Save and continue").await;
            bea.wait_for_path("/notes").await;
            bea.wait_for_text("No notes yet").await;

            // The one-time password no longer works; the chosen one does.
            bea.click_button("Sign out").await;
            bea.wait_for_path("/login").await;
            bea.sign_in("bea", &otp).await;
            bea.wait_for_text("Wrong username or password.").await;
            bea.sign_in("bea", CHOSEN).await;
            bea.wait_for_path("/dashboard").await;
            bea.wait_for_text("Welcome, bea").await;
        },
    )
    .await;
}

#[tokio::test]
async fn an_account_disabled_by_an_admin_is_signed_out_at_its_next_request_and_told_why() {
    journey(
        "admin_disables_account",
        Options::default(),
        |env: Env| async move {
            {
                let server = env.server.lock().await;
                server.add_user("root", true).await;
                server.add_user("ann", false).await;
            }
            env.signed_in("root").await;
            let (_other, ann) = env.another_browser().await;
            ann.signed_in("ann").await;

            env.open("/admin").await;
            env.click_link("ann").await;
            env.wait_for_text("Last sign-in").await;
            env.click_button("Disable").await;
            // Asked first, saying what will happen; Cancel changes nothing.
            env.wait_for_text("Every session of ann ends at once").await;
            env.click_button("Cancel").await;
            let focused = env.js("return document.activeElement.innerText").await;
            assert_eq!(
                focused.as_str(),
                Some("Disable"),
                "focus goes back to the button"
            );
            assert_eq!(env.count("[role=alertdialog]").await, 0);
            env.click_button("Disable").await;
            env.click_button("Disable ann").await;
            env.wait_for_button("Enable").await;

            ann.click("a[href='/notes']").await;
            ann.wait_for_path("/login").await;
            assert_eq!(
                ann.location().await,
                "/login?next=%2Fnotes&reason=account_disabled"
            );
            ann.wait_for_text("This account has been disabled").await;
            ann.sign_in("ann", PASSWORD).await;
            ann.wait_for_text("Wrong username or password.").await;
            // One message, the API's: the reason the page opened with gives way to it.
            assert!(
                !ann.text().await.contains("This account has been disabled"),
                "{}",
                ann.text().await
            );

            env.click_button("Enable").await;
            env.wait_for_button("Disable").await;
            ann.sign_in("ann", PASSWORD).await;
            ann.wait_for_path("/notes").await;
        },
    )
    .await;
}

#[tokio::test]
async fn a_password_reset_asks_first_then_shows_the_new_one_time_password_once_with_copy() {
    journey(
        "admin_resets_password",
        Options::default(),
        |env: Env| async move {
            {
                let server = env.server.lock().await;
                server.add_user("root", true).await;
                server.add_user("ann", false).await;
            }
            env.signed_in("root").await;
            let (_other, ann) = env.another_browser().await;
            ann.signed_in("ann").await;

            env.open("/admin").await;
            env.click_link("ann").await;
            env.wait_for_text("Last sign-in").await;
            env.click_button("Reset password").await;
            env.wait_for_text("You get a one-time password to give them.")
                .await;
            env.assert_accessible("the reset's confirmation").await;
            env.click_button("Reset the password of ann").await;
            env.wait_for_text("Give ann this one-time password").await;
            let otp = env
                .js("return document.querySelector('code.otp').innerText")
                .await
                .as_str()
                .unwrap()
                .to_string();
            assert!(otp.len() >= 12, "{otp}");
            env.wait_for_button("Copy").await;
            env.assert_accessible("the one-time password").await;

            // Ann's session ended; the one-time password signs her in to choose her own.
            ann.click("a[href='/notes']").await;
            ann.wait_for_path("/login").await;
            ann.sign_in("ann", PASSWORD).await;
            ann.wait_for_text("Wrong username or password.").await;
            ann.sign_in("ann", &otp).await;
            ann.wait_for_text("Choose a new password").await;
        },
    )
    .await;
}
