//! The Prompts page: a function's prompt versions, what changed between two of them, and which
//! one runs where (release, A/B split, rollback).

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::{components::Form, hooks::use_query_map};
use vocab::AgentFunction;

use crate::{
    api::prompts::{
        CreatePromptVersion, DiffView, EndSplit, PromoteVersion, PromptsView, RollbackRelease,
        SplitVersion, load_prompts,
    },
    components::{
        error_panel::ErrorPanel,
        format::short_time,
        forms::{FieldError, FormError},
    },
};

#[derive(Clone, Copy)]
struct Actions {
    create: ServerAction<CreatePromptVersion>,
    promote: ServerAction<PromoteVersion>,
    split: ServerAction<SplitVersion>,
    end_split: ServerAction<EndSplit>,
    rollback: ServerAction<RollbackRelease>,
}

/// Function tabs, the release, the versions with their actions, a compare form (a GET form, so a
/// diff has an address) and the form for a new version.
#[component]
pub fn PromptsPage() -> impl IntoView {
    let query = use_query_map();
    let actions = Actions {
        create: ServerAction::new(),
        promote: ServerAction::new(),
        split: ServerAction::new(),
        end_split: ServerAction::new(),
        rollback: ServerAction::new(),
    };
    let view = Resource::new(
        move || {
            let q = query.read();
            (
                q.get("function"),
                q.get("from").and_then(|v| v.parse::<i64>().ok()),
                q.get("to").and_then(|v| v.parse::<i64>().ok()),
                actions.create.version().get(),
                actions.promote.version().get(),
                actions.split.version().get(),
                actions.end_split.version().get(),
                actions.rollback.version().get(),
            )
        },
        |(function, from, to, ..)| load_prompts(function, from, to),
    );
    view! {
        <Title text="Prompts" />
        <h1>"Prompts"</h1>
        <p class="lede">
            "Prompt versions never change: a change is a new version. A release decides which \
             version runs; an A/B split runs a candidate in a share of spaces; rollback returns \
             to the release before. A version new to release holds live answers for review until \
             it graduates."
        </p>
        <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
            <ErrorBoundary fallback=|errors| view! { <ErrorPanel errors /> }>
                {move || Suspend::new(async move {
                    view.await.map(|data| view! { <PromptsBody data actions /> })
                })}
            </ErrorBoundary>
        </Suspense>
    }
}

