use std::time::Duration;

use crate::config::{
    Config, ConfigError, FileSettings, LogFormat, SettingArgs,
    settings::{self, ALL},
};

fn file(toml_text: &str) -> FileSettings {
    FileSettings::parse(toml_text).unwrap()
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
    let args = SettingArgs::default()
        .with(&settings::BIND, "0.0.0.0:8080")
        .with(&settings::SANDBOX, "yes")
        .with(&settings::SANDBOX_EXPOSE, "true");
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
    let message = error_of(SettingArgs::default().with(&settings::BIND, "localhost"));
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
            SettingArgs::default().with(&settings::DATABASE_URL, "mysql://db/steward"),
            "DATABASE_URL",
        ),
        (
            SettingArgs::default().with(&settings::PUBLIC_URL, "ftp://steward"),
            "STEWARD_PUBLIC_URL",
        ),
        (
            SettingArgs::default().with(&settings::PUBLIC_URL, "https://s.example.com/?a=1"),
            "STEWARD_PUBLIC_URL",
        ),
        (
            SettingArgs::default().with(&settings::SANDBOX, "maybe"),
            "STEWARD_SANDBOX",
        ),
        (
            SettingArgs::default().with(&settings::ADMIN_EMAILS, "root@example.com,not-an-email"),
            "STEWARD_ADMIN_EMAILS",
        ),
        (
            SettingArgs::default().with(&settings::LOG, "info,["),
            "STEWARD_LOG",
        ),
        (
            SettingArgs::default().with(&settings::LOG_FORMAT, "xml"),
            "STEWARD_LOG_FORMAT",
        ),
        (
            SettingArgs::default().with(&settings::MAX_BODY_BYTES, "12"),
            "STEWARD_MAX_BODY_BYTES",
        ),
        (
            SettingArgs::default().with(&settings::REQUEST_TIMEOUT, "soon"),
            "STEWARD_REQUEST_TIMEOUT_SECS",
        ),
        (
            SettingArgs::default().with(&settings::SHUTDOWN_GRACE, "601"),
            "STEWARD_SHUTDOWN_GRACE_SECS",
        ),
        (
            SettingArgs::default().with(&settings::SITE_ROOT, " "),
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
    let args = SettingArgs::default().with(
        &settings::DATABASE_URL,
        "postgres://steward:hunter2@db.internal/steward",
    );
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
    let args = SettingArgs::default()
        .with(&settings::WEBEX_CLIENT_ID, "client-1")
        .with(&settings::WEBEX_CLIENT_SECRET, "very-secret-value")
        .with(&settings::WEBEX_ORG_IDS, "org-a, org-b");
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
    assert!(err.to_string().contains("unknown setting `bnid`"), "{err}");
}

#[test]
fn every_setting_has_three_distinct_names_and_a_default_that_reads() {
    let (mut envs, mut keys) = (
        std::collections::HashSet::new(),
        std::collections::HashSet::new(),
    );
    for spec in ALL {
        let name = spec.name;
        assert!(
            envs.insert(name.env) && keys.insert(name.key),
            "{name:?} twice"
        );
        assert_eq!(name.flag.replace('-', "_"), name.key, "{name:?}");
        assert!(!spec.help.trim().is_empty(), "{name:?}");
    }
    // Every default reads as its setting: resolving with nothing given succeeds.
    Config::resolve(SettingArgs::default(), FileSettings::default()).unwrap();
}

#[test]
fn file_values_read_like_flags_and_lists_join() {
    let from_file = Config::resolve(
        SettingArgs::default(),
        file("workers = 2\nsandbox = true\nwebex_org_ids = [\"a\", \"b\"]"),
    )
    .unwrap();
    let from_flags = Config::resolve(
        SettingArgs::default()
            .with(&settings::WORKERS, "2")
            .with(&settings::SANDBOX, "true")
            .with(&settings::WEBEX_ORG_IDS, "a, b"),
        FileSettings::default(),
    )
    .unwrap();
    assert_eq!((from_file.workers, from_file.sandbox), (2, true));
    assert_eq!(from_file.webex_org_ids, from_flags.webex_org_ids);
    let nested = FileSettings::parse("[bind]\nhost = \"x\"").unwrap_err();
    assert!(nested.contains("`bind` is"), "{nested}");
}

