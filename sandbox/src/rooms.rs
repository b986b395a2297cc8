//! Spaces and memberships: `/rooms` and `/memberships`.

use serde::Deserialize;

use domain::{
    time::now_ms,
    webex::types::RoomKind,
    webex::{
        ids::{IdKind, new_id},
        timestamp::format_ms,
        types::{Membership, Room},
    },
};

use crate::{
    Caller, Page, Sandbox, SandboxError,
    db::{self as store, MembershipRow, RoomRow},
    events::{Event, queue_event},
    page_size, paginate,
};

const ROOM_NOT_FOUND: &str = "Could not find a room with provided ID.";

/// `GET /rooms` query.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RoomQuery {
    /// `direct` or `group`.
    #[serde(rename = "type")]
    pub kind: Option<String>,
    /// Page size (default 100, at most 1000).
    pub max: Option<i64>,
    /// The opaque cursor from a `Link` header.
    pub cursor: Option<String>,
}

/// `POST /rooms`.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CreateRoom {
    /// The space's title.
    pub title: Option<String>,
}

/// `GET /memberships` query.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MembershipQuery {
    /// The space.
    pub room_id: Option<String>,
    /// Only this person (needs `roomId`).
    pub person_id: Option<String>,
    /// Only this e-mail (needs `roomId`).
    pub person_email: Option<String>,
    /// Page size (default 100, at most 1000).
    pub max: Option<i64>,
    /// The opaque cursor from a `Link` header.
    pub cursor: Option<String>,
}

/// `POST /memberships`.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CreateMembership {
    /// The space.
    pub room_id: Option<String>,
    /// The person, by ID.
    pub person_id: Option<String>,
    /// The person, by e-mail.
    pub person_email: Option<String>,
    /// Make them a moderator.
    #[serde(default)]
    pub is_moderator: bool,
}

pub(crate) fn membership_json(row: &MembershipRow) -> Membership {
    Membership {
        id: row.id.clone(),
        room_id: row.room_id.clone(),
        person_id: row.person_id.clone(),
        person_email: row.person_email.clone(),
        person_display_name: row.person_display_name.clone(),
        person_org_id: row.person_org_id.clone(),
        is_moderator: row.is_moderator == 1,
        is_monitor: false,
        room_type: row.room_kind,
        created: format_ms(row.created_ms),
    }
}

fn room_from_row(row: &RoomRow, title: String) -> Room {
    Room {
        id: row.id.clone(),
        title,
        kind: row.kind,
        is_locked: row.is_locked == 1,
        last_activity: Some(format_ms(row.last_activity_ms)),
        creator_id: row.creator_id.clone(),
        created: format_ms(row.created_ms),
        owner_id: Some(row.org_id.clone()),
    }
}

impl Sandbox {
    async fn room_json(&self, caller: &Caller, row: &RoomRow) -> Result<Room, SandboxError> {
        // A 1:1 space is titled with the other person's name, as each side sees it.
        let title = if row.kind == RoomKind::Direct {
            store::memberships_of_room(self.db.reader(), &row.id)
                .await?
                .into_iter()
                .find(|m| m.person_id != caller.person_id)
                .map_or_else(|| row.title.clone(), |m| m.person_display_name)
        } else {
            row.title.clone()
        };
        Ok(room_from_row(row, title))
    }

    /// The room, if the caller is a member; 404 otherwise, as Webex does.
    pub(crate) async fn room_of_member(
        &self,
        caller: &Caller,
        room_id: &str,
    ) -> Result<RoomRow, SandboxError> {
        let not_found = || SandboxError::not_found(ROOM_NOT_FOUND);
        let room = store::find_room(self.db.reader(), room_id)
            .await?
            .ok_or_else(not_found)?;
        store::membership_of(self.db.reader(), room_id, &caller.person_id)
            .await?
            .ok_or_else(not_found)?;
        Ok(room)
    }

    /// `GET /rooms`: the caller's spaces, most recently active first.
    pub async fn list_rooms(
        &self,
        caller: &Caller,
        query: &RoomQuery,
    ) -> Result<Page<Room>, SandboxError> {
        caller.require("spark:rooms_read")?;
        if query
            .kind
            .as_deref()
            .is_some_and(|k| k != "direct" && k != "group")
        {
            return Err(SandboxError::bad_request("type must be direct or group."));
        }
        let max = page_size(query.max, 100, 1000)?;
        let rows: Vec<RoomRow> = store::rooms_of(&self.db, &caller.person_id)
            .await?
            .into_iter()
            .filter(|r| query.kind.as_deref().is_none_or(|k| r.kind.as_str() == k))
            .collect();
        let page = paginate(rows, "rooms", max, query.cursor.as_deref())?;
        let mut items = Vec::with_capacity(page.items.len());
        for row in &page.items {
            items.push(self.room_json(caller, row).await?);
        }
        Ok(Page {
            items,
            next_cursor: page.next_cursor,
        })
    }

    /// `GET /rooms/{id}`.
    pub async fn room(&self, caller: &Caller, room_id: &str) -> Result<Room, SandboxError> {
        caller.require("spark:rooms_read")?;
        let row = self.room_of_member(caller, room_id).await?;
        self.room_json(caller, &row).await
    }

