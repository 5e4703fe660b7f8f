//! Value parsers shared by the subcommands.

use softiou::error::{quote, quote_bare};
use softiou::{BBox, BoxFormat};

use super::CliError;

/// Parses `"X1,Y1,X2,Y2"` (or the chosen format) into a validated box; `flag` names the
/// flag in the error message.
pub fn parse_box(flag: &str, text: &str, format: BoxFormat) -> Result<BBox<f64>, CliError> {
    let parts: Vec<&str> = text.split(',').map(str::trim).collect();
    if parts.len() != 4 {
        return Err(CliError::Input(format!(
            "{flag}: expected 4 comma-separated numbers ({}), got {} in {}",
            format.fields().join(","),
            parts.len(),
            quote(text)
        )));
    }
    let mut c = [0.0; 4];
    for (i, p) in parts.iter().enumerate() {
        c[i] = parse_number(flag, format.fields()[i], p)?;
    }
    BBox::from_format(c, format).map_err(|source| CliError::Value {
        flag: flag.to_owned(),
        source,
    })
}

/// Parses one finite number; `what` names it in the error message.
pub fn parse_number(flag: &str, what: &str, text: &str) -> Result<f64, CliError> {
    let v: f64 = text
        .parse()
        .map_err(|_| CliError::Input(format!("{flag}: {what} {} is not a number", quote(text))))?;
    // a non-zero number too small for f64 parses as 0; say so rather than report a 0
    // the user never typed
    let mantissa = text.split(['e', 'E']).next().unwrap_or("");
    if v == 0.0 && mantissa.chars().any(|c| ('1'..='9').contains(&c)) {
        return Err(CliError::Input(format!(
            "{flag}: {what} {} is too small for a 64-bit float (it rounds to 0)",
            quote(text)
        )));
    }
    if v.is_finite() {
        Ok(v)
    } else {
        Err(CliError::Input(format!(
            "{flag}: {what} is {}; it must be a finite number",
            quote_bare(text)
        )))
    }
}

/// Parses κ: a finite number > 0.
pub fn parse_kappa(flag: &str, text: &str) -> Result<f64, CliError> {
    let k = parse_number(flag, "kappa", text)?;
    softiou::iou::check_kappa(&k).map_err(|source| CliError::Value {
        flag: flag.to_owned(),
        source,
    })?;
    Ok(k)
}

/// Parses a name (`--smoothing`, `--loss`, `--box-format`, a CSV cell) with the library's
/// `FromStr`, whose error lists the valid names; `flag` names where it came from.
pub fn parse_name<T>(flag: &str, text: &str) -> Result<T, CliError>
where
    T: std::str::FromStr,
    T::Err: std::fmt::Display,
{
    text.trim()
        .parse()
        .map_err(|source| CliError::Input(format!("{flag}: {source}")))
}
