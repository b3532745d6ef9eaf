//! Administration from the browser: accounts created, changed, reset, removed, and their
//! sessions ended; the last administrator kept.

use std::time::{Duration, Instant};

use gatehouse_api::endpoints::{
    ChangePassword, ChangeUser, CreateNote, CreateUser, EndUserSessions, GetSecuredResource,
    GetUser, ListNotes, ListSessions, ListUserActivity, ListUserSessions, ListUsers, Me,
    RemoveUser, ResetPassword,
};
use gatehouse_api::{
    ActiveSession, AdminUser, CreatedAccount, ErrorCode, OneTimePassword, Role, SecurityEvent,
    SecurityEventKind, UserPage,
};
use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::account::NEW_PASSWORD;
use crate::helpers::*;

/// The administrators' list of the accounts whose name contains `q` (as typed: the
/// declaration encodes it).
fn search(q: &str) -> ListUsers {
    ListUsers {
        q: q.into(),
        cursor: None,
    }
}

/// The id of the account `name`, as the administrators' list shows it.
async fn find(app: &Client, admin: &Agent, name: &str) -> AdminUser {
    let page: UserPage = app
        .call(admin, &search(name), None)
        .await
        .json()
        .await
        .unwrap();
    page.users
        .into_iter()
        .find(|u| u.username == name)
        .unwrap_or_else(|| panic!("{name} is not listed"))
}

/// The names of the accounts whose name contains `q`, as the administrators' list shows them.
async fn listed(app: &Client, admin: &Agent, q: &str) -> Vec<String> {
    let page: UserPage = app
        .call(admin, &search(q), None)
        .await
        .json()
        .await
        .unwrap();
    page.users.into_iter().map(|u| u.username).collect()
}

async fn events_of(app: &Client, admin: &Agent, id: i64) -> Vec<SecurityEvent> {
    let r = app.call(admin, &ListUserActivity { id }, None).await;
    assert_eq!(r.status(), StatusCode::OK);
    r.json().await.unwrap()
}

#[tokio::test]
async fn a_new_account_signs_in_with_its_one_time_password_and_must_choose_its_own_first() {
    let app = spawn_app().await;
    let admin = app.signed_in("root", Role::Admin).await;
    let r = app
        .call(
            &admin,
            &CreateUser,
            Some(json!({"username": "dana", "role": "user"})),
        )
        .await;
    assert_eq!(r.status(), StatusCode::CREATED);
    let created: CreatedAccount = r.json().await.unwrap();
    let otp = created
        .one_time_password
        .expect("a one-time password, shown once");
    assert!(created.user.must_change_password && created.user.role == Role::User);
    let listed = find(&app, &admin, "dana").await;
    assert_eq!(listed.id, created.user.id);

    let mut dana = Agent::default();
    assert_eq!(
        app.login_as(&mut dana, "dana", &otp).await.status(),
        StatusCode::OK
    );
    for read in [
        Call::to(&ListNotes::default()),
        Call::to(&ListSessions),
        Call::to(&GetSecuredResource),
    ] {
        let r = app.send_call(&dana, &read, None).await;
        expect_error(r, StatusCode::FORBIDDEN, ErrorCode::PasswordChangeRequired).await;
    }
    assert_eq!(app.call(&dana, &Me, None).await.status(), StatusCode::OK);
    let change = json!({"current_password": otp, "new_password": NEW_PASSWORD});
    let r = app.call(&dana, &ChangePassword, Some(change)).await;
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    dana.absorb(r.headers());
    assert_eq!(
        app.call(&dana, &ListNotes::default(), None).await.status(),
        StatusCode::OK
    );
    assert!(!find(&app, &admin, "dana").await.must_change_password);
}

