//! Message markup: the mention syntax, and how Webex turns a markdown message into its `text`
//! (mentions rendered as names) and `html` (mentions as `<spark-mention>` elements).

use pulldown_cmark::{Event, Parser, Tag, TagEnd, html};

/// Whom a mention names.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum MentionTarget {
    /// `<@personId:ID>`.
    PersonId(String),
    /// `<@personEmail:ADDRESS>`.
    PersonEmail(String),
    /// `<@all>`: everyone in the space.
    All,
}

/// A person a mention resolved to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MentionedPerson {
    /// Their person ID.
    pub id: String,
    /// Their name, used when the mention carries no label.
    pub display_name: String,
}

/// `<@personId:ID|Name>`: mentions a person by ID.
pub fn mention_person(id: &str, name: &str) -> String {
    format!("<@personId:{id}|{name}>")
}

/// Escapes text so Webex shows it literally inside markdown.
pub fn escape_markdown(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(
            c,
            '\\' | '`' | '*' | '_' | '[' | ']' | '#' | '<' | '>' | '|' | '~'
        ) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// Builds a markdown message block by block: headings, paragraphs, bullet lists and mentions,
/// escaping the text it is given.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Markdown {
    blocks: Vec<String>,
}

impl Markdown {
    /// An empty message.
    pub fn new() -> Self {
        Self::default()
    }

    /// A bold line standing for a heading (Webex renders no heading sizes in spaces).
    pub fn heading(mut self, text: &str) -> Self {
        self.blocks.push(format!("**{}**", escape_markdown(text)));
        self
    }

    /// A paragraph of plain text.
    pub fn paragraph(mut self, text: &str) -> Self {
        self.blocks.push(escape_markdown(text));
        self
    }

    /// A paragraph whose markup is already built (e.g. with mentions); not escaped.
    pub fn raw(mut self, markdown: impl Into<String>) -> Self {
        self.blocks.push(markdown.into());
        self
    }

    /// A bullet list of plain-text items; nothing is added when there are none.
    pub fn bullets<S: AsRef<str>>(mut self, items: impl IntoIterator<Item = S>) -> Self {
        let list: Vec<String> = items
            .into_iter()
            .map(|i| format!("- {}", escape_markdown(i.as_ref())))
            .collect();
        if !list.is_empty() {
            self.blocks.push(list.join("\n"));
        }
        self
    }

    /// The message, blocks separated by blank lines.
    pub fn build(self) -> String {
        self.blocks.join("\n\n")
    }
}

/// A markdown message as Webex stores it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Rendered {
    /// Plain text with mentions replaced by names.
    pub text: String,
    /// HTML with `<spark-mention>` elements.
    pub html: String,
    /// IDs of people mentioned, in order, without repeats.
    pub mentioned_people: Vec<String>,
    /// Groups mentioned (`all`).
    pub mentioned_groups: Vec<String>,
}

struct Mention {
    target: MentionTarget,
    label: Option<String>,
}

// Private-use characters survive markdown parsing untouched and never occur in real messages'
// markup, so they can stand in for mentions while the markdown is rendered.
const OPEN: char = '\u{E000}';
const CLOSE: char = '\u{E001}';

/// Renders `markdown` the way Webex does. `resolve` looks people up by ID or e-mail; a mention
/// it cannot resolve keeps its label (or address) as text, and a person ID is still reported as
/// mentioned, as Webex accepts mentions of people outside the space.
pub fn render_markdown(
    markdown: &str,
    resolve: impl Fn(&MentionTarget) -> Option<MentionedPerson>,
) -> Rendered {
    let (template, mentions) = extract_mentions(markdown);
    let mut rendered = Rendered::default();
    let mut names = Vec::with_capacity(mentions.len());
    let mut html_mentions = Vec::with_capacity(mentions.len());
    for mention in &mentions {
        let (name, html) = match &mention.target {
            MentionTarget::All => {
                push_unique(&mut rendered.mentioned_groups, "all");
                let name = mention.label.clone().unwrap_or_else(|| "All".to_owned());
                let html = format!(
                    r#"<spark-mention data-object-type="groupMention" data-group-type="all">{}</spark-mention>"#,
                    escape_html(&name)
                );
                (name, html)
            }
            target => {
                let person = resolve(target);
                let id = match (target, &person) {
                    (_, Some(p)) => Some(p.id.clone()),
                    (MentionTarget::PersonId(id), None) => Some(id.clone()),
                    _ => None,
                };
                let name = mention
                    .label
                    .clone()
                    .or_else(|| person.as_ref().map(|p| p.display_name.clone()))
                    .unwrap_or_else(|| match target {
                        MentionTarget::PersonId(id) | MentionTarget::PersonEmail(id) => id.clone(),
                        MentionTarget::All => unreachable!("handled above"),
                    });
                let html = match &id {
                    Some(id) => {
                        push_unique(&mut rendered.mentioned_people, id);
                        format!(
                            r#"<spark-mention data-object-type="person" data-object-id="{}">{}</spark-mention>"#,
                            escape_html(id),
                            escape_html(&name)
                        )
                    }
                    None => escape_html(&name),
                };
                (name, html)
            }
        };
        names.push(name);
        html_mentions.push(html);
    }

    let mut html_out = String::new();
    // Webex shows HTML inside markdown as the text it is, and links only to web and mail
    // addresses; so does the sandbox, whose HTML the console shows as it is.
    let events = Parser::new(&template).map(|event| match event {
        Event::Html(raw) | Event::InlineHtml(raw) => Event::Text(raw),
        Event::Start(Tag::Link {
            link_type,
            dest_url,
            title,
            id,
        }) if !is_web_or_mail(&dest_url) => Event::Start(Tag::Link {
            link_type,
            dest_url: "#".into(),
            title,
            id,
        }),
        other => other,
    });
    html::push_html(&mut html_out, events);
    rendered.html = substitute(html_out.trim_end(), &html_mentions);
    rendered.text = substitute(&plain_text(&template), &names);
    rendered
}

