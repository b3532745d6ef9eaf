//! Signing in through an OpenID provider: a real one on loopback (`gatehouse-test-provider`),
//! the real server, and an `Agent` walking the browser's redirects by hand.

use gatehouse_api::endpoints::{
    GetSecuredResource, ListIdentities, ListUserIdentities, Logout, Me, ProviderCallback,
    RemoveUserIdentities, StartProviderConfirm, StartProviderLink, StartProviderSignIn,
    UnlinkIdentity,
};
use gatehouse_api::{
    Endpoint, ErrorCode, LinkedIdentity, ProviderRedirect, Role, SecurityEventKind, SessionInfo,
};
use gatehouse_test_provider::{CLIENT_ID, CLIENT_SECRET, Person, Provider, Tamper};
use reqwest::StatusCode;
use reqwest::header::LOCATION;
use serde_json::json;

use crate::helpers::*;
use crate::methods::{code, enrol};

/// A server with `provider` configured (`create`: `--oidc-create-accounts`), and the file
/// holding its client secret.
async fn app_with(
    provider: &Provider,
    create: bool,
    tweak: impl FnOnce(&mut gatehouse_server::config::Config),
) -> (TestApp, tempfile::NamedTempFile) {
    let secret = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(secret.path(), format!("{CLIENT_SECRET}\n")).unwrap();
    let path = secret.path().to_path_buf();
    let app = spawn_app_with(|c| {
        c.oidc_issuer = Some(provider.issuer().to_string());
        c.oidc_client_id = Some(CLIENT_ID.to_string());
        c.oidc_client_secret_file = Some(path);
        c.oidc_label = "Acme SSO".into();
        c.oidc_create_accounts = create;
        tweak(c);
    })
    .await;
    (app, secret)
}

fn location(response: &reqwest::Response) -> String {
    assert_eq!(
        response.status(),
        StatusCode::SEE_OTHER,
        "expected a redirect from {}",
        response.url()
    );
    response
        .headers()
        .get(LOCATION)
        .expect("a Location")
        .to_str()
        .unwrap()
        .to_string()
}

/// The provider's answer for the authorization URL `url`: where it sends the browser back
/// (the callback's path and query on the app).
async fn at_provider(app: &TestApp, url: &str) -> String {
    let response = app.http.get(url).send().await.unwrap();
    let back = location(&response);
    let callback = back
        .strip_prefix(&app.base)
        .unwrap_or_else(|| panic!("the provider sent the browser to {back}"));
    assert!(callback.starts_with(ProviderCallback::PATH), "{callback}");
    callback.to_string()
}

/// The callback `path` opened by `agent`: where it lands (its cookies kept).
async fn come_back(app: &TestApp, agent: &mut Agent, path: &str) -> String {
    let response = app.get(agent, path).await;
    agent.absorb(response.headers());
    location(&response)
}

/// The whole sign-in round trip of `agent` from the sign-in page's link with `next`: where it
/// lands.
async fn sign_in_through(app: &TestApp, agent: &mut Agent, next: Option<&str>) -> String {
    let start = StartProviderSignIn {
        next: next.map(str::to_owned),
    };
    let response = app.get(agent, &start.path()).await;
    agent.absorb(response.headers());
    let to_provider = location(&response);
    if !to_provider.starts_with("http") {
        return to_provider;
    }
    let callback = at_provider(app, &to_provider).await;
    come_back(app, agent, &callback).await
}

/// Links the provider's next person to `agent`'s account: where it lands.
async fn link(app: &TestApp, agent: &mut Agent) -> String {
    let response = app.call(agent, &StartProviderLink, None).await;
    assert_eq!(response.status(), StatusCode::OK);
    agent.absorb(response.headers());
    let redirect: ProviderRedirect = response.json().await.unwrap();
    let callback = at_provider(app, &redirect.url).await;
    come_back(app, agent, &callback).await
}

async fn me(app: &TestApp, agent: &Agent) -> Option<String> {
    let response = app.call(agent, &Me, None).await;
    if response.status() != StatusCode::OK {
        return None;
    }
    let info: SessionInfo = response.json().await.unwrap();
    Some(info.user.username)
}

