//! What every term of the vocabulary has in common, and [`terms!`](crate::terms), which
//! declares an enum of them.

use std::{fmt, marker::PhantomData, str::FromStr};

use serde::de::{self, Deserializer, Visitor};

/// A closed set of named values: one stored name and one label per value.
pub trait Term: Copy + Eq + fmt::Display + FromStr<Err = UnknownTerm> + 'static {
    /// What one value is called, with its article, e.g. `a mode`.
    const WHAT: &'static str;

    /// Every value, in display order.
    fn all() -> &'static [Self];

    /// The stored name, e.g. `shadow`.
    fn name(self) -> &'static str;

    /// The name shown to people, e.g. `Shadow`.
    fn title(self) -> &'static str;
}

/// A name that is none of a term's values.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("`{value}` is not {what}; use {}", or_list(expected))]
pub struct UnknownTerm {
    /// What was expected, e.g. `a mode`.
    pub what: &'static str,
    /// What was given.
    pub value: String,
    /// The names that would have been accepted.
    pub expected: &'static [&'static str],
}

impl UnknownTerm {
    /// `value` is not one of `expected`.
    pub fn new(what: &'static str, value: &str, expected: &'static [&'static str]) -> Self {
        Self {
            what,
            value: value.to_owned(),
            expected,
        }
    }
}

/// `a, b or c`.
fn or_list(names: &[&str]) -> String {
    match names {
        [] => String::new(),
        [only] => (*only).to_owned(),
        [init @ .., last] => format!("{} or {last}", init.join(", ")),
    }
}

/// Deserialises a term from its stored name; used by [`terms!`](crate::terms).
#[doc(hidden)]
pub fn deserialize<'de, T: Term, D: Deserializer<'de>>(deserializer: D) -> Result<T, D::Error> {
    struct Name<T>(PhantomData<T>);

    impl<T: Term> Visitor<'_> for Name<T> {
        type Value = T;

        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str(T::WHAT)
        }

        fn visit_str<E: de::Error>(self, value: &str) -> Result<T, E> {
            value.parse().map_err(E::custom)
        }
    }

    deserializer.deserialize_str(Name(PhantomData))
}

/// Declares an enum of terms: each variant with its stored name and its label. The enum gets
/// `ALL`, `as_str`, `label`, `Display` (the stored name), `FromStr` and `TryFrom<String>`
/// (refusing other names with [`UnknownTerm`]; rows read a column with `#[sqlx(try_from =
/// "String")]`), serde as the stored name, and [`Term`].
///
/// ```ignore
/// terms! {
///     /// What a person may do.
///     pub enum Role("a role") {
///         /// Configures everything.
///         Admin = "admin", "Admin";
///     }
/// }
/// ```
#[macro_export]
macro_rules! terms {
    (
        $(#[$meta:meta])*
        $vis:vis enum $name:ident ($what:literal) {
            $(
                $(#[$variant_meta:meta])*
                $variant:ident = $stored:literal, $label:literal;
            )+
        }
    ) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        $vis enum $name {
            $(
                $(#[$variant_meta])*
                $variant,
            )+
        }

        impl $name {
            /// Every value, in display order.
            pub const ALL: [Self; [$($stored),+].len()] = [$(Self::$variant),+];

            /// The stored name.
            pub const fn as_str(self) -> &'static str {
                match self {
                    $(Self::$variant => $stored,)+
                }
            }

            /// The name shown to people.
            pub const fn label(self) -> &'static str {
                match self {
                    $(Self::$variant => $label,)+
                }
            }
        }

        impl ::core::fmt::Display for $name {
            fn fmt(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl ::core::str::FromStr for $name {
            type Err = $crate::UnknownTerm;

            fn from_str(s: &str) -> Result<Self, Self::Err> {
                match s {
                    $($stored => Ok(Self::$variant),)+
                    other => Err($crate::UnknownTerm::new($what, other, &[$($stored),+])),
                }
            }
        }

        impl ::core::convert::TryFrom<String> for $name {
            type Error = $crate::UnknownTerm;

            fn try_from(stored: String) -> Result<Self, Self::Error> {
                stored.parse()
            }
        }

        impl $crate::Term for $name {
            const WHAT: &'static str = $what;

            fn all() -> &'static [Self] {
                &Self::ALL
            }

            fn name(self) -> &'static str {
                self.as_str()
            }

            fn title(self) -> &'static str {
                self.label()
            }
        }

        impl $crate::__serde::Serialize for $name {
            fn serialize<S: $crate::__serde::Serializer>(
                &self,
                serializer: S,
            ) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }

        impl<'de> $crate::__serde::Deserialize<'de> for $name {
            fn deserialize<D: $crate::__serde::Deserializer<'de>>(
                deserializer: D,
            ) -> Result<Self, D::Error> {
                $crate::__deserialize_term(deserializer)
            }
        }
    };
}

#[cfg(test)]
mod tests {
    use super::or_list;

    #[test]
    fn names_are_listed_for_people() {
        assert_eq!(or_list(&["live"]), "live");
        assert_eq!(or_list(&["a", "b"]), "a or b");
        assert_eq!(
            or_list(&["off", "shadow", "review", "live"]),
            "off, shadow, review or live"
        );
    }
}