/// Whether a link goes to a web page or an e-mail address (not `javascript:` or `data:`).
fn is_web_or_mail(url: &str) -> bool {
    let lower = url.trim_start().to_ascii_lowercase();
    ["https://", "http://", "mailto:"]
        .iter()
        .any(|scheme| lower.starts_with(scheme))
}

/// Plain text of a markdown document: the words, with a line break between blocks.
fn plain_text(markdown: &str) -> String {
    let mut text = String::new();
    for event in Parser::new(markdown) {
        match event {
            Event::Text(t) | Event::Code(t) => text.push_str(&t),
            Event::SoftBreak | Event::HardBreak => text.push('\n'),
            Event::End(
                TagEnd::Paragraph | TagEnd::Heading(_) | TagEnd::Item | TagEnd::CodeBlock,
            ) if !text.ends_with('\n') => text.push('\n'),
            _ => {}
        }
    }
    text.trim_end().to_owned()
}

/// The mentions in a markdown message, in order, each with the label it carries (the name shown),
/// if any.
pub fn mentions(markdown: &str) -> Vec<(MentionTarget, Option<String>)> {
    extract_mentions(markdown)
        .1
        .into_iter()
        .map(|m| (m.target, m.label))
        .collect()
}

fn extract_mentions(markdown: &str) -> (String, Vec<Mention>) {
    let mut template = String::with_capacity(markdown.len());
    let mut mentions = Vec::new();
    let mut rest = markdown;
    while let Some(start) = rest.find("<@") {
        // `\<@all>` is the text "<@all>", as markdown escapes it: no mention. (Found by the fuzzer:
        // text escaped with `escape_markdown` could otherwise still mention someone.)
        let backslashes = rest[..start]
            .bytes()
            .rev()
            .take_while(|b| *b == b'\\')
            .count();
        if backslashes % 2 == 1 {
            template.push_str(&rest[..start + 2]);
            rest = &rest[start + 2..];
            continue;
        }
        let Some(len) = rest[start..].find('>') else {
            break;
        };
        let inner = &rest[start + 2..start + len];
        if let Some(mention) = parse_mention(inner) {
            template.push_str(&rest[..start]);
            template.push(OPEN);
            template.push_str(&mentions.len().to_string());
            template.push(CLOSE);
            mentions.push(mention);
        } else {
            template.push_str(&rest[..start + len + 1]);
        }
        rest = &rest[start + len + 1..];
    }
    template.push_str(rest);
    (template, mentions)
}

fn parse_mention(inner: &str) -> Option<Mention> {
    let (reference, label) = match inner.split_once('|') {
        Some((reference, label)) => (reference, Some(label.to_owned())),
        None => (inner, None),
    };
    // Ids and addresses are single words; anything with markup or space in it is text.
    let plain = |value: &str| {
        !value.is_empty()
            && !value
                .chars()
                .any(|c| c.is_whitespace() || matches!(c, '<' | '>' | '\\'))
    };
    let target = match reference.split_once(':') {
        Some(("personId", id)) if plain(id) && !id.contains('@') => {
            MentionTarget::PersonId(id.to_owned())
        }
        Some(("personEmail", email)) if plain(email) => {
            MentionTarget::PersonEmail(email.to_owned())
        }
        None if reference == "all" => MentionTarget::All,
        _ => return None,
    };
    Some(Mention { target, label })
}

fn substitute(template: &str, replacements: &[String]) -> String {
    let mut out = String::with_capacity(template.len());
    let mut rest = template;
    while let Some(start) = rest.find(OPEN) {
        let after = &rest[start + OPEN.len_utf8()..];
        let Some(end) = after.find(CLOSE) else {
            break;
        };
        out.push_str(&rest[..start]);
        match after[..end]
            .parse::<usize>()
            .ok()
            .and_then(|i| replacements.get(i))
        {
            Some(replacement) => out.push_str(replacement),
            None => out.push_str(&after[..end]),
        }
        rest = &after[end + CLOSE.len_utf8()..];
    }
    out.push_str(rest);
    out
}

