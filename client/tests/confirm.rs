//! A change refused with `reauth_required` is finished after the confirmation only when its
//! answer does not matter, only from the page it was asked on, and only once.

#![cfg(target_arch = "wasm32")]

mod common;

use std::cell::RefCell;
use std::rc::Rc;

use common::*;
use gatehouse_client::{ApiError, Request, use_api};
use wasm_bindgen_test::*;
use yew::prelude::*;

wasm_bindgen_test_configure!(run_in_browser);

/// What one confirmation found to finish: `None` for nothing.
type Outcome = Option<Result<String, ApiError>>;

/// What the confirmations found, in order.
type Finished = Rc<RefCell<Vec<Outcome>>>;

#[derive(Properties, PartialEq)]
struct ConfirmerProps {
    request: Shared<Request>,
    /// The page the confirmation returns to.
    page: AttrValue,
    finished: Shared<RefCell<Vec<Outcome>>>,
}

/// Sends `request` (refused, the first time, for want of a confirmation), then finishes
/// what waits for `page`, twice.
#[function_component]
fn Confirmer(props: &ConfirmerProps) -> Html {
    let api = use_api();
    let (request, page, finished) = (
        (*props.request.0).clone(),
        props.page.clone(),
        props.finished.clone(),
    );
    use_effect_with((), move |()| {
        yew::platform::spawn_local(async move {
            let _ = api.send_text(request).await;
            for _ in 0..2 {
                let outcome = api.finish_confirmed(&page).await;
                finished.0.borrow_mut().push(outcome);
            }
        });
    });
    html! {}
}

fn confirm(request: Request, page: &str) -> Finished {
    let finished: Finished = Rc::default();
    let props = ConfirmerProps {
        request: Shared(Rc::new(request)),
        page: AttrValue::from(page.to_string()),
        finished: Shared(finished.clone()),
    };
    #[function_component]
    fn App(props: &ConfirmerProps) -> Html {
        html! {
            <Harness>
                <Confirmer request={props.request.clone()} page={props.page.clone()}
                           finished={props.finished.clone()} />
            </Harness>
        }
    }
    yew::Renderer::<App>::with_root_and_props(root(), props).render();
    finished
}

fn refused_then_done() -> Vec<Reply> {
    vec![
        Reply::error(403, "reauth_required", "Confirm it's you."),
        Reply::json(204, ""),
    ]
}

#[wasm_bindgen_test]
async fn a_change_with_nothing_in_its_answer_is_finished_once_after_the_confirmation() {
    script("/account", refused_then_done());
    let finished = confirm(
        Request::delete("/api/things/1").replayable(true),
        "/account",
    );
    wait_until("both tries", || finished.borrow().len() == 2).await;
    assert!(matches!(finished.borrow()[0], Some(Ok(_))));
    assert!(finished.borrow()[1].is_none(), "once");
    let deletes = calls().iter().filter(|c| c.method == "DELETE").count();
    assert_eq!(deletes, 2, "refused, then finished");
}

#[wasm_bindgen_test]
async fn a_change_whose_answer_matters_is_not_finished_by_the_confirmation() {
    script("/admin/users/3", refused_then_done());
    // `Request::post` is not replayable unless said so (an endpoint's is when its answer is
    // empty): a reset's one-time password would be lost.
    let finished = confirm(Request::post("/api/things/3/reset"), "/admin/users/3");
    wait_until("both tries", || finished.borrow().len() == 2).await;
    assert!(finished.borrow().iter().all(Option::is_none));
    assert_eq!(calls().iter().filter(|c| c.method == "POST").count(), 1);
}

#[wasm_bindgen_test]
async fn a_change_asked_on_another_page_is_not_finished_here() {
    script("/account", refused_then_done());
    let finished = confirm(Request::delete("/api/things/1").replayable(true), "/admin");
    wait_until("both tries", || finished.borrow().len() == 2).await;
    assert!(finished.borrow().iter().all(Option::is_none));
}
