//! Sign-in with Webex through the sandbox's OAuth provider, over a real socket.

use std::collections::HashMap;

use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use domain::{audit, db::sessions, db_test};
use reqwest::{StatusCode, header};
use sha2::{Digest, Sha256};

use crate::{helpers::without_hydration_marks, sandbox_support::SandboxServer};

/// A browser that does not follow redirects and keeps cookies, so each step can be checked.
struct Browser {
    http: reqwest::Client,
    cookies: HashMap<String, String>,
    set_cookies: Vec<String>,
}

impl Browser {
    fn new() -> Self {
        Self {
            http: reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .unwrap(),
            cookies: HashMap::new(),
            set_cookies: Vec::new(),
        }
    }

    fn cookie_header(&self) -> String {
        self.cookies
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("; ")
    }

    fn absorb(&mut self, response: &reqwest::Response) {
        for value in response.headers().get_all(header::SET_COOKIE) {
            let text = value.to_str().unwrap().to_owned();
            let (pair, _) = text.split_once(';').unwrap_or((&text, ""));
            let (name, value) = pair.split_once('=').unwrap();
            if text.contains("Max-Age=0") || value.is_empty() {
                self.cookies.remove(name);
            } else {
                self.cookies.insert(name.to_owned(), value.to_owned());
            }
            self.set_cookies.push(text);
        }
    }

    async fn get(&mut self, url: &str) -> reqwest::Response {
        let response = self
            .http
            .get(url)
            .header(header::COOKIE, self.cookie_header())
            .send()
            .await
            .unwrap();
        self.absorb(&response);
        response
    }

    async fn post_form(
        &mut self,
        url: &str,
        origin: &str,
        form: &[(String, String)],
    ) -> reqwest::Response {
        let response = self
            .http
            .post(url)
            .header(header::COOKIE, self.cookie_header())
            .header(header::ORIGIN, origin)
            .form(form)
            .send()
            .await
            .unwrap();
        self.absorb(&response);
        response
    }

    fn session(&self) -> Option<String> {
        self.cookies.get("steward_session").cloned()
    }
}

fn location(response: &reqwest::Response) -> String {
    assert!(
        response.status().is_redirection(),
        "expected a redirect, got {}",
        response.status()
    );
    response.headers()[header::LOCATION]
        .to_str()
        .unwrap()
        .to_owned()
}

fn query(url: &str) -> Vec<(String, String)> {
    url::Url::parse(url)
        .unwrap()
        .query_pairs()
        .into_owned()
        .collect()
}

fn param(url: &str, name: &str) -> Option<String> {
    query(url)
        .into_iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v)
}

/// Goes through /auth/login and the consent page as `email`; returns the callback URL.
async fn consent(s: &SandboxServer, browser: &mut Browser, email: &str) -> String {
    let authorize = location(&browser.get(&format!("{}/auth/login", s.origin)).await);
    assert!(
        authorize.starts_with(&format!("{}/authorize?", s.base)),
        "{authorize}"
    );
    let page = browser.get(&authorize).await;
    assert_eq!(page.status(), StatusCode::OK);
    let html = without_hydration_marks(&page.text().await.unwrap());
    assert!(
        html.contains("Webex sandbox") && html.contains("Alex Rivera"),
        "{html}"
    );
    let people = s.sandbox.people().await.unwrap();
    let person = people.iter().find(|p| p.emails[0] == email).unwrap();
    let mut form = query(&authorize);
    form.push(("person_id".into(), person.id.clone()));
    location(
        &browser
            .post_form(&format!("{}/authorize", s.base), &s.origin, &form)
            .await,
    )
}

async fn sign_in(s: &SandboxServer, browser: &mut Browser, email: &str) -> String {
    let callback = consent(s, browser, email).await;
    location(&browser.get(&callback).await)
}

db_test!(async fn the_demo_admin_signs_in_through_the_consent_page(db) {
    let s = SandboxServer::start(&db).await;
    let mut browser = Browser::new();
    let authorize = location(&browser.get(&format!("{}/auth/login", s.origin)).await);
    for (name, expected) in [("response_type", "code"), ("client_id", "steward-console"), ("scope", "spark:people_read"), ("code_challenge_method", "S256")] {
        assert_eq!(param(&authorize, name).as_deref(), Some(expected), "{name}");
    }
    assert!(param(&authorize, "state").is_some_and(|s| s.len() >= 16));
    assert!(param(&authorize, "code_challenge").is_some());
    let before = browser.session().expect("a pre-login session holds the pending sign-in");

    let mut browser = Browser::new();
    let landing = sign_in(&s, &mut browser, "alex.rivera@acme.example").await;
    assert_eq!(landing, "/");
    let after = browser.session().unwrap();
    assert_ne!(before, after);

    let cookie = browser.set_cookies.last().unwrap().clone();
    assert!(cookie.starts_with("steward_session="), "{cookie}");
    for attribute in ["HttpOnly", "SameSite=Lax", "Path=/", "Max-Age=3600"] {
        assert!(cookie.contains(attribute), "{attribute} missing from {cookie}");
    }
    assert!(!cookie.contains("Secure"), "not Secure over plain HTTP: {cookie}");

    let home = browser.get(&format!("{}/", s.origin)).await;
    assert_eq!(home.status(), StatusCode::OK);
    let html = without_hydration_marks(&home.text().await.unwrap());
    assert!(html.contains(">Alex Rivera</span>") && html.contains(">admin</span>"), "{html}");
    let entries = audit::recent(&db, 5).await.unwrap();
    assert!(entries.iter().any(|e| e.action == "session.sign_in" && e.target == "user:alex.rivera@acme.example"));
    assert!(entries.iter().any(|e| e.action == "role.grant" && e.actor == "system:sandbox"));
});

