//! The Agents page: which agent function acts how in which space, each function's switch and
//! rollout, and how far its prompt versions are from posting without review.

use leptos::prelude::*;
use leptos_meta::Title;
use vocab::{Mode, RoomKind};

use crate::{
    api::agents::{
        AgentsView, FunctionView, GraduateVersion, SaveModes, SetGraduationThresholds, SetRollout,
        SwitchFunction, ThresholdsView, load_agents,
    },
    components::{
        error_panel::ErrorPanel,
        forms::{FieldError, FormError},
    },
};

/// The grid of functions × spaces, one form for all of it so several changes save at once; the
/// function cards; the graduation thresholds. Admins see forms, others the same as text.
#[component]
pub fn AgentsPage() -> impl IntoView {
    let save = ServerAction::<SaveModes>::new();
    let switch = ServerAction::<SwitchFunction>::new();
    let rollout = ServerAction::<SetRollout>::new();
    let thresholds = ServerAction::<SetGraduationThresholds>::new();
    let graduate = ServerAction::<GraduateVersion>::new();
    let view = Resource::new(
        move || {
            (
                save.version().get(),
                switch.version().get(),
                rollout.version().get(),
                thresholds.version().get(),
                graduate.version().get(),
            )
        },
        |_| load_agents(),
    );
    let actions = Actions {
        save,
        switch,
        rollout,
        thresholds,
        graduate,
    };
    view! {
        <Title text="Agents" />
        <h1>"Agents"</h1>
        <p class="lede">
            "Each agent function has a mode in each space: "
            {Mode::ALL
                .iter()
                .map(|mode| view! { <strong>{mode.as_str()}</strong> " " {mode.description()} "; " })
                .collect_view()}
            "a switch that stops it everywhere; and a rollout that limits it to a share of spaces."
        </p>
        <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
            <ErrorBoundary fallback=|errors| view! { <ErrorPanel errors /> }>
                {move || Suspend::new(async move {
                    view.await.map(|data| view! { <AgentsBody data actions /> })
                })}
            </ErrorBoundary>
        </Suspense>
    }
}

#[derive(Clone, Copy)]
struct Actions {
    save: ServerAction<SaveModes>,
    switch: ServerAction<SwitchFunction>,
    rollout: ServerAction<SetRollout>,
    thresholds: ServerAction<SetGraduationThresholds>,
    graduate: ServerAction<GraduateVersion>,
}

#[component]
fn AgentsBody(data: AgentsView, actions: Actions) -> impl IntoView {
    let notice = data
        .notice
        .clone()
        .map(|n| view! { <p class="notice" role="status">{n}</p> });
    let save_result = Signal::derive(move || actions.save.value().get());
    let functions = data.functions.clone();
    let can_edit = data.can_edit;
    let grid = view! {
        <table class="data grid">
            <caption>"Modes by space"</caption>
            <thead>
                <tr>
                    <th scope="col">"Space"</th>
                    {functions
                        .iter()
                        .map(|f| view! { <th scope="col">{f.function.label()}</th> })
                        .collect_view()}
                </tr>
            </thead>
            <tbody>
                {data
                    .spaces
                    .iter()
                    .map(|space| {
                        let cells = functions
                            .iter()
                            .zip(&space.modes)
                            .map(|(function, mode)| {
                                let label = format!("{} in {}", function.function.label(), space.title);
                                let name = format!("modes[{}|{}]", function.function, space.room_id);
                                let mode = *mode;
                                let cell = if can_edit {
                                    view! {
                                        <select name=name aria-label=label form="modes-form">
                                            {Mode::ALL
                                                .iter()
                                                .map(|m| {
                                                    view! { <option value=m.as_str() selected=mode == *m>{m.as_str()}</option> }
                                                })
                                                .collect_view()}
                                        </select>
                                    }
                                        .into_any()
                                } else {
                                    view! { <span class=format!("mode mode-{mode}")>{mode.as_str()}</span> }
                                        .into_any()
                                };
                                view! { <td>{cell}</td> }
                            })
                            .collect_view();
                        view! {
                            <tr>
                                <th scope="row">
                                    {space.title.clone()}
                                    <span class="muted">
                                        {if space.kind == RoomKind::Direct { " · 1:1" } else { "" }}
                                        {(!space.bot_present).then_some(" · bot removed")}
                                    </span>
                                </th>
                                {cells}
                            </tr>
                        }
                    })
                    .collect_view()}
            </tbody>
        </table>
    };
    view! {
        {notice}
        <section class="card" aria-labelledby="modes-heading">
            <h2 id="modes-heading">"Where each function acts"</h2>
            {if data.spaces.is_empty() {
                view! { <p class="muted">"Steward knows no spaces yet: add the bot to a space in Webex."</p> }.into_any()
            } else {
                grid.into_any()
            }}
            {can_edit
                .then(|| {
                    view! {
                        <ActionForm action=actions.save attr:id="modes-form">
                            <FormError result=save_result />
                            <button type="submit">"Save modes"</button>
                        </ActionForm>
                    }
                })}
        </section>
        <div class="cards">
            {data
                .functions
                .into_iter()
                .map(|function| view! { <FunctionCard function can_edit actions /> })
                .collect_view()}
        </div>
        <Thresholds thresholds=data.thresholds can_edit action=actions.thresholds />
    }
}

