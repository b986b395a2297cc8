use domain::{
    audit::Actor,
    credentials, db_test,
    inbox::WebhookSecrets,
    testing::register_webhook_secret,
    vault::{self, Vault},
    webex::signature::sign,
};
use sqlx::{AnyConnection, Connection, Executor, Row};

const OLD_KEY: &str = "old-secrets-key-0123456789abcdef0123";
const NEW_KEY: &str = "new-secrets-key-fedcba9876543210fedc";

/// What a database dump shows: every stored credential and webhook secret, as stored.
async fn dump(url: &str) -> String {
    let mut conn = AnyConnection::connect(url).await.unwrap();
    let mut out = String::new();
    for sql in [
        "SELECT value FROM credentials",
        "SELECT secret FROM webex_webhooks",
    ] {
        for row in conn.fetch_all(sql).await.unwrap() {
            out.push_str(&row.get::<String, _>(0));
            out.push('\n');
        }
    }
    conn.close().await.unwrap();
    out
}

db_test!(async fn a_dump_of_the_database_reveals_no_secret(db, url) {
    let sealed = db.clone().with_vault(Vault::new(OLD_KEY).unwrap());
    credentials::set(&sealed, "integration.jira", "jira-api-token-123", &Actor::system("test")).await.unwrap();
    let dumped = dump(&url).await;
    assert!(!dumped.contains("jira-api-token-123") && dumped.starts_with("v1:"), "{dumped}");
    assert_eq!(credentials::get(&sealed, "integration.jira").await.unwrap().unwrap().expose(), "jira-api-token-123");
    // Without the key the value is not readable, and Steward says why instead of using garbage.
    let refused = credentials::get(&db, "integration.jira").await.unwrap_err();
    assert!(refused.to_string().contains("not configured"), "{refused}");
});

db_test!(async fn rotation_reseals_everything_so_the_old_key_can_go(db, url) {
    let actor = Actor::system("test");
    // A credential from before any key, one sealed with the old key, and a webhook secret.
    credentials::set(&db, "integration.webhook", "plain-from-before", &actor).await.unwrap();
    let old = db.clone().with_vault(Vault::new(OLD_KEY).unwrap());
    credentials::set(&old, "integration.jira", "jira-api-token-123", &actor).await.unwrap();
    register_webhook_secret(&db, "webhook-1", "0f1e2d3c4b5a69788796a5b4c3d2e1f0").await;

    let rotating = db.clone().with_vault(Vault::new(NEW_KEY).unwrap().with_previous(OLD_KEY).unwrap());
    let rotation = vault::rotate(&rotating, &actor).await.unwrap();
    assert_eq!((rotation.credentials, rotation.webhooks), (2, 1));
    let dumped = dump(&url).await;
    for secret in ["plain-from-before", "jira-api-token-123", "0f1e2d3c4b5a69788796a5b4c3d2e1f0"] {
        assert!(!dumped.contains(secret), "{secret} in {dumped}");
    }
    // The new key alone opens everything now.
    let new = db.clone().with_vault(Vault::new(NEW_KEY).unwrap());
    assert_eq!(credentials::get(&new, "integration.jira").await.unwrap().unwrap().expose(), "jira-api-token-123");
    assert_eq!(credentials::get(&new, "integration.webhook").await.unwrap().unwrap().expose(), "plain-from-before");
    let secrets = WebhookSecrets::load(new.clone()).await.unwrap();
    let body = br#"{"id":"x"}"#;
    let signature = sign(b"0f1e2d3c4b5a69788796a5b4c3d2e1f0", body);
    assert_eq!(secrets.verify(body, Some(&signature)).await.as_deref(), Some("webhook-1"));
    // Running it again has nothing left to do; the audit log records both runs.
    assert_eq!(vault::rotate(&new, &actor).await.unwrap(), vault::Rotation::default());
    let entries = domain::audit::recent(&db, 2).await.unwrap();
    assert!(entries.iter().all(|e| e.action == "secrets.rotate"), "{entries:?}");
});

db_test!(async fn a_sealed_value_moved_to_another_row_does_not_open(db, url) {
    let sealed = db.clone().with_vault(Vault::new(OLD_KEY).unwrap());
    let actor = Actor::system("test");
    credentials::set(&sealed, "integration.jira", "jira-token", &actor).await.unwrap();
    credentials::set(&sealed, "integration.servicenow", "snow-password", &actor).await.unwrap();
    let mut conn = AnyConnection::connect(&url).await.unwrap();
    conn.execute(
        "UPDATE credentials SET value = (SELECT value FROM credentials WHERE name = 'integration.jira')
         WHERE name = 'integration.servicenow'",
    )
    .await
    .unwrap();
    conn.close().await.unwrap();
    let refused = credentials::get(&sealed, "integration.servicenow").await.unwrap_err();
    assert!(refused.to_string().contains("altered or copied"), "{refused}");
});
