//! The one error body of the API, and how each use-case error becomes a status.
//!
//! Bodies never carry SQL, stack traces or file paths: infrastructure errors are logged with
//! their detail and answered with a generic sentence.

use actix_web::{http::StatusCode, HttpResponse, ResponseError};
use serde::Serialize;
use sos_app::{
    AppealError, CalculateError, ConfigError, EnforcementError, ExceptionError, IngestError,
    MasterError, QueryError, WebhookError,
};
use sos_domain::{FieldError, ValidationErrors};
use std::fmt;
use utoipa::ToSchema;

/// One problem with one field.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ErrorDetail {
    /// The field, e.g. `[3].period` or `breakdown.under_4h`.
    pub field: String,
    /// What is wrong with it.
    pub message: String,
}

/// The error body: `{"error": "...", "details": [...]}`.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ErrorBody {
    /// One human sentence.
    #[schema(example = "Seller SEL001 not found")]
    pub error: String,
    /// Field-level problems, when there are any.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub details: Vec<ErrorDetail>,
}

/// An error answer.
#[derive(Debug, Clone)]
pub struct ApiError {
    status: StatusCode,
    body: ErrorBody,
    /// Extra headers (`WWW-Authenticate`, `Allow`).
    headers: Vec<(&'static str, String)>,
}

impl ApiError {
    /// An answer with `status` and `error`.
    pub fn new(status: StatusCode, error: impl Into<String>) -> Self {
        Self {
            status,
            body: ErrorBody {
                error: error.into(),
                details: Vec::new(),
            },
            headers: Vec::new(),
        }
    }

    /// 400 with field details.
    pub fn invalid(error: impl Into<String>, details: &ValidationErrors) -> Self {
        let mut e = Self::new(StatusCode::BAD_REQUEST, error);
        e.body.details = details.errors().iter().map(detail).collect();
        e
    }

    /// 400 for `errors`, summarised in one sentence.
    pub fn from_validation(errors: &ValidationErrors) -> Self {
        let sentence = match errors.errors() {
            [one] => format!("{}: {}", one.field, one.message),
            many => format!("{} fields are invalid", many.len()),
        };
        Self::invalid(sentence, errors)
    }

    /// Adds field details.
    pub fn with_details(mut self, details: Vec<ErrorDetail>) -> Self {
        self.body.details = details;
        self
    }

    /// Adds a header.
    pub fn with_header(mut self, name: &'static str, value: impl Into<String>) -> Self {
        self.headers.push((name, value.into()));
        self
    }

    /// 404.
    pub fn not_found(error: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, error)
    }

    /// 503: the database cannot be reached; the detail goes to the log only.
    pub fn unavailable(detail: &str) -> Self {
        tracing::warn!(detail, "database unavailable");
        Self::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "The database is unavailable; retry shortly",
        )
        .with_header("Retry-After", "5")
    }

    /// 500: a real fault; the detail goes to the log only.
    pub fn internal(detail: &anyhow::Error) -> Self {
        tracing::error!(error = %detail, "internal error");
        Self::new(StatusCode::INTERNAL_SERVER_ERROR, "Internal server error")
    }

    /// The status.
    pub fn status(&self) -> StatusCode {
        self.status
    }
}

fn detail(e: &FieldError) -> ErrorDetail {
    ErrorDetail {
        field: e.field.clone(),
        message: e.message.clone(),
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.status, self.body.error)
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        self.status
    }

    fn error_response(&self) -> HttpResponse {
        let mut res = HttpResponse::build(self.status);
        for (name, value) in &self.headers {
            res.insert_header((*name, value.as_str()));
        }
        res.json(&self.body)
    }
}

/// The sentence for an error raised by the framework rather than a handler (reading the
/// body, for one): by status only, so no internal detail reaches the caller.
pub fn foreign_error_sentence(status: StatusCode) -> String {
    match status {
        StatusCode::PAYLOAD_TOO_LARGE => format!(
            "Request body is larger than {} MiB",
            crate::body::MAX_ARRAY_BYTES / (1024 * 1024)
        ),
        StatusCode::BAD_REQUEST => "The request body could not be read".to_owned(),
        other => other
            .canonical_reason()
            .unwrap_or("Request failed")
            .to_owned(),
    }
}

/// `Seller X not found` for one, `Sellers X, Y not found` for several.
pub fn missing(kind: &str, names: &[String]) -> String {
    match names {
        [one] => format!("{kind} {one} not found"),
        many => format!("{kind}s {} not found", many.join(", ")),
    }
}

impl From<IngestError> for ApiError {
    fn from(e: IngestError) -> Self {
        match e {
            IngestError::Invalid(v) => ApiError::from_validation(&v),
            IngestError::UnknownSellers(v) => ApiError::not_found(missing(
                "Seller",
                &v.iter().map(ToString::to_string).collect::<Vec<_>>(),
            )),
            IngestError::UnknownCampaigns(v) => ApiError::not_found(missing(
                "Campaign",
                &v.iter().map(ToString::to_string).collect::<Vec<_>>(),
            )),
            IngestError::UnknownAccountManagers(v) => ApiError::not_found(missing(
                "Account manager",
                &v.iter().map(ToString::to_string).collect::<Vec<_>>(),
            )),
            IngestError::Unavailable(m) => ApiError::unavailable(&m),
            IngestError::Unknown(e) => ApiError::internal(&e),
        }
    }
}

