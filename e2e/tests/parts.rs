//! Pages loaded later: the shipped wasm is in parts (`src/later.rs`, `cargo xtask dist`). The
//! first load fetches the main part only; a page's part comes the first time the page is
//! opened (or its link is pointed at), and only then; a part that cannot come says so, and
//! comes on Reload, or by itself once an unreachable server is back.

use gatehouse_e2e::{Env, Options, journey};
use serde_json::json;

/// The paths of the wasm files this page has fetched, in order (a blocked fetch included).
async fn wasm_fetched(env: &Env) -> Vec<String> {
    let paths = env
        .js("return performance.getEntriesByType('resource')
                .map(e => new URL(e.name).pathname)
                .filter(p => p.endsWith('.wasm'))")
        .await;
    paths
        .as_array()
        .expect("a list")
        .iter()
        .map(|p| p.as_str().expect("a path").to_string())
        .collect()
}

/// How many of `paths` are of the part named `part` (`split_notes-<hash>.wasm`).
fn of_part(paths: &[String], part: &str) -> usize {
    paths
        .iter()
        .filter(|p| p.starts_with(&format!("/split_{part}-")))
        .count()
}

#[tokio::test]
async fn a_page_in_a_part_loaded_later_comes_on_its_first_visit_only_and_after_a_failure_on_reload()
{
    journey("parts", Options::default(), |env: Env| async move {
        env.server.lock().await.add_user("ann", false).await;
        env.signed_in("ann").await;
        let first = wasm_fetched(&env).await;
        assert!(
            first.iter().any(|p| p.ends_with("_bg.wasm")),
            "the main part: {first:?}"
        );
        assert_eq!(
            first.len(),
            1,
            "signing in and the dashboard need the main part only: {first:?}"
        );

        // The notes' part cannot come while the server answers (as when this tab is older
        // than the server's build): the page says so where the notes would be, with Reload.
        env.cdp("Network.enable", json!({})).await;
        env.cdp(
            "Network.setBlockedURLs",
            json!({ "urls": ["*split_notes*"] }),
        )
        .await;
        env.click_link("Notes").await;
        env.wait_for_path("/notes").await;
        env.wait_for_text("This page could not be loaded.").await;
        assert_eq!(env.count(".unreachable").await, 0, "the server is there");
        env.assert_accessible("a page whose part could not come")
            .await;

        // It can again: Reload brings the page.
        env.cdp("Network.setBlockedURLs", json!({ "urls": [] }))
            .await;
        env.click_button("Reload").await;
        env.wait_for_text("New note").await;
        let reloaded = wasm_fetched(&env).await;
        assert_eq!(of_part(&reloaded, "notes"), 1, "{reloaded:?}");

        // Away and back, and to another page of the same part: nothing fetched again.
        env.click_link("Dashboard").await;
        env.wait_for_text("Welcome, ann").await;
        env.click_link("Notes").await;
        env.wait_for_text("New note").await;
        env.click("a[href='/notes/new']").await;
        env.wait_for_path("/notes/new").await;
        env.wait_for_text("Title").await;
        let fetched = wasm_fetched(&env).await;
        assert_eq!(of_part(&fetched, "notes"), 1, "{fetched:?}");
        assert_eq!(of_part(&fetched, "account"), 0, "{fetched:?}");

        // Another page's part comes when it is opened.
        env.click_link("Account").await;
        env.wait_for_text("Your account").await;
        let fetched = wasm_fetched(&env).await;
        assert_eq!(of_part(&fetched, "account"), 1, "{fetched:?}");
    })
    .await;
}

#[tokio::test]
async fn a_part_that_cannot_come_while_the_server_is_down_comes_by_itself_once_it_is_back() {
    journey("parts_offline", Options::default(), |env: Env| async move {
        env.server.lock().await.add_user("ann", false).await;
        env.signed_in("ann").await;
        env.server.lock().await.stop().await;
        env.click("a[href='/notes']").await;
        env.wait_for_count(".unreachable", 1).await;
        env.wait_for_text("Not loaded yet: this fills in once Gatehouse can be reached.")
            .await;
        env.assert_accessible("a page whose part waits for the server")
            .await;
        env.server.lock().await.restart().await;
        // No Retry to press: the page comes when the server answers again.
        env.wait_for_text("New note").await;
        assert_eq!(env.count(".unreachable").await, 0);
    })
    .await;
}

#[tokio::test]
async fn a_link_pointed_at_or_focused_fetches_its_pages_part_before_the_click() {
    journey("parts_intent", Options::default(), |env: Env| async move {
        env.server.lock().await.add_user("ann", false).await;
        env.signed_in("ann").await;
        assert_eq!(of_part(&wasm_fetched(&env).await, "account"), 0);
        env.js("document.querySelector(\"header a[href='/account']\").focus()")
            .await;
        env.wait_for("the account page's part", |env: Env| async move {
            of_part(&wasm_fetched(&env).await, "account") == 1
        })
        .await;
        assert_eq!(env.location().await, "/dashboard", "fetched, not opened");
        env.click_link("Account").await;
        env.wait_for_text("Your account").await;
        let fetched = wasm_fetched(&env).await;
        assert_eq!(of_part(&fetched, "account"), 1, "not again: {fetched:?}");
    })
    .await;
}
