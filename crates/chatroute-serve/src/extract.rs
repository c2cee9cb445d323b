//! What a handler takes from a request, each refusing with the one
//! `ApiError`: the table the request is for, a JSON body, a query.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Query, RawPathParams, Request};
use axum::http::StatusCode;
use axum::http::request::Parts;
use chatroute_runtime::AssignmentState;
use serde::de::DeserializeOwned;

use crate::error::ApiError;
use crate::{Active, App};

/// The table a request is for: the `{account}` of its path (`serve DIR`),
/// or the only one (`serve TABLE`).
pub(crate) struct Table<S: AssignmentState>(pub(crate) Arc<Active<S>>);

impl<S: AssignmentState + 'static> FromRequestParts<Arc<App<S>>> for Table<S> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, app: &Arc<App<S>>) -> Result<Self, ApiError> {
        let params = RawPathParams::from_request_parts(parts, app).await.ok();
        let account = params.as_ref().and_then(|p| p.iter().find(|(k, _)| *k == "account").map(|(_, v)| v));
        app.table_for(account).map(Table)
    }
}

/// A JSON request body as its type (whatever the `Content-Type`, as the
/// service always took it).
pub(crate) struct JsonBody<T>(pub(crate) T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for JsonBody<T> {
    type Rejection = ApiError;

    async fn from_request(request: Request, state: &S) -> Result<Self, ApiError> {
        let bytes = Bytes::from_request(request, state).await.map_err(|rejection| match rejection.status() {
            StatusCode::PAYLOAD_TOO_LARGE => ApiError::PayloadTooLarge,
            _ => ApiError::BadRequest(format!("request body: {rejection}")),
        })?;
        serde_json::from_slice(&bytes).map(JsonBody).map_err(|e| ApiError::BadRequest(format!("request body: {e}")))
    }
}

/// A query the endpoint describes when it does not read.
pub(crate) trait QueryHint {
    /// What the query must hold.
    const HINT: &'static str;
}

/// A query string as its type.
pub(crate) struct Params<T>(pub(crate) T);

impl<T: DeserializeOwned + QueryHint, S: Send + Sync> FromRequestParts<S> for Params<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        match Query::<T>::from_request_parts(parts, state).await {
            Ok(Query(query)) => Ok(Params(query)),
            Err(_) => Err(ApiError::BadRequest(T::HINT.into())),
        }
    }
}