impl From<ConfigError> for ApiError {
    fn from(e: ConfigError) -> Self {
        match e {
            ConfigError::Invalid(v) => ApiError::from_validation(&v),
            ConfigError::NotFound => ApiError::not_found("Config row not found"),
            ConfigError::Unavailable(m) => ApiError::unavailable(&m),
            ConfigError::Unknown(e) => ApiError::internal(&e),
        }
    }
}

impl From<MasterError> for ApiError {
    fn from(e: MasterError) -> Self {
        match e {
            MasterError::Invalid(v) => ApiError::from_validation(&v),
            MasterError::NotFound => ApiError::not_found("Not found"),
            MasterError::Conflict(m) => ApiError::new(StatusCode::CONFLICT, capitalize(&m)),
            MasterError::Unavailable(m) => ApiError::unavailable(&m),
            MasterError::Unknown(e) => ApiError::internal(&e),
        }
    }
}

impl From<CalculateError> for ApiError {
    fn from(e: CalculateError) -> Self {
        match e {
            CalculateError::InvalidConfig(r) => {
                let details = r
                    .problems
                    .iter()
                    .map(|p| ErrorDetail {
                        field: "config".into(),
                        message: p.to_string(),
                    })
                    .collect();
                ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, capitalize(&r.to_string()))
                    .with_details(details)
            }
            CalculateError::Invalid(v) => ApiError::from_validation(&v),
            CalculateError::UnknownSellers(v) => ApiError::not_found(missing(
                "Seller",
                &v.iter().map(ToString::to_string).collect::<Vec<_>>(),
            )),
            e @ (CalculateError::AlreadyRunning(_) | CalculateError::Finalized(_)) => {
                ApiError::new(StatusCode::CONFLICT, capitalize(&e.to_string()))
            }
            CalculateError::Unavailable(m) => ApiError::unavailable(&m),
            CalculateError::Unknown(e) => ApiError::internal(&e),
        }
    }
}

impl From<QueryError> for ApiError {
    fn from(e: QueryError) -> Self {
        match e {
            QueryError::NotFound => ApiError::not_found("Not found"),
            QueryError::Unavailable(m) => ApiError::unavailable(&m),
            QueryError::Unknown(e) => ApiError::internal(&e),
        }
    }
}

impl From<WebhookError> for ApiError {
    fn from(e: WebhookError) -> Self {
        match e {
            WebhookError::Invalid(v) => ApiError::from_validation(&v),
            WebhookError::NotFound => ApiError::not_found("Not found"),
            WebhookError::Unavailable(m) => ApiError::unavailable(&m),
            WebhookError::Unknown(e) => ApiError::internal(&e),
        }
    }
}

fn config_problem(r: &sos_domain::config::ResolveError) -> ApiError {
    let details = r
        .problems
        .iter()
        .map(|p| ErrorDetail {
            field: "config".into(),
            message: p.to_string(),
        })
        .collect();
    ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, capitalize(&r.to_string()))
        .with_details(details)
}

impl From<ExceptionError> for ApiError {
    fn from(e: ExceptionError) -> Self {
        match e {
            ExceptionError::Invalid(v) => ApiError::from_validation(&v),
            ExceptionError::UnknownSeller(s) => {
                ApiError::not_found(format!("Seller {s} not found"))
            }
            ExceptionError::NotFound => ApiError::not_found("Exception not found"),
            e @ (ExceptionError::Finalized(_) | ExceptionError::AlreadyRevoked(_)) => {
                ApiError::new(StatusCode::CONFLICT, capitalize(&e.to_string()))
            }
            ExceptionError::InvalidConfig(r) => config_problem(&r),
            ExceptionError::Unavailable(m) => ApiError::unavailable(&m),
            ExceptionError::Unknown(e) => ApiError::internal(&e),
        }
    }
}

impl From<AppealError> for ApiError {
    fn from(e: AppealError) -> Self {
        match e {
            AppealError::Invalid(v) => ApiError::from_validation(&v),
            AppealError::UnknownSeller(s) => ApiError::not_found(format!("Seller {s} not found")),
            AppealError::NotFound => ApiError::not_found("Appeal not found"),
            AppealError::Refused(r) => {
                ApiError::new(StatusCode::CONFLICT, capitalize(&r.to_string()))
            }
            AppealError::Forbidden(m) => ApiError::new(StatusCode::FORBIDDEN, capitalize(&m)),
            AppealError::InvalidConfig(r) => config_problem(&r),
            AppealError::Unavailable(m) => ApiError::unavailable(&m),
            AppealError::Unknown(e) => ApiError::internal(&e),
        }
    }
}

impl From<EnforcementError> for ApiError {
    fn from(e: EnforcementError) -> Self {
        match e {
            EnforcementError::Invalid(v) => ApiError::from_validation(&v),
            e @ EnforcementError::UnknownSeller(_) => ApiError::not_found(e.to_string()),
            e @ EnforcementError::NotBlocked(_) => {
                ApiError::new(StatusCode::CONFLICT, e.to_string())
            }
            EnforcementError::Unavailable(m) => ApiError::unavailable(&m),
            EnforcementError::Unknown(e) => ApiError::internal(&e),
        }
    }
}

/// Upper-cases the first letter, so messages read as sentences.
pub fn capitalize(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}
