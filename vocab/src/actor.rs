//! Who did something: a person signed in to the console, a part of Steward acting on its own, or
//! a Webex person acting from Webex (clicking a card, adding the bot to a space).

use std::{fmt, str::FromStr};

use serde::{Deserialize, Deserializer, Serialize, Serializer, de};

/// Who did something. Stored as `user:3`, `system:runtime` or `webex:<person ID>`.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Actor {
    /// A person, by their Steward user id.
    User(i64),
    /// A part of Steward, e.g. `config` when seeding admins at start-up or `runtime`.
    System(String),
    /// A Webex person acting from Webex, by person ID.
    Webex(String),
}

impl Actor {
    /// A part of Steward acting on its own.
    pub fn system(component: &str) -> Self {
        Self::System(component.to_owned())
    }

    /// A Webex person, by person ID.
    pub fn webex(person_id: &str) -> Self {
        Self::Webex(person_id.to_owned())
    }

    /// The Steward user id, when a signed-in person did it.
    pub fn user_id(&self) -> Option<i64> {
        match self {
            Self::User(id) => Some(*id),
            Self::System(_) | Self::Webex(_) => None,
        }
    }
}

impl fmt::Display for Actor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::User(id) => write!(f, "user:{id}"),
            Self::System(part) => write!(f, "system:{part}"),
            Self::Webex(person) => write!(f, "webex:{person}"),
        }
    }
}

/// Text that does not name an actor.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("`{0}` is not an actor; use user:<id>, system:<part> or webex:<person ID>")]
pub struct UnknownActor(pub String);

impl FromStr for Actor {
    type Err = UnknownActor;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let unknown = || UnknownActor(s.to_owned());
        let (kind, rest) = s.split_once(':').ok_or_else(unknown)?;
        if rest.is_empty() {
            return Err(unknown());
        }
        match kind {
            "user" => rest.parse().map(Self::User).map_err(|_| unknown()),
            "system" => Ok(Self::System(rest.to_owned())),
            "webex" => Ok(Self::Webex(rest.to_owned())),
            _ => Err(unknown()),
        }
    }
}

impl TryFrom<String> for Actor {
    type Error = UnknownActor;

    fn try_from(stored: String) -> Result<Self, Self::Error> {
        stored.parse()
    }
}

impl Serialize for Actor {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Actor {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        String::deserialize(deserializer)?
            .parse()
            .map_err(de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::Actor;

    #[test]
    fn actors_round_trip_through_their_stored_form() {
        for (actor, stored) in [
            (Actor::User(3), "user:3"),
            (Actor::system("config"), "system:config"),
            (
                Actor::webex("Y2lzY29zcGFyazovL3VzL1BFT1BMRS9hYmM"),
                "webex:Y2lzY29zcGFyazovL3VzL1BFT1BMRS9hYmM",
            ),
        ] {
            assert_eq!(actor.to_string(), stored);
            assert_eq!(stored.parse::<Actor>().unwrap(), actor);
            let json = serde_json::to_string(&actor).unwrap();
            assert_eq!(serde_json::from_str::<Actor>(&json).unwrap(), actor);
        }
    }

    #[test]
    fn other_text_is_not_an_actor() {
        for text in ["", "user", "user:", "user:x", "robot:1", "3"] {
            assert!(text.parse::<Actor>().is_err(), "{text}");
        }
        assert_eq!(Actor::User(5).user_id(), Some(5));
        assert_eq!(Actor::system("runtime").user_id(), None);
    }
}
