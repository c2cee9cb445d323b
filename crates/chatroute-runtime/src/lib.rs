//! The runtime: a table compiled by `chatroute compile`, loaded and
//! verified by `chatroute-table`, answers the routing questions of
//! DESIGN.md (`Router`); assignment state lives behind `AssignmentState`
//! (`state`: in process, simulated, or in Redis with the `redis` feature).
#![doc = include_str!("../README.md")]

mod error;
#[cfg(feature = "redis")]
pub mod redis;
mod router;
pub mod state;

pub use jiff::Timestamp;

pub use self::error::RouteError;
pub use self::router::{AfterCloseAction, Claim, DealRequest, MAX_ID_CHARS, NewDeal, Responsible, Router, TICK_BATCH};
pub use self::state::events::{Draining, Due, EVENT_ID_PATTERN, Event, EventId, EventKind, Reassigning};
pub use self::state::{
    AssignmentState, CLIENT_TTL, CannotTake, Claimed, Claiming, HandOver, InProcess, Pick, PickRules, Picked,
    Simulated, StateError,
};

/// The answer of a call on a state that never waits (`InProcess`): its
/// futures are ready at once, so a synchronous caller polls them once
/// instead of starting an async runtime. Panics on a future that is not
/// ready (a state on the network: await it on a runtime instead).
pub fn ready<F: std::future::Future>(call: F) -> F::Output {
    use std::task::{Context, Poll, Waker};
    match std::pin::pin!(call).as_mut().poll(&mut Context::from_waker(Waker::noop())) {
        Poll::Ready(answer) => answer,
        Poll::Pending => panic!("chatroute_runtime::ready: the call waits on I/O; await it on an async runtime"),
    }
}
