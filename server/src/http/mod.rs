//! The HTTP plumbing around the routes: the listener and its connection limits, the layers
//! every response goes through, the reverse-proxy headers believed, and the built SPA.

pub mod layers;
pub mod listener;
pub mod proxy;
pub mod spa;
