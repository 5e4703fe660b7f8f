//! One macro for the enums that have a name on the command line and in files: their
//! `ALL` list, `name()`, `Display` and `FromStr`, generated from one table of variants
//! and names (the command line parses them with clap's `value_parser` on `FromStr`).

/// Generates, for a fieldless enum `$ty`, `$ty::ALL` (the variants in table order),
/// `$ty::name(self)`, `Display` (the name) and `FromStr` (the name back, or the error
/// `$unknown(text)`, of type `$err`: the core's `Error` unless given).
macro_rules! named_values {
    (
        $ty:ident,
        all = $all_doc:literal,
        name = $name_doc:literal,
        unknown = $unknown:expr,
        { $($var:ident => $name:literal),+ $(,)? }
    ) => {
        $crate::names::named_values! {
            $ty,
            all = $all_doc,
            name = $name_doc,
            error = $crate::error::Error,
            unknown = $unknown,
            { $($var => $name),+ }
        }
    };
    (
        $ty:ident,
        all = $all_doc:literal,
        name = $name_doc:literal,
        error = $err:ty,
        unknown = $unknown:expr,
        { $($var:ident => $name:literal),+ $(,)? }
    ) => {
        impl $ty {
            #[doc = $all_doc]
            pub const ALL: [$ty; [$($name),+].len()] = [$($ty::$var),+];

            #[doc = $name_doc]
            pub fn name(self) -> &'static str {
                match self {
                    $($ty::$var => $name),+
                }
            }
        }

        impl ::std::fmt::Display for $ty {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.name())
            }
        }

        impl ::std::str::FromStr for $ty {
            type Err = $err;
            fn from_str(s: &str) -> ::std::result::Result<Self, $err> {
                let unknown: fn(&str) -> $err = $unknown;
                $ty::ALL
                    .into_iter()
                    .find(|v| v.name() == s)
                    .ok_or_else(|| unknown(s))
            }
        }
    };
}

pub(crate) use named_values;
