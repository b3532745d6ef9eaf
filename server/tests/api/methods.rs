//! The ways in besides the password: an authenticator app (TOTP) with its recovery codes, and
//! passkeys (what can be checked without an authenticator; the whole ceremony runs in
//! Chromium's virtual authenticator, in `e2e/tests/passkeys.rs`).

use std::time::{SystemTime, UNIX_EPOCH};

use gatehouse_api::endpoints::{
    AddPasskey, ConfirmTotp, DisableTotp, GetTotp, ListActivity, ListNotes, ListUserActivity,
    Logout, Me, Reauthenticate, RemoveUserTotp, RenewRecoveryCodes, SetUpTotp, SignInSecondFactor,
    SignInWithPasskey, StartPasskeyRegistration, StartPasskeySignIn,
};
use gatehouse_api::{
    ErrorBody, ErrorCode, PasskeyOptions, RecoveryCodes, Role, SecondFactorMethod, SecurityEvent,
    SecurityEventKind, TotpSetup, TotpStatus,
};
use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::*;

/// The code the app shows `offset` steps from now, for the secret `setup` gave.
pub fn code(setup: &TotpSetup, offset: i64) -> String {
    // As an authenticator app does: from the URI in the QR code.
    let totp = totp_rs::Totp::from_url(&setup.uri).unwrap();
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    totp.generate((now + offset * 30) as u64).to_string()
}

/// Turns the authenticator app on for `agent`: its setup and recovery codes.
pub async fn enrol(on: &Client, agent: &Agent) -> (TotpSetup, Vec<String>) {
    let r = on.call(agent, &SetUpTotp, None).await;
    assert_eq!(r.status(), StatusCode::OK);
    let setup: TotpSetup = r.json().await.unwrap();
    let r = on
        .call(agent, &ConfirmTotp, Some(json!({"code": code(&setup, 0)})))
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    let codes: RecoveryCodes = r.json().await.unwrap();
    (setup, codes.recovery_codes)
}

/// Signs `name` in with the password, which answers `second_factor_required`: the agent that
/// holds the waiting sign-in.
pub async fn half_signed_in(on: &Client, name: &str) -> Agent {
    let mut agent = Agent::default();
    let r = on.login_as(&mut agent, name, PASSWORD).await;
    let body = expect_error(r, StatusCode::UNAUTHORIZED, ErrorCode::SecondFactorRequired).await;
    assert_eq!(
        body.methods,
        [SecondFactorMethod::Totp, SecondFactorMethod::RecoveryCode]
    );
    agent
}

async fn kinds(on: &Client, agent: &Agent) -> Vec<SecurityEventKind> {
    let events: Vec<SecurityEvent> = on
        .call(agent, &ListActivity, None)
        .await
        .json()
        .await
        .unwrap();
    events.into_iter().map(|e| e.kind).collect()
}

#[tokio::test]
async fn an_authenticator_app_is_set_up_with_a_code_and_then_asked_for_at_every_sign_in() {
    let app = spawn_app().await;
    let ann = app.signed_in("ann", Role::User).await;
    let r = app.call(&ann, &SetUpTotp, None).await;
    let setup: TotpSetup = r.json().await.unwrap();
    assert!(setup.uri.starts_with("otpauth://totp/Gatehouse:ann?"));
    assert!(setup.qr_svg.contains("<svg"));
    let status: TotpStatus = app.call(&ann, &GetTotp, None).await.json().await.unwrap();
    assert!(!status.enabled, "not active until a code is confirmed");
    let r = app
        .call(&ann, &ConfirmTotp, Some(json!({"code": "000000"})))
        .await;
    let body = expect_error(r, StatusCode::UNPROCESSABLE_ENTITY, ErrorCode::Validation).await;
    assert!(body.fields.contains_key("code"), "{body:?}");
    let confirmed = code(&setup, 0);
    let r = app
        .call(&ann, &ConfirmTotp, Some(json!({"code": confirmed})))
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    let codes: RecoveryCodes = r.json().await.unwrap();
    assert_eq!(codes.recovery_codes.len(), 10);
    let status: TotpStatus = app.call(&ann, &GetTotp, None).await.json().await.unwrap();
    assert_eq!((status.enabled, status.recovery_codes_left), (true, 10));
    assert!(
        kinds(&app, &ann)
            .await
            .contains(&SecurityEventKind::TotpEnabled)
    );

    // The password alone signs nothing in now.
    let waiting = half_signed_in(&app, "ann").await;
    let r = app.call(&waiting, &ListNotes::default(), None).await;
    assert_eq!(
        r.status(),
        StatusCode::UNAUTHORIZED,
        "nothing is signed in yet"
    );
    let r = app
        .call(&waiting, &SignInSecondFactor, Some(json!({"code": "123"})))
        .await;
    expect_error(r, StatusCode::UNAUTHORIZED, ErrorCode::InvalidCode).await;
    // The code that confirmed the setup was spent; the next step's is accepted (once).
    let r = app
        .call(
            &waiting,
            &SignInSecondFactor,
            Some(json!({"code": confirmed})),
        )
        .await;
    expect_error(r, StatusCode::UNAUTHORIZED, ErrorCode::InvalidCode).await;
    let next = code(&setup, 1);
    let r = app
        .call(&waiting, &SignInSecondFactor, Some(json!({"code": next})))
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    let mut signed_in = waiting.clone();
    signed_in.absorb(r.headers());
    let r = app.call(&signed_in, &ListNotes::default(), None).await;
    assert_eq!(r.status(), StatusCode::OK);

    let again = half_signed_in(&app, "ann").await;
    let r = app
        .call(&again, &SignInSecondFactor, Some(json!({"code": next})))
        .await;
    expect_error(r, StatusCode::UNAUTHORIZED, ErrorCode::InvalidCode).await;
    let kinds = kinds(&app, &signed_in).await;
    assert!(
        kinds.contains(&SecurityEventKind::SecondFactorFailed),
        "{kinds:?}"
    );
}

