//! What a form keeps while the person goes through the sign-in page and back: passwords, in a
//! context the app's frame owns (in memory only, never in storage), gone with the app.

use std::cell::RefCell;
use std::rc::Rc;

use gatehouse_api::PasswordChange;
use gloo_timers::callback::Timeout;
use yew::prelude::*;

/// How long the password just used to sign in is kept (ms).
pub const SIGN_IN_PASSWORD_MS: u32 = 60_000;

/// The passwords kept between pages. Cloning shares them.
#[derive(Clone, Default)]
pub struct Kept(Rc<RefCell<Inner>>);

#[derive(Default)]
struct Inner {
    /// The password just used to sign in, and the timer that forgets it.
    sign_in_password: Option<(String, Timeout)>,
    /// The account page's password form, while the person confirms it is them.
    password_form: Option<PasswordChange>,
}

impl PartialEq for Kept {
    /// The same store: it is one per app, and what it holds never causes a render.
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.0, &other.0)
    }
}

impl Kept {
    /// Keeps the password just used to sign in, for a minute: if it was a one-time password,
    /// the "Choose a new password" form that follows needs it, and asking twice would be absurd.
    pub fn keep_sign_in_password(&self, password: String) {
        let inner = Rc::downgrade(&self.0);
        let forget = Timeout::new(SIGN_IN_PASSWORD_MS, move || {
            if let Some(inner) = inner.upgrade() {
                inner.borrow_mut().sign_in_password = None;
            }
        });
        self.0.borrow_mut().sign_in_password = Some((password, forget));
    }

    /// The password just used to sign in, if it is less than a minute old.
    pub fn sign_in_password(&self) -> Option<String> {
        let inner = self.0.borrow();
        inner.sign_in_password.as_ref().map(|(p, _)| p.clone())
    }

    /// Forgets the password used to sign in (the new one is chosen).
    pub fn forget_sign_in_password(&self) {
        self.0.borrow_mut().sign_in_password = None;
    }

    /// Keeps what the password form holds, for the trip to "Confirm it's you" and back.
    pub fn keep_password_form(&self, typed: PasswordChange) {
        self.0.borrow_mut().password_form = Some(typed);
    }

    /// What the password form held before the trip, once (the form takes it when it mounts).
    pub fn take_password_form(&self) -> Option<PasswordChange> {
        self.0.borrow_mut().password_form.take()
    }
}

/// Props of `KeptProvider`.
#[derive(Properties, PartialEq)]
pub struct KeptProviderProps {
    /// The app.
    pub children: Html,
}

/// Owns the store for everything below it.
#[function_component]
pub fn KeptProvider(props: &KeptProviderProps) -> Html {
    let kept = use_memo((), |()| Kept::default());
    html! {
        <ContextProvider<Kept> context={(*kept).clone()}>
            { props.children.clone() }
        </ContextProvider<Kept>>
    }
}

/// The store of the app around this component.
#[hook]
pub fn use_kept() -> Kept {
    use_context::<Kept>().expect("use_kept needs a KeptProvider above it")
}
