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
/// post with `@Name` mentions and click card buttons. With JavaScript the thread (an island)
/// refreshes itself every two seconds; without it, posting reloads the page.
#[component]
pub fn SandboxPage() -> impl IntoView {
    let query = use_query_map();
    let view = Resource::new(
        move || {
            let q = query.read();
            (q.get("person"), q.get("space"))
        },
        |(person, space)| load_sandbox(person, space),
    );
    view! {
        <Title text="Sandbox" />
        <h1>"Sandbox"</h1>
        <p class="lede">
            "Chat in Steward's built-in Webex sandbox as any demo person. Mention "
            <strong>"@Steward"</strong>
            " to talk to the bot."
        </p>
        <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
            <ErrorBoundary fallback=|errors| view! { <ErrorPanel errors /> }>
                {move || Suspend::new(async move {
                    view.await.map(|data| view! { <SandboxBody data /> })
                })}
            </ErrorBoundary>
        </Suspense>
    }
}

#[component]
fn SandboxBody(data: SandboxView) -> impl IntoView {
    let thread = data
        .person
        .clone()
        .zip(data.space.clone())
        .map(|(person, space)| {
            view! { <Thread person space messages=data.messages.clone() /> }
        });
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
    view! {
        {picker}
        {thread}
    }
}

/// A space's messages and the box to post in, as `person`; an island that, in the browser,
/// fetches the newest messages every two seconds and after each post or click.
#[island]
fn Thread(person: String, space: String, messages: Vec<SandboxMessage>) -> impl IntoView {
    let post = ServerAction::<PostSandboxMessage>::new();
    let click = ServerAction::<ClickSandboxCard>::new();
    let messages = RwSignal::new(messages);
    let compose = NodeRef::<leptos::html::Form>::new();
    let (reader, room) = (person.clone(), space.clone());
    let refresh = move || {
        let (person, space) = (reader.clone(), room.clone());
        leptos::task::spawn_local(async move {
            if let Ok(view) = load_sandbox(Some(person), Some(space)).await {
                messages.set(view.messages);
            }
        });
    };
    let poll = refresh.clone();
    Effect::new(move |_| {
        // Effects run only in the browser: poll for the bot's replies there.
        set_interval(poll.clone(), std::time::Duration::from_secs(2));
    });
    Effect::new(move |_| {
        // After a post or a click, show its effect at once, and clear the box once posted.
        let posted = matches!(post.value().get(), Some(Ok(())));
        click.version().track();
        if posted && let Some(form) = compose.get() {
            form.reset();
        }
        refresh();
    });
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
    let person_for_cards = person.clone();
    view! {
        // Laid out bottom-up (see the stylesheet), so the newest messages are in view.
        <section class="card thread" aria-label="Messages">
            {move || {
                let person = person_for_cards.clone();
                let list = messages.get();
                if list.is_empty() {
                    view! { <p class="muted">"No messages yet."</p> }.into_any()
                } else {
                    view! {
                        <ol class="messages">
                            {threads(list)
                                .into_iter()
                                .flat_map(|(first, replies)| std::iter::once(first).chain(replies))
                                .map(|m| view! { <MessageItem message=m person=person.clone() click /> })
                                .collect_view()}
                        </ol>
                    }
                        .into_any()
                }
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
}

/// The messages as Webex clients show them: each thread's first message followed by its
/// replies, threads oldest first. A reply whose first message is older than the page stands
/// on its own.
fn threads(messages: Vec<SandboxMessage>) -> Vec<(SandboxMessage, Vec<SandboxMessage>)> {
    let mut threads: Vec<(SandboxMessage, Vec<SandboxMessage>)> = Vec::new();
    for message in messages {
        let parent = message
            .parent
            .as_ref()
            .and_then(|parent| threads.iter().position(|(m, _)| &m.id == parent));
        match parent {
            Some(at) => threads[at].1.push(message),
            None => threads.push((message, Vec::new())),
        }
    }
    threads
}

/// One message: who, when, its text and card. Replies are indented under the message they
/// answer.
#[component]
fn MessageItem(
    message: SandboxMessage,
    person: String,
    click: ServerAction<ClickSandboxCard>,
) -> impl IntoView {
    let class = if message.parent.is_some() {
        "message reply"
    } else {
        "message"
    };
    let card = message
        .card
        .clone()
        .map(|card| view! { <CardItem card message_id=message.id.clone() person click /> });
    // The sandbox renders markdown itself and shows HTML in it as text, so its HTML is safe here.
    let text = match message.html {
        Some(html) => view! { <div class="text" inner_html=html></div> }.into_any(),
        None => view! { <p class="text">{message.text}</p> }.into_any(),
    };
    view! {
        <li class=class>
            <p class="meta">
                <strong>{message.author}</strong>
                " "
                <time datetime=message.created.clone()>{short_time(&message.created)}</time>
            </p>
            {text}
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