async fn kinds(app: &TestApp, agent: &Agent) -> Vec<SecurityEventKind> {
    let events: Vec<gatehouse_api::SecurityEvent> = app
        .call(agent, &gatehouse_api::endpoints::ListActivity, None)
        .await
        .json()
        .await
        .unwrap();
    events.into_iter().map(|e| e.kind).collect()
}

#[tokio::test]
async fn a_linked_identity_signs_in_to_its_account_and_goes_on_to_next() {
    let provider = Provider::start().await;
    let (app, _secret) = app_with(&provider, false, |_| {}).await;
    let mut ann = app.signed_in("ann", Role::User).await;
    provider.signs_in(Person::new("ann-at-acme").named("Ann Example"));
    assert_eq!(link(&app, &mut ann).await, "/account?provider=linked");
    let linked: Vec<LinkedIdentity> = app
        .call(&ann, &ListIdentities, None)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(linked.len(), 1);
    assert_eq!(linked[0].issuer, provider.issuer());
    assert_eq!(linked[0].subject, "ann-at-acme");
    assert_eq!(linked[0].name.as_deref(), Some("Ann Example"));

    let mut browser = Agent::default();
    assert_eq!(
        sign_in_through(&app, &mut browser, Some("/notes?q=x")).await,
        "/notes?q=x"
    );
    assert_eq!(me(&app, &browser).await.as_deref(), Some("ann"));
    assert!(
        browser.csrf.is_some() && browser.device.is_some(),
        "{browser:?}"
    );
    assert!(
        browser.round_trip.is_none(),
        "the round trip's cookie is cleared"
    );
    // The authorization request: code flow, PKCE S256, state and nonce, this client.
    let asked = provider.authorize_requests().pop().unwrap();
    assert_eq!(asked.response_type, "code");
    assert_eq!(asked.client_id, CLIENT_ID);
    assert_eq!(asked.code_challenge_method.as_deref(), Some("S256"));
    assert!(asked.state.as_deref().is_some_and(|s| s.len() >= 16));
    assert!(asked.nonce.as_deref().is_some_and(|n| n.len() >= 16));
    assert_eq!(
        asked.redirect_uri,
        format!("{}{}", app.base, ProviderCallback::PATH)
    );
    let events = kinds(&app, &browser).await;
    assert_eq!(events.first(), Some(&SecurityEventKind::SignedIn));
    assert!(
        events.contains(&SecurityEventKind::IdentityLinked),
        "{events:?}"
    );
    // A `next` off this site is not followed.
    let mut other = Agent::default();
    assert_eq!(
        sign_in_through(&app, &mut other, Some("https://evil.example/")).await,
        gatehouse_api::HOME_AFTER_SIGN_IN
    );
}

#[tokio::test]
async fn an_identity_linked_to_no_account_is_refused_and_never_matched_by_email() {
    let provider = Provider::start().await;
    let (app, _secret) = app_with(&provider, false, |_| {}).await;
    app.add_user("ann@acme.example", Role::User).await;
    provider.signs_in(
        Person::new("stranger")
            .email("ann@acme.example")
            .username("ann@acme.example"),
    );
    let mut browser = Agent::default();
    assert_eq!(
        sign_in_through(&app, &mut browser, Some("/notes")).await,
        "/login?provider=not_linked&next=%2Fnotes"
    );
    assert_eq!(me(&app, &browser).await, None);
    assert!(browser.session.is_none() && browser.csrf.is_none());
}

