//! What the tests share: real processes (serve, Redis, a Redis Cluster,
//! a fake amoCRM), the CLI, specs, Markdown.

pub(crate) mod amocrm_api;
pub(crate) mod amocrm_server;
pub(crate) mod cli;
pub(crate) mod faketime;
pub(crate) mod http;
pub(crate) mod markdown;
pub(crate) mod ready;
pub(crate) mod redis_cluster;
pub(crate) mod redis_server;
pub(crate) mod serve_process;
pub(crate) mod specs;
pub(crate) mod wazzup_api;