    /// `POST /rooms`: a group space with the caller as its first member.
    pub async fn create_room(
        &self,
        caller: &Caller,
        request: &CreateRoom,
    ) -> Result<Room, SandboxError> {
        caller.require("spark:rooms_write")?;
        let title = request
            .title
            .as_deref()
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .ok_or_else(|| SandboxError::bad_request("title cannot be empty."))?;
        let creator = store::find_person(self.db.reader(), &caller.person_id)
            .await?
            .ok_or_else(SandboxError::unauthorized)?;
        let now = now_ms();
        let row = RoomRow {
            id: new_id(IdKind::Room),
            title: title.to_owned(),
            kind: RoomKind::Group,
            is_locked: 0,
            creator_id: caller.person_id.clone(),
            org_id: creator.org_id,
            created_ms: now,
            last_activity_ms: now,
        };
        let mut tx = self.db.begin().await?;
        store::insert_room(&mut tx, &row).await?;
        let membership_id = new_id(IdKind::Membership);
        store::insert_membership(
            &mut tx,
            &membership_id,
            &row.id,
            &caller.person_id,
            false,
            now,
        )
        .await?;
        let membership = store::find_membership(&mut *tx, &membership_id)
            .await?
            .ok_or(sqlx::Error::RowNotFound)?;
        let room = room_from_row(&row, row.title.clone());
        let data = serde_json::to_value(&room).expect("a room serialises");
        let mut queued = queue_event(
            &mut tx,
            &Event::room(&row, "created", &caller.person_id, data),
        )
        .await?;
        queued += queue_event(
            &mut tx,
            &Event::membership(&membership, "created", &caller.person_id),
        )
        .await?;
        tx.commit().await?;
        self.notify_deliveries(queued);
        Ok(room)
    }

    /// `GET /memberships`.
    pub async fn list_memberships(
        &self,
        caller: &Caller,
        query: &MembershipQuery,
    ) -> Result<Page<Membership>, SandboxError> {
        caller.require("spark:memberships_read")?;
        let max = page_size(query.max, 100, 1000)?;
        let rows = match &query.room_id {
            None if query.person_id.is_some() || query.person_email.is_some() => {
                return Err(SandboxError::bad_request(
                    "roomId is required with personId or personEmail.",
                ));
            }
            None => store::memberships_of_person(&self.db, &caller.person_id).await?,
            Some(room_id) => {
                self.room_of_member(caller, room_id).await?;
                let email = query.person_email.as_deref().map(str::to_lowercase);
                store::memberships_of_room(self.db.reader(), room_id)
                    .await?
                    .into_iter()
                    .filter(|m| query.person_id.as_deref().is_none_or(|p| m.person_id == p))
                    .filter(|m| email.as_deref().is_none_or(|e| m.person_email == e))
                    .collect()
            }
        };
        let page = paginate(rows, "memberships", max, query.cursor.as_deref())?;
        Ok(Page {
            items: page.items.iter().map(membership_json).collect(),
            next_cursor: page.next_cursor,
        })
    }

    /// `POST /memberships`: adds someone to a group space the caller is in.
    pub async fn create_membership(
        &self,
        caller: &Caller,
        request: &CreateMembership,
    ) -> Result<Membership, SandboxError> {
        caller.require("spark:memberships_write")?;
        let room_id = request
            .room_id
            .as_deref()
            .ok_or_else(|| SandboxError::bad_request("roomId cannot be empty."))?;
        let room = self.room_of_member(caller, room_id).await?;
        if room.kind == RoomKind::Direct {
            return Err(SandboxError::bad_request(
                "Cannot add people to a direct room.",
            ));
        }
        let person = match (&request.person_id, &request.person_email) {
            (Some(id), _) => store::find_person(self.db.reader(), id).await?,
            (None, Some(email)) => store::find_person_by_email(self.db.reader(), email).await?,
            (None, None) => {
                return Err(SandboxError::bad_request(
                    "personId or personEmail is required.",
                ));
            }
        }
        .ok_or_else(|| SandboxError::not_found("Person not found."))?;
        let now = now_ms();
        let id = new_id(IdKind::Membership);
        let mut tx = self.db.begin().await?;
        if !store::insert_membership(&mut tx, &id, room_id, &person.id, request.is_moderator, now)
            .await?
        {
            return Err(SandboxError::new(409, "Person is already in the room."));
        }
        let row = store::find_membership(&mut *tx, &id)
            .await?
            .ok_or(sqlx::Error::RowNotFound)?;
        let queued = queue_event(
            &mut tx,
            &Event::membership(&row, "created", &caller.person_id),
        )
        .await?;
        tx.commit().await?;
        self.notify_deliveries(queued);
        Ok(membership_json(&row))
    }

    /// `DELETE /memberships/{id}`.
    pub async fn delete_membership(&self, caller: &Caller, id: &str) -> Result<(), SandboxError> {
        caller.require("spark:memberships_write")?;
        let not_found = || SandboxError::not_found("Membership not found.");
        let row = store::find_membership(self.db.reader(), id)
            .await?
            .ok_or_else(not_found)?;
        self.room_of_member(caller, &row.room_id)
            .await
            .map_err(|_| not_found())?;
        let mut tx = self.db.begin().await?;
        // Queue first: the departing member's webhooks still see their own removal.
        let queued = queue_event(
            &mut tx,
            &Event::membership(&row, "deleted", &caller.person_id),
        )
        .await?;
        store::delete_membership(&mut tx, id).await?;
        tx.commit().await?;
        self.notify_deliveries(queued);
        Ok(())
    }
}
