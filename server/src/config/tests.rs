use std::time::Duration;

use crate::config::{Config, ConfigError, FileSettings, LogFormat, SettingArgs};

fn file(toml_text: &str) -> FileSettings {
    toml::from_str(toml_text).unwrap()
}

fn error_of(args: SettingArgs) -> String {
    Config::resolve(args, FileSettings::default())
        .unwrap_err()
        .to_string()
}

#[test]
fn defaults_serve_sqlite_on_localhost() {
    let config = Config::resolve(SettingArgs::default(), FileSettings::default()).unwrap();
    assert_eq!(config.bind.to_string(), "127.0.0.1:3000");
    assert_eq!(config.database_url.expose(), "sqlite://data/steward.db");
    assert_eq!(config.public_url.as_str(), "http://127.0.0.1:3000/");
    assert!(!config.sandbox);
    assert!(!config.served_over_https());
    assert_eq!(config.log_format, LogFormat::Text);
    assert_eq!(config.max_body_bytes, 1_048_576);
    assert_eq!(config.request_timeout, Duration::from_secs(30));
    assert_eq!(config.shutdown_grace, Duration::from_secs(10));
    assert_eq!(config.site_root, "target/site");
}

#[test]
fn flags_and_environment_win_over_the_file_which_wins_over_defaults() {
    let args = SettingArgs {
        bind: Some("0.0.0.0:8080".into()),
        sandbox: Some("yes".into()),
        ..SettingArgs::default()
    };
    let file = file(
        r#"
        bind = "127.0.0.1:9999"
        sandbox = false
        public_url = "https://steward.example.com/"
        admin_emails = ["Root@Example.com", "ops@example.com"]
        max_body_bytes = 2048
        "#,
    );
    let config = Config::resolve(args, file).unwrap();
    assert_eq!(config.bind.to_string(), "0.0.0.0:8080");
    assert!(config.sandbox);
    assert!(config.served_over_https());
    assert_eq!(config.max_body_bytes, 2048);
    let emails: Vec<_> = config.admin_emails.iter().map(|e| e.as_str()).collect();
    assert_eq!(emails, ["root@example.com", "ops@example.com"]);
}

#[test]
fn a_bad_value_is_reported_with_every_name_of_its_setting() {
    let message = error_of(SettingArgs {
        bind: Some("localhost".into()),
        ..SettingArgs::default()
    });
    assert_eq!(
        message,
        "invalid setting STEWARD_BIND (--bind, `bind` in steward.toml): \
         expected HOST:PORT such as 127.0.0.1:3000, got `localhost`"
    );
}

#[test]
fn each_setting_is_validated() {
    let cases: Vec<(SettingArgs, &str)> = vec![
        (
            SettingArgs {
                database_url: Some("mysql://db/steward".into()),
                ..Default::default()
            },
            "DATABASE_URL",
        ),
        (
            SettingArgs {
                public_url: Some("ftp://steward".into()),
                ..Default::default()
            },
            "STEWARD_PUBLIC_URL",
        ),
        (
            SettingArgs {
                public_url: Some("https://s.example.com/?a=1".into()),
                ..Default::default()
            },
            "STEWARD_PUBLIC_URL",
        ),
        (
            SettingArgs {
                sandbox: Some("maybe".into()),
                ..Default::default()
            },
            "STEWARD_SANDBOX",
        ),
        (
            SettingArgs {
                admin_emails: Some("root@example.com,not-an-email".into()),
                ..Default::default()
            },
            "STEWARD_ADMIN_EMAILS",
        ),
        (
            SettingArgs {
                log: Some("info,[".into()),
                ..Default::default()
            },
            "STEWARD_LOG",
        ),
        (
            SettingArgs {
                log_format: Some("xml".into()),
                ..Default::default()
            },
            "STEWARD_LOG_FORMAT",
        ),
        (
            SettingArgs {
                max_body_bytes: Some("12".into()),
                ..Default::default()
            },
            "STEWARD_MAX_BODY_BYTES",
        ),
        (
            SettingArgs {
                request_timeout_secs: Some("soon".into()),
                ..Default::default()
            },
            "STEWARD_REQUEST_TIMEOUT_SECS",
        ),
        (
            SettingArgs {
                shutdown_grace_secs: Some("601".into()),
                ..Default::default()
            },
            "STEWARD_SHUTDOWN_GRACE_SECS",
        ),
        (
            SettingArgs {
                site_root: Some(" ".into()),
                ..Default::default()
            },
            "LEPTOS_SITE_ROOT",
        ),
    ];
    for (args, env) in cases {
        let message = error_of(args);
        assert!(
            message.starts_with(&format!("invalid setting {env} ")),
            "{message}"
        );
    }
}

#[test]
fn database_password_never_appears_in_debug_output() {
    let args = SettingArgs {
        database_url: Some("postgres://steward:hunter2@db.internal/steward".into()),
        ..SettingArgs::default()
    };
    let config = Config::resolve(args, FileSettings::default()).unwrap();
    let debug = format!("{config:?}");
    assert!(!debug.contains("hunter2"), "{debug}");
    assert!(
        debug.contains("postgres://steward:redacted@db.internal/steward"),
        "{debug}"
    );
    assert_eq!(
        config.database_url.expose(),
        "postgres://steward:hunter2@db.internal/steward"
    );
}

#[test]
fn webex_client_secret_never_appears_in_debug_output() {
    let args = SettingArgs {
        webex_client_id: Some("client-1".into()),
        webex_client_secret: Some("very-secret-value".into()),
        webex_org_ids: Some("org-a, org-b".into()),
        ..SettingArgs::default()
    };
    let config = Config::resolve(args, FileSettings::default()).unwrap();
    let debug = format!("{config:?}");
    assert!(!debug.contains("very-secret-value"), "{debug}");
    assert!(debug.contains("client-1"));
    assert_eq!(config.webex_org_ids, ["org-a", "org-b"]);
    assert_eq!(config.session_idle, Duration::from_secs(3600));
    assert_eq!(config.session_max_age, Duration::from_secs(12 * 3600));
}

#[test]
fn unknown_keys_in_the_settings_file_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("steward.toml");
    std::fs::write(&path, "bnid = \"127.0.0.1:3000\"\n").unwrap();
    let err = FileSettings::load(&path).unwrap_err();
    assert!(matches!(err, ConfigError::File { .. }));
    assert!(err.to_string().contains("unknown field `bnid`"), "{err}");
}
