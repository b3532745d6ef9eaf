//! `use_mutation`: a change sent to the server as a handle with explicit states (idle, running,
//! done, failed), the way reads have `use_fetch`. Like leptos' `create_action`: the action is an
//! async function of its input, which may do what follows a success (a toast, a navigation)
//! after its awaits; a request it sends is aborted when the component unmounts, and then
//! nothing after that await runs.

use std::any::Any;
use std::cell::RefCell;
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;

use yew::prelude::*;

use crate::error::ApiError;
use crate::hook::{Api, use_api};

/// Where a mutation is: explicit, so nothing is both running and failed.
#[derive(Debug, PartialEq)]
pub enum Mutation<T> {
    /// Not run yet, or its last run ended silently (aborted, or the trip to sign-in under way).
    Idle,
    /// Sent, and no answer yet. Running it again meanwhile does nothing.
    Running,
    /// The last run's answer.
    Done(Rc<T>),
    /// The last run failed with an error to show.
    Failed(ApiError),
}

impl<T> Mutation<T> {
    /// The last run's answer, if it succeeded.
    pub fn done(&self) -> Option<Rc<T>> {
        match self {
            Self::Done(v) => Some(Rc::clone(v)),
            _ => None,
        }
    }
}

impl<T> Clone for Mutation<T> {
    fn clone(&self) -> Self {
        match self {
            Self::Idle => Self::Idle,
            Self::Running => Self::Running,
            Self::Done(v) => Self::Done(Rc::clone(v)),
            Self::Failed(e) => Self::Failed(e.clone()),
        }
    }
}

/// What `use_mutation` returns: the state, and how to run it.
pub struct MutationHandle<I, T> {
    /// Where it is.
    pub state: Mutation<T>,
    error: Option<ApiError>,
    run: Callback<I>,
    reset: Callback<()>,
}

impl<I, T> Clone for MutationHandle<I, T> {
    fn clone(&self) -> Self {
        Self {
            state: self.state.clone(),
            error: self.error.clone(),
            run: self.run.clone(),
            reset: self.reset.clone(),
        }
    }
}

impl<I: 'static, T> MutationHandle<I, T> {
    /// Runs the action with `input`, unless a run is under way (no double submission).
    pub fn run(&self, input: I) {
        self.run.emit(input);
    }

    /// A callback (for `onclick`, `onsubmit`) that runs the action with what `input` makes of
    /// the event.
    pub fn reform<E: 'static>(&self, input: impl Fn(E) -> I + 'static) -> Callback<E> {
        self.run.reform(input)
    }

    /// Whether a run is under way (for `disabled` and `aria-busy`).
    pub fn running(&self) -> bool {
        matches!(self.state, Mutation::Running)
    }

    /// The error to show beside the form: the last failure's, kept while the next run is under
    /// way (so it does not blink out and back), until a run succeeds or `reset`.
    pub fn error(&self) -> Option<&ApiError> {
        self.error.as_ref()
    }

    /// Forgets the last outcome (the person changed what failed). A run under way still runs
    /// and reports its outcome.
    pub fn reset(&self) {
        self.reset.emit(());
    }
}

/// A change the component sends when asked: `action` gets the component's `Api` handle (so
/// its requests are aborted on unmount) and the input given to `run`.
///
/// ```no_run
/// use gatehouse_api::endpoints::DeleteNote;
/// use gatehouse_client::{Api, use_mutation};
/// use yew::prelude::*;
///
/// #[function_component]
/// fn DeleteButton() -> Html {
///     let delete = use_mutation(|api: Api, id: i64| async move {
///         // 401/403 take the user to sign in; anything else ends in `Mutation::Failed`.
///         api.fetch(&DeleteNote { id }).await
///     });
///     html! {
///         <>
///             <button disabled={delete.running()} onclick={delete.reform(|_| 1)}>{ "Delete" }</button>
///             if let Some(e) = delete.error() { <p role="alert">{ e.message() }</p> }
///         </>
///     }
/// }
/// ```
#[hook]
pub fn use_mutation<I, T, F, Fut>(action: F) -> MutationHandle<I, T>
where
    I: 'static,
    T: 'static,
    F: Fn(Api, I) -> Fut + 'static,
    Fut: Future<Output = Result<T, ApiError>> + 'static,
{
    let core = use_core();
    let run = {
        let core = core.clone();
        Callback::from(move |input: I| {
            if core.start() {
                let answer = action(core.api.clone(), input);
                core.spawn(Box::pin(async move {
                    answer.await.map(|v| Rc::new(v) as Rc<dyn Any>)
                }));
            }
        })
    };
    let state = match &*core.state {
        Settled::Idle => Mutation::Idle,
        Settled::Running => Mutation::Running,
        Settled::Done(value) => Rc::clone(value)
            .downcast::<T>()
            .map_or(Mutation::Idle, Mutation::Done),
        Settled::Failed(e) => Mutation::Failed(e.clone()),
    };
    MutationHandle {
        state,
        error: (*core.error).clone(),
        run,
        reset: core.reset,
    }
}

/// A run's answer, whatever its type.
type Answer = Pin<Box<dyn Future<Output = Result<Rc<dyn Any>, ApiError>>>>;

/// Where a run is, whatever the type of its answer: this part of every mutation is in the wasm
/// once, not once per mutation.
#[derive(Clone)]
enum Settled {
    Idle,
    Running,
    Done(Rc<dyn Any>),
    Failed(ApiError),
}

#[derive(Clone)]
struct Core {
    api: Api,
    state: UseStateHandle<Settled>,
    error: UseStateHandle<Option<ApiError>>,
    /// Read and written synchronously, so two clicks in one frame still make one run.
    running: Rc<RefCell<bool>>,
    reset: Callback<()>,
}

impl Core {
    /// Whether a run may start (none is under way); it is under way from now.
    fn start(&self) -> bool {
        if self.running.replace(true) {
            return false;
        }
        self.state.set(Settled::Running);
        true
    }

    /// Runs `answer` and records its outcome (boxed, so that this is one function in the wasm).
    fn spawn(&self, answer: Answer) {
        let core = self.clone();
        yew::platform::spawn_local(async move { core.settle(answer.await) });
    }

    fn settle(&self, outcome: Result<Rc<dyn Any>, ApiError>) {
        *self.running.borrow_mut() = false;
        match outcome {
            Ok(value) => {
                self.error.set(None);
                self.state.set(Settled::Done(value));
            }
            Err(e) if e.is_silent() => self.state.set(Settled::Idle),
            Err(e) => {
                self.error.set(Some(e.clone()));
                self.state.set(Settled::Failed(e));
            }
        }
    }
}

#[hook]
fn use_core() -> Core {
    let api = use_api();
    let state = use_state(|| Settled::Idle);
    let error = use_state(|| None::<ApiError>);
    let running = use_mut_ref(|| false);
    let reset = {
        let (state, error, running) = (state.clone(), error.clone(), running.clone());
        Callback::from(move |()| {
            error.set(None);
            if !*running.borrow() {
                state.set(Settled::Idle);
            }
        })
    };
    Core {
        api,
        state,
        error,
        running,
        reset,
    }
}