#[component]
fn PromptsBody(data: PromptsView, actions: Actions) -> impl IntoView {
    let function = data.function.as_str();
    let tabs = AgentFunction::ALL
        .iter()
        .map(|f| {
            let current = (*f == data.function).then_some("page");
            view! {
                <li>
                    <a href=format!("/prompts?function={f}") aria-current=current>{f.label()}</a>
                </li>
            }
        })
        .collect_view();
    let release_result = Signal::derive(move || {
        actions
            .rollback
            .value()
            .get()
            .map(|r| r.map(drop))
            .or_else(|| actions.end_split.value().get())
            .or_else(|| actions.promote.value().get())
    });
    let split_result = Signal::derive(move || actions.split.value().get());
    let release = data.release.clone();
    let release_card = {
        let f = function;
        let f2 = function;
        let candidate = release.candidate.map(|(version, percent)| {
            view! {
                <p>
                    {format!("A/B split: v{version} runs in {percent}% of spaces, chosen by a stable hash of each space.")}
                </p>
                {data
                    .can_edit
                    .then(|| {
                        view! {
                            <ActionForm action=actions.end_split attr:class="inline-form">
                                <input type="hidden" name="function" value=f />
                                <button type="submit" class="secondary">"End the split"</button>
                            </ActionForm>
                        }
                    })}
            }
        });
        let rollback = release.previous.filter(|_| data.can_edit).map(|previous| {
            view! {
                <ActionForm action=actions.rollback attr:class="inline-form">
                    <input type="hidden" name="function" value=f2 />
                    <button type="submit" class="danger">{format!("Roll back to v{previous}")}</button>
                </ActionForm>
            }
        });
        view! {
            <section class="card" aria-labelledby="release-heading">
                <h2 id="release-heading">"Release"</h2>
                <p data-testid="released-version">
                    {match release.candidate {
                        Some((candidate, percent)) => format!(
                            "Runs v{} in {}% of spaces and v{candidate} in the other {percent}%",
                            release.version,
                            100 - percent,
                        ),
                        None => format!("Runs v{} everywhere", release.version),
                    }}
                    <span class="muted">
                        {format!(" · changed by {} at {}", release.updated_by, short_time(&release.updated))}
                    </span>
                </p>
                {candidate}
                {rollback}
                <FormError result=release_result />
            </section>
        }
    };
    let can_edit = data.can_edit;
    let versions = data
        .versions
        .clone()
        .into_iter()
        .map(|v| {
            let is_release = v.version == release.version;
            let is_candidate = release.candidate.is_some_and(|(c, _)| c == v.version);
            let state = if is_release {
                "released"
            } else if is_candidate {
                "A/B candidate"
            } else {
                ""
            };
            let actions_cell = (can_edit && !is_release).then(|| {
                let f = function;
                let f2 = function;
                let version = v.version.to_string();
                let version2 = version.clone();
                view! {
                    <ActionForm action=actions.promote attr:class="inline-form">
                        <input type="hidden" name="function" value=f />
                        <input type="hidden" name="version" value=version />
                        <button type="submit">{format!("Release v{}", v.version)}</button>
                    </ActionForm>
                    <ActionForm action=actions.split attr:class="inline-form">
                        <input type="hidden" name="function" value=f2 />
                        <input type="hidden" name="version" value=version2 />
                        <label>
                            {format!("Share of spaces for v{}", v.version)}
                            <input type="number" name="percent" min="1" max="99" value="10" />
                        </label>
                        <button type="submit" class="secondary">"Start A/B"</button>
                    </ActionForm>
                }
            });
            view! {
                <tr>
                    <th scope="row">{format!("v{}", v.version)}</th>
                    <td>
                        {v.note.clone()}
                        <span class="muted">
                            {format!(" · {} · {}", v.author, short_time(&v.created))}
                        </span>
                    </td>
                    <td>
                        {(!state.is_empty()).then(|| view! { <span class="badge">{state}</span> " " })}
                        {if v.graduated {
                            view! { <span class="badge ok">"graduated"</span> }.into_any()
                        } else {
                            view! { <span class="badge warn">"on probation"</span> }.into_any()
                        }}
                    </td>
                    <td>{actions_cell}</td>
                </tr>
            }
        })
        .collect_view();
    let version_numbers: Vec<i64> = data.versions.iter().map(|v| v.version).collect();
    let compare = {
        let numbers = version_numbers.clone();
        let to_default = numbers.first().copied().unwrap_or(1);
        let from_default = numbers.get(1).copied().unwrap_or(to_default);
        let diff = data.diff.clone();
        let from_selected = diff.as_ref().map(|d| d.from);
        let to_selected = diff.as_ref().map(|d| d.to);
        let compare_function = function;
        view! {
            <section class="card" aria-labelledby="compare-heading">
                <h2 id="compare-heading">"Compare versions"</h2>
                <Form method="GET" action="">
                    <div class="inline-form">
                        <input type="hidden" name="function" value=compare_function />
                        <label>
                            "From"
                            <select name="from">
                                {numbers
                                    .iter()
                                    .map(|n| {
                                        let selected = from_selected.map_or(*n == from_default, |f| f == *n);
                                        view! { <option value=n.to_string() selected=selected>{format!("v{n}")}</option> }
                                    })
                                    .collect_view()}
                            </select>
                        </label>
                        <label>
                            "To"
                            <select name="to">
                                {numbers
                                    .iter()
                                    .map(|n| {
                                        let selected = to_selected.map_or(*n == to_default, |t| t == *n);
                                        view! { <option value=n.to_string() selected=selected>{format!("v{n}")}</option> }
                                    })
                                    .collect_view()}
                            </select>
                        </label>
                        <button type="submit" class="secondary">"Compare"</button>
                    </div>
                </Form>
                {diff.map(|diff| view! { <Diff diff /> })}
            </section>
        }
    };
    let latest = data
        .versions
        .iter()
        .find(|v| v.version == release.version)
        .cloned();
    let create_result = Signal::derive(move || actions.create.value().get());
    let next = version_numbers.first().copied().unwrap_or(0) + 1;
    let variables = data
        .variables
        .iter()
        .map(|v| format!("{{{{{v}}}}}"))
        .collect::<Vec<_>>()
        .join(", ");
    let new_function = function;
    let local_engine_reads = data.local_engine_reads.clone();
    let new_version = data.can_edit.then(move || {
        let (template, settings) = latest
            .map(|v| (v.template, v.settings))
            .unwrap_or_default();
        view! {
            <section class="card" aria-labelledby="new-heading">
                <h2 id="new-heading">{format!("New version (v{next})")}</h2>
                <p class="muted">{local_engine_reads}</p>
                <ActionForm action=actions.create attr:class="stacked-form">
                    <input type="hidden" name="function" value=new_function />
                    <label>
                        "Template"
                        <span class="muted">{format!("Variables: {variables}")}</span>
                        <textarea name="template" rows="8" required>{template}</textarea>
                        <FieldError result=create_result field="template" />
                    </label>
                    <label>
                        "Engine settings (JSON)"
                        <textarea name="settings" rows="10" class="code" required>{settings}</textarea>
                        <FieldError result=create_result field="settings" />
                    </label>
                    <label>
                        "Note"
                        <input type="text" name="note" required placeholder="Why this version" />
                        <FieldError result=create_result field="note" />
                    </label>
                    <FormError result=create_result fields=&["template", "settings", "note"] />
                    <button type="submit">"Save version"</button>
                </ActionForm>
            </section>
        }
    });
    view! {
        <nav aria-label="Agent functions" class="tabs">
            <ul>{tabs}</ul>
        </nav>
        {release_card}
        <table class="data">
            <caption>{format!("Versions of {}", data.function.label())}</caption>
            <thead>
                <tr>
                    <th scope="col">"Version"</th>
                    <th scope="col">"Note"</th>
                    <th scope="col">"State"</th>
                    <th scope="col">"Actions"</th>
                </tr>
            </thead>
            <tbody>{versions}</tbody>
        </table>
        <FormError result=split_result fields=&[] />
        {compare}
        {new_version}
    }
}

#[component]
fn Diff(diff: DiffView) -> impl IntoView {
    let lines = |lines: Vec<(String, String)>| {
        lines
            .into_iter()
            .map(|(kind, text)| {
                let prefix = match kind.as_str() {
                    "added" => "+ ",
                    "removed" => "- ",
                    _ => "  ",
                };
                view! { <span class=format!("line {kind}")>{format!("{prefix}{text}")}"\n"</span> }
            })
            .collect_view()
    };
    let changed = diff
        .template
        .iter()
        .chain(&diff.settings)
        .any(|(kind, _)| kind != "same");
    view! {
        <div class="diff" aria-label=format!("Changes from v{} to v{}", diff.from, diff.to) role="region">
            {(!changed).then(|| view! { <p class="muted">"The two versions are the same."</p> })}
            <h3>"Template"</h3>
            <pre>{lines(diff.template)}</pre>
            <h3>"Engine settings"</h3>
            <pre>{lines(diff.settings)}</pre>
        </div>
    }
}
