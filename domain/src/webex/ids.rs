//! Webex IDs: unpadded base64 of a `ciscospark://us/<KIND>/<uuid>` URI. Clients treat them as
//! opaque; the sandbox makes them the same way, restricted to `[A-Za-z0-9]` because some SDKs
//! rebuild pagination URLs without URL-encoding.

use base64::{Engine, engine::general_purpose::STANDARD_NO_PAD};

/// What an ID names.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum IdKind {
    /// A person or bot.
    People,
    /// An organisation.
    Organization,
    /// A space.
    Room,
    /// A message.
    Message,
    /// A membership of a person in a space.
    Membership,
    /// A webhook.
    Webhook,
    /// A click on a card button.
    AttachmentAction,
}

impl IdKind {
    fn segment(self) -> &'static str {
        match self {
            Self::People => "PEOPLE",
            Self::Organization => "ORGANIZATION",
            Self::Room => "ROOM",
            Self::Message => "MESSAGE",
            Self::Membership => "MEMBERSHIP",
            Self::Webhook => "WEBHOOK",
            Self::AttachmentAction => "ATTACHMENT_ACTION",
        }
    }
}

/// A fresh, URL-safe Webex-style ID of `kind`.
pub fn new_id(kind: IdKind) -> String {
    loop {
        let uri = format!(
            "ciscospark://us/{}/{}",
            kind.segment(),
            uuid::Uuid::new_v4()
        );
        let id = STANDARD_NO_PAD.encode(uri);
        // About one encoding in twelve is free of `+` and `/`; drawing again is cheaper than
        // inventing an encoding Webex does not use.
        if id.bytes().all(|b| b.is_ascii_alphanumeric()) {
            return id;
        }
    }
}

/// The kind segment of an ID (`PEOPLE`, `ROOM`, …), if it decodes as a Webex ID.
pub fn kind_of(id: &str) -> Option<String> {
    let bytes = STANDARD_NO_PAD.decode(id).ok()?;
    let uri = String::from_utf8(bytes).ok()?;
    let rest = uri.strip_prefix("ciscospark://")?;
    rest.split('/').rev().nth(1).map(str::to_owned)
}

#[cfg(test)]
mod tests {
    use super::{IdKind, kind_of, new_id};

    #[test]
    fn ids_are_alphanumeric_base64_uris_of_their_kind() {
        for kind in [
            IdKind::People,
            IdKind::Room,
            IdKind::Message,
            IdKind::AttachmentAction,
        ] {
            let id = new_id(kind);
            assert!(id.bytes().all(|b| b.is_ascii_alphanumeric()), "{id}");
            assert!(id.starts_with("Y2lzY29zcGFyazovL3Vz"), "{id}");
            assert_eq!(kind_of(&id).as_deref(), Some(kind_segment(kind)));
        }
        assert_eq!(kind_of("not an id"), None);
    }

    fn kind_segment(kind: IdKind) -> &'static str {
        match kind {
            IdKind::People => "PEOPLE",
            IdKind::Room => "ROOM",
            IdKind::Message => "MESSAGE",
            IdKind::AttachmentAction => "ATTACHMENT_ACTION",
            _ => unreachable!(),
        }
    }
}