#[tokio::test]
async fn with_account_creation_a_first_sign_in_makes_a_user_with_a_unique_name_and_no_password() {
    let provider = Provider::start().await;
    let (app, _secret) = app_with(&provider, true, |_| {}).await;
    app.add_user("bob", Role::User).await;
    provider.signs_in(Person::new("bob-sub").username("BOB").named("Bob Builder"));
    let mut browser = Agent::default();
    assert_eq!(
        sign_in_through(&app, &mut browser, None).await,
        "/dashboard"
    );
    // `BOB` is `bob` in another case: taken, so the next free name.
    assert_eq!(me(&app, &browser).await.as_deref(), Some("BOB2"));
    let events = kinds(&app, &browser).await;
    assert!(
        events.contains(&SecurityEventKind::AccountCreated),
        "{events:?}"
    );
    // The same identity again: the same account, none made.
    let mut again = Agent::default();
    sign_in_through(&app, &mut again, None).await;
    assert_eq!(me(&app, &again).await.as_deref(), Some("BOB2"));
    assert_eq!(
        gatehouse_server::data::users::count(&app.db).await.unwrap(),
        2
    );
    // No password signs in to it, and its only way in cannot be unlinked.
    let mut guess = Agent::default();
    let refused = app.login_as(&mut guess, "BOB2", PASSWORD).await;
    expect_error(
        refused,
        StatusCode::UNAUTHORIZED,
        ErrorCode::InvalidCredentials,
    )
    .await;
    let linked: Vec<LinkedIdentity> = app
        .call(&again, &ListIdentities, None)
        .await
        .json()
        .await
        .unwrap();
    let response = app
        .call(&again, &UnlinkIdentity { id: linked[0].id }, None)
        .await;
    expect_error(response, StatusCode::CONFLICT, ErrorCode::Conflict).await;
    let still: Vec<LinkedIdentity> = app
        .call(&again, &ListIdentities, None)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(still.len(), 1);
}

#[tokio::test]
async fn a_wrong_state_a_replayed_answer_or_code_and_an_answer_without_its_trip_all_fail() {
    let provider = Provider::start().await;
    let (app, _secret) = app_with(&provider, false, |_| {}).await;
    let mut ann = app.signed_in("ann", Role::User).await;
    provider.signs_in(Person::new("ann-sub"));
    link(&app, &mut ann).await;

    // The state changed on the way back.
    let mut browser = Agent::default();
    let start = app
        .get(&browser, &StartProviderSignIn::default().path())
        .await;
    browser.absorb(start.headers());
    let callback = at_provider(&app, &location(&start)).await;
    let forged = callback.replace("state=", "state=x");
    assert_eq!(
        come_back(&app, &mut browser, &forged).await,
        "/login?provider=failed"
    );
    assert_eq!(me(&app, &browser).await, None);

    // A good answer works once; the same answer again finds no trip.
    let mut browser = Agent::default();
    let start = app
        .get(&browser, &StartProviderSignIn::default().path())
        .await;
    browser.absorb(start.headers());
    let trip_cookie = browser.round_trip.clone();
    let used = at_provider(&app, &location(&start)).await;
    assert_eq!(come_back(&app, &mut browser, &used).await, "/dashboard");
    let mut replay = Agent {
        round_trip: trip_cookie,
        ..Agent::default()
    };
    assert_eq!(
        come_back(&app, &mut replay, &used).await,
        "/login?provider=failed"
    );
    assert_eq!(me(&app, &replay).await, None);
    // Another browser's answer, without its trip's cookie.
    let mut thief = Agent::default();
    assert_eq!(
        come_back(&app, &mut thief, &used).await,
        "/login?provider=failed"
    );

    // A used code inside a new trip of its own: the provider refuses it.
    let mut browser = Agent::default();
    let start = app
        .get(&browser, &StartProviderSignIn::default().path())
        .await;
    browser.absorb(start.headers());
    let fresh = at_provider(&app, &location(&start)).await;
    let state = |path: &str| {
        path.split(['?', '&'])
            .find_map(|p| p.strip_prefix("state="))
            .unwrap()
            .to_string()
    };
    let old_code = used
        .split(['?', '&'])
        .find_map(|p| p.strip_prefix("code="))
        .unwrap()
        .to_string();
    let replayed = format!(
        "{}?code={old_code}&state={}",
        ProviderCallback::PATH,
        state(&fresh)
    );
    let tokens_before = provider.token_requests();
    assert_eq!(
        come_back(&app, &mut browser, &replayed).await,
        "/login?provider=failed"
    );
    assert_eq!(
        provider.token_requests(),
        tokens_before + 1,
        "the code went to the provider"
    );
    assert_eq!(me(&app, &browser).await, None);
}

