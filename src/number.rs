//! The one way the crate writes a number: command-line output, CSV tables and error
//! messages all use [`num`], so a value reads the same wherever it appears and parses
//! back to the same `f64`.

/// `x` as the shortest decimal that parses back to exactly `x`: positional for
/// magnitudes in [1e-4, 1e16) and zero (`0.5`, `120.0`, `-0.0`: always with a point, so
/// that it reads as a real number), with an exponent outside (`1e300`, `2.5e-9`: never
/// hundreds of digits), and `NaN`, `inf`, `-inf` for the rest. This is the form Rust's
/// `{:?}` gives an `f64` today, written out here so that the crate's output does not
/// depend on an unspecified `Debug` format.
pub(crate) fn num(x: f64) -> String {
    let mut s = String::new();
    push(&mut s, x);
    s
}

/// [`num`] appended to `out`, without a `String` of its own (for the hot loop that
/// formats every row of `softiou batch`).
pub(crate) fn push(out: &mut String, x: f64) {
    use std::fmt::Write;
    let a = x.abs();
    // Writing into a String cannot fail.
    if !x.is_finite() {
        let _ = write!(out, "{x}");
    } else if a == 0.0 || (1e-4..1e16).contains(&a) {
        let start = out.len();
        let _ = write!(out, "{x}");
        if !out[start..].contains('.') {
            out.push_str(".0");
        }
    } else {
        let _ = write!(out, "{x:e}");
    }
}

/// A list of numbers in the format of [`num`]: `[0.5, 120.0, 1e300]`.
pub(crate) fn list(xs: &[f64]) -> String {
    let items: Vec<String> = xs.iter().map(|&x| num(x)).collect();
    format!("[{}]", items.join(", "))
}

#[cfg(test)]
mod tests {
    use super::{list, num};
    use proptest::prelude::*;

    #[test]
    fn ordinary_extreme_and_special_values() {
        let cases = [
            (0.5, "0.5"),
            (120.0, "120.0"),
            (-0.0, "-0.0"),
            (1e-4, "0.0001"),
            (9.5e-5, "9.5e-5"),
            (1e16, "1e16"),
            (1e300, "1e300"),
            (-2.5e-9, "-2.5e-9"),
            (f64::MIN_POSITIVE / 4.0, "5.562684646268003e-309"),
            (f64::NAN, "NaN"),
            (f64::INFINITY, "inf"),
            (f64::NEG_INFINITY, "-inf"),
        ];
        for (x, s) in cases {
            assert_eq!(num(x), s);
        }
        assert_eq!(list(&[0.5, -2.0, 1e-300]), "[0.5, -2.0, 1e-300]");
        assert_eq!(list(&[]), "[]");
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(20_000))]
        /// Every f64 (any bit pattern) reads back bit for bit, is at most 24 characters
        /// (17 significant digits, sign, point, `e-308`), has an exponent exactly outside
        /// [1e-4, 1e16) and a point otherwise.
        #[test]
        fn round_trips_is_short_and_follows_its_rules(bits in any::<u64>()) {
            let x = f64::from_bits(bits);
            let s = num(x);
            prop_assert!(s.len() <= 24, "{s}");
            if x.is_finite() {
                prop_assert_eq!(s.parse::<f64>().unwrap().to_bits(), bits);
                let positional = x == 0.0 || (1e-4..1e16).contains(&x.abs());
                prop_assert_eq!(s.contains('e'), !positional, "{}", s);
                if positional {
                    prop_assert!(s.contains('.'), "{s}");
                }
            } else {
                prop_assert!(["NaN", "inf", "-inf"].contains(&s.as_str()), "{s}");
            }
        }
    }
}
