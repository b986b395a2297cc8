//! Names for the people and spaces a page mentions, looked up together.

use std::collections::HashMap;

use crate::{Db, audit::Actor, db, policy::Space};

/// Names of people (by actor) and spaces (by room ID), read in one query per kind.
#[derive(Clone, Debug, Default)]
pub struct Names {
    users: HashMap<i64, String>,
    people: HashMap<String, String>,
    spaces: HashMap<String, Space>,
}

impl Names {
    /// Looks up the names of `actors` and the titles of `rooms`.
    pub async fn of<'a>(
        db: &Db,
        actors: impl IntoIterator<Item = &'a Actor>,
        rooms: impl IntoIterator<Item = &'a str>,
    ) -> Result<Self, sqlx::Error> {
        let mut ids = Vec::new();
        let mut person_ids = Vec::new();
        for actor in actors {
            match actor {
                Actor::User(id) if !ids.contains(id) => ids.push(*id),
                Actor::Webex(person) if !person_ids.contains(&person.as_str()) => {
                    person_ids.push(person.as_str());
                }
                Actor::User(_) | Actor::Webex(_) | Actor::System(_) => {}
            }
        }
        let mut rooms: Vec<&str> = rooms.into_iter().collect();
        rooms.sort_unstable();
        rooms.dedup();
        Ok(Self {
            users: db::users::names_by_id(db, &ids)
                .await?
                .into_iter()
                .collect(),
            people: people_names(db, &person_ids).await?,
            spaces: db::policy::spaces_by_id(db, &rooms)
                .await?
                .into_iter()
                .map(|space| (space.room_id.clone(), space))
                .collect(),
        })
    }

    /// Who an actor is, for people to read: a person's name (or e-mail), `Steward (part)` for
    /// Steward itself.
    pub fn actor(&self, actor: &Actor) -> String {
        match actor {
            Actor::User(id) => self
                .users
                .get(id)
                .cloned()
                .unwrap_or_else(|| actor.to_string()),
            Actor::System(part) => format!("Steward ({part})"),
            Actor::Webex(person) => self
                .people
                .get(person)
                .cloned()
                .unwrap_or_else(|| "a Webex person".to_owned()),
        }
    }

    /// A space's title, or its room ID when Steward does not know it.
    pub fn space(&self, room_id: &str) -> String {
        self.space_title(room_id)
            .unwrap_or_else(|| room_id.to_owned())
    }

    /// A space's title, when Steward knows the space.
    pub fn space_title(&self, room_id: &str) -> Option<String> {
        self.spaces.get(room_id).map(|space| space.title.clone())
    }
}

/// Names of Webex people: as they signed in to the console, else as Webex last named them.
async fn people_names(
    db: &Db,
    person_ids: &[&str],
) -> Result<HashMap<String, String>, sqlx::Error> {
    let mut names: HashMap<String, String> = db::people::names_by_id(db, person_ids)
        .await?
        .into_iter()
        .collect();
    names.extend(db::users::names_by_person_id(db, person_ids).await?);
    Ok(names)
}
