//! The People page: give and take Steward roles. Admins only.

use leptos::prelude::*;
use leptos_meta::Title;
use vocab::Role;

use crate::{
    api::people::{GrantRole, PersonRoles, RevokeRole, load_people},
    components::{error_panel::ErrorPanel, forms::FieldError},
};

/// Everyone Steward knows and their roles, a form to give a role, and a button per role to take
/// it away. Every change is audited.
#[component]
pub fn PeoplePage() -> impl IntoView {
    let grant = ServerAction::<GrantRole>::new();
    let revoke = ServerAction::<RevokeRole>::new();
    let people = Resource::new(
        move || (grant.version().get(), revoke.version().get()),
        |_| load_people(),
    );
    let grant_result = Signal::derive(move || grant.value().get());
    let revoke_error = move || {
        revoke
            .value()
            .get()
            .and_then(Result::err)
            .map(|e| view! { <p class="notice error" role="alert">{e.to_string()}</p> })
    };
    view! {
        <Title text="People" />
        <h1>"People and roles"</h1>
        <p class="lede">
            "Steward's roles are its own: "
            {Role::ALL
                .iter()
                .map(|role| view! { <strong>{role.as_str()}</strong> " " {role.description()} "; " })
                .collect_view()}
            "people without a role cannot use the console."
        </p>
        <section class="card" aria-labelledby="grant-heading">
            <h2 id="grant-heading">"Give someone a role"</h2>
            <ActionForm action=grant attr:class="inline-form">
                <label>
                    "E-mail"
                    <input type="email" name="email" required autocomplete="off" />
                    <FieldError result=grant_result field="email" />
                </label>
                <label>
                    "Role"
                    <select name="role">
                        {Role::ALL
                            .iter()
                            .map(|role| view! { <option value=role.as_str()>{role.as_str()}</option> })
                            .collect_view()}
                    </select>
                    <FieldError result=grant_result field="role" />
                </label>
                <button type="submit">"Give role"</button>
            </ActionForm>
        </section>
        {revoke_error}
        <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
            <ErrorBoundary fallback=|errors| view! { <ErrorPanel errors /> }>
                {move || Suspend::new(async move {
                    people.await.map(|people| view! { <PeopleTable people revoke /> })
                })}
            </ErrorBoundary>
        </Suspense>
    }
}

#[component]
fn PeopleTable(people: Vec<PersonRoles>, revoke: ServerAction<RevokeRole>) -> impl IntoView {
    view! {
        <table class="data">
            <caption>"Everyone Steward knows"</caption>
            <thead>
                <tr>
                    <th scope="col">"Person"</th>
                    <th scope="col">"Roles"</th>
                </tr>
            </thead>
            <tbody>
                {people
                    .into_iter()
                    .map(|person| {
                        let email = person.email.clone();
                        view! {
                            <tr>
                                <th scope="row">
                                    {person.name.clone().unwrap_or_else(|| person.email.clone())}
                                    <span class="muted">
                                        {format!(" {}", person.email)}
                                        {(!person.signed_in).then_some(" · not signed in yet")}
                                    </span>
                                </th>
                                <td>
                                    {if person.roles.is_empty() {
                                        view! { <span class="muted">"no role"</span> }.into_any()
                                    } else {
                                        person
                                            .roles
                                            .into_iter()
                                            .map(|role| {
                                                let label = format!("Take {role} from {email}");
                                                let email = email.clone();
                                                view! {
                                                    <ActionForm action=revoke attr:class="role-chip">
                                                        <input type="hidden" name="email" value=email />
                                                        <input type="hidden" name="role" value=role.as_str() />
                                                        <span class="badge">{role.as_str()}</span>
                                                        <button type="submit" class="link-button" aria-label=label>
                                                            "remove"
                                                        </button>
                                                    </ActionForm>
                                                }
                                            })
                                            .collect_view()
                                            .into_any()
                                    }}
                                </td>
                            </tr>
                        }
                    })
                    .collect_view()}
            </tbody>
        </table>
    }
}
