//! A change asked for by a session lands only while that session is live: no write commits
//! after the sign-out, password change, account disable or end-sessions that ended it has
//! answered (regressions: writes answered 201 up to 278 ms after the ending's 204).

use gatehouse_api::Role;
use gatehouse_api::endpoints::{ChangePassword, ChangeUser, EndUserSessions, Logout, RemoveUser};
use reqwest::StatusCode;
use serde_json::json;

use crate::account::NEW_PASSWORD;
use crate::helpers::*;

/// Rounds of each race: one round does not always catch a write in flight.
const ROUNDS: usize = 4;
/// Writers looping at once.
const WRITERS: usize = 8;

async fn answered(r: reqwest::Response, status: StatusCode) {
    let got = r.status();
    assert_eq!(got, status, "{}", r.text().await.unwrap_or_default());
}

#[tokio::test]
async fn no_note_lands_after_its_session_signed_out() {
    let app = spawn_app().await;
    app.add_user("ann", Role::User).await;
    let ann = id_of(&app.db, "ann").await;
    for _ in 0..ROUNDS {
        let agent = app.sign_in("ann").await;
        let count = || notes_of(&app.db, ann);
        let end = || async {
            let r = app.call(&agent, &Logout, None).await;
            answered(r, StatusCode::NO_CONTENT).await;
        };
        assert_no_write_lands_after_its_session_ends(
            &app,
            &agent,
            Write::Note,
            WRITERS,
            count,
            end,
        )
        .await;
    }
}

#[tokio::test]
async fn no_note_lands_after_a_password_change_elsewhere_ended_its_session() {
    let app = spawn_app().await;
    app.add_user("ann", Role::User).await;
    let ann = id_of(&app.db, "ann").await;
    let passwords = [PASSWORD, NEW_PASSWORD];
    for round in 0..ROUNDS {
        let (current, new) = (passwords[round % 2], passwords[(round + 1) % 2]);
        let mut writer = Agent::default();
        answered(
            app.login_as(&mut writer, "ann", current).await,
            StatusCode::OK,
        )
        .await;
        let mut changer = Agent::default();
        answered(
            app.login_as(&mut changer, "ann", current).await,
            StatusCode::OK,
        )
        .await;
        let count = || notes_of(&app.db, ann);
        let end = || async {
            let change = json!({"current_password": current, "new_password": new});
            let r = app.call(&changer, &ChangePassword, Some(change)).await;
            answered(r, StatusCode::NO_CONTENT).await;
        };
        assert_no_write_lands_after_its_session_ends(
            &app,
            &writer,
            Write::Note,
            WRITERS,
            count,
            end,
        )
        .await;
    }
}

#[tokio::test]
async fn no_note_lands_after_its_account_was_disabled_or_its_sessions_ended_by_an_administrator() {
    let app = spawn_app().await;
    let admin = app.signed_in("root", Role::Admin).await;
    app.add_user("ann", Role::User).await;
    let ann = id_of(&app.db, "ann").await;
    for round in 0..ROUNDS {
        let agent = app.sign_in("ann").await;
        let count = || notes_of(&app.db, ann);
        let end = || async {
            let r = if round % 2 == 0 {
                let disable = Some(json!({"disabled": true}));
                app.call(&admin, &ChangeUser { id: ann }, disable).await
            } else {
                app.call(&admin, &EndUserSessions { id: ann }, None).await
            };
            assert!(r.status().is_success(), "{}", r.status());
        };
        assert_no_write_lands_after_its_session_ends(
            &app,
            &agent,
            Write::Note,
            WRITERS,
            count,
            end,
        )
        .await;
        let r = app
            .call(
                &admin,
                &ChangeUser { id: ann },
                Some(json!({"disabled": false})),
            )
            .await;
        answered(r, StatusCode::OK).await;
    }
}

#[tokio::test]
async fn no_administrator_is_created_after_the_creating_session_signed_out_or_was_ended() {
    let app = spawn_app().await;
    let other = app.signed_in("deputy", Role::Admin).await;
    app.add_user("root", Role::Admin).await;
    let root = id_of(&app.db, "root").await;
    for round in 0..ROUNDS {
        let agent = app.sign_in("root").await;
        let count = || accounts_in(&app.db);
        let end = || async {
            let r = if round % 2 == 0 {
                app.call(&agent, &Logout, None).await
            } else {
                app.call(&other, &EndUserSessions { id: root }, None).await
            };
            answered(r, StatusCode::NO_CONTENT).await;
        };
        assert_no_write_lands_after_its_session_ends(&app, &agent, Write::Account, 3, count, end)
            .await;
    }
}

#[tokio::test]
async fn a_note_written_while_its_account_is_removed_answers_401_never_500() {
    let app = spawn_app().await;
    let admin = app.signed_in("root", Role::Admin).await;
    for round in 0..ROUNDS * 2 {
        let name = format!("gone{round}");
        app.add_user(&name, Role::User).await;
        let id = id_of(&app.db, &name).await;
        let agent = app.sign_in(&name).await;
        let count = || notes_of(&app.db, id);
        let end = || async {
            let r = app.call(&admin, &RemoveUser { id }, None).await;
            answered(r, StatusCode::NO_CONTENT).await;
        };
        let race = race_writes(&app, &agent, Write::Note, WRITERS, count, end).await;
        assert!(race.acknowledged > 0, "{race:?}");
        assert_eq!((race.at_end, race.after), (0, 0), "the notes went with it");
    }
}