#[tokio::test]
async fn a_recovery_code_signs_in_once_and_a_new_set_replaces_the_old() {
    let app = spawn_app().await;
    let ann = app.signed_in("ann", Role::User).await;
    let (_, codes) = enrol(&app, &ann).await;
    let waiting = half_signed_in(&app, "ann").await;
    let typed = codes[3].to_ascii_uppercase().replace('-', " ");
    let r = app
        .call(
            &waiting,
            &SignInSecondFactor,
            Some(json!({"recovery_code": typed})),
        )
        .await;
    assert_eq!(
        r.status(),
        StatusCode::OK,
        "typed in another case, without dashes"
    );
    let waiting = half_signed_in(&app, "ann").await;
    let r = app
        .call(
            &waiting,
            &SignInSecondFactor,
            Some(json!({"recovery_code": codes[3]})),
        )
        .await;
    expect_error(r, StatusCode::UNAUTHORIZED, ErrorCode::InvalidCode).await;
    assert!(
        kinds(&app, &ann)
            .await
            .contains(&SecurityEventKind::RecoveryCodeUsed)
    );
    let status: TotpStatus = app.call(&ann, &GetTotp, None).await.json().await.unwrap();
    assert_eq!(status.recovery_codes_left, 9);

    let r = app.call(&ann, &RenewRecoveryCodes, None).await;
    assert_eq!(r.status(), StatusCode::OK);
    let renewed: RecoveryCodes = r.json().await.unwrap();
    let waiting = half_signed_in(&app, "ann").await;
    let r = app
        .call(
            &waiting,
            &SignInSecondFactor,
            Some(json!({"recovery_code": codes[0]})),
        )
        .await;
    expect_error(r, StatusCode::UNAUTHORIZED, ErrorCode::InvalidCode).await;
    let r = app
        .call(
            &waiting,
            &SignInSecondFactor,
            Some(json!({"recovery_code": renewed.recovery_codes[0]})),
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
}

#[tokio::test]
async fn wrong_codes_are_throttled_like_wrong_passwords() {
    let app = spawn_app_with(|c| c.login_max_failures = 2).await;
    let ann = app.signed_in("ann", Role::User).await;
    let (setup, _) = enrol(&app, &ann).await;
    let waiting = half_signed_in(&app, "ann").await;
    for _ in 0..2 {
        let r = app
            .call(
                &waiting,
                &SignInSecondFactor,
                Some(json!({"code": "000001"})),
            )
            .await;
        expect_error(r, StatusCode::UNAUTHORIZED, ErrorCode::InvalidCode).await;
    }
    let r = app
        .call(
            &waiting,
            &SignInSecondFactor,
            Some(json!({"code": code(&setup, 1)})),
        )
        .await;
    expect_error(r, StatusCode::TOO_MANY_REQUESTS, ErrorCode::TooManyRequests).await;
}

#[tokio::test]
async fn with_the_app_on_confirming_it_is_you_takes_the_password_and_a_code() {
    let app = spawn_app().await;
    let ann = app.signed_in("ann", Role::User).await;
    let (setup, codes) = enrol(&app, &ann).await;
    let r = app
        .call(&ann, &Reauthenticate, Some(json!({"password": PASSWORD})))
        .await;
    let body = expect_error(r, StatusCode::UNPROCESSABLE_ENTITY, ErrorCode::Validation).await;
    assert!(body.fields.contains_key("code"), "{body:?}");
    let r = app
        .call(
            &ann,
            &Reauthenticate,
            Some(json!({"password": PASSWORD, "code": "999999"})),
        )
        .await;
    let body = expect_error(r, StatusCode::UNPROCESSABLE_ENTITY, ErrorCode::Validation).await;
    assert!(
        body.fields.contains_key("code"),
        "a field error, not a 401: {body:?}"
    );
    let r = app
        .call(
            &ann,
            &Reauthenticate,
            Some(json!({"password": PASSWORD, "code": code(&setup, 1)})),
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    let r = app
        .call(
            &ann,
            &Reauthenticate,
            Some(json!({"password": PASSWORD, "recovery_code": codes[0]})),
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    let r = app.call(&ann, &DisableTotp, None).await;
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    let mut again = Agent::default();
    assert_eq!(
        app.login_as(&mut again, "ann", PASSWORD).await.status(),
        StatusCode::OK,
        "the password alone again"
    );
}

#[tokio::test]
async fn the_policy_sends_an_account_without_a_second_factor_to_set_one_up_first() {
    let app = spawn_app_with(|c| {
        c.require_second_factor = gatehouse_server::session::SecondFactorPolicy::Admins;
    })
    .await;
    let ann = app.signed_in("ann", Role::User).await;
    let root = app.signed_in("root", Role::Admin).await;
    let r = app.call(&ann, &ListNotes::default(), None).await;
    assert_eq!(r.status(), StatusCode::OK, "users are not covered");
    let r = app.call(&root, &ListNotes::default(), None).await;
    expect_error(
        r,
        StatusCode::FORBIDDEN,
        ErrorCode::SecondFactorEnrolmentRequired,
    )
    .await;
    let (setup, _) = enrol(&app, &root).await;
    let r = app.call(&root, &ListNotes::default(), None).await;
    assert_eq!(r.status(), StatusCode::OK);
    let waiting = half_signed_in(&app, "root").await;
    let r = app
        .call(
            &waiting,
            &SignInSecondFactor,
            Some(json!({"code": code(&setup, 1)})),
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
}

#[tokio::test]
async fn an_administrator_turns_an_accounts_app_off_which_ends_its_sessions() {
    let app = spawn_app().await;
    let root = app.signed_in("root", Role::Admin).await;
    let ann = app.signed_in("ann", Role::User).await;
    enrol(&app, &ann).await;
    let id = id_of(&app.db, "ann").await;
    let r = app.call(&root, &RemoveUserTotp { id }, None).await;
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    let r = app.call(&ann, &ListNotes::default(), None).await;
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED, "her sessions ended");
    let mut again = Agent::default();
    assert_eq!(
        app.login_as(&mut again, "ann", PASSWORD).await.status(),
        StatusCode::OK
    );
    let events: Vec<SecurityEvent> = app
        .call(&root, &ListUserActivity { id }, None)
        .await
        .json()
        .await
        .unwrap();
    let off = events
        .iter()
        .find(|e| e.kind == SecurityEventKind::TotpDisabled)
        .expect("on her activity");
    assert_eq!(off.by.as_deref(), Some("root"));
    let r = app.call(&root, &RemoveUserTotp { id }, None).await;
    assert_eq!(r.status(), StatusCode::NOT_FOUND, "nothing to remove");
}

#[tokio::test]
async fn a_waiting_sign_in_gives_access_to_nothing_and_ends_with_a_password_change() {
    let app = spawn_app().await;
    let ann = app.signed_in("ann", Role::User).await;
    let (setup, _) = enrol(&app, &ann).await;
    let waiting = half_signed_in(&app, "ann").await;
    let r = app.call(&waiting, &Logout, None).await;
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    let change =
        json!({"current_password": PASSWORD, "new_password": crate::account::NEW_PASSWORD});
    let r = app
        .call(
            &ann,
            &Reauthenticate,
            Some(json!({"password": PASSWORD, "code": code(&setup, 1)})),
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    let r = app
        .call(
            &ann,
            &gatehouse_api::endpoints::ChangePassword,
            Some(change),
        )
        .await;
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    let r = app
        .call(
            &waiting,
            &SignInSecondFactor,
            Some(json!({"code": code(&setup, -1)})),
        )
        .await;
    expect_error(r, StatusCode::UNAUTHORIZED, ErrorCode::Unauthenticated).await;
}

#[tokio::test]
async fn passkey_options_ask_for_a_discoverable_verified_key_for_localhost() {
    let app = spawn_app().await;
    let ann = app.signed_in("ann", Role::User).await;
    let r = app.call(&ann, &StartPasskeyRegistration, None).await;
    assert_eq!(r.status(), StatusCode::OK);
    let options: PasskeyOptions = r.json().await.unwrap();
    let public_key = &options.options["publicKey"];
    assert_eq!(public_key["rp"]["id"], "localhost");
    assert_eq!(
        public_key["authenticatorSelection"]["residentKey"],
        "required"
    );
    assert_eq!(
        public_key["authenticatorSelection"]["userVerification"],
        "required"
    );
    assert_eq!(public_key["user"]["name"], "ann");

    let r = app.call(&Agent::default(), &StartPasskeySignIn, None).await;
    assert_eq!(r.status(), StatusCode::OK);
    let options: PasskeyOptions = r.json().await.unwrap();
    assert_eq!(options.options["publicKey"]["rpId"], "localhost");
    assert_eq!(options.options["publicKey"]["userVerification"], "required");
}

#[tokio::test]
async fn a_passkey_answer_that_does_not_verify_is_refused_and_its_challenge_is_used_once() {
    let app = spawn_app().await;
    let ann = app.signed_in("ann", Role::User).await;
    let forged = json!({"credential": {
        "id": "AAAA", "rawId": "AAAA", "type": "public-key",
        "response": {"attestationObject": "AAAA", "clientDataJSON": "AAAA"}
    }});
    let r = app.call(&ann, &StartPasskeyRegistration, None).await;
    let mut ann = ann;
    ann.absorb(r.headers());
    let mut body = forged.clone();
    body["name"] = json!("laptop");
    let r = app.call(&ann, &AddPasskey, Some(body.clone())).await;
    let err: ErrorBody = r.json().await.unwrap();
    assert_eq!(err.code, ErrorCode::Validation, "{err:?}");
    assert!(err.fields.contains_key("credential"));
    let r = app.call(&ann, &AddPasskey, Some(body)).await;
    expect_error(r, StatusCode::CONFLICT, ErrorCode::Conflict).await;

    let mut visitor = Agent::default();
    let r = app.call(&visitor, &StartPasskeySignIn, None).await;
    visitor.absorb(r.headers());
    let assertion = json!({"credential": {
        "id": "AAAA", "rawId": "AAAA", "type": "public-key",
        "response": {"authenticatorData": "AAAA", "clientDataJSON": "AAAA", "signature": "AAAA", "userHandle": "AAAA"}
    }});
    for _ in 0..2 {
        let r = app
            .call(&visitor, &SignInWithPasskey, Some(assertion.clone()))
            .await;
        expect_error(r, StatusCode::UNAUTHORIZED, ErrorCode::InvalidCredentials).await;
    }
}

#[tokio::test]
async fn a_passkey_sign_in_started_in_a_signed_in_session_leaves_it_signed_in() {
    let app = spawn_app().await;
    let ann = app.signed_in("ann", Role::User).await;
    // The sign-in page open in another tab asks for a challenge as soon as it loads.
    let r = app.call(&ann, &StartPasskeySignIn, None).await;
    assert_eq!(r.status(), StatusCode::OK);
    let r = app.call(&ann, &ListNotes::default(), None).await;
    assert_eq!(r.status(), StatusCode::OK, "still signed in");
    // Its challenge waits in the session, used once; a passkey that does not verify changes
    // nothing else.
    let assertion = json!({"credential": {
        "id": "AAAA", "rawId": "AAAA", "type": "public-key",
        "response": {"authenticatorData": "AAAA", "clientDataJSON": "AAAA", "signature": "AAAA", "userHandle": "AAAA"}
    }});
    let r = app
        .call(&ann, &SignInWithPasskey, Some(assertion.clone()))
        .await;
    expect_error(r, StatusCode::UNAUTHORIZED, ErrorCode::InvalidCredentials).await;
    let r = app.call(&ann, &ListNotes::default(), None).await;
    assert_eq!(r.status(), StatusCode::OK, "still signed in");
}

#[tokio::test]
async fn a_sign_in_waiting_for_its_code_leaves_the_session_it_started_in_as_it_was_until_then() {
    let app = spawn_app().await;
    let bob = app.signed_in("bob", Role::User).await;
    let (setup, _) = enrol(&app, &bob).await;
    let ann = app.signed_in("ann", Role::User).await;

    // Signing in as someone else from ann's browser: the password is right, the code awaited.
    let mut tab = ann.clone();
    let r = app.login_as(&mut tab, "bob", PASSWORD).await;
    expect_error(r, StatusCode::UNAUTHORIZED, ErrorCode::SecondFactorRequired).await;
    let me: serde_json::Value = app.call(&tab, &Me, None).await.json().await.unwrap();
    assert_eq!(
        me["user"]["username"], "ann",
        "ann is signed in until bob's code comes"
    );

    let r = app
        .call(
            &tab,
            &SignInSecondFactor,
            Some(json!({"code": code(&setup, 1)})),
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    tab.absorb(r.headers());
    let me: serde_json::Value = app.call(&tab, &Me, None).await.json().await.unwrap();
    assert_eq!(me["user"]["username"], "bob");
    let r = app.call(&ann, &ListNotes::default(), None).await;
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED, "ann's session ended");
}
