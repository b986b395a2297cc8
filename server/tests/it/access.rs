//! Who may use what: every server function and console page, declared here with the roles it
//! admits, is called as every role and as nobody, against the real router. A server function
//! missing from the declaration fails the suite, so none can ship without a decision.

use std::time::Duration;

use axum::{
    Router,
    body::Body,
    http::{Request, StatusCode},
};
use domain::{Db, db_test, users::Role};

use crate::helpers::{ORIGIN, app, send, session_cookie};

const ANYONE: &[Role] = &[];
const EVERY_ROLE: &[Role] = &[Role::Admin, Role::Reviewer, Role::Manager];
const ADMIN: &[Role] = &[Role::Admin];
const ADMIN_REVIEWER: &[Role] = &[Role::Admin, Role::Reviewer];
const ADMIN_MANAGER: &[Role] = &[Role::Admin, Role::Manager];

/// `(path, roles admitted (empty: anyone, even signed out), a valid form body)`.
#[rustfmt::skip]
const SERVER_FUNCTIONS: &[(&str, &[Role], &str)] = &[
    ("/api/load_session", ANYONE, ""),
    ("/api/load_system_status", EVERY_ROLE, ""),
    ("/api/verify_audit_chain", EVERY_ROLE, ""),
    ("/api/load_sandbox", ADMIN, ""),
    ("/api/post_sandbox_message", ADMIN, "person=p&space=s&text=hello"),
    ("/api/click_sandbox_card", ADMIN, "person=p&message=m&button=0"),
    ("/api/load_people", ADMIN, ""),
    ("/api/grant_role", ADMIN, "email=new%40example.com&role=reviewer"),
    ("/api/revoke_role", ADMIN, "email=new%40example.com&role=manager"),
    ("/api/load_agents", EVERY_ROLE, ""),
    ("/api/save_modes", ADMIN, ""),
    ("/api/switch_function", ADMIN, "function=summarize&enabled=true"),
    ("/api/set_rollout", ADMIN, "function=summarize&percent=100"),
    ("/api/set_graduation_thresholds", ADMIN, "min_approvals=100&min_rate_percent=95&demote_after=3"),
    ("/api/graduate_version", ADMIN, "function=summarize&version=1"),
    ("/api/load_prompts", ADMIN_REVIEWER, ""),
    ("/api/create_prompt_version", ADMIN, "function=summarize&template=Sum+up+%7B%7Bmessages%7D%7D&settings=%7B%22decision%22%3A%5B%22decision%3A%22%5D%2C%22action%22%3A%5B%5D%2C%22question%22%3A%5B%5D%2C%22max_items%22%3A5%7D&note=test"),
    ("/api/promote_version", ADMIN, "function=summarize&version=1"),
    ("/api/split_version", ADMIN, "function=summarize&version=1&percent=10"),
    ("/api/end_split", ADMIN, "function=summarize"),
    ("/api/rollback_release", ADMIN, "function=summarize"),
    ("/api/load_review_queue", ADMIN_REVIEWER, ""),
    ("/api/approve_draft", ADMIN_REVIEWER, "id=1&markdown=ok"),
    ("/api/reject_draft", ADMIN_REVIEWER, "id=1&reason=no"),
    ("/api/approve_selected", ADMIN_REVIEWER, "selected%5B1%5D=on"),
    ("/api/load_actions", ADMIN_REVIEWER, ""),
    ("/api/approve_action", ADMIN_REVIEWER, "id=1"),
    ("/api/reject_action", ADMIN_REVIEWER, "id=1&reason=no"),
    ("/api/load_audit", ADMIN_MANAGER, "query%5Bq%5D=role"),
    ("/api/load_settings", ADMIN, ""),
    ("/api/save_ai_provider", ADMIN, "provider=local"),
    ("/api/save_integration", ADMIN, "kind=webhook&base_url=https%3A%2F%2Fhooks.example.com%2Fsteward&secret=s3cret"),
    ("/api/save_escalation_target", ADMIN, "target="),
    ("/api/save_redaction", ADMIN, "kinds%5Bemail%5D=on&custom="),
    ("/api/preview_redaction", ADMIN, "sample=a%40b.example"),
    ("/api/save_retention", ADMIN, "days=90"),
    ("/api/clear_credential", ADMIN, "owner=jira"),
    ("/api/save_disclosure", ADMIN, "generated=AI+wrote+this&reviewed=Checked+by+%7Breviewer%7D"),
    ("/api/save_review_space", ADMIN, "room_id="),
];

