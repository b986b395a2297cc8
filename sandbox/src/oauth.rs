//! The sandbox's OAuth 2 provider, like Webex's: authorization code with PKCE (S256), refresh
//! tokens, expiry, `/userinfo`, and scopes that the API enforces.

use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use serde::Serialize;
use sha2::{Digest, Sha256};

use domain::{time::now_ms, webex::types::Person};

use crate::{
    Sandbox, SandboxError,
    auth::random_token,
    db::{self as store, OAuthCode},
    people::person_json,
};

/// How long an authorization code can be exchanged.
const CODE_TTL_MS: i64 = 5 * 60 * 1000;
/// Access token lifetime, as Webex: 14 days.
pub const ACCESS_TOKEN_TTL_SECS: i64 = 1_209_599;
/// Refresh token lifetime, as Webex: 90 days.
pub const REFRESH_TOKEN_TTL_SECS: i64 = 7_775_999;

/// An OAuth error, answered as `{"error": …, "error_description": …}`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, thiserror::Error)]
#[error("{error}: {error_description}")]
pub struct OAuthError {
    /// The HTTP status.
    #[serde(skip)]
    pub status: u16,
    /// `invalid_request`, `invalid_client`, `invalid_grant`, `unsupported_grant_type`, ….
    pub error: String,
    /// For people.
    pub error_description: String,
}

impl OAuthError {
    fn new(status: u16, error: &str, description: impl Into<String>) -> Self {
        Self {
            status,
            error: error.to_owned(),
            error_description: description.into(),
        }
    }

    fn invalid_grant(description: &str) -> Self {
        Self::new(400, "invalid_grant", description)
    }
}

impl From<sqlx::Error> for OAuthError {
    fn from(error: sqlx::Error) -> Self {
        let error = SandboxError::from(error);
        Self::new(error.status, "server_error", error.message)
    }
}

/// The query of `GET /authorize`.
#[derive(Clone, Debug, Default, serde::Deserialize)]
pub struct AuthorizeParams {
    /// Must be `code`.
    pub response_type: Option<String>,
    /// The client.
    pub client_id: Option<String>,
    /// Where to send the code; must be registered.
    pub redirect_uri: Option<String>,
    /// Space-separated scopes.
    pub scope: Option<String>,
    /// The client's CSRF value.
    pub state: Option<String>,
    /// PKCE challenge.
    pub code_challenge: Option<String>,
    /// Must be `S256` with a challenge.
    pub code_challenge_method: Option<String>,
}

/// A validated authorization request, ready for the consent page.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AuthorizeRequest {
    /// The client.
    pub client_id: String,
    /// The client's name, for the consent page.
    pub client_name: String,
    /// Where the code goes.
    pub redirect_uri: String,
    /// Space-separated scopes.
    pub scope: String,
    /// The client's CSRF value, returned untouched.
    pub state: Option<String>,
    /// PKCE challenge.
    pub code_challenge: Option<String>,
}

/// The token endpoint's answer.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct TokenResponse {
    /// The access token.
    pub access_token: String,
    /// Seconds until it expires.
    pub expires_in: i64,
    /// The refresh token.
    pub refresh_token: String,
    /// Seconds until the refresh token expires.
    pub refresh_token_expires_in: i64,
    /// Always `Bearer`.
    pub token_type: String,
    /// Granted scopes.
    pub scope: String,
}

/// `GET /userinfo` (OpenID Connect style).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct UserInfo {
    /// The person ID.
    pub sub: String,
    /// Primary e-mail.
    pub email: String,
    /// Display name.
    pub name: String,
    /// First name.
    pub given_name: Option<String>,
    /// Last name.
    pub family_name: Option<String>,
}

/// What the token endpoint was asked.
#[derive(Clone, Debug, Default, serde::Deserialize)]
pub struct TokenRequest {
    /// `authorization_code` or `refresh_token`.
    pub grant_type: Option<String>,
    /// The client, unless sent with HTTP Basic.
    pub client_id: Option<String>,
    /// Its secret, unless sent with HTTP Basic.
    pub client_secret: Option<String>,
    /// The code.
    pub code: Option<String>,
    /// Must match the authorization request.
    pub redirect_uri: Option<String>,
    /// PKCE verifier.
    pub code_verifier: Option<String>,
    /// For `refresh_token`.
    pub refresh_token: Option<String>,
}

