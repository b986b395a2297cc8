//! Property-based fuzzing of what Steward reads from outside: webhook envelopes, signatures,
//! Webex markdown with mentions, `Retry-After` headers and card inputs. Each property must hold
//! for every generated input: no panic, and the round trips where one exists.
//!
//! `cargo test -p domain --test fuzz` runs proptest's default 256 cases per property (part of
//! `make test`); `make fuzz` runs 100,000 (`PROPTEST_CASES`).

use domain::{
    agents::CardAction,
    inbox::{ReceivedEvent, classify},
    outbound::retry_after,
    webex::{
        markup::{escape_markdown, mention_person, mentions, render_markdown},
        signature,
    },
};
use proptest::prelude::*;
use reqwest::header::{HeaderMap, HeaderValue, RETRY_AFTER};
use serde_json::{Value, json};

/// Any JSON value, a few levels deep, with the keys a webhook envelope uses among random ones.
fn json_value() -> impl Strategy<Value = Value> {
    let key = prop_oneof![
        Just("id".to_owned()),
        Just("resource".to_owned()),
        Just("event".to_owned()),
        Just("data".to_owned()),
        Just("actorId".to_owned()),
        Just("personId".to_owned()),
        Just("roomId".to_owned()),
        Just("mentionedPeople".to_owned()),
        "[a-zA-Z]{1,8}",
    ];
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<f64>().prop_map(Value::from),
        ".{0,40}".prop_map(Value::String),
    ];
    leaf.prop_recursive(4, 64, 8, move |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::btree_map(key.clone(), inner, 0..6)
                .prop_map(|map| Value::Object(map.into_iter().collect())),
        ]
    })
}

/// Text with the characters Webex markdown and mentions are made of, mixed with anything.
fn markdownish() -> impl Strategy<Value = String> {
    prop::collection::vec(
        prop_oneof![
            Just("<@personId:".to_owned()),
            Just("<@personEmail:".to_owned()),
            Just("<@all>".to_owned()),
            Just("|".to_owned()),
            Just(">".to_owned()),
            Just("**".to_owned()),
            Just("_".to_owned()),
            Just("`".to_owned()),
            Just("[x](".to_owned()),
            Just("\n".to_owned()),
            Just("\\".to_owned()),
            Just("\u{E000}".to_owned()),
            ".{0,12}",
        ],
        0..24,
    )
    .prop_map(|parts| parts.concat())
}

proptest! {
    #[test]
    fn any_bytes_are_an_envelope_or_a_refusal(body in prop::collection::vec(any::<u8>(), 0..512)) {
        if let Ok(event) = ReceivedEvent::parse(&body) {
            classify(&event, Some("bot"));
        }
    }

    #[test]
    fn any_json_is_an_envelope_or_a_refusal(value in json_value()) {
        let body = serde_json::to_vec(&value).unwrap();
        if let Ok(event) = ReceivedEvent::parse(&body) {
            prop_assert!(event.data_id().is_some_and(|id| !id.is_empty()));
            classify(&event, None);
            classify(&event, Some("bot"));
        }
    }

    #[test]
    fn a_signature_verifies_its_own_body_and_nothing_else(
        secret in prop::collection::vec(any::<u8>(), 1..64),
        body in prop::collection::vec(any::<u8>(), 0..256),
        flip in any::<prop::sample::Index>(),
        header in ".{0,90}",
    ) {
        let signed = signature::sign(&secret, &body);
        prop_assert!(signature::verify(&secret, &body, &signed));
        if !body.is_empty() {
            let mut changed = body.clone();
            let at = flip.index(changed.len());
            changed[at] ^= 0x01;
            prop_assert!(!signature::verify(&secret, &changed, &signed));
        }
        // Any header at all is answered, never a panic.
        let _ = signature::verify(&secret, &body, &header);
    }

    #[test]
    fn any_markdown_renders(markdown in markdownish()) {
        let rendered = render_markdown(&markdown, |_| None);
        let marker = '\u{E000}';
        // The renderer's private placeholder never leaks into what people read.
        prop_assert!(!rendered.text.contains(marker) || markdown.contains(marker), "{rendered:?}");
        let _ = mentions(&markdown);
    }

    #[test]
    fn escaped_text_can_never_mention_anyone(text in markdownish()) {
        let escaped = escape_markdown(&text);
        prop_assert!(mentions(&escaped).is_empty(), "{escaped:?}");
        let rendered = render_markdown(&escaped, |_| None);
        prop_assert!(rendered.mentioned_people.is_empty() && rendered.mentioned_groups.is_empty());
    }

    #[test]
    fn a_mention_round_trips(id in "[A-Za-z0-9]{1,40}", name in "[A-Za-z ]{1,20}") {
        let found = mentions(&mention_person(&id, name.trim()));
        prop_assert_eq!(found.len(), 1);
    }

    #[test]
    fn any_retry_after_header_is_a_wait_or_nothing(text in "[ -~]{0,24}", seconds in 0u32..100_000) {
        let mut headers = HeaderMap::new();
        headers.insert(RETRY_AFTER, HeaderValue::from_str(&text).unwrap());
        let _ = retry_after(&headers);
        headers.insert(RETRY_AFTER, HeaderValue::from_str(&seconds.to_string()).unwrap());
        prop_assert_eq!(retry_after(&headers), Some(std::time::Duration::from_secs(seconds.into())));
    }

    #[test]
    fn any_card_inputs_are_an_action_or_nothing(value in json_value(), action in ".{0,20}") {
        let mut inputs = match value {
            Value::Object(map) => map,
            other => serde_json::Map::from_iter([("value".to_owned(), other)]),
        };
        let _ = CardAction::read(&inputs);
        inputs.insert("action".to_owned(), json!(action));
        let _ = CardAction::read(&inputs);
    }
}

#[test]
fn a_card_action_round_trips_through_its_inputs() {
    for action in [
        CardAction::AcknowledgeAlert { alert: "a1".into() },
        CardAction::EscalateAlert { alert: "a2".into() },
        CardAction::ApproveDraft { draft: 7 },
        CardAction::RejectDraft {
            draft: 7,
            reason: String::new(),
        },
    ] {
        let Value::Object(inputs) = action.data() else {
            panic!("card data is an object");
        };
        assert_eq!(CardAction::read(&inputs), Some(action));
    }
}
