//! Steward's vocabulary as types: the words the product is made of (roles, agent functions,
//! modes, decisions, the states of events, drafts and actions, severities, kinds of spaces and
//! integrations, and who did something), shared by the server and the wasm console.
//!
//! Every term has one stored name (`as_str`, `FromStr`, serde) and one name for people
//! (`label`). Columns and JSON keep the stored names, so the database and the audit log read
//! the same as before these types existed. The crate needs nothing but serde, so the console's
//! wasm bundle compiles it without pulling in the server's dependencies.

mod actor;
mod agents;
mod installation;
mod integrations;
mod people;
mod spaces;
mod states;
mod term;

pub use actor::{Actor, UnknownActor};
pub use agents::{AgentFunction, Decision, Mode, Severity};
pub use installation::InstallationKind;
pub use integrations::IntegrationKind;
pub use people::Role;
pub use spaces::RoomKind;
pub use states::{
    ActionState, AlertState, DraftState, EventState, IllegalMove, Lifecycle, OutboxState,
};
pub use term::{Term, UnknownTerm};

#[doc(hidden)]
pub use serde as __serde;
#[doc(hidden)]
pub use term::deserialize as __deserialize_term;
