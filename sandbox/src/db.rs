//! SQL for the Webex sandbox's state, one file per aggregate. The files share one namespace so the
//! sandbox reads `store::find_person`, `store::insert_message`, … wherever the SQL lives.

mod integrations;
mod messages;
mod oauth;
mod people;
mod rooms;
mod webhooks;

pub(crate) use self::{integrations::*, messages::*, oauth::*, people::*, rooms::*, webhooks::*};