#[tokio::test]
async fn tokens_with_a_wrong_nonce_issuer_or_audience_expired_or_signed_by_an_unknown_key_are_refused()
 {
    let provider = Provider::start().await;
    let (app, _secret) = app_with(&provider, false, |_| {}).await;
    let mut ann = app.signed_in("ann", Role::User).await;
    provider.signs_in(Person::new("ann-sub"));
    link(&app, &mut ann).await;
    for tamper in [
        Tamper::WrongNonce,
        Tamper::OtherIssuer,
        Tamper::OtherAudience,
        Tamper::Expired,
        Tamper::UnknownKey,
    ] {
        provider.tampers(tamper);
        let mut browser = Agent::default();
        assert_eq!(
            sign_in_through(&app, &mut browser, None).await,
            "/login?provider=failed",
            "{tamper:?}"
        );
        assert_eq!(me(&app, &browser).await, None, "{tamper:?}");
    }
    provider.tampers(Tamper::Nothing);
    let mut browser = Agent::default();
    assert_eq!(
        sign_in_through(&app, &mut browser, None).await,
        "/dashboard"
    );
}

#[tokio::test]
async fn a_rotated_signing_key_is_fetched_again_once_needed() {
    let provider = Provider::start().await;
    let (app, _secret) = app_with(&provider, false, |_| {}).await;
    let mut ann = app.signed_in("ann", Role::User).await;
    provider.signs_in(Person::new("ann-sub"));
    link(&app, &mut ann).await;
    let fetched = provider.jwks_requests();
    let mut browser = Agent::default();
    assert_eq!(
        sign_in_through(&app, &mut browser, None).await,
        "/dashboard"
    );
    assert_eq!(
        provider.jwks_requests(),
        fetched,
        "keys are kept between sign-ins"
    );
    provider.rotates_key();
    let mut browser = Agent::default();
    assert_eq!(
        sign_in_through(&app, &mut browser, None).await,
        "/dashboard"
    );
    assert_eq!(me(&app, &browser).await.as_deref(), Some("ann"));
    assert_eq!(provider.jwks_requests(), fetched + 1);
}

#[tokio::test]
async fn a_cancelled_sign_in_and_a_provider_that_is_down_land_on_the_sign_in_page_saying_so() {
    let provider = Provider::start().await;
    provider.set_down(true);
    let (app, _secret) = app_with(&provider, false, |_| {}).await;
    let mut browser = Agent::default();
    // Down at the start: nothing discovered yet.
    assert_eq!(
        sign_in_through(&app, &mut browser, Some("/notes")).await,
        "/login?provider=unavailable&next=%2Fnotes"
    );
    provider.set_down(false);
    provider.cancels();
    assert_eq!(
        sign_in_through(&app, &mut browser, None).await,
        "/login?provider=cancelled"
    );
    // Down between the authorization and the token request.
    let mut ann = app.signed_in("ann", Role::User).await;
    provider.signs_in(Person::new("ann-sub"));
    link(&app, &mut ann).await;
    let start = app
        .get(&browser, &StartProviderSignIn::default().path())
        .await;
    browser.absorb(start.headers());
    let callback = at_provider(&app, &location(&start)).await;
    provider.set_down(true);
    assert_eq!(
        come_back(&app, &mut browser, &callback).await,
        "/login?provider=unavailable"
    );
    assert_eq!(me(&app, &browser).await, None);
}

#[tokio::test]
async fn sign_ins_started_together_while_the_provider_hangs_ask_it_once() {
    let provider = Provider::start().await;
    provider.set_down(true);
    provider.discovery_takes(std::time::Duration::from_millis(500));
    let (app, _secret) = app_with(&provider, false, |_| {}).await;
    let start = StartProviderSignIn::default().path();
    let landed = futures_util::future::join_all((0..20).map(|_| {
        let (app, start) = (&app, &start);
        async move { location(&app.get(&Agent::default(), start).await) }
    }))
    .await;
    for l in &landed {
        assert_eq!(l, "/login?provider=unavailable");
    }
    assert_eq!(
        provider.discovery_requests(),
        1,
        "twenty sign-ins waited on one discovery"
    );
    // Back up: the next sign-in asks again and gets through.
    provider.set_down(false);
    provider.discovery_takes(std::time::Duration::ZERO);
    provider.cancels();
    assert_eq!(
        sign_in_through(&app, &mut Agent::default(), None).await,
        "/login?provider=cancelled"
    );
    assert_eq!(provider.discovery_requests(), 2);
}