impl Sandbox {
    /// Registers (or updates) an OAuth client and returns its secret. Steward registers its own
    /// console this way in sandbox mode.
    pub async fn ensure_oauth_client(
        &self,
        client_id: &str,
        name: &str,
        redirect_uri: &str,
    ) -> Result<String, SandboxError> {
        if let Some(existing) = store::find_oauth_client(&self.db, client_id).await?
            && existing
                .redirect_uris
                .split_whitespace()
                .any(|u| u == redirect_uri)
        {
            return Ok(existing.client_secret);
        }
        let secret = random_token();
        store::upsert_oauth_client(&self.db, client_id, &secret, name, redirect_uri).await?;
        Ok(secret)
    }

    /// Checks an authorization request. Errors about the client or redirect URI must be shown to
    /// the person, never redirected (the redirect target is what is in doubt).
    pub async fn authorize_request(
        &self,
        params: &AuthorizeParams,
    ) -> Result<AuthorizeRequest, OAuthError> {
        let client_id = params
            .client_id
            .as_deref()
            .ok_or_else(|| OAuthError::new(400, "invalid_request", "client_id is required."))?;
        let client = store::find_oauth_client(&self.db, client_id)
            .await?
            .ok_or_else(|| OAuthError::new(400, "invalid_client", "Unknown client_id."))?;
        let redirect_uri = params
            .redirect_uri
            .as_deref()
            .ok_or_else(|| OAuthError::new(400, "invalid_request", "redirect_uri is required."))?;
        if !client
            .redirect_uris
            .split_whitespace()
            .any(|u| u == redirect_uri)
        {
            return Err(OAuthError::new(
                400,
                "invalid_request",
                "redirect_uri is not registered for this client.",
            ));
        }
        if params.response_type.as_deref() != Some("code") {
            return Err(OAuthError::new(
                400,
                "unsupported_response_type",
                "response_type must be code.",
            ));
        }
        let scope = params
            .scope
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .unwrap_or("spark:people_read");
        if params.code_challenge.is_some()
            && params.code_challenge_method.as_deref() != Some("S256")
        {
            return Err(OAuthError::new(
                400,
                "invalid_request",
                "code_challenge_method must be S256.",
            ));
        }
        Ok(AuthorizeRequest {
            client_id: client.client_id,
            client_name: client.name,
            redirect_uri: redirect_uri.to_owned(),
            scope: scope.to_owned(),
            state: params.state.clone(),
            code_challenge: params.code_challenge.clone(),
        })
    }

    /// The person consented: issues a single-use code for them.
    pub async fn grant_code(
        &self,
        request: &AuthorizeRequest,
        person_id: &str,
    ) -> Result<String, OAuthError> {
        let person = store::find_person(self.db.reader(), person_id)
            .await?
            .filter(|p| p.kind == "person")
            .ok_or_else(|| {
                OAuthError::new(400, "invalid_request", "Pick a person to sign in as.")
            })?;
        // As at Webex, only compliance officers can be granted compliance scopes.
        if request.scope.contains("spark-compliance:") && person.is_compliance_officer != 1 {
            return Err(OAuthError::new(
                403,
                "access_denied",
                "Only compliance officers can grant spark-compliance scopes.",
            ));
        }
        let code = random_token();
        store::insert_oauth_code(
            &self.db,
            &OAuthCode {
                code: code.clone(),
                client_id: request.client_id.clone(),
                person_id: person.id,
                redirect_uri: request.redirect_uri.clone(),
                scope: request.scope.clone(),
                code_challenge: request.code_challenge.clone(),
                expires_ms: now_ms() + CODE_TTL_MS,
            },
        )
        .await?;
        Ok(code)
    }

