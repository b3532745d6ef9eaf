//! What a request says about its client, believing `X-Forwarded-For` and `X-Forwarded-Proto`
//! only from the configured `--trusted-proxy` addresses.

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;

use axum::extract::{ConnectInfo, Request, State};
use axum::http::HeaderMap;
use axum::middleware::Next;
use axum::response::Response;

/// Reverse proxies whose forwarding headers are believed.
#[derive(Clone, Debug, Default)]
pub struct TrustedProxies(pub Arc<[IpAddr]>);

/// The client as far as it can be trusted, put in every request's extensions.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Forwarded {
    /// The client's address (`None` only without connection info, as in some tests).
    pub client: Option<IpAddr>,
    /// The client reached us over https (said by a trusted proxy; we serve plain http).
    pub https: bool,
}

/// Works out `Forwarded` for each request.
pub async fn forwarded(
    State(trusted): State<TrustedProxies>,
    mut req: Request,
    next: Next,
) -> Response {
    let peer = req
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip());
    let info = trusted.forwarded(peer, req.headers());
    req.extensions_mut().insert(info);
    next.run(req).await
}

impl TrustedProxies {
    fn trusts(&self, addr: IpAddr) -> bool {
        self.0.contains(&addr)
    }

    /// The `Forwarded` facts for a request from `peer` with these headers.
    pub fn forwarded(&self, peer: Option<IpAddr>, headers: &HeaderMap) -> Forwarded {
        let joined = |name: &str| {
            headers
                .get_all(name)
                .iter()
                .filter_map(|v| v.to_str().ok())
                .collect::<Vec<_>>()
                .join(",")
        };
        let from_proxy = peer.is_some_and(|p| self.trusts(p));
        Forwarded {
            client: peer.map(|p| client_address(p, &joined("x-forwarded-for"), &self.0)),
            // The nearest proxy's word: the last value, from the trusted peer itself.
            https: from_proxy
                && joined("x-forwarded-proto")
                    .rsplit(',')
                    .next()
                    .is_some_and(|p| p.trim().eq_ignore_ascii_case("https")),
        }
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

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (name, value) in pairs {
            h.append(*name, value.parse().unwrap());
        }
        h
    }

    #[test]
    fn forwarded_proto_is_believed_only_from_a_trusted_proxy() {
        let trusted = TrustedProxies(vec![ip("10.0.0.1")].into());
        let https = headers(&[("x-forwarded-proto", "https")]);
        assert!(trusted.forwarded(Some(ip("10.0.0.1")), &https).https);
        assert!(!trusted.forwarded(Some(ip("203.0.113.9")), &https).https);
        assert!(
            !TrustedProxies::default()
                .forwarded(Some(ip("10.0.0.1")), &https)
                .https
        );
        // A client's own claim, passed along before the proxy's, does not count.
        let appended = headers(&[("x-forwarded-proto", "https, http")]);
        assert!(!trusted.forwarded(Some(ip("10.0.0.1")), &appended).https);
        assert!(
            !trusted
                .forwarded(Some(ip("10.0.0.1")), &HeaderMap::new())
                .https
        );
    }
}
