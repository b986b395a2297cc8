//! The Sandbox page: chat in the built-in Webex sandbox as any demo person, watch the bot act.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::{components::Form, hooks::use_query_map};

use crate::{
    api::sandbox::{
        CardView, ClickSandboxCard, PostSandboxMessage, SandboxMessage, SandboxView, load_sandbox,
    },
    components::{error_panel::ErrorPanel, format::short_time},
};

/// Pick a person and a space (a GET form, so the choice is in the address), read the space,
/// post with `@Name` mentions and click card buttons. With JavaScript the thread refreshes
/// itself every two seconds; without it, posting reloads the page.
#[component]
pub fn SandboxPage() -> impl IntoView {
    let query = use_query_map();
    let post = ServerAction::<PostSandboxMessage>::new();
    let click = ServerAction::<ClickSandboxCard>::new();
    let tick = RwSignal::new(0u32);
    let view = Resource::new(
        move || {
            let q = query.read();
            (
                q.get("person"),
                q.get("space"),
                post.version().get(),
                click.version().get(),
                tick.get(),
            )
        },
        |(person, space, ..)| load_sandbox(person, space),
    );
    Effect::new(move |_| {
        // Effects run only in the browser: poll for the bot's replies there.
        set_interval(
            move || tick.update(|t| *t = t.wrapping_add(1)),
            std::time::Duration::from_secs(2),
        );
    });

    view! {
        <Title text="Sandbox" />
        <h1>"Sandbox"</h1>
        <p class="lede">
            "Chat in Steward's built-in Webex sandbox as any demo person. Mention "
            <strong>"@Steward"</strong>
            " to talk to the bot."
        </p>
        <Transition fallback=|| view! { <p class="loading">"Loading…"</p> }>
            <ErrorBoundary fallback=|errors| view! { <ErrorPanel errors /> }>
                {move || Suspend::new(async move {
                    view.await.map(|data| view! { <SandboxBody data post click /> })
                })}
            </ErrorBoundary>
        </Transition>
    }
}

#[component]
fn SandboxBody(
    data: SandboxView,
    post: ServerAction<PostSandboxMessage>,
    click: ServerAction<ClickSandboxCard>,
) -> impl IntoView {
    let person = data.person.clone().unwrap_or_default();
    let compose = NodeRef::<leptos::html::Form>::new();
    Effect::new(move |_| {
        // Clear the box once the message is posted (with JavaScript; without it the page reloads).
        if matches!(post.value().get(), Some(Ok(())))
            && let Some(form) = compose.get()
        {
            form.reset();
        }
    });
    let space = data.space.clone();
    let post_error = move || {
        post.value()
            .get()
            .and_then(Result::err)
            .map(|e| e.to_string())
    };
    let click_error = move || {
        click
            .value()
            .get()
            .and_then(Result::err)
            .map(|e| e.to_string())
    };
    let picker = view! {
        <Form method="GET" action="">
            <div class="picker">
                <label>
                    "Person"
                    <select name="person">
                        <option value="">"Choose someone"</option>
                        {data
                            .people
                            .iter()
                            .map(|p| {
                                view! {
                                    <option value=p.id.clone() selected=data.person.as_deref() == Some(p.id.as_str())>
                                        {p.name.clone()}
                                    </option>
                                }
                            })
                            .collect_view()}
                    </select>
                </label>
                <label>
                    "Space"
                    <select name="space">
                        <option value="">"Choose a space"</option>
                        {data
                            .spaces
                            .iter()
                            .map(|s| {
                                view! {
                                    <option value=s.id.clone() selected=data.space.as_deref() == Some(s.id.as_str())>
                                        {s.title.clone()}
                                    </option>
                                }
                            })
                            .collect_view()}
                    </select>
                </label>
                <button type="submit">"Open"</button>
            </div>
        </Form>
    };
    let thread = space.map(|space| {
        let messages = data.messages.clone();
        let person_for_cards = person.clone();
        view! {
            // Laid out bottom-up (see the stylesheet), so the newest messages are in view.
            <section class="card thread" aria-label="Messages">
                {if messages.is_empty() {
                    view! { <p class="muted">"No messages yet."</p> }.into_any()
                } else {
                    view! {
                        <ol class="messages">
                            {messages
                                .into_iter()
                                .map(|m| view! { <MessageItem message=m person=person_for_cards.clone() click /> })
                                .collect_view()}
                        </ol>
                    }
                        .into_any()
                }}
                {move || click_error().map(|e| view! { <p class="notice error" role="alert">{e}</p> })}
            </section>
            <ActionForm action=post node_ref=compose>
                <input type="hidden" name="person" value=person.clone() />
                <input type="hidden" name="space" value=space.clone() />
                <label class="compose">
                    "Message"
                    <textarea name="text" rows="3" placeholder="Type a message; @Steward mentions the bot" required></textarea>
                </label>
                <button type="submit">"Send"</button>
                {move || post_error().map(|e| view! { <p class="notice error" role="alert">{e}</p> })}
            </ActionForm>
        }
    });
    view! {
        {picker}
        {thread}
    }
}

#[component]
fn MessageItem(
    message: SandboxMessage,
    person: String,
    click: ServerAction<ClickSandboxCard>,
) -> impl IntoView {
    let class = if message.is_reply {
        "message reply"
    } else {
        "message"
    };
    let card = message
        .card
        .clone()
        .map(|card| view! { <CardItem card message_id=message.id.clone() person click /> });
    view! {
        <li class=class>
            <p class="meta">
                <strong>{message.author}</strong>
                " "
                <time datetime=message.created.clone()>{short_time(&message.created)}</time>
            </p>
            <p class="text">{message.text}</p>
            {card}
        </li>
    }
}

#[component]
fn CardItem(
    card: CardView,
    message_id: String,
    person: String,
    click: ServerAction<ClickSandboxCard>,
) -> impl IntoView {
    let buttons = card.buttons.clone();
    view! {
        <div class="adaptive-card">
            {card.texts.into_iter().map(|t| view! { <p>{t}</p> }).collect_view()}
            {(!card.facts.is_empty())
                .then(|| {
                    view! {
                        <dl>
                            {card
                                .facts
                                .into_iter()
                                .map(|(k, v)| view! { <dt>{k}</dt> <dd>{v}</dd> })
                                .collect_view()}
                        </dl>
                    }
                })}
            <ActionForm action=click>
                <input type="hidden" name="person" value=person />
                <input type="hidden" name="message" value=message_id />
                {card
                    .inputs
                    .into_iter()
                    .map(|(id, label)| {
                        view! {
                            <label>
                                {label}
                                <input type="text" name=format!("inputs[{id}]") />
                            </label>
                        }
                    })
                    .collect_view()}
                <div class="card-buttons">
                    {buttons
                        .into_iter()
                        .enumerate()
                        .map(|(i, title)| {
                            view! {
                                <button type="submit" name="button" value=i.to_string()>
                                    {title}
                                </button>
                            }
                        })
                        .collect_view()}
                </div>
            </ActionForm>
        </div>
    }
}