#[tokio::test]
async fn without_a_provider_its_routes_say_so() {
    let app = spawn_app().await;
    let mut browser = Agent::default();
    let start = app
        .get(&browser, &StartProviderSignIn::default().path())
        .await;
    browser.absorb(start.headers());
    assert_eq!(location(&start), "/login?provider=off");
    let ann = app.signed_in("ann", Role::User).await;
    let response = app.call(&ann, &StartProviderLink, None).await;
    expect_error(response, StatusCode::NOT_FOUND, ErrorCode::NotFound).await;
}

#[tokio::test]
async fn an_identity_links_to_one_account_and_a_disabled_account_cannot_enter_through_it() {
    let provider = Provider::start().await;
    let (app, _secret) = app_with(&provider, false, |_| {}).await;
    let mut ann = app.signed_in("ann", Role::User).await;
    let mut bea = app.signed_in("bea", Role::User).await;
    provider.signs_in(Person::new("shared-sub"));
    assert_eq!(link(&app, &mut ann).await, "/account?provider=linked");
    assert_eq!(
        link(&app, &mut bea).await,
        "/account?provider=linked_elsewhere"
    );
    let none: Vec<LinkedIdentity> = app
        .call(&bea, &ListIdentities, None)
        .await
        .json()
        .await
        .unwrap();
    assert!(none.is_empty());
    // Linking twice to the same account is no error.
    assert_eq!(link(&app, &mut ann).await, "/account?provider=linked");

    let admin = app.signed_in("root", Role::Admin).await;
    let ann_id = gatehouse_server::data::users::find_by_name(
        &app.db,
        &gatehouse_api::Username::try_from("ann").unwrap(),
    )
    .await
    .unwrap()
    .unwrap()
    .id;
    let change = app
        .call(
            &admin,
            &gatehouse_api::endpoints::ChangeUser { id: ann_id },
            Some(json!({"disabled": true})),
        )
        .await;
    assert_eq!(change.status(), StatusCode::OK);
    let mut browser = Agent::default();
    assert_eq!(
        sign_in_through(&app, &mut browser, None).await,
        "/login?provider=account_disabled"
    );
    assert_eq!(me(&app, &browser).await, None);
}

#[tokio::test]
async fn linking_needs_a_recent_confirmation_and_a_live_session_when_the_provider_answers() {
    let provider = Provider::start().await;
    let (app, _secret) = app_with(&provider, false, |c| {
        c.reauth_window = std::time::Duration::from_millis(1);
    })
    .await;
    let ann = app.signed_in("ann", Role::User).await;
    let response = app.call(&ann, &StartProviderLink, None).await;
    expect_error(response, StatusCode::FORBIDDEN, ErrorCode::ReauthRequired).await;

    let (app, _secret2) = app_with(&provider, false, |_| {}).await;
    let mut ann = app.signed_in("ann", Role::User).await;
    provider.signs_in(Person::new("ann-sub"));
    let response = app.call(&ann, &StartProviderLink, None).await;
    ann.absorb(response.headers());
    let redirect: ProviderRedirect = response.json().await.unwrap();
    let callback = at_provider(&app, &redirect.url).await;
    // Signed out while away at the provider: nothing is linked.
    let out = app.call(&ann, &Logout, None).await;
    assert_eq!(out.status(), StatusCode::NO_CONTENT);
    assert_eq!(
        come_back(&app, &mut ann, &callback).await,
        "/account?provider=failed"
    );
    let mut browser = Agent::default();
    assert_eq!(
        sign_in_through(&app, &mut browser, None).await,
        "/login?provider=not_linked"
    );
}

