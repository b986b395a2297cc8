//! Kinds of Webex spaces.

use crate::terms;

terms! {
    /// A Webex space is a 1:1 conversation or a group; Webex calls this the room's `type`.
    pub enum RoomKind("a kind of space") {
        /// A 1:1 space between two people (or a person and the bot).
        Direct = "direct", "1:1";
        /// A space with any number of people.
        Group = "group", "Group";
    }
}
