//! The error answers many operations share, each described once.
//!
//! Each answer is a reusable response (`components/responses` in the OpenAPI document), and the
//! sets below group them as handlers list them: `responses((status = 200, ...), BadInput,
//! Guarded)`. An operation whose answer says something of its own keeps its own tuple.

use crate::error::ErrorBody;
use utoipa::{IntoResponses, ToResponse};

/// 400.
#[derive(Debug, ToResponse)]
#[response(description = "Invalid input: the body names each bad field; nothing was written")]
pub struct BadRequest(pub ErrorBody);

/// 401.
#[derive(Debug, ToResponse)]
#[response(description = "Missing, invalid or revoked API key")]
pub struct Unauthorized(pub ErrorBody);

/// 403.
#[derive(Debug, ToResponse)]
#[response(description = "The API key lacks the scope this operation needs")]
pub struct Forbidden(pub ErrorBody);

/// 404.
#[derive(Debug, ToResponse)]
#[response(description = "Not found")]
pub struct NotFound(pub ErrorBody);

/// 413.
#[derive(Debug, ToResponse)]
#[response(description = "Request body too large")]
pub struct PayloadTooLarge(pub ErrorBody);

/// 415.
#[derive(Debug, ToResponse)]
#[response(description = "Content-Type must be application/json")]
pub struct UnsupportedMediaType(pub ErrorBody);

/// 503.
#[derive(Debug, ToResponse)]
#[response(description = "The database is unavailable; retry with backoff")]
pub struct Unavailable(pub ErrorBody);

/// 401, 403 and 503: what every `/api` operation may answer, whatever it does.
#[derive(Debug, IntoResponses)]
pub enum Guarded {
    /// No usable key.
    #[response(status = 401)]
    Unauthorized(#[ref_response] Unauthorized),
    /// The key lacks the scope.
    #[response(status = 403)]
    Forbidden(#[ref_response] Forbidden),
    /// The database is down.
    #[response(status = 503)]
    Unavailable(#[ref_response] Unavailable),
}

/// 400: the operation parses input (a body, a query string, a path segment with rules).
#[derive(Debug, IntoResponses)]
#[response(status = 400)]
pub struct BadInput(#[ref_response] pub BadRequest);

/// 413 and 415: the operation reads a JSON body.
#[derive(Debug, IntoResponses)]
pub enum JsonBody {
    /// Past the size limits.
    #[response(status = 413)]
    PayloadTooLarge(#[ref_response] PayloadTooLarge),
    /// Not JSON.
    #[response(status = 415)]
    UnsupportedMediaType(#[ref_response] UnsupportedMediaType),
}

/// 404: the path names something that may not exist.
#[derive(Debug, IntoResponses)]
#[response(status = 404)]
pub struct Missing(#[ref_response] pub NotFound);
