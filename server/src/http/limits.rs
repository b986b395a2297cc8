//! Per-client rate limits on the routes anyone can call without signing in: sign-in
//! (`/auth/*`) and Webex's webhook deliveries. A flood is answered with 429 before it reaches a
//! handler, the database or a session, so it costs Steward next to nothing and cannot slow the
//! webhooks Webex sends.

use std::{
    net::{IpAddr, Ipv4Addr, SocketAddr},
    sync::Arc,
};

use axum::extract::ConnectInfo;
use tower_governor::{
    GovernorLayer, errors::GovernorError, governor::GovernorConfigBuilder,
    key_extractor::KeyExtractor,
};

/// Requests one client may send in a burst, and how often one more is allowed after it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limit {
    /// The burst.
    pub burst: u32,
    /// Milliseconds until the next request is allowed once the burst is spent.
    pub every_ms: u64,
}

/// Sign-in: a person needs three requests to sign in and out, and an office behind one address
/// signs in together in the morning; 100 in a burst, then two a second.
pub const SIGN_IN: Limit = Limit {
    burst: 100,
    every_ms: 500,
};

/// Webhook deliveries: Webex sends from a few addresses, in bursts when a space is busy; 5,000
/// in a burst and 1,000 a second after it, far above one organization's traffic.
pub const WEBHOOKS: Limit = Limit {
    burst: 5_000,
    every_ms: 1,
};

/// Keys requests by the peer address of their connection. Requests that arrive without one
/// (tests that call the router directly) share one key.
#[derive(Clone, Copy, Debug)]
pub struct PeerAddress;

impl KeyExtractor for PeerAddress {
    type Key = IpAddr;

    fn extract<T>(&self, request: &http::Request<T>) -> Result<Self::Key, GovernorError> {
        Ok(request
            .extensions()
            .get::<ConnectInfo<SocketAddr>>()
            .map_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED), |info| info.0.ip()))
    }
}

/// `router` with `limit` enforced per peer address, answering 429 with `Retry-After` beyond it.
pub fn limited<S>(router: axum::Router<S>, limit: Limit) -> axum::Router<S>
where
    S: Clone + Send + Sync + 'static,
{
    let config = GovernorConfigBuilder::default()
        .key_extractor(PeerAddress)
        .per_millisecond(limit.every_ms)
        .burst_size(limit.burst)
        .finish()
        .expect("a burst and a period above zero make a valid quota");
    router.layer(GovernorLayer::new(Arc::new(config)))
}
