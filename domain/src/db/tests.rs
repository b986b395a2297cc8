use crate::db::{Backend, DbError, prepare_sqlite_url};

#[test]
fn backend_is_chosen_by_url_scheme() {
    assert_eq!(
        Backend::from_url("sqlite://data/steward.db").unwrap(),
        Backend::Sqlite
    );
    assert_eq!(
        Backend::from_url("sqlite::memory:").unwrap(),
        Backend::Sqlite
    );
    assert_eq!(
        Backend::from_url("postgres://localhost/steward").unwrap(),
        Backend::Postgres
    );
    assert_eq!(
        Backend::from_url("postgresql://localhost/steward").unwrap(),
        Backend::Postgres
    );
    let err = Backend::from_url("mysql://localhost/steward").unwrap_err();
    assert!(matches!(err, DbError::UnsupportedScheme(ref s) if s == "mysql"));
    assert!(err.to_string().contains("sqlite://PATH or postgres://"));
}

#[test]
fn sqlite_url_gains_create_mode_and_its_directory() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("nested/deeper/steward.db");
    let url = format!("sqlite://{}", file.display());
    let (prepared, in_memory) = prepare_sqlite_url(&url).unwrap();
    assert_eq!(prepared, format!("{url}?mode=rwc"));
    assert!(!in_memory);
    assert!(file.parent().unwrap().is_dir());

    let (prepared, _) = prepare_sqlite_url(&format!("{url}?mode=ro")).unwrap();
    assert_eq!(prepared, format!("{url}?mode=ro"));
    let (_, in_memory) = prepare_sqlite_url("sqlite::memory:").unwrap();
    assert!(in_memory);
}