#[tokio::test]
async fn the_last_passkey_of_an_account_without_a_password_or_an_identity_is_not_removed() {
    use gatehouse_api::PasskeyInfo;
    use gatehouse_api::endpoints::{ListPasskeys, RemovePasskey};

    let app = spawn_app().await;
    let ann = app.signed_in("ann", Role::User).await;
    let account = id_of(&app.db, "ann").await;
    let first = add_passkey_directly(&app.db, account, "first").await;
    let second = add_passkey_directly(&app.db, account, "second").await;
    // As an account the provider made, then left: its passkeys are its only ways in.
    without_password_directly(&app.db, account).await;

    let r = app.call(&ann, &RemovePasskey { id: first }, None).await;
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    let r = app.call(&ann, &RemovePasskey { id: second }, None).await;
    expect_error(r, StatusCode::CONFLICT, ErrorCode::Conflict).await;
    let left: Vec<PasskeyInfo> = app
        .call(&ann, &ListPasskeys, None)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(left.len(), 1, "the last passkey stays");
}

#[tokio::test]
async fn unlinking_keeps_another_way_in_and_an_administrator_removes_identities_ending_sessions() {
    let provider = Provider::start().await;
    let (app, _secret) = app_with(&provider, false, |_| {}).await;
    let mut ann = app.signed_in("ann", Role::User).await;
    provider.signs_in(Person::new("ann-sub").named("Ann"));
    link(&app, &mut ann).await;
    let linked: Vec<LinkedIdentity> = app
        .call(&ann, &ListIdentities, None)
        .await
        .json()
        .await
        .unwrap();
    // Ann has her password too: the identity can go.
    let response = app
        .call(&ann, &UnlinkIdentity { id: linked[0].id }, None)
        .await;
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    let response = app
        .call(&ann, &UnlinkIdentity { id: linked[0].id }, None)
        .await;
    expect_error(response, StatusCode::NOT_FOUND, ErrorCode::NotFound).await;
    assert!(
        kinds(&app, &ann)
            .await
            .contains(&SecurityEventKind::IdentityUnlinked)
    );

    link(&app, &mut ann).await;
    let mut browser = Agent::default();
    sign_in_through(&app, &mut browser, None).await;
    assert_eq!(me(&app, &browser).await.as_deref(), Some("ann"));
    let admin = app.signed_in("root", Role::Admin).await;
    let id = gatehouse_server::data::users::find_by_name(
        &app.db,
        &gatehouse_api::Username::try_from("ann").unwrap(),
    )
    .await
    .unwrap()
    .unwrap()
    .id;
    let seen: Vec<LinkedIdentity> = app
        .call(&admin, &ListUserIdentities { id }, None)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(seen.len(), 1);
    assert_eq!(seen[0].name.as_deref(), Some("Ann"));
    let removed = app.call(&admin, &RemoveUserIdentities { id }, None).await;
    assert_eq!(removed.status(), StatusCode::NO_CONTENT);
    assert_eq!(me(&app, &browser).await, None, "its sessions ended");
    let mut again = Agent::default();
    assert_eq!(
        sign_in_through(&app, &mut again, None).await,
        "/login?provider=not_linked"
    );
}

#[tokio::test]
async fn an_account_with_the_app_gives_its_code_after_the_provider_unless_the_provider_used_more_factors()
 {
    let provider = Provider::start().await;
    let (app, _secret) = app_with(&provider, false, |_| {}).await;
    let mut ann = app.signed_in("ann", Role::User).await;
    let (setup, _codes) = enrol(&app, &ann).await;
    provider.signs_in(Person::new("ann-sub").amr(&["pwd"]));
    link(&app, &mut ann).await;

    let mut browser = Agent::default();
    assert_eq!(
        sign_in_through(&app, &mut browser, Some("/notes")).await,
        "/login?reason=second_factor_required&methods=totp,recovery_code&next=%2Fnotes"
    );
    let response = app.call(&browser, &GetSecuredResource, None).await;
    assert_eq!(
        response.status(),
        StatusCode::UNAUTHORIZED,
        "nothing open yet"
    );
    let finished = app
        .call(
            &browser,
            &gatehouse_api::endpoints::SignInSecondFactor,
            Some(json!({"code": code(&setup, 1)})),
        )
        .await;
    assert_eq!(finished.status(), StatusCode::OK);
    browser.absorb(finished.headers());
    assert_eq!(me(&app, &browser).await.as_deref(), Some("ann"));

    provider.signs_in(Person::new("ann-sub").amr(&["pwd", "otp"]));
    let mut strong = Agent::default();
    assert_eq!(sign_in_through(&app, &mut strong, None).await, "/dashboard");
    assert_eq!(me(&app, &strong).await.as_deref(), Some("ann"));
}

