//! The `webex_people` table: display names of the Webex people Steward has read.

use crate::{Db, db::pairs_where_in, time::now_ms};

/// Records (or refreshes) what Webex calls a person.
pub(crate) async fn remember(
    db: &Db,
    person_id: &str,
    display_name: &str,
    email: Option<&str>,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO webex_people (person_id, display_name, email, seen_ms) VALUES ($1, $2, $3, $4)
         ON CONFLICT (person_id) DO UPDATE
         SET display_name = excluded.display_name, email = excluded.email, seen_ms = excluded.seen_ms",
    )
    .bind(person_id)
    .bind(display_name)
    .bind(email)
    .bind(now_ms())
    .execute(db.writer())
    .await?;
    Ok(())
}

/// `(person ID, display name)` of those of `person_ids` Steward has read.
pub(crate) async fn names_by_id(
    db: &Db,
    person_ids: &[&str],
) -> Result<Vec<(String, String)>, sqlx::Error> {
    pairs_where_in(
        db,
        "SELECT person_id, display_name FROM webex_people WHERE person_id",
        person_ids,
    )
    .await
}

/// The person ID of whoever has this display name or e-mail (ignoring case), if exactly one does.
pub(crate) async fn find_by_name_or_email(
    db: &Db,
    text: &str,
) -> Result<Option<String>, sqlx::Error> {
    let found: Vec<(String,)> = sqlx::query_as(
        "SELECT person_id FROM webex_people
         WHERE LOWER(display_name) = LOWER($1) OR LOWER(email) = LOWER($1) LIMIT 2",
    )
    .bind(text)
    .fetch_all(db.reader())
    .await?;
    Ok(match found.as_slice() {
        [(id,)] => Some(id.clone()),
        _ => None,
    })
}

/// What Webex calls the person with this e-mail, if Steward has read them.
pub(crate) async fn name_by_email(
    conn: &mut sqlx::AnyConnection,
    email: &str,
) -> Result<Option<String>, sqlx::Error> {
    sqlx::query_scalar(
        "SELECT display_name FROM webex_people WHERE LOWER(email) = LOWER($1)
         ORDER BY seen_ms DESC LIMIT 1",
    )
    .bind(email)
    .fetch_optional(conn)
    .await
}
