//! Sign-in with Webex and console sessions.
//!
//! `/auth/login` starts an OAuth authorization-code flow with PKCE and a single-use `state`
//! stored in the (pre-login) session; `/auth/callback` checks both, exchanges the code, reads the
//! person's Webex profile, admits only configured organizations, replaces the session id and
//! records the sign-in; `/auth/logout` ends the session on the server. The [`guard`] middleware
//! puts the signed-in person into every request and keeps people without a session, or without a
//! role, out of the console's pages. Sessions end after an idle time-out (the cookie expiry) and
//! an absolute one (checked here).

use std::time::Duration;

use app::state::CurrentUser;
use axum::{
    Router,
    extract::{Query, Request, State},
    http::{Method, StatusCode},
    middleware::Next,
    response::{IntoResponse, Redirect, Response},
    routing::{get, post},
};
use domain::{
    Db,
    audit::{self, Actor, NewEntry},
    time::now_ms,
    users::{self, EmailAddress, Role, WebexProfile},
    webex::client::{RetryPolicy, WebexClient},
};
use oauth2::{
    AuthType, AuthUrl, AuthorizationCode, ClientId, ClientSecret, CsrfToken, PkceCodeChallenge,
    PkceCodeVerifier, RedirectUrl, Scope, TokenResponse, TokenUrl, basic::BasicClient,
};
use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};
use tower_sessions::Session;
use webex_sandbox::Sandbox;

use crate::http::ServerState;

/// The session cookie's name.
pub const SESSION_COOKIE: &str = "steward_session";
const PENDING_KEY: &str = "oauth_pending";
const USER_KEY: &str = "user";
/// How long a sign-in may take between leaving for Webex and coming back.
const PENDING_TTL_MS: i64 = 10 * 60 * 1000;
/// What the console asks Webex for: enough to read who signed in.
const SCOPE: &str = "spark:people_read";

/// Where and how people sign in.
#[derive(Clone, Debug)]
pub struct SignIn {
    /// The integration's client ID.
    pub client_id: String,
    /// Its secret.
    pub client_secret: SecretString,
    /// Webex's (or the sandbox's) authorize endpoint.
    pub authorize_url: String,
    /// The token endpoint.
    pub token_url: String,
    /// The API base for `/people/me`.
    pub api_base: String,
    /// Steward's `/auth/callback`.
    pub redirect_url: String,
    /// Organizations whose people may sign in.
    pub allowed_orgs: Vec<String>,
    /// In sandbox mode, the sandbox, whose demo people get their roles at sign-in.
    pub sandbox: Option<Sandbox>,
    /// For the token exchange and the profile; never follows redirects.
    pub http: reqwest::Client,
}

/// Session rules.
#[derive(Clone, Debug)]
pub struct AuthSettings {
    /// The sign-in provider, when one is configured.
    pub sign_in: Option<SignIn>,
    /// Sessions end this long after sign-in, whatever the activity.
    pub max_age: Duration,
}

/// What the session remembers between leaving for Webex and coming back.
#[derive(Debug, Serialize, Deserialize)]
struct Pending {
    state: String,
    verifier: String,
    created_ms: i64,
}

/// What the session remembers about the signed-in person.
#[derive(Clone, Debug, Serialize, Deserialize)]
struct SessionUser {
    user_id: i64,
    signed_in_ms: i64,
}

/// The `/auth` routes.
pub fn routes() -> Router<ServerState> {
    Router::new()
        .route("/auth/login", get(login))
        .route("/auth/callback", get(callback))
        .route("/auth/logout", post(logout))
}

fn fail(code: &str) -> Response {
    Redirect::to(&format!("/login?error={code}")).into_response()
}

async fn login(State(state): State<ServerState>, session: Session) -> Response {
    let Some(sign_in) = &state.auth.sign_in else {
        return fail("not_configured");
    };
    let Ok(client) = oauth_client(sign_in) else {
        tracing::error!("the sign-in provider's URLs are invalid");
        return fail("not_configured");
    };
    let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
    let (url, csrf) = client
        .authorize_url(CsrfToken::new_random)
        .add_scope(Scope::new(SCOPE.to_owned()))
        .set_pkce_challenge(challenge)
        .url();
    let pending = Pending {
        state: csrf.secret().clone(),
        verifier: verifier.secret().clone(),
        created_ms: now_ms(),
    };
    if let Err(error) = session.insert(PENDING_KEY, pending).await {
        tracing::error!(error = %domain::error_chain(&error), "cannot store the pending sign-in");
        return fail("retry");
    }
    Redirect::to(url.as_str()).into_response()
}

