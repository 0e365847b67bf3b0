//! Free-text checks shared by master data and config.

use crate::error::ValidationErrors;

/// Checks free text: at most `max_chars` characters and no NUL or other control characters
/// except tab and newline. When `required`, it must not be blank.
pub fn check_text(
    errors: &mut ValidationErrors,
    field: &str,
    value: &str,
    max_chars: usize,
    required: bool,
) {
    if required && value.trim().is_empty() {
        errors.push(field, "must not be empty");
    }
    if value.chars().count() > max_chars {
        errors.push(field, format!("must be at most {max_chars} characters"));
    }
    if value
        .chars()
        .any(|c| c.is_control() && c != '\n' && c != '\t' && c != '\r')
    {
        errors.push(field, "must not contain control characters");
    }
}
