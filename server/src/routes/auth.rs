//! `/api/auth`: sign in, sign out, and who is signed in.

use std::net::{IpAddr, SocketAddr};

use axum::extract::{ConnectInfo, FromRequestParts, State};
use axum::http::Method;
use axum::http::request::Parts;
use axum::response::Response;
use gatehouse_api::{LoginRequest, Password, Username};
use tower_sessions::Session;

use super::Route;
use crate::error::{AppError, Json, both};
use crate::session::{self, Access, CurrentUser};
use crate::state::AppState;
use crate::users;

/// This resource's routes.
pub fn routes() -> Vec<Route> {
    vec![
        Route::new(Method::POST, "/api/auth/login", Access::Public, login),
        Route::new(Method::POST, "/api/auth/logout", Access::User, logout),
        Route::new(Method::GET, "/api/auth/me", Access::User, me),
    ]
}

/// `POST /api/auth/login`: 200 with the session, or 401 `invalid_credentials` (the same for
/// an unknown user as for a wrong password, in body and in time), or 429 when throttled.
async fn login(
    State(state): State<AppState>,
    ClientAddress(address): ClientAddress,
    session: Session,
    Json(req): Json<LoginRequest>,
) -> Result<Response, AppError> {
    let (username, password) = both(
        Username::try_from(req.username.as_str()),
        Password::try_from(req.password.as_str()),
    )?;
    let key = username.folded();
    state.throttle.check(&key, address)?;

    let account = users::find_by_name(&state.db, &username).await?;
    let hash = account.as_ref().map(|a| a.password_hash.clone());
    let verified = state.hasher.verify(&password, hash).await?;
    let Some(account) = account.filter(|_| verified) else {
        state.throttle.failed(&key, address);
        tracing::info!(username = %key, "sign-in failed");
        return Err(AppError::InvalidCredentials);
    };
    state.throttle.succeeded(&key);
    tracing::info!(user_id = account.id, "signed in");
    session::sign_in(&state.sessions, &session, &account).await
}

/// `POST /api/auth/logout`: 204; the session is deleted and both cookies cleared.
async fn logout(
    State(state): State<AppState>,
    session: Session,
    user: CurrentUser,
) -> Result<Response, AppError> {
    tracing::info!(user_id = user.account.id, "signed out");
    session::sign_out(&state.sessions, &session).await
}

/// `GET /api/auth/me`: the signed-in user and when the session ends.
async fn me(user: CurrentUser) -> Json<gatehouse_api::SessionInfo> {
    Json(user.session_info())
}

/// The client's address: the connection's peer, or, when the peer is a trusted proxy, the
/// nearest address in `X-Forwarded-For` that is not itself a trusted proxy.
pub struct ClientAddress(pub Option<IpAddr>);

impl FromRequestParts<AppState> for ClientAddress {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let peer = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|c| c.0.ip());
        let forwarded = parts
            .headers
            .get_all("x-forwarded-for")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .collect::<Vec<_>>()
            .join(",");
        Ok(Self(peer.map(|peer| {
            client_address(peer, &forwarded, &state.trusted_proxies)
        })))
    }
}

/// Walks `X-Forwarded-For` from the right (the hop nearest to us) while the sender is trusted.
/// A value that does not parse stops the walk, and the last trusted hop counts as the client.
fn client_address(peer: IpAddr, forwarded_for: &str, trusted: &[IpAddr]) -> IpAddr {
    let mut client = peer;
    let hops = forwarded_for
        .split(',')
        .map(str::trim)
        .filter(|h| !h.is_empty())
        .rev();
    for hop in hops {
        if !trusted.contains(&client) {
            break;
        }
        match hop.parse::<IpAddr>() {
            Ok(addr) => client = addr,
            Err(_) => break,
        }
    }
    client
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn forwarded_for_is_ignored_unless_the_peer_is_a_trusted_proxy() {
        assert_eq!(
            client_address(ip("203.0.113.9"), "198.51.100.1", &[]),
            ip("203.0.113.9")
        );
        let trusted = [ip("10.0.0.1")];
        assert_eq!(
            client_address(ip("203.0.113.9"), "198.51.100.1", &trusted),
            ip("203.0.113.9")
        );
        assert_eq!(
            client_address(ip("10.0.0.1"), "198.51.100.1", &trusted),
            ip("198.51.100.1")
        );
    }

    #[test]
    fn a_client_cannot_spoof_its_address_by_prepending_to_forwarded_for() {
        let trusted = [ip("10.0.0.1"), ip("10.0.0.2")];
        // The client sent "1.2.3.4"; proxy 10.0.0.2 appended the real client; 10.0.0.1 appended 10.0.0.2.
        let chain = "1.2.3.4, 198.51.100.7, 10.0.0.2";
        assert_eq!(
            client_address(ip("10.0.0.1"), chain, &trusted),
            ip("198.51.100.7")
        );
        assert_eq!(
            client_address(ip("10.0.0.1"), "garbage", &trusted),
            ip("10.0.0.1")
        );
        assert_eq!(client_address(ip("10.0.0.1"), "", &trusted), ip("10.0.0.1"));
    }
}
