//! Why a routing question has no answer.

use crate::state::{CannotTake, StateError};

/// Why a routing question has no answer.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RouteError {
    /// The channel is not in the table: unknown, excluded from the
    /// integration, or the integration is disabled.
    #[error("channel `{0}` is not routed by this table (unknown, excluded, or the integration is disabled)")]
    UnknownChannel(String),
    /// A claim by someone outside the channel's first-responder group, or
    /// on a round-robin channel.
    #[error("`{employee}` is not a first responder of channel `{channel}`")]
    NotAResponder { channel: String, employee: String },
    #[error("no employee `{0}` in this table")]
    UnknownEmployee(String),
    /// A claimant who may not take the deal now (unavailable where
    /// unavailable members are skipped, or at their open-deal limit).
    #[error("`{employee}` cannot take deal `{deal}` now: {}", match why {
        CannotTake::Unavailable => "marked unavailable",
        CannotTake::AtCapacity => "at the open-deal limit",
    })]
    CannotTake { deal: String, employee: String, why: CannotTake },
    /// The deal id is held by an employee who cannot have it here: it was
    /// decided on another channel, or a reload took its owner out of this
    /// channel's cycle. Asking again gives the same answer.
    #[error(
        "deal `{deal}` is held by `{owner}`, who is not a member here (decided on another channel, or a reload removed them): close it first, or use a new deal id"
    )]
    DealConflict { deal: String, owner: String },
    /// A decision without a deal id on a channel that limits open deals or
    /// passes unanswered ones on: without the id nothing could be counted
    /// or timed.
    #[error("channel `{0}` limits open deals or passes unanswered ones on: give the deal's `deal` id")]
    DealIdRequired(String),
    /// A deal, dialog or contact id that is empty, too long or holds a
    /// control character.
    #[error("the {what} id is {why}")]
    BadId { what: &'static str, why: &'static str },
    #[error(transparent)]
    State(#[from] StateError),
}