fn push_unique(list: &mut Vec<String>, value: &str) {
    if !list.iter().any(|v| v == value) {
        list.push(value.to_owned());
    }
}

/// Escapes text for HTML content and attribute values.
pub fn escape_html(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
}

#[cfg(test)]
mod tests {
    use super::{MentionTarget, MentionedPerson, mention_person, render_markdown};

    fn resolve(target: &MentionTarget) -> Option<MentionedPerson> {
        match target {
            MentionTarget::PersonId(id) if id == "BOT" => Some(MentionedPerson {
                id: "BOT".into(),
                display_name: "Steward".into(),
            }),
            MentionTarget::PersonEmail(email) if email == "ann@example.com" => {
                Some(MentionedPerson {
                    id: "ANN".into(),
                    display_name: "Ann Lee".into(),
                })
            }
            _ => None,
        }
    }

    #[test]
    fn mentions_become_names_in_text_and_spark_mentions_in_html() {
        let markdown = format!(
            "{} **summarize** 20 please",
            mention_person("BOT", "Steward")
        );
        let rendered = render_markdown(&markdown, resolve);
        assert_eq!(rendered.text, "Steward summarize 20 please");
        assert_eq!(
            rendered.html,
            r#"<p><spark-mention data-object-type="person" data-object-id="BOT">Steward</spark-mention> <strong>summarize</strong> 20 please</p>"#
        );
        assert_eq!(rendered.mentioned_people, vec!["BOT"]);
        assert!(rendered.mentioned_groups.is_empty());
    }

    #[test]
    fn html_inside_markdown_is_shown_as_text() {
        let rendered = render_markdown(
            "<img src=x onerror=alert(1)> and <b>bold</b>\n\n<script>alert(2)</script>",
            resolve,
        );
        assert!(!rendered.html.contains("<img"), "{}", rendered.html);
        assert!(!rendered.html.contains("<script"), "{}", rendered.html);
        assert!(!rendered.html.contains("<b>"), "{}", rendered.html);
        assert!(
            rendered.html.contains("&lt;b&gt;bold&lt;/b&gt;"),
            "{}",
            rendered.html
        );
    }

    #[test]
    fn email_mentions_resolve_and_all_is_a_group() {
        let rendered = render_markdown("<@personEmail:ann@example.com> and <@all>, look", resolve);
        assert_eq!(rendered.text, "Ann Lee and All, look");
        assert_eq!(rendered.mentioned_people, vec!["ANN"]);
        assert_eq!(rendered.mentioned_groups, vec!["all"]);
        assert!(
            rendered
                .html
                .contains(r#"data-group-type="all">All</spark-mention>"#)
        );
    }

    #[test]
    fn unknown_people_keep_their_label_and_ids_still_count() {
        let rendered = render_markdown(
            "<@personId:NOBODY|Ghost> hi <@personEmail:x@y.z|Xavier>",
            resolve,
        );
        assert_eq!(rendered.text, "Ghost hi Xavier");
        assert_eq!(rendered.mentioned_people, vec!["NOBODY"]);
    }

    #[test]
    fn an_escaped_mention_is_text() {
        assert!(super::mentions(r"\<@all>").is_empty());
        assert!(super::mentions(&super::escape_markdown("<@personId:<@all>")).is_empty());
        assert!(super::mentions("<@personId:a b|x>").is_empty());
        assert_eq!(
            super::mentions(r"\\<@all>").len(),
            1,
            "an escaped backslash escapes nothing"
        );
    }

    #[test]
    fn markdown_builder_escapes_text_and_renders_as_webex_would() {
        let markdown = super::Markdown::new()
            .heading("Decisions")
            .bullets(["Ship on *March 14*", "Use the falcon_beta flag"])
            .raw(format!("Owner: {}", mention_person("BOT", "Steward")))
            .build();
        assert_eq!(
            markdown,
            "**Decisions**\n\n- Ship on \\*March 14\\*\n- Use the falcon\\_beta flag\n\nOwner: <@personId:BOT|Steward>"
        );
        let rendered = render_markdown(&markdown, resolve);
        assert_eq!(
            rendered.text,
            "Decisions\nShip on *March 14*\nUse the falcon_beta flag\nOwner: Steward"
        );
        assert!(
            rendered.html.contains("<li>Ship on *March 14*</li>"),
            "{}",
            rendered.html
        );
    }

    #[test]
    fn text_that_only_looks_like_markup_is_left_alone() {
        let rendered = render_markdown("a <@nonsense> b\n\nsecond paragraph", resolve);
        assert_eq!(rendered.text, "a <@nonsense> b\nsecond paragraph");
        assert!(rendered.mentioned_people.is_empty());
    }
}