db_test!(async fn each_demo_person_gets_their_role_and_people_without_one_are_told(db) {
    let s = SandboxServer::start(&db).await;
    for (email, role, landing) in [
        ("riley.chen@acme.example", "reviewer", "/"),
        ("morgan.patel@acme.example", "manager", "/"),
        ("sam.okafor@acme.example", "", "/no-role"),
    ] {
        let mut browser = Browser::new();
        assert_eq!(sign_in(&s, &mut browser, email).await, landing, "{email}");
        if role.is_empty() {
            let home = browser.get(&format!("{}/", s.origin)).await;
            assert_eq!(location(&home), "/no-role");
            let page = browser.get(&format!("{}/no-role", s.origin)).await.text().await.unwrap();
            let page = without_hydration_marks(&page);
            assert!(page.contains("Ask a Steward admin") && page.contains(email), "{page}");
        } else {
            let page = browser.get(&format!("{}/", s.origin)).await.text().await.unwrap();
            let page = without_hydration_marks(&page);
            assert!(page.contains(&format!(">{role}</span>")), "{email}: {page}");
        }
    }
});

db_test!(async fn a_missing_or_mismatched_state_is_refused_without_a_session(db) {
    let s = SandboxServer::start(&db).await;
    for tamper in [None, Some("forged-state")] {
        let mut browser = Browser::new();
        let callback = consent(&s, &mut browser, "alex.rivera@acme.example").await;
        let mut url = url::Url::parse(&callback).unwrap();
        let pairs: Vec<(String, String)> = url.query_pairs().into_owned().filter(|(k, _)| k != "state").collect();
        url.query_pairs_mut().clear().extend_pairs(pairs);
        if let Some(state) = tamper {
            url.query_pairs_mut().append_pair("state", state);
        }
        assert_eq!(location(&browser.get(url.as_str()).await), "/login?error=state");
        assert_eq!(location(&browser.get(&format!("{}/", s.origin)).await), "/login", "no session after a refused sign-in");
    }
});

db_test!(async fn a_replayed_callback_is_refused(db) {
    let s = SandboxServer::start(&db).await;
    let mut browser = Browser::new();
    let callback = consent(&s, &mut browser, "alex.rivera@acme.example").await;
    assert_eq!(location(&browser.get(&callback).await), "/");
    // The pending sign-in was used up: the same callback again is refused.
    assert_eq!(location(&browser.get(&callback).await), "/login?error=expired");

    // Another browser that starts its own sign-in cannot use someone else's callback either.
    let mut other = Browser::new();
    other.get(&format!("{}/auth/login", s.origin)).await;
    assert_eq!(location(&other.get(&callback).await), "/login?error=state");
});

/// Consents as the first demo person with this PKCE challenge and returns the code.
async fn code_for(
    s: &SandboxServer,
    browser: &mut Browser,
    redirect: &str,
    challenge: &str,
) -> String {
    let person = s
        .sandbox
        .people()
        .await
        .unwrap()
        .into_iter()
        .find(|p| p.kind == "person")
        .unwrap();
    let form: Vec<(String, String)> = [
        ("response_type", "code"),
        ("client_id", "steward-console"),
        ("redirect_uri", redirect),
        ("scope", "spark:people_read"),
        ("state", "s1"),
        ("code_challenge", challenge),
        ("code_challenge_method", "S256"),
        ("person_id", person.id.as_str()),
    ]
    .iter()
    .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
    .collect();
    let back = location(
        &browser
            .post_form(&format!("{}/authorize", s.base), &s.origin, &form)
            .await,
    );
    param(&back, "code").unwrap()
}

async fn exchange(
    s: &SandboxServer,
    secret: &str,
    redirect: &str,
    code: String,
    verifier: &str,
) -> reqwest::Response {
    let form = [
        ("grant_type", "authorization_code"),
        ("client_id", "steward-console"),
        ("client_secret", secret),
        ("code", code.as_str()),
        ("redirect_uri", redirect),
        ("code_verifier", verifier),
    ];
    s.http
        .post(format!("{}/access_token", s.base))
        .form(&form)
        .send()
        .await
        .unwrap()
}

