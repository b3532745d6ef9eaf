//! Who is signed in: an auth context loaded from `/api/auth/me`, kept in step across tabs, and
//! the guards that keep protected pages from rendering (or flashing) for the wrong person.

mod context;
mod guard;

pub use context::{Auth, AuthProvider, AuthProviderProps, AuthState, use_auth};
pub use guard::{RequireAuth, RequireAuthProps};
