//! Routing: which agent function, if any, a message is for.

use crate::{
    agents::summarize::{DEFAULT_MESSAGES, MAX_MESSAGES},
    bot::BotIdentity,
    webex::{
        markup::{MentionTarget, mentions},
        types::{Message, RoomKind},
    },
};

/// Where a message goes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) enum Route {
    /// `help`, or the bot's name alone.
    Help,
    /// `summarize [N]`.
    Summarize {
        /// How many messages to read.
        count: usize,
    },
    /// `summarize` with something that is not a count.
    BadCount,
    /// A message in an alert space.
    Alert,
    /// Addressed to the bot, but no command it knows.
    Unknown(String),
    /// Not addressed to the bot, in a space where nothing reads every message.
    NotAddressed,
}

/// Whether the message speaks to the bot: it mentions it, or it is in a 1:1 space with it.
pub(super) fn addressed(message: &Message, me: &BotIdentity) -> bool {
    message.room_type == RoomKind::Direct
        || message
            .mentioned_people
            .as_ref()
            .is_some_and(|people| people.contains(&me.id))
}

/// The message's text without the bot's mention, lines kept: what an alert says.
pub(super) fn content_text(message: &Message, me: &BotIdentity) -> String {
    let label = mention_label(message, me);
    let text = message.text.trim();
    let without = match text.find(&label) {
        Some(at) if !label.is_empty() => format!("{}{}", &text[..at], &text[at + label.len()..]),
        _ => text.to_owned(),
    };
    without
        .trim_start_matches(|c: char| c.is_whitespace() || matches!(c, ',' | ':' | ';' | '-'))
        .trim_end()
        .to_owned()
}

/// The name the bot's mention shows in the message's text.
fn mention_label(message: &Message, me: &BotIdentity) -> String {
    message
        .markdown
        .as_deref()
        .map(mentions)
        .unwrap_or_default()
        .into_iter()
        .find_map(|(target, label)| match target {
            MentionTarget::PersonId(id) if id == me.id => label,
            MentionTarget::PersonEmail(email) if email.eq_ignore_ascii_case(&me.email) => label,
            _ => None,
        })
        .unwrap_or_else(|| me.display_name.clone())
}

/// The message's text without the bot's mention, as one line of words: `Steward summarize 50` →
/// `summarize 50`.
pub(super) fn command_text(message: &Message, me: &BotIdentity) -> String {
    let without = content_text(message, me);
    // Punctuation that hung on the name ("Steward, help") goes with it.
    without
        .split_whitespace()
        .filter(|word| !word.chars().all(|c| c.is_ascii_punctuation()))
        .collect::<Vec<_>>()
        .join(" ")
        .trim_matches(|c: char| matches!(c, ',' | ':' | ';' | '!' | '-'))
        .to_owned()
}

/// Routes a command. `addressed`: the message speaks to the bot. `alert_space`: alert triage is
/// bound to the space, so what is not a command is an alert.
pub(super) fn route(command: &str, addressed: bool, alert_space: bool) -> Route {
    let mut words = command.split_whitespace();
    let first = words
        .next()
        .map(|w| w.trim_end_matches(['.', '!', '?', ',', ':']).to_lowercase());
    match first.as_deref() {
        None if addressed => Route::Help,
        Some("help" | "?") if addressed => Route::Help,
        Some("summarize" | "summarise" | "summary") if addressed => {
            match words.next().map(|w| w.trim_end_matches(['.', '!'])) {
                None => Route::Summarize {
                    count: DEFAULT_MESSAGES,
                },
                Some(n) => match n.parse::<usize>() {
                    Ok(count) if (1..=MAX_MESSAGES).contains(&count) => Route::Summarize { count },
                    _ => Route::BadCount,
                },
            }
        }
        _ if alert_space => Route::Alert,
        _ if addressed => Route::Unknown(command.to_owned()),
        _ => Route::NotAddressed,
    }
}

#[cfg(test)]
mod tests {
    use super::{Route, command_text, content_text, route};
    use crate::{
        bot::BotIdentity,
        webex::types::{Message, RoomKind},
    };

    fn me() -> BotIdentity {
        BotIdentity {
            id: "BOT".into(),
            display_name: "Steward".into(),
            email: "steward@acme.webex.bot".into(),
        }
    }

    fn message(text: &str, markdown: Option<&str>) -> Message {
        Message {
            id: "m".into(),
            room_id: "r".into(),
            room_type: RoomKind::Group,
            text: text.into(),
            markdown: markdown.map(str::to_owned),
            html: None,
            files: None,
            attachments: None,
            to_person_id: None,
            to_person_email: None,
            person_id: "p".into(),
            person_email: "p@acme.example".into(),
            mentioned_people: Some(vec!["BOT".into()]),
            mentioned_groups: None,
            parent_id: None,
            created: "2026-01-01T00:00:00.000Z".into(),
            updated: None,
        }
    }

    #[test]
    fn the_bots_mention_is_removed_wherever_it_stands() {
        assert_eq!(
            command_text(
                &message(
                    "Steward summarize 50",
                    Some("<@personId:BOT|Steward> summarize 50")
                ),
                &me()
            ),
            "summarize 50"
        );
        assert_eq!(
            command_text(
                &message("Hey Stew, help!", Some("Hey <@personId:BOT|Stew>, help!")),
                &me()
            ),
            "Hey help"
        );
        assert_eq!(command_text(&message("Steward: help", None), &me()), "help");
    }

    #[test]
    fn an_alert_keeps_its_lines_without_the_mention() {
        let alert = message(
            "Steward [Triggered] Disk full on web-01\nservice:checkout-api",
            Some("<@personId:BOT|Steward> [Triggered] Disk full on web-01\nservice:checkout-api"),
        );
        assert_eq!(
            content_text(&alert, &me()),
            "[Triggered] Disk full on web-01\nservice:checkout-api"
        );
    }

    #[test]
    fn commands_route_to_their_function() {
        assert_eq!(route("", true, false), Route::Help);
        assert_eq!(route("Help", true, false), Route::Help);
        assert_eq!(
            route("summarize", true, false),
            Route::Summarize { count: 100 }
        );
        assert_eq!(
            route("Summarise 20.", true, true),
            Route::Summarize { count: 20 }
        );
        assert_eq!(route("summarize lots", true, false), Route::BadCount);
        assert_eq!(route("summarize 5000", true, false), Route::BadCount);
        assert_eq!(
            route("what is the VPN?", true, false),
            Route::Unknown("what is the VPN?".into())
        );
        assert_eq!(
            route("[Triggered] disk full on web-01", false, true),
            Route::Alert
        );
        assert_eq!(
            route("@Steward disk full on web-01", true, true),
            Route::Alert
        );
        assert_eq!(route("lunch?", false, false), Route::NotAddressed);
    }
}