#[test]
fn sandbox_mode_refuses_to_be_reachable_or_mixed_with_real_webex_unless_exposed() {
    let sandbox = || SettingArgs::default().with(&settings::SANDBOX, "true");
    let cases = [
        (
            sandbox().with(&settings::BIND, "0.0.0.0:3000"),
            "listen on 0.0.0.0:3000",
        ),
        (
            sandbox().with(&settings::BIND, "[::]:3000"),
            "listen on [::]:3000",
        ),
        (
            sandbox().with(&settings::PUBLIC_URL, "https://steward.example.com/"),
            "public URL https://steward.example.com/ is not a loopback address",
        ),
        (
            sandbox()
                .with(&settings::WEBEX_CLIENT_ID, "C123")
                .with(&settings::WEBEX_CLIENT_SECRET, "s3cret"),
            "STEWARD_WEBEX_CLIENT_ID is set",
        ),
        (
            sandbox().with(&settings::WEBEX_BOT_TOKEN, "bot-token"),
            "STEWARD_WEBEX_BOT_TOKEN is set",
        ),
        (
            sandbox().with(&settings::WEBEX_READER_TOKEN, "reader-token"),
            "STEWARD_WEBEX_READER_TOKEN is set",
        ),
    ];
    for (args, problem) in cases {
        let message = error_of(args.clone());
        assert!(
            message.starts_with("invalid setting STEWARD_SANDBOX")
                && message.contains(problem)
                && message.contains("--sandbox-expose"),
            "{message}"
        );
        let exposed = Config::resolve(
            args.with(&settings::SANDBOX_EXPOSE, "true"),
            FileSettings::default(),
        );
        assert!(exposed.is_ok(), "{problem}: {exposed:?}");
    }
    // Loopback by name or address, and a production server anywhere, start as before.
    for public_url in [
        "http://localhost:3000/",
        "http://[::1]:3000/",
        "http://127.0.0.2/",
    ] {
        Config::resolve(
            sandbox().with(&settings::PUBLIC_URL, public_url),
            FileSettings::default(),
        )
        .unwrap();
    }
    Config::resolve(
        SettingArgs::default().with(&settings::BIND, "0.0.0.0:3000"),
        FileSettings::default(),
    )
    .unwrap();
}

#[test]
fn a_secret_reads_from_the_file_its_file_form_names() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("audit.key");
    let key_text = "k".repeat(40);
    std::fs::write(&path, format!("{key_text}\n")).unwrap();
    let path = path.to_str().unwrap();
    let expected = domain::audit::AuditKey::new(key_text.clone()).unwrap().id();

    let from_flag = Config::resolve(
        SettingArgs::default().with_file(&settings::AUDIT_KEY, path),
        FileSettings::default(),
    )
    .unwrap();
    assert_eq!(from_flag.audit_key.map(|k| k.id()), Some(expected.clone()));
    let from_toml = Config::resolve(
        SettingArgs::default(),
        file(&format!("audit_key_file = {path:?}")),
    )
    .unwrap();
    assert_eq!(from_toml.audit_key.map(|k| k.id()), Some(expected));

    let both = error_of(
        SettingArgs::default()
            .with(&settings::AUDIT_KEY, &key_text)
            .with_file(&settings::AUDIT_KEY, path),
    );
    assert!(
        both.contains("give either STEWARD_AUDIT_KEY or STEWARD_AUDIT_KEY_FILE"),
        "{both}"
    );
    let missing = error_of(SettingArgs::default().with_file(&settings::AUDIT_KEY, "/no/such/key"));
    assert!(
        missing.contains("cannot read the file `/no/such/key`"),
        "{missing}"
    );
    let short = error_of(SettingArgs::default().with(&settings::AUDIT_KEY, "short"));
    assert!(short.contains("at least 32 bytes"), "{short}");
    // Only secrets have a file form.
    assert!(
        FileSettings::parse("bind_file = \"x\"")
            .unwrap_err()
            .contains("unknown setting")
    );
}

#[test]
fn a_key_adopted_later_is_checked_from_the_entry_given() {
    let config = Config::resolve(
        SettingArgs::default()
            .with(&settings::AUDIT_KEY, &"k".repeat(32))
            .with(&settings::AUDIT_KEYED_FROM, "1201"),
        FileSettings::default(),
    )
    .unwrap();
    assert_eq!(config.audit_key.unwrap().first_keyed_seq(), 1201);
    let printed = format!(
        "{:?}",
        Config::resolve(
            SettingArgs::default().with(&settings::AUDIT_KEY, &"k".repeat(32)),
            FileSettings::default(),
        )
        .unwrap()
    );
    assert!(!printed.contains("kkkk"), "{printed}");
}