#[tokio::test]
async fn a_new_accounts_name_and_password_are_checked_at_their_fields() {
    let app = spawn_app().await;
    let admin = app.signed_in("root", Role::Admin).await;
    app.add_user("taken", Role::User).await;
    for (body, field) in [
        (json!({"username": "has space", "role": "user"}), "username"),
        (json!({"username": "TAKEN", "role": "user"}), "username"),
        (
            json!({"username": "t\u{0430}ken", "role": "user"}),
            "username",
        ),
        (
            json!({"username": "taken\u{200B}", "role": "user"}),
            "username",
        ),
        (
            json!({"username": "erin", "role": "user", "password": "password123456"}),
            "password",
        ),
    ] {
        let r = app.call(&admin, &CreateUser, Some(body.clone())).await;
        let err = expect_error(r, StatusCode::UNPROCESSABLE_ENTITY, ErrorCode::Validation).await;
        assert!(err.fields.contains_key(field), "{body}: {err:?}");
    }
    let r = app
        .call(
            &admin,
            &CreateUser,
            Some(json!({"username": "erin", "role": "admin", "password": NEW_PASSWORD})),
        )
        .await;
    let created: CreatedAccount = r.json().await.unwrap();
    assert!(created.one_time_password.is_none() && created.user.role == Role::Admin);
}