#[component]
fn FunctionCard(function: FunctionView, can_edit: bool, actions: Actions) -> impl IntoView {
    let FunctionView {
        function,
        enabled,
        rollout_percent,
        versions,
        candidate_percent,
    } = function;
    let name = function.as_str();
    let label = function.label();
    let heading = format!("function-{name}");
    let heading_id = heading.clone();
    let rollout_result = Signal::derive(move || actions.rollout.value().get());
    let graduate_result = Signal::derive(move || actions.graduate.value().get());
    let state = if enabled {
        view! { <span class="badge ok">"switched on"</span> }
    } else {
        view! { <span class="badge warn">"switched off"</span> }
    };
    let switch_name = name;
    let (switch_text, switch_value) = if enabled {
        (format!("Switch {label} off"), "false")
    } else {
        (format!("Switch {label} on"), "true")
    };
    let switch = can_edit.then(move || {
        view! {
            <ActionForm action=actions.switch attr:class="inline-form">
                <input type="hidden" name="function" value=switch_name />
                <input type="hidden" name="enabled" value=switch_value />
                <button type="submit" class=if enabled { "danger" } else { "" }>{switch_text}</button>
            </ActionForm>
        }
    });
    let rollout = if can_edit {
        let field = format!("percent.{name}");
        let rollout_name = name;
        view! {
            <ActionForm action=actions.rollout attr:class="inline-form">
                <input type="hidden" name="function" value=rollout_name />
                <label>
                    "Rollout (% of spaces)"
                    <input type="number" name="percent" min="0" max="100" value=rollout_percent.to_string() />
                    <FieldError result=rollout_result field=field />
                </label>
                <button type="submit" class="secondary">"Save rollout"</button>
            </ActionForm>
        }
        .into_any()
    } else {
        view! { <p>{format!("Rollout: {rollout_percent}% of spaces")}</p> }.into_any()
    };
    let versions = versions
        .into_iter()
        .map(|v| {
            let role = if v.candidate {
                format!("candidate in {}% of spaces", candidate_percent.unwrap_or(0))
            } else {
                "released".to_owned()
            };
            let standing = if v.graduated {
                view! { <span class="badge ok">"graduated"</span> }.into_any()
            } else {
                view! { <span class="badge warn">"on probation"</span> }.into_any()
            };
            let counts = if v.approvals + v.rejections == 0 {
                " no reviews since it last changed state".to_owned()
            } else {
                format!(
                    " {} approved, {} rejected ({} approval rate), {} rejected in a row",
                    v.approvals,
                    v.rejections,
                    v.approval_rate(),
                    v.rejection_streak,
                )
            };
            let graduate = (can_edit && !v.graduated).then(|| {
                view! {
                    <ActionForm action=actions.graduate attr:class="inline-form">
                        <input type="hidden" name="function" value=name />
                        <input type="hidden" name="version" value=v.version.to_string() />
                        <button type="submit" class="secondary">{format!("Graduate v{} now", v.version)}</button>
                    </ActionForm>
                }
            });
            view! {
                <li>
                    <strong>{format!("v{}", v.version)}</strong>
                    " "
                    {role}
                    " "
                    {standing}
                    <span class="muted">{counts}</span>
                    {graduate}
                </li>
            }
        })
        .collect_view();
    let prompts_link = format!("/prompts?function={name}");
    view! {
        <section class="card" aria-labelledby=heading>
            <h2 id=heading_id>{label} " " {state}</h2>
            {switch}
            {rollout}
            <h3>"Prompt versions"</h3>
            <ul class="plain">{versions}</ul>
            <FormError result=graduate_result />
            <p>
                <a href=prompts_link>"Versions and releases"</a>
            </p>
        </section>
    }
}

#[component]
fn Thresholds(
    thresholds: ThresholdsView,
    can_edit: bool,
    action: ServerAction<SetGraduationThresholds>,
) -> impl IntoView {
    let result = Signal::derive(move || action.value().get());
    let text = format!(
        "A new prompt version holds answers for review, even where its function is live, until it \
         has {} approvals at {}% or more; {} rejections in a row put it back on probation.",
        thresholds.min_approvals, thresholds.min_rate_percent, thresholds.demote_after
    );
    view! {
        <section class="card" aria-labelledby="graduation-heading">
            <h2 id="graduation-heading">"Graduation"</h2>
            <p>{text}</p>
            {can_edit
                .then(|| {
                    view! {
                        <ActionForm action attr:class="inline-form">
                            <label>
                                "Approvals needed"
                                <input type="number" name="min_approvals" min="1" value=thresholds.min_approvals.to_string() />
                                <FieldError result field="min_approvals" />
                            </label>
                            <label>
                                "Approval rate (%)"
                                <input type="number" name="min_rate_percent" min="1" max="100" value=thresholds.min_rate_percent.to_string() />
                                <FieldError result field="min_rate_percent" />
                            </label>
                            <label>
                                "Rejections in a row that demote"
                                <input type="number" name="demote_after" min="1" value=thresholds.demote_after.to_string() />
                                <FieldError result field="demote_after" />
                            </label>
                            <button type="submit">"Save thresholds"</button>
                        </ActionForm>
                    }
                })}
        </section>
    }
}
