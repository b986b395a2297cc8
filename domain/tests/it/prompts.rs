use domain::{
    agents::AgentFunction,
    audit::{self, Actor},
    db_test,
    prompts::{self, NewPrompt, PromptError},
};

fn new_summary_prompt(note: &str, decision_cue: &str) -> NewPrompt {
    let mut settings = domain::agents::summarize::default_settings();
    settings["decision"] = serde_json::json!([decision_cue]);
    NewPrompt {
        template: "Sum up the last {{count}} messages:\n{{messages}}".into(),
        settings: settings.to_string(),
        note: note.into(),
    }
}

db_test!(async fn every_function_starts_with_its_built_in_prompt_released(db) {
    for function in AgentFunction::ALL {
        let release = prompts::release(&db, function).await.unwrap();
        assert_eq!((release.version, release.candidate, release.previous), (1, None, None));
        let v1 = prompts::version(&db, function, 1).await.unwrap();
        assert_eq!(v1.author, Actor::system("builtin"));
        assert_eq!(v1.template, domain::agents::builtin_prompt(function).template);
        assert!(!v1.variables.is_empty());
    }
    // Migrating again adds nothing.
    db.migrate().await.unwrap();
    assert_eq!(prompts::versions(&db, AgentFunction::Summarize).await.unwrap().len(), 1);
});

db_test!(async fn a_new_version_is_numbered_audited_and_runs_nowhere_until_released(db) {
    let admin = Actor::User(1);
    let v2 = prompts::create(&db, AgentFunction::Summarize, &new_summary_prompt("Shorter cues", "agreed:"), &admin)
        .await
        .unwrap();
    assert_eq!((v2.version, &v2.author), (2, &Actor::User(1)));
    assert_eq!(v2.variables, ["count", "messages"]);
    assert_eq!(prompts::for_space(&db, AgentFunction::Summarize, "room").await.unwrap().version, 1);
    let entry = &audit::recent(&db, 1).await.unwrap()[0];
    assert_eq!((entry.action.as_str(), entry.target.as_str()), ("prompt.create", "prompt:summarize@v2"));
});

db_test!(async fn a_bad_version_is_refused_with_the_field_to_fix(db) {
    let admin = Actor::User(1);
    let mut bad = new_summary_prompt("note", "decision:");
    bad.template = "Summarize {{transcript}}".into();
    let error = prompts::create(&db, AgentFunction::Summarize, &bad, &admin).await.unwrap_err();
    assert!(matches!(&error, PromptError::Invalid("template", m) if m.contains("{{transcript}} is not a variable of summarize")), "{error}");

    let mut bad = new_summary_prompt("note", "decision:");
    bad.settings = "{not json".into();
    assert!(matches!(prompts::create(&db, AgentFunction::Summarize, &bad, &admin).await, Err(PromptError::Invalid("settings", _))));

    let mut bad = new_summary_prompt("note", "decision:");
    bad.settings = r#"{"decision": []}"#.into();
    assert!(matches!(prompts::create(&db, AgentFunction::Summarize, &bad, &admin).await, Err(PromptError::Invalid("settings", _))));

    let bad = new_summary_prompt("  ", "decision:");
    assert!(matches!(prompts::create(&db, AgentFunction::Summarize, &bad, &admin).await, Err(PromptError::Invalid("note", _))));
    assert_eq!(prompts::versions(&db, AgentFunction::Summarize).await.unwrap().len(), 1);
    assert_eq!(audit::len(&db).await.unwrap(), 0);
});

db_test!(async fn promoting_and_rolling_back_move_the_release_pointer(db) {
    let admin = Actor::User(1);
    let f = AgentFunction::Summarize;
    prompts::create(&db, f, &new_summary_prompt("v2", "agreed:"), &admin).await.unwrap();
    let release = prompts::promote(&db, f, 2, &admin).await.unwrap();
    assert_eq!((release.version, release.previous), (2, Some(1)));
    assert_eq!(prompts::for_space(&db, f, "any room").await.unwrap().version, 2);

    let release = prompts::rollback(&db, f, &admin).await.unwrap();
    assert_eq!((release.version, release.previous), (1, Some(2)));
    assert_eq!(prompts::for_space(&db, f, "any room").await.unwrap().version, 1);

    let actions: Vec<String> = audit::recent(&db, 2).await.unwrap().into_iter().map(|e| e.action).collect();
    assert_eq!(actions, ["release.rollback", "release.promote"]);
    let rollback = &audit::recent(&db, 1).await.unwrap()[0];
    assert!(rollback.before_json.as_deref().unwrap().contains(r#""version":2"#));
    assert!(rollback.after_json.as_deref().unwrap().contains(r#""version":1"#));

    assert!(matches!(prompts::promote(&db, f, 9, &admin).await, Err(PromptError::NoSuchVersion(_, 9))));
});

db_test!(async fn an_ab_split_keeps_each_space_on_one_side(db) {
    let admin = Actor::User(1);
    let f = AgentFunction::Summarize;
    prompts::create(&db, f, &new_summary_prompt("v2", "agreed:"), &admin).await.unwrap();
    let release = prompts::split(&db, f, 2, 30, &admin).await.unwrap();
    assert_eq!(release.candidate, Some((2, 30)));
    let rooms: Vec<String> = (0..400).map(|n| format!("room-{n}")).collect();
    let mut on_candidate = 0;
    for room in &rooms {
        let first = prompts::for_space(&db, f, room).await.unwrap().version;
        let again = prompts::for_space(&db, f, room).await.unwrap().version;
        assert_eq!(first, again, "{room} changed sides");
        if first == 2 {
            on_candidate += 1;
        }
    }
    assert!((80..160).contains(&on_candidate), "{on_candidate} of 400 on the candidate");
    assert!(matches!(prompts::split(&db, f, 2, 100, &admin).await, Err(PromptError::Invalid("percent", _))));
    assert!(matches!(prompts::split(&db, f, 1, 50, &admin).await, Err(PromptError::Invalid("candidate", _))));

    let release = prompts::end_split(&db, f, &admin).await.unwrap();
    assert_eq!(release.candidate, None);
    assert!(prompts::for_space(&db, f, &rooms[0]).await.unwrap().version == 1);
});

db_test!(async fn a_diff_shows_what_changed_line_by_line(db) {
    let admin = Actor::User(1);
    let f = AgentFunction::Summarize;
    prompts::create(&db, f, &new_summary_prompt("v2", "agreed:"), &admin).await.unwrap();
    let v1 = prompts::version(&db, f, 1).await.unwrap();
    let v2 = prompts::version(&db, f, 2).await.unwrap();
    let diff = prompts::diff(&v1, &v2);
    assert!(diff.template.iter().any(|l| l.kind == "added" && l.text == "Sum up the last {{count}} messages:"));
    assert!(diff.template.iter().any(|l| l.kind == "removed"));
    assert!(diff.settings.iter().any(|l| l.kind == "added" && l.text.contains("agreed:")));
    assert!(diff.settings.iter().any(|l| l.kind == "same" && l.text.contains("max_items")));
});