#[tokio::test]
async fn the_last_enabled_administrator_cannot_be_demoted_disabled_or_removed() {
    let app = spawn_app().await;
    let root = app.signed_in("root", Role::Admin).await;
    let me = find(&app, &root, "root").await;
    let change = ChangeUser { id: me.id };
    for (request, body) in [
        (Call::to(&change), Some(json!({"role": "user"}))),
        (Call::to(&change), Some(json!({"disabled": true}))),
        (Call::to(&RemoveUser { id: me.id }), None),
    ] {
        let r = app.send_call(&root, &request, body).await;
        let err = expect_error(r, StatusCode::CONFLICT, ErrorCode::Conflict).await;
        assert!(
            err.message.contains("last enabled administrator"),
            "{request}: {}",
            err.message
        );
    }
    app.add_user("second", Role::Admin).await;
    let second = find(&app, &root, "second").await;
    // Disabled, the second administrator does not count.
    let r = app
        .call(
            &root,
            &ChangeUser { id: second.id },
            Some(json!({"disabled": true})),
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    let r = app
        .call(&root, &change, Some(json!({"role": "user"})))
        .await;
    assert_eq!(r.status(), StatusCode::CONFLICT);
    let r = app
        .call(
            &root,
            &ChangeUser { id: second.id },
            Some(json!({"disabled": false})),
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    let r = app
        .call(&root, &change, Some(json!({"role": "user"})))
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    let demoted: AdminUser = r.json().await.unwrap();
    assert_eq!(demoted.role, Role::User);
    // Final at once: the next admin request of the demoted one is refused.
    expect_error(
        app.call(&root, &ListUsers::default(), None).await,
        StatusCode::FORBIDDEN,
        ErrorCode::Forbidden,
    )
    .await;
}

#[tokio::test]
async fn two_administrators_demoting_each_other_at_once_leave_one() {
    let app = spawn_app().await;
    let a = app.signed_in("adam", Role::Admin).await;
    let b = app.signed_in("beth", Role::Admin).await;
    let (adam, beth) = (find(&app, &a, "adam").await, find(&app, &a, "beth").await);
    let demote = Some(json!({"role": "user"}));
    let (to_beth, to_adam) = (ChangeUser { id: beth.id }, ChangeUser { id: adam.id });
    let (ra, rb) = tokio::join!(
        app.call(&a, &to_beth, demote.clone()),
        app.call(&b, &to_adam, demote.clone()),
    );
    let mut statuses = [ra.status(), rb.status()];
    statuses.sort();
    // One wins; the other is refused (the loser is no longer an admin, or is the last one).
    assert_eq!(statuses[0], StatusCode::OK, "{statuses:?}");
    assert_ne!(statuses[1], StatusCode::OK, "{statuses:?}");
    let count = |app: &TestApp| {
        let db = app.db.clone();
        async move {
            let mut admins = 0;
            for a in gatehouse_server::data::users::list(&db).await.unwrap() {
                admins += i32::from(a.role.0 == Role::Admin && !a.disabled);
            }
            admins
        }
    };
    assert_eq!(count(&app).await, 1);
}

#[tokio::test]
async fn a_disabled_account_is_refused_like_a_wrong_password_and_its_sessions_end_at_once() {
    let app = spawn_app_with(|c| c.login_max_failures = 1000).await;
    let admin = app.signed_in("root", Role::Admin).await;
    let carl = app.signed_in("carl", Role::User).await;
    let id = find(&app, &admin, "carl").await.id;
    let r = app
        .call(&admin, &ChangeUser { id }, Some(json!({"disabled": true})))
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    assert!(r.json::<AdminUser>().await.unwrap().disabled);
    let next = app.call(&carl, &ListNotes::default(), None).await;
    let cleared: Vec<_> = set_cookies(next.headers())
        .into_iter()
        .map(|c| c.name)
        .collect();
    assert!(cleared.contains(&"gatehouse_session".to_string()));
    expect_error(next, StatusCode::UNAUTHORIZED, ErrorCode::AccountDisabled).await;

    // The right password of a disabled account: the same answer as a wrong one.
    let right = app.login_as(&mut Agent::default(), "carl", PASSWORD).await;
    let right = expect_error(
        right,
        StatusCode::UNAUTHORIZED,
        ErrorCode::InvalidCredentials,
    )
    .await;
    let wrong = app
        .login_as(&mut Agent::default(), "carl", "not the password")
        .await;
    let wrong = expect_error(
        wrong,
        StatusCode::UNAUTHORIZED,
        ErrorCode::InvalidCredentials,
    )
    .await;
    assert_eq!(right, wrong);
    // And in the same time as a wrong password of an account that is not disabled: both
    // verify a hash. The fastest of interleaved tries: a busy machine only ever adds time, so
    // the minimum is the cost itself (a median of nine read ×1.75 on a loaded machine), while
    // a refusal that skipped the hash takes a twentieth of it.
    app.add_user("dora", Role::User).await;
    let (mut disabled, mut mistaken) = (Duration::MAX, Duration::MAX);
    for _ in 0..9 {
        for (name, password, fastest) in [
            ("carl", PASSWORD, &mut disabled),
            ("dora", "not the password", &mut mistaken),
        ] {
            let started = Instant::now();
            let r = app.login_as(&mut Agent::default(), name, password).await;
            assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
            *fastest = (*fastest).min(started.elapsed());
        }
    }
    let (d, w) = (disabled, mistaken);
    let ratio = d.as_secs_f64() / w.as_secs_f64();
    assert!(
        (0.6..1.67).contains(&ratio),
        "disabled {d:?} vs wrong password {w:?}"
    );

    let r = app
        .call(&admin, &ChangeUser { id }, Some(json!({"disabled": false})))
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(
        app.call(&carl, &ListNotes::default(), None).await.status(),
        StatusCode::UNAUTHORIZED,
        "old sessions stay ended"
    );
    assert_eq!(
        app.login_as(&mut Agent::default(), "carl", PASSWORD)
            .await
            .status(),
        StatusCode::OK
    );
}

#[tokio::test]
async fn a_password_reset_ends_every_session_and_shows_as_done_by_an_administrator() {
    let app = spawn_app().await;
    let admin = app.signed_in("root", Role::Admin).await;
    let dora = app.signed_in("dora", Role::User).await;
    let id = find(&app, &admin, "dora").await.id;
    let r = app.call(&admin, &ResetPassword { id }, None).await;
    assert_eq!(r.status(), StatusCode::OK);
    let otp: OneTimePassword = r.json().await.unwrap();
    assert_eq!(
        app.call(&dora, &ListNotes::default(), None).await.status(),
        StatusCode::UNAUTHORIZED
    );
    let old = app.login_as(&mut Agent::default(), "dora", PASSWORD).await;
    assert_eq!(old.status(), StatusCode::UNAUTHORIZED);
    let mut dora = Agent::default();
    assert_eq!(
        app.login_as(&mut dora, "dora", &otp.one_time_password)
            .await
            .status(),
        StatusCode::OK
    );
    let r = app.call(&dora, &ListNotes::default(), None).await;
    expect_error(r, StatusCode::FORBIDDEN, ErrorCode::PasswordChangeRequired).await;

    let hers = events_of(&app, &admin, id).await;
    let reset = hers
        .iter()
        .find(|e| e.kind == SecurityEventKind::PasswordReset)
        .expect("on her activity");
    assert_eq!(reset.by.as_deref(), Some("root"));
    let root_id = find(&app, &admin, "root").await.id;
    let his = events_of(&app, &admin, root_id).await;
    let own = his
        .iter()
        .find(|e| e.kind == SecurityEventKind::PasswordReset)
        .expect("on the admin's");
    assert_eq!(own.subject.as_deref(), Some("dora"));
    assert!(
        !serde_json::to_string(&his)
            .unwrap()
            .contains(&otp.one_time_password)
    );
}

#[tokio::test]
async fn an_administrator_lists_and_ends_an_accounts_sessions() {
    let app = spawn_app().await;
    let admin = app.signed_in("root", Role::Admin).await;
    app.add_user("eve", Role::User).await;
    let one = app.sign_in("eve").await;
    let two = app.sign_in("eve").await;
    let eve = find(&app, &admin, "eve").await;
    assert_eq!(eve.sessions, 2);
    assert!(eve.last_sign_in_at.is_some());
    let listed: Vec<ActiveSession> = app
        .call(&admin, &ListUserSessions { id: eve.id }, None)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(listed.len(), 2);
    assert!(listed.iter().all(|s| !s.current));
    assert_eq!(
        app.call(&admin, &EndUserSessions { id: eve.id }, None)
            .await
            .status(),
        StatusCode::NO_CONTENT
    );
    for agent in [&one, &two] {
        assert_eq!(
            app.call(agent, &ListNotes::default(), None).await.status(),
            StatusCode::UNAUTHORIZED
        );
    }
    assert_eq!(find(&app, &admin, "eve").await.sessions, 0);
}

#[tokio::test]
async fn removing_an_account_removes_its_notes_and_ends_its_sessions() {
    let app = spawn_app().await;
    let admin = app.signed_in("root", Role::Admin).await;
    let fay = app.signed_in("fay", Role::User).await;
    let r = app
        .call(&fay, &CreateNote, Some(json!({"title": "t", "body": "b"})))
        .await;
    assert_eq!(r.status(), StatusCode::CREATED);
    let id = find(&app, &admin, "fay").await.id;
    let r = app.call(&admin, &RemoveUser { id }, None).await;
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    assert_eq!(
        app.call(&fay, &ListNotes::default(), None).await.status(),
        StatusCode::UNAUTHORIZED
    );
    let gatehouse_server::data::db::Db::Sqlite(pool) = &app.db else {
        panic!()
    };
    let notes: i64 = sqlx::query_scalar("SELECT count(*) FROM notes")
        .fetch_one(pool)
        .await
        .unwrap();
    assert_eq!(notes, 0);
    let r = app.call(&admin, &GetUser { id }, None).await;
    expect_error(r, StatusCode::NOT_FOUND, ErrorCode::NotFound).await;
}

#[tokio::test]
async fn an_account_is_found_by_part_of_its_name_in_any_case_in_any_script() {
    let app = spawn_app().await;
    let admin = app.signed_in("root", Role::Admin).await;
    for name in ["Élodie", "Müller"] {
        let r = app
            .call(
                &admin,
                &CreateUser,
                Some(json!({"username": name, "role": "user"})),
            )
            .await;
        assert_eq!(r.status(), StatusCode::CREATED);
    }
    // Typed with a combining accent (E + ◌́) it is the same name.
    let queries = [
        ("Élodie", "Élodie"),
        ("élodie", "Élodie"),
        ("ÉLODIE", "Élodie"),
        ("lodi", "Élodie"),
        ("E\u{301}lodie", "Élodie"),
        ("MÜLLER", "Müller"),
        ("müller", "Müller"),
        ("ÜL", "Müller"),
    ];
    for (q, name) in queries {
        assert_eq!(listed(&app, &admin, q).await, [name], "q={q}");
    }
    // A full-width ％ is a % once normalized, and still a character, not a wildcard.
    let none = listed(&app, &admin, "\u{FF05}").await;
    assert!(none.is_empty(), "{none:?}");
}

#[tokio::test]
async fn the_account_list_pages_by_fifty_and_searches_by_part_of_a_name() {
    let app = spawn_app().await;
    let admin = app.signed_in("root", Role::Admin).await;
    let gatehouse_server::data::db::Db::Sqlite(pool) = &app.db else {
        panic!()
    };
    for i in 0..119 {
        sqlx::query("INSERT INTO users (username, username_folded, password_hash, role, created_at) VALUES ($1, $1, 'x', 'user', 0)")
            .bind(format!("user{i:03}"))
            .execute(pool)
            .await
            .unwrap();
    }
    let mut names = Vec::new();
    let mut cursor: Option<String> = None;
    let mut pages = 0;
    loop {
        let next = ListUsers {
            q: String::new(),
            cursor: cursor.clone(),
        };
        let page: UserPage = app.call(&admin, &next, None).await.json().await.unwrap();
        pages += 1;
        assert!(page.users.len() <= 50);
        names.extend(page.users.into_iter().map(|u| u.username));
        match page.next_cursor {
            Some(next) => cursor = Some(next),
            None => break,
        }
    }
    assert_eq!(pages, 3);
    assert_eq!(names.len(), 120);
    let mut sorted = names.clone();
    sorted.sort();
    assert_eq!(names, sorted);
    let found = listed(&app, &admin, "ER07").await;
    assert_eq!(found.len(), 10, "{found:?}");
    assert!(found.iter().all(|n| n.starts_with("user07")));
    let none = listed(&app, &admin, "%").await;
    assert!(none.is_empty(), "% is a character, not a wildcard");
    let forged = ListUsers {
        cursor: Some("***".into()),
        ..ListUsers::default()
    };
    let r = app.call(&admin, &forged, None).await;
    expect_error(r, StatusCode::BAD_REQUEST, ErrorCode::Validation).await;
}

#[tokio::test]
async fn an_accounts_activity_never_shows_the_administrators_address_or_device() {
    let app = spawn_app_with(|c| {
        c.trusted_proxies = vec!["127.0.0.1".parse().unwrap()];
    })
    .await;
    app.add_user("root", Role::Admin).await;
    let mut admin = Agent {
        user_agent: Some(crate::account::FIREFOX),
        forwarded_for: Some("198.51.100.7".into()),
        ..Agent::default()
    };
    assert_eq!(
        app.login_as(&mut admin, "root", PASSWORD).await.status(),
        StatusCode::OK
    );
    let bob = app.signed_in("bob", Role::User).await;
    let id = find(&app, &admin, "bob").await.id;
    for request in [
        Call::to(&EndUserSessions { id }),
        Call::to(&ChangeUser { id }),
        Call::to(&ResetPassword { id }),
    ] {
        let body = (request.method == Method::PATCH).then(|| json!({"role": "admin"}));
        let r = app.send_call(&admin, &request, body).await;
        assert!(r.status().is_success(), "{request}: {}", r.status());
    }
    drop(bob);
    let his = events_of(&app, &admin, id).await;
    let by_admin: Vec<_> = his.iter().filter(|e| e.by.is_some()).collect();
    assert_eq!(by_admin.len(), 3, "{his:?}");
    for event in by_admin {
        assert_eq!(event.by.as_deref(), Some("root"), "{event:?}");
        assert_eq!(
            (event.device.as_deref(), event.address.as_deref()),
            (None, None),
            "the administrator's device and address are not the account's: {event:?}"
        );
    }
    let root = find(&app, &admin, "root").await.id;
    let own = events_of(&app, &admin, root).await;
    let reset = own
        .iter()
        .find(|e| e.kind == SecurityEventKind::PasswordReset)
        .expect("on the administrator's own activity");
    assert_eq!(
        reset.address.as_deref(),
        Some("198.51.100.7"),
        "their own, kept"
    );
}
