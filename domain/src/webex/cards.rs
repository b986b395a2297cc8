//! Adaptive Cards (schema 1.3, the highest Webex renders) as serde types, with a small builder.

use serde::{Deserialize, Serialize};

use crate::webex::{markup::escape_markdown, types::Attachment};

/// The attachment content type of an Adaptive Card.
pub const ADAPTIVE_CARD_CONTENT_TYPE: &str = "application/vnd.microsoft.card.adaptive";

/// An Adaptive Card.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AdaptiveCard {
    /// Always `AdaptiveCard`.
    #[serde(rename = "type")]
    pub kind: String,
    /// Schema version; Webex supports up to 1.3.
    pub version: String,
    /// What the card shows.
    pub body: Vec<Element>,
    /// Its buttons.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub actions: Vec<Action>,
}

/// A body element.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type")]
pub enum Element {
    /// A paragraph.
    TextBlock {
        /// The text (a subset of markdown).
        text: String,
        /// Wrap long lines.
        #[serde(default)]
        wrap: bool,
        /// `Bolder` for headings.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        weight: Option<String>,
        /// `Medium`, `Large`, ….
        #[serde(default, skip_serializing_if = "Option::is_none")]
        size: Option<String>,
    },
    /// Label and value pairs.
    FactSet {
        /// The pairs.
        facts: Vec<Fact>,
    },
    /// A text field whose value is submitted under `id`.
    #[serde(rename = "Input.Text")]
    InputText {
        /// The key in the submitted inputs.
        id: String,
        /// Shown above the field.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        label: Option<String>,
        /// Shown inside the empty field.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        placeholder: Option<String>,
        /// Several lines.
        #[serde(default, rename = "isMultiline")]
        is_multiline: bool,
    },
}

/// One label and value of a [`Element::FactSet`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Fact {
    /// The label.
    pub title: String,
    /// The value.
    pub value: String,
}

/// A button.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type")]
pub enum Action {
    /// Sends the inputs, merged with `data`, back as an attachment action.
    #[serde(rename = "Action.Submit")]
    Submit {
        /// The button's label.
        title: String,
        /// Merged into the submitted inputs, to tell buttons apart.
        #[serde(default)]
        data: serde_json::Value,
    },
    /// Opens a link.
    #[serde(rename = "Action.OpenUrl")]
    OpenUrl {
        /// The button's label.
        title: String,
        /// Where it leads.
        url: String,
    },
}

impl Default for AdaptiveCard {
    fn default() -> Self {
        Self {
            kind: "AdaptiveCard".to_owned(),
            version: "1.3".to_owned(),
            body: Vec::new(),
            actions: Vec::new(),
        }
    }
}

impl AdaptiveCard {
    /// An empty card.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a bold heading of plain text (markdown in it is shown as typed: headings carry
    /// alert titles and space names, which anyone may choose).
    pub fn heading(mut self, text: impl AsRef<str>) -> Self {
        self.body.push(Element::TextBlock {
            text: escape_markdown(text.as_ref()),
            wrap: true,
            weight: Some("Bolder".to_owned()),
            size: Some("Medium".to_owned()),
        });
        self
    }

    /// Adds a paragraph of plain text, escaped like [`AdaptiveCard::heading`].
    pub fn text(self, text: impl AsRef<str>) -> Self {
        self.markdown(escape_markdown(text.as_ref()))
    }

    /// Adds a paragraph of markdown that Steward wrote (a list it built of escaped items, or an
    /// agent's filtered answer).
    pub fn markdown(mut self, markdown: impl Into<String>) -> Self {
        self.body.push(Element::TextBlock {
            text: markdown.into(),
            wrap: true,
            weight: None,
            size: None,
        });
        self
    }

    /// Adds label and value pairs; the values are plain text, escaped.
    pub fn facts<L: Into<String>, V: AsRef<str>>(
        mut self,
        facts: impl IntoIterator<Item = (L, V)>,
    ) -> Self {
        self.body.push(Element::FactSet {
            facts: facts
                .into_iter()
                .map(|(title, value)| Fact {
                    title: title.into(),
                    value: escape_markdown(value.as_ref()),
                })
                .collect(),
        });
        self
    }

    /// This card with `f` applied to every text it shows (paragraphs, headings, fact values),
    /// so the output filter redacts cards as it redacts markdown.
    pub fn map_text(mut self, mut f: impl FnMut(&str) -> String) -> Self {
        for element in &mut self.body {
            match element {
                Element::TextBlock { text, .. } => *text = f(text),
                Element::FactSet { facts } => {
                    for fact in facts {
                        fact.value = f(&fact.value);
                    }
                }
                Element::InputText { .. } => {}
            }
        }
        self
    }

    /// Adds a text field.
    pub fn input_text(mut self, id: impl Into<String>, label: impl Into<String>) -> Self {
        self.body.push(Element::InputText {
            id: id.into(),
            label: Some(label.into()),
            placeholder: None,
            is_multiline: false,
        });
        self
    }

    /// Adds a submit button whose `data` tells which button was clicked.
    pub fn submit(mut self, title: impl Into<String>, data: serde_json::Value) -> Self {
        self.actions.push(Action::Submit {
            title: title.into(),
            data,
        });
        self
    }

    /// The card as a message attachment.
    pub fn into_attachment(self) -> Attachment {
        Attachment {
            content_type: ADAPTIVE_CARD_CONTENT_TYPE.to_owned(),
            content: serde_json::to_value(self).expect("a card always serialises"),
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::AdaptiveCard;

    #[test]
    fn text_anyone_chose_cannot_format_a_card_or_link_out_of_it() {
        let card = AdaptiveCard::new()
            .heading("**URGENT** [click](https://evil.example)")
            .text("_hi_ <b>")
            .facts([("Host", "`web-01`")])
            .markdown("- Steward's own *list*");
        let body = serde_json::to_value(&card).unwrap()["body"].clone();
        assert_eq!(
            body[0]["text"],
            r"\*\*URGENT\*\* \[click\](https://evil.example)"
        );
        assert_eq!(body[1]["text"], r"\_hi\_ \<b\>");
        assert_eq!(body[2]["facts"][0]["value"], r"\`web-01\`");
        assert_eq!(body[3]["text"], "- Steward's own *list*");
        let shouted = card.map_text(str::to_uppercase);
        let body = serde_json::to_value(&shouted).unwrap()["body"].clone();
        assert_eq!(body[2]["facts"][0]["value"], r"\`WEB-01\`");
    }

    #[test]
    fn card_serialises_to_the_adaptive_card_schema() {
        let attachment = AdaptiveCard::new()
            .heading("Disk full on web-01")
            .facts([("Severity", "Critical")])
            .input_text("note", "Note")
            .submit("Acknowledge", json!({ "action": "ack" }))
            .into_attachment();
        assert_eq!(
            attachment.content_type,
            "application/vnd.microsoft.card.adaptive"
        );
        assert_eq!(
            attachment.content,
            json!({
                "type": "AdaptiveCard",
                "version": "1.3",
                "body": [
                    { "type": "TextBlock", "text": "Disk full on web-01", "wrap": true, "weight": "Bolder", "size": "Medium" },
                    { "type": "FactSet", "facts": [{ "title": "Severity", "value": "Critical" }] },
                    { "type": "Input.Text", "id": "note", "label": "Note", "isMultiline": false }
                ],
                "actions": [{ "type": "Action.Submit", "title": "Acknowledge", "data": { "action": "ack" } }]
            })
        );
    }
}
