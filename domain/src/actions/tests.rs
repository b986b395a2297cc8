//! What a space hears when an action fails.

use super::*;

#[test]
fn a_space_hears_the_status_never_the_remote_words() {
    let action = Action {
        id: 1,
        kind: IntegrationKind::Jira,
        function: AgentFunction::AlertTriage,
        room_id: "room".into(),
        thread_id: None,
        subject: "alert:1".into(),
        title: "t".into(),
        payload: serde_json::Value::Null,
        state: ActionState::Approved,
        proposed_by: Actor::system("test"),
        proposed_ms: 0,
        decided_by: None,
        decided_ms: None,
        reason: None,
        reference: None,
        link: None,
        error: None,
        finished_ms: None,
        destination: None,
    };
    let refused = "Jira answered 400: <@all> click [here](https://evil.example) HTTP 200";
    assert_eq!(
        failure_notice(&action, refused),
        "Could not create a Jira issue: Jira answered HTTP 400. The details are on Steward's \
         Actions page."
    );
    assert_eq!(
        failure_notice(
            &action,
            "gave up after 5 attempts: Jira is unavailable: HTTP 503"
        ),
        "Could not create a Jira issue: Jira answered HTTP 503. The details are on Steward's \
         Actions page."
    );
    assert_eq!(
        failure_notice(&action, "Jira is unavailable: connection refused"),
        "Could not create a Jira issue: Jira could not be reached. The details are on \
         Steward's Actions page."
    );
}