/// What Webex sends back.
#[derive(Debug, Deserialize)]
struct Callback {
    code: Option<String>,
    state: Option<String>,
    error: Option<String>,
}

async fn callback(
    State(state): State<ServerState>,
    session: Session,
    Query(callback): Query<Callback>,
) -> Response {
    let Some(sign_in) = &state.auth.sign_in else {
        return fail("not_configured");
    };
    // Single use: whatever happens next, this attempt cannot be replayed.
    let pending: Option<Pending> = session.remove(PENDING_KEY).await.ok().flatten();
    if callback.error.is_some() {
        return fail("cancelled");
    }
    let Some(pending) = pending.filter(|p| now_ms() - p.created_ms < PENDING_TTL_MS) else {
        return fail("expired");
    };
    let state_matches = callback
        .state
        .as_deref()
        .is_some_and(|s| domain::secrets::constant_time_eq(s.as_bytes(), pending.state.as_bytes()));
    if !state_matches {
        tracing::warn!("sign-in refused: state does not match");
        return fail("state");
    }
    let Some(code) = callback.code else {
        return fail("expired");
    };
    let Ok(client) = oauth_client(sign_in) else {
        return fail("not_configured");
    };
    let token = match client
        .exchange_code(AuthorizationCode::new(code))
        .set_pkce_verifier(PkceCodeVerifier::new(pending.verifier))
        .request_async(&sign_in.http)
        .await
    {
        Ok(token) => token,
        Err(error) => {
            tracing::warn!(error = %domain::error_chain(&error), "sign-in code exchange failed");
            return fail("exchange");
        }
    };
    let webex = match WebexClient::new(
        sign_in.http.clone(),
        &sign_in.api_base,
        token.access_token().secret().clone(),
        RetryPolicy::default(),
    ) {
        Ok(client) => client,
        Err(error) => {
            tracing::error!(error = %domain::error_chain(&error), "invalid Webex API base URL");
            return fail("profile");
        }
    };
    let me = match webex.me().await {
        Ok(me) => me,
        Err(error) => {
            tracing::warn!(error = %domain::error_chain(&error), "cannot read the signing-in person's profile");
            return fail("profile");
        }
    };
    if !sign_in.allowed_orgs.iter().any(|org| org == &me.org_id) {
        tracing::warn!(org = %me.org_id, "sign-in refused: organization not allowed");
        return fail("org");
    }
    let Some(email) = me.emails.first().and_then(|e| EmailAddress::parse(e).ok()) else {
        return fail("profile");
    };
    let profile = WebexProfile {
        email,
        display_name: me.display_name.clone(),
        person_id: me.id.clone(),
        org_id: me.org_id.clone(),
    };
    let db = &state.app.db;
    let (user, roles) = match record_sign_in(db, sign_in.sandbox.as_ref(), &profile).await {
        Ok(found) => found,
        Err(error) => {
            tracing::error!(error = %domain::error_chain(&*error), "cannot record the sign-in");
            return fail("retry");
        }
    };
    // A new session id at sign-in, so an id planted before sign-in is worthless afterwards.
    if let Err(error) = session.cycle_id().await {
        tracing::error!(error = %domain::error_chain(&error), "cannot renew the session id");
        return fail("retry");
    }
    let signed_in = SessionUser {
        user_id: user.id,
        signed_in_ms: now_ms(),
    };
    if let Err(error) = session.insert(USER_KEY, signed_in).await {
        tracing::error!(error = %domain::error_chain(&error), "cannot store the session");
        return fail("retry");
    }
    tracing::info!(user = user.id, "signed in");
    Redirect::to(if roles.is_empty() { "/no-role" } else { "/" }).into_response()
}

/// Records the sign-in; in sandbox mode the demo people get their demo roles first.
async fn record_sign_in(
    db: &Db,
    sandbox: Option<&Sandbox>,
    profile: &WebexProfile,
) -> Result<(users::User, Vec<Role>), Box<dyn std::error::Error + Send + Sync>> {
    if let Some(sandbox) = sandbox
        && let Some(role) = sandbox.demo_role(profile.email.as_str()).await?
    {
        let role: Role = role.parse()?;
        users::grant_role(db, &profile.email, role, &Actor::system("sandbox")).await?;
    }
    Ok(users::sign_in(db, profile).await?)
}