db_test!(async fn codes_are_single_use_and_bound_to_the_pkce_verifier(db) {
    let s = SandboxServer::start(&db).await;
    let client_secret = s.sandbox.ensure_oauth_client("steward-console", "Steward console", &format!("{}/auth/callback", s.origin)).await.unwrap();
    let redirect = format!("{}/auth/callback", s.origin);
    let verifier = "a-long-random-verifier-string-with-enough-entropy-0123456789";
    let challenge = URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()));
    let mut browser = Browser::new();

    let code = code_for(&s, &mut browser, &redirect, &challenge).await;
    let first = exchange(&s, &client_secret, &redirect, code.clone(), verifier).await;
    assert_eq!(first.status(), StatusCode::OK);
    let token: serde_json::Value = first.json().await.unwrap();
    assert_eq!((token["token_type"].as_str(), token["expires_in"].as_i64()), (Some("Bearer"), Some(1_209_599)));
    let again = exchange(&s, &client_secret, &redirect, code, verifier).await;
    assert_eq!(again.status(), StatusCode::BAD_REQUEST);
    assert_eq!(again.json::<serde_json::Value>().await.unwrap()["error"], "invalid_grant");

    let code = code_for(&s, &mut browser, &redirect, &challenge).await;
    let wrong = exchange(&s, &client_secret, &redirect, code, "some-other-verifier-that-does-not-match-the-challenge-000").await;
    assert_eq!(wrong.json::<serde_json::Value>().await.unwrap()["error"], "invalid_grant");

    // The access token works, with its scope enforced; the refresh token yields a new one.
    let access = token["access_token"].as_str().unwrap();
    let me = s.get("/people/me", access).send().await.unwrap();
    assert_eq!(me.status(), StatusCode::OK);
    let rooms = s.get("/rooms", access).send().await.unwrap();
    assert_eq!(rooms.status(), StatusCode::FORBIDDEN, "spark:people_read does not allow reading rooms");
    let info: serde_json::Value = s.get("/userinfo", access).send().await.unwrap().json().await.unwrap();
    assert!(info["email"].as_str().unwrap().ends_with("@acme.example"));
    let refreshed = s.http.post(format!("{}/access_token", s.base))
        .form(&[("grant_type", "refresh_token"), ("client_id", "steward-console"), ("client_secret", client_secret.as_str()), ("refresh_token", token["refresh_token"].as_str().unwrap())])
        .send().await.unwrap();
    assert_eq!(refreshed.status(), StatusCode::OK);
    let new_access: serde_json::Value = refreshed.json().await.unwrap();
    assert_ne!(new_access["access_token"], token["access_token"]);
    assert_eq!(s.get("/people/me", new_access["access_token"].as_str().unwrap()).send().await.unwrap().status(), StatusCode::OK);
});

db_test!(async fn people_of_other_organizations_are_refused(db) {
    let s = SandboxServer::start_allowing(&db, Some("another-org")).await;
    let mut browser = Browser::new();
    assert_eq!(sign_in(&s, &mut browser, "alex.rivera@acme.example").await, "/login?error=org");
    assert_eq!(location(&browser.get(&format!("{}/", s.origin)).await), "/login");
});

db_test!(async fn signing_out_ends_the_session_on_the_server(db) {
    let s = SandboxServer::start(&db).await;
    let mut browser = Browser::new();
    sign_in(&s, &mut browser, "alex.rivera@acme.example").await;
    let session_id = browser.session().unwrap();
    assert!(sessions::load(&db, &session_id, 0).await.unwrap().is_some());

    let kept = browser.cookie_header();
    let out = browser.post_form(&format!("{}/auth/logout", s.origin), &s.origin, &[]).await;
    assert_eq!(location(&out), "/login?signed_out=1");
    assert!(sessions::load(&db, &session_id, 0).await.unwrap().is_none(), "the session row is gone");
    // The old cookie, replayed, opens nothing.
    let replay = s.http.get(format!("{}/", s.origin)).header(header::COOKIE, kept).send().await.unwrap();
    assert_eq!(replay.status(), StatusCode::OK, "reqwest follows the redirect to the sign-in page");
    assert!(replay.url().path() == "/login");
});

db_test!(async fn activity_pushes_the_idle_time_out_back(db) {
    let s = SandboxServer::start(&db).await;
    let mut browser = Browser::new();
    sign_in(&s, &mut browser, "alex.rivera@acme.example").await;
    let id = browser.session().unwrap();
    let expiry = |record: String| -> String {
        serde_json::from_str::<serde_json::Value>(&record).unwrap()["expiry_date"].to_string()
    };
    let before = expiry(sessions::load(&db, &id, 0).await.unwrap().unwrap());
    tokio::time::sleep(std::time::Duration::from_millis(1_100)).await;
    assert_eq!(browser.get(&format!("{}/", s.origin)).await.status(), StatusCode::OK);
    let after = expiry(sessions::load(&db, &id, 0).await.unwrap().unwrap());
    assert_ne!(before, after, "the stored expiry moved with the request");
});
