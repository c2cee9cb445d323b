//! The account APIs chatroute reads: amoCRM's REST API v4 ([`crm`]: users,
//! pipelines, stages and contacts' phones) and Wazzup's API v3 ([`wazzup`]:
//! the channel list), pulled into the snapshots `chatroute-check` checks
//! specs against, over one paced, retrying client ([`http`]).

pub mod crm;
pub mod http;
mod i18n;
pub mod wazzup;