async fn logout(State(state): State<ServerState>, session: Session) -> Response {
    if let Ok(Some(user)) = session.get::<SessionUser>(USER_KEY).await {
        let entry = NewEntry {
            actor: Actor::User(user.user_id),
            action: "session.sign_out".into(),
            target: format!("user:{}", user.user_id),
            before: None,
            after: None,
        };
        if let Err(error) = audit::record(&state.app.db, entry).await {
            tracing::warn!(error = %domain::error_chain(&error), "cannot audit the sign-out");
        }
    }
    // Deletes the session from the store and expires the cookie.
    if let Err(error) = session.flush().await {
        tracing::error!(error = %domain::error_chain(&error), "cannot end the session");
    }
    Redirect::to("/login?signed_out=1").into_response()
}

type ConfiguredClient = oauth2::Client<
    oauth2::basic::BasicErrorResponse,
    oauth2::basic::BasicTokenResponse,
    oauth2::basic::BasicTokenIntrospectionResponse,
    oauth2::StandardRevocableToken,
    oauth2::basic::BasicRevocationErrorResponse,
    oauth2::EndpointSet,
    oauth2::EndpointNotSet,
    oauth2::EndpointNotSet,
    oauth2::EndpointNotSet,
    oauth2::EndpointSet,
>;

fn oauth_client(sign_in: &SignIn) -> Result<ConfiguredClient, url::ParseError> {
    Ok(BasicClient::new(ClientId::new(sign_in.client_id.clone()))
        .set_client_secret(ClientSecret::new(
            sign_in.client_secret.expose_secret().to_owned(),
        ))
        .set_auth_uri(AuthUrl::new(sign_in.authorize_url.clone())?)
        .set_token_uri(TokenUrl::new(sign_in.token_url.clone())?)
        .set_redirect_uri(RedirectUrl::new(sign_in.redirect_url.clone())?)
        // Webex reads the client credentials from the form body.
        .set_auth_type(AuthType::RequestBody))
}

/// The signed-in person, if the session holds one that has not outlived the absolute time-out.
/// Fails only when the session or the database cannot be read.
async fn current_user(
    state: &ServerState,
    session: &Session,
) -> Result<Option<CurrentUser>, String> {
    let signed_in: Option<SessionUser> = session.get(USER_KEY).await.map_err(|e| e.to_string())?;
    let Some(signed_in) = signed_in else {
        return Ok(None);
    };
    let max_age_ms = i64::try_from(state.auth.max_age.as_millis()).unwrap_or(i64::MAX);
    if now_ms() - signed_in.signed_in_ms > max_age_ms {
        session.flush().await.map_err(|e| e.to_string())?;
        return Ok(None);
    }
    let found = users::find_by_id_with_roles(&state.app.db, signed_in.user_id)
        .await
        .map_err(|e| domain::error_chain(&e))?;
    Ok(found.map(|(user, roles)| CurrentUser {
        user_id: user.id,
        email: user.email,
        display_name: user.display_name,
        roles,
    }))
}

/// Paths anyone may reach without signing in.
fn is_public(path: &str) -> bool {
    const PREFIXES: [&str; 5] = [
        "/auth/",
        "/sandbox/v1/",
        "/sandbox/integrations/",
        "/pkg/",
        "/api/",
    ];
    const EXACT: [&str; 5] = ["/login", "/healthz", "/readyz", "/metrics", "/favicon.svg"];
    EXACT.contains(&path) || PREFIXES.iter().any(|p| path.starts_with(p))
}

/// Puts the signed-in person into the request (for server functions, which check roles
/// themselves) and sends people without a session to `/login` and people without a role to
/// `/no-role` before any console page renders.
pub async fn guard(
    State(state): State<ServerState>,
    session: Session,
    mut request: Request,
    next: Next,
) -> Response {
    let path = request.uri().path().to_owned();
    // The sandbox's APIs and the bundle never depend on who is signed in.
    let needs_user = !["/sandbox/v1/", "/sandbox/integrations/", "/pkg/"]
        .iter()
        .any(|p| path.starts_with(p));
    let user = if needs_user {
        match current_user(&state, &session).await {
            Ok(user) => user,
            Err(error) => {
                // Fail closed, and say why, rather than pretend nobody is signed in.
                tracing::error!(%error, "cannot read the session");
                return (
                    StatusCode::SERVICE_UNAVAILABLE,
                    "Steward cannot read its database right now. Try again in a moment.",
                )
                    .into_response();
            }
        }
    } else {
        None
    };
    if let Some(user) = &user {
        request.extensions_mut().insert(user.clone());
    }
    let page = matches!(*request.method(), Method::GET | Method::HEAD);
    if !page || is_public(&path) {
        return next.run(request).await;
    }
    match user {
        None => Redirect::to("/login").into_response(),
        Some(user) if user.roles.is_empty() && path != "/no-role" => {
            Redirect::to("/no-role").into_response()
        }
        Some(_) => next.run(request).await,
    }
}