/// `(path, roles admitted)` of every console page that needs a role.
#[rustfmt::skip]
const PAGES: &[(&str, &[Role])] = &[
    ("/", EVERY_ROLE),
    ("/sandbox", ADMIN),
    ("/people", ADMIN),
    ("/agents", EVERY_ROLE),
    ("/prompts", ADMIN_REVIEWER),
    ("/review", ADMIN_REVIEWER),
    ("/actions", ADMIN_REVIEWER),
    ("/settings", ADMIN),
    ("/audit", ADMIN_MANAGER),
    ("/audit/export.csv", ADMIN_MANAGER),
    ("/audit/export.jsonl", ADMIN_MANAGER),
];

/// Who calls: nobody, or someone holding exactly one role.
const CALLERS: [Option<Role>; 4] = [
    None,
    Some(Role::Admin),
    Some(Role::Reviewer),
    Some(Role::Manager),
];

async fn cookie_for(db: &Db, caller: Option<Role>) -> Option<String> {
    let role = caller?;
    let email = format!("{role}@example.com");
    Some(session_cookie(db, &email, &[role], Duration::ZERO).await)
}

#[test]
fn every_server_function_declares_who_may_call_it() {
    let mut registered: Vec<&str> = leptos::server_fn::axum::server_fn_paths()
        .map(|(path, _)| path)
        .collect();
    registered.sort_unstable();
    let mut declared: Vec<&str> = SERVER_FUNCTIONS.iter().map(|(path, ..)| *path).collect();
    declared.sort_unstable();
    assert_eq!(
        registered, declared,
        "declare each server function's roles in SERVER_FUNCTIONS"
    );
}

async fn call(app: &Router, path: &str, body: &str, cookie: Option<&str>) -> StatusCode {
    let mut request = Request::post(path)
        .header("content-type", "application/x-www-form-urlencoded")
        .header("origin", ORIGIN);
    if let Some(cookie) = cookie {
        request = request.header("cookie", cookie);
    }
    send(app, request.body(Body::from(body.to_owned())).unwrap())
        .await
        .status
}

db_test!(async fn every_server_function_admits_exactly_its_roles(db) {
    let app = app(&db);
    for caller in CALLERS {
        let cookie = cookie_for(&db, caller).await;
        for (path, admitted, body) in SERVER_FUNCTIONS {
            let status = call(&app, path, body, cookie.as_deref()).await;
            let expected = match caller {
                _ if admitted.is_empty() => None,
                None => Some(StatusCode::UNAUTHORIZED),
                Some(role) if admitted.contains(&role) => None,
                Some(_) => Some(StatusCode::FORBIDDEN),
            };
            match expected {
                Some(refusal) => assert_eq!(status, refusal, "{path} as {caller:?}"),
                None => assert!(
                    status != StatusCode::UNAUTHORIZED && status != StatusCode::FORBIDDEN,
                    "{path} as {caller:?} was refused ({status})"
                ),
            }
        }
    }
});

db_test!(async fn every_page_admits_exactly_its_roles(db) {
    let app = app(&db);
    for caller in CALLERS {
        let cookie = cookie_for(&db, caller).await;
        for (path, admitted) in PAGES {
            let mut request = Request::get(*path);
            if let Some(cookie) = &cookie {
                request = request.header("cookie", cookie);
            }
            let response = send(&app, request.body(Body::empty()).unwrap()).await;
            match caller {
                None => {
                    assert!(response.status.is_redirection(), "{path} signed out: {}", response.status);
                    assert_eq!(response.header("location"), "/login");
                }
                Some(role) if admitted.contains(&role) => {
                    assert_eq!(response.status, StatusCode::OK, "{path} as {role}")
                }
                Some(role) => {
                    assert_eq!(response.status, StatusCode::FORBIDDEN, "{path} as {role}");
                    assert!(response.body.contains("Your role does not allow this."));
                }
            }
        }
    }
});