#[tokio::test]
async fn the_second_factor_policy_counts_a_provider_sign_in_as_one_factor_unless_amr_says_more() {
    let provider = Provider::start().await;
    let (app, _secret) = app_with(&provider, false, |c| {
        c.require_second_factor = gatehouse_server::session::SecondFactorPolicy::Everyone;
    })
    .await;
    app.add_user("ann", Role::User).await;
    provider.signs_in(Person::new("ann-sub").amr(&["pwd"]));
    // Linked from the database: the test is of the sign-in, not of linking.
    let id = gatehouse_server::data::users::find_by_name(
        &app.db,
        &gatehouse_api::Username::try_from("ann").unwrap(),
    )
    .await
    .unwrap()
    .unwrap()
    .id;
    let mut tx = app.db.begin().await.unwrap();
    let linked =
        gatehouse_server::data::identities::link(&mut tx, id, provider.issuer(), "ann-sub", None)
            .await;
    tx.settle(linked).await.unwrap();

    let mut weak = Agent::default();
    sign_in_through(&app, &mut weak, None).await;
    let response = app.call(&weak, &GetSecuredResource, None).await;
    expect_error(
        response,
        StatusCode::FORBIDDEN,
        ErrorCode::SecondFactorEnrolmentRequired,
    )
    .await;

    provider.signs_in(Person::new("ann-sub").amr(&["mfa"]));
    let mut strong = Agent::default();
    sign_in_through(&app, &mut strong, None).await;
    let response = app.call(&strong, &GetSecuredResource, None).await;
    assert_eq!(response.status(), StatusCode::OK);
}

#[tokio::test]
async fn confirming_through_the_provider_asks_it_to_authenticate_again_and_counts_as_recent() {
    let provider = Provider::start().await;
    let (app, _secret) = app_with(&provider, false, |c| {
        c.reauth_window = std::time::Duration::from_secs(2);
    })
    .await;
    let mut ann = app.signed_in("ann", Role::User).await;
    provider.signs_in(Person::new("ann-sub"));
    link(&app, &mut ann).await;
    // Past the window, linking again needs a confirmation.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    loop {
        let response = app.call(&ann, &UnlinkIdentity { id: 0 }, None).await;
        if response.status() == StatusCode::FORBIDDEN {
            expect_error(response, StatusCode::FORBIDDEN, ErrorCode::ReauthRequired).await;
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "the window never closed"
        );
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    let confirm = StartProviderConfirm {
        next: Some("/account".into()),
    };
    let response = app.call(&ann, &confirm, None).await;
    assert_eq!(response.status(), StatusCode::OK);
    ann.absorb(response.headers());
    let redirect: ProviderRedirect = response.json().await.unwrap();
    let callback = at_provider(&app, &redirect.url).await;
    let asked = provider.authorize_requests().pop().unwrap();
    assert_eq!(asked.prompt.as_deref(), Some("login"));
    assert_eq!(asked.max_age.as_deref(), Some("0"));
    assert_eq!(come_back(&app, &mut ann, &callback).await, "/account");
    let response = app.call(&ann, &UnlinkIdentity { id: 0 }, None).await;
    expect_error(response, StatusCode::NOT_FOUND, ErrorCode::NotFound).await;
    assert!(
        kinds(&app, &ann)
            .await
            .contains(&SecurityEventKind::Reauthenticated)
    );
}
