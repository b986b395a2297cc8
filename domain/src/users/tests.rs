use crate::users::{EmailAddress, Role, UsersError};

#[test]
fn email_is_trimmed_and_lowercased() {
    let email = EmailAddress::parse("  Alice.Admin@Example.COM ").unwrap();
    assert_eq!(email.as_str(), "alice.admin@example.com");
}

#[test]
fn malformed_emails_are_refused_with_the_input_named() {
    for bad in [
        "",
        "alice",
        "@example.com",
        "alice@",
        "alice@example",
        "a b@example.com",
        "a@b@c.com",
        "alice@example..com",
    ] {
        let err = EmailAddress::parse(bad).unwrap_err();
        assert!(
            matches!(err, UsersError::InvalidEmail(_)),
            "{bad:?} was accepted"
        );
    }
    let message = EmailAddress::parse("nobody").unwrap_err().to_string();
    assert_eq!(message, "`nobody` is not a valid e-mail address");
}

#[test]
fn roles_round_trip_through_their_names() {
    for role in Role::ALL {
        assert_eq!(role.as_str().parse::<Role>().unwrap(), role);
    }
    assert!(
        "owner"
            .parse::<Role>()
            .unwrap_err()
            .to_string()
            .contains("admin, reviewer or manager")
    );
}