    /// `POST /access_token`. `basic` is the client id and secret from an HTTP Basic header.
    pub async fn token(
        &self,
        request: &TokenRequest,
        basic: Option<(String, String)>,
    ) -> Result<TokenResponse, OAuthError> {
        let (client_id, client_secret) = match (basic, &request.client_id, &request.client_secret) {
            (Some(pair), _, _) => pair,
            (None, Some(id), Some(secret)) => (id.clone(), secret.clone()),
            _ => {
                return Err(OAuthError::new(
                    401,
                    "invalid_client",
                    "Client authentication is required.",
                ));
            }
        };
        let client = store::find_oauth_client(&self.db, &client_id)
            .await?
            .filter(|c| {
                domain::secrets::constant_time_eq(
                    c.client_secret.as_bytes(),
                    client_secret.as_bytes(),
                )
            })
            .ok_or_else(|| {
                OAuthError::new(401, "invalid_client", "Unknown client or wrong secret.")
            })?;
        let now = now_ms();
        let (person_id, scope, refresh_token) = match request.grant_type.as_deref() {
            Some("authorization_code") => {
                let code = request
                    .code
                    .as_deref()
                    .ok_or_else(|| OAuthError::invalid_grant("code is required."))?;
                // Marking the code used is the first write, so a replayed code loses the race.
                let grant = store::use_oauth_code(&self.db, code, now)
                    .await?
                    .ok_or_else(|| {
                        OAuthError::invalid_grant("The code is invalid, expired or already used.")
                    })?;
                if grant.client_id != client.client_id
                    || request.redirect_uri.as_deref() != Some(grant.redirect_uri.as_str())
                {
                    return Err(OAuthError::invalid_grant(
                        "The code was issued to another client or redirect_uri.",
                    ));
                }
                if let Some(challenge) = &grant.code_challenge {
                    let verifier = request
                        .code_verifier
                        .as_deref()
                        .ok_or_else(|| OAuthError::invalid_grant("code_verifier is required."))?;
                    let computed = URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()));
                    if !domain::secrets::constant_time_eq(computed.as_bytes(), challenge.as_bytes())
                    {
                        return Err(OAuthError::invalid_grant(
                            "code_verifier does not match the code_challenge.",
                        ));
                    }
                }
                let refresh = random_token();
                store::insert_token(
                    &self.db,
                    &refresh,
                    "refresh",
                    &grant.person_id,
                    Some(&client.client_id),
                    &grant.scope,
                    Some(now + REFRESH_TOKEN_TTL_SECS * 1000),
                )
                .await?;
                (grant.person_id, grant.scope, refresh)
            }
            Some("refresh_token") => {
                let refresh = request
                    .refresh_token
                    .as_deref()
                    .ok_or_else(|| OAuthError::invalid_grant("refresh_token is required."))?;
                let found = store::find_refresh_token(&self.db, refresh, &client.client_id, now)
                    .await?
                    .ok_or_else(|| {
                        OAuthError::invalid_grant("The refresh token is invalid or expired.")
                    })?;
                (found.person_id, found.scope, refresh.to_owned())
            }
            _ => {
                return Err(OAuthError::new(
                    400,
                    "unsupported_grant_type",
                    "grant_type must be authorization_code or refresh_token.",
                ));
            }
        };
        let access = random_token();
        store::insert_token(
            &self.db,
            &access,
            "access",
            &person_id,
            Some(&client.client_id),
            &scope,
            Some(now + ACCESS_TOKEN_TTL_SECS * 1000),
        )
        .await?;
        Ok(TokenResponse {
            access_token: access,
            expires_in: ACCESS_TOKEN_TTL_SECS,
            refresh_token,
            refresh_token_expires_in: REFRESH_TOKEN_TTL_SECS,
            token_type: "Bearer".to_owned(),
            scope,
        })
    }

    /// `GET /userinfo` for the token's person.
    pub async fn userinfo(&self, caller: &super::Caller) -> Result<UserInfo, SandboxError> {
        let person: Person = person_json(
            &store::find_person(self.db.reader(), &caller.person_id)
                .await?
                .ok_or_else(SandboxError::unauthorized)?,
        );
        Ok(UserInfo {
            sub: person.id,
            email: person.emails.into_iter().next().unwrap_or_default(),
            name: person.display_name,
            given_name: person.first_name,
            family_name: person.last_name,
        })
    }

    /// The Steward role a demo person is given at sign-in, by e-mail (sandbox mode only).
    pub async fn demo_role(&self, email: &str) -> Result<Option<String>, SandboxError> {
        Ok(store::find_person_by_email(self.db.reader(), email)
            .await?
            .and_then(|p| p.demo_role))
    }
}
