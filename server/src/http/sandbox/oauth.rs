//! The sandbox's OAuth provider over HTTP: the consent page where one picks a demo person, the
//! token endpoint and `/userinfo`.

use axum::{
    Form, Json,
    extract::{Query, State},
    http::{HeaderMap, StatusCode, header},
    response::{Html, IntoResponse, Redirect, Response},
};
use base64::{Engine, engine::general_purpose::STANDARD};
use domain::webex::markup::escape_html as escape;
use serde::Deserialize;
use webex_sandbox::oauth::{AuthorizeParams, AuthorizeRequest, OAuthError, TokenRequest};

use crate::http::sandbox::{ApiResult, SandboxState, extract::SandboxCaller, ok};

/// `GET /authorize`: the consent page.
pub async fn authorize_page(
    State(s): State<SandboxState>,
    Query(params): Query<AuthorizeParams>,
) -> Response {
    let request = match s.sandbox.authorize_request(&params).await {
        Ok(request) => request,
        Err(error) => return error_page(&s.stylesheet, &error),
    };
    let people = match s.sandbox.people().await {
        Ok(people) => people,
        Err(error) => {
            return error_page(
                &s.stylesheet,
                &OAuthError {
                    status: 500,
                    error: "server_error".into(),
                    error_description: error.message,
                },
            );
        }
    };
    let hidden = hidden_fields(&params);
    let buttons: String = people
        .iter()
        .filter(|p| p.kind == "person")
        .map(|p| {
            format!(
                r#"<li><button type="submit" name="person_id" value="{id}">{name}</button> <span class="muted">{email}</span></li>"#,
                id = escape(&p.id),
                name = escape(&p.display_name),
                email = escape(&p.emails[0]),
            )
        })
        .collect();
    Html(format!(
        r#"<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Sign in to the Webex sandbox</title><link rel="stylesheet" href="{stylesheet}"></head>
<body><main id="main"><section class="card consent">
<h1>Webex sandbox</h1>
<p><strong>{client}</strong> wants to use your Webex account ({scope}). This is Steward's built-in sandbox: pick the demo person to sign in as.</p>
<form method="post" action="/sandbox/v1/authorize">{hidden}<ul class="people">{buttons}</ul>
<p><button type="submit" name="deny" value="1" class="secondary">Cancel</button></p></form>
</section></main></body></html>"#,
        client = escape(&request.client_name),
        scope = escape(&request.scope),
        stylesheet = escape(&s.stylesheet),
    ))
    .into_response()
}

/// The consent form.
#[derive(Debug, Deserialize)]
pub struct Consent {
    #[serde(flatten)]
    params: AuthorizeParams,
    person_id: Option<String>,
    deny: Option<String>,
}

/// `POST /authorize`: issue a code for the chosen person (or refuse) and send the browser back.
pub async fn authorize_consent(
    State(s): State<SandboxState>,
    Form(consent): Form<Consent>,
) -> Response {
    let request = match s.sandbox.authorize_request(&consent.params).await {
        Ok(request) => request,
        Err(error) => return error_page(&s.stylesheet, &error),
    };
    if consent.deny.is_some() {
        return redirect_back(
            &s.stylesheet,
            &request,
            &[
                ("error", "access_denied"),
                ("error_description", "The person declined."),
            ],
        );
    }
    let Some(person_id) = consent.person_id else {
        return error_page(
            &s.stylesheet,
            &OAuthError {
                status: 400,
                error: "invalid_request".into(),
                error_description: "Pick a person to sign in as.".into(),
            },
        );
    };
    match s.sandbox.grant_code(&request, &person_id).await {
        Ok(code) => redirect_back(&s.stylesheet, &request, &[("code", &code)]),
        Err(error) => error_page(&s.stylesheet, &error),
    }
}

/// `POST /access_token`.
pub async fn access_token(
    State(s): State<SandboxState>,
    headers: HeaderMap,
    Form(request): Form<TokenRequest>,
) -> Response {
    let basic = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Basic "))
        .and_then(|b| STANDARD.decode(b.trim()).ok())
        .and_then(|bytes| String::from_utf8(bytes).ok())
        .and_then(|pair| {
            pair.split_once(':')
                .map(|(id, secret)| (decode_form(id), decode_form(secret)))
        });
    let no_store = [(header::CACHE_CONTROL, "no-store")];
    match s.sandbox.token(&request, basic).await {
        Ok(token) => (no_store, Json(token)).into_response(),
        Err(error) => {
            let status = StatusCode::from_u16(error.status).unwrap_or(StatusCode::BAD_REQUEST);
            (status, no_store, Json(error)).into_response()
        }
    }
}

/// `GET /userinfo`.
pub async fn userinfo(
    State(s): State<SandboxState>,
    SandboxCaller(caller): SandboxCaller,
) -> ApiResult {
    ok(&s.sandbox.userinfo(&caller).await?)
}

fn redirect_back(stylesheet: &str, request: &AuthorizeRequest, pairs: &[(&str, &str)]) -> Response {
    let mut url = match url::Url::parse(&request.redirect_uri) {
        Ok(url) => url,
        Err(_) => {
            return error_page(
                stylesheet,
                &OAuthError {
                    status: 400,
                    error: "invalid_request".into(),
                    error_description: "redirect_uri is not a URL.".into(),
                },
            );
        }
    };
    {
        let mut query = url.query_pairs_mut();
        for (key, value) in pairs {
            query.append_pair(key, value);
        }
        if let Some(state) = &request.state {
            query.append_pair("state", state);
        }
    }
    Redirect::to(url.as_str()).into_response()
}

fn error_page(stylesheet: &str, error: &OAuthError) -> Response {
    let status = StatusCode::from_u16(error.status).unwrap_or(StatusCode::BAD_REQUEST);
    let body = format!(
        r#"<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Sign-in error</title><link rel="stylesheet" href="{}"></head>
<body><main id="main"><section class="error-panel" role="alert"><h1>Sign-in cannot continue</h1><p>{}</p><p class="muted">{}</p></section></main></body></html>"#,
        escape(stylesheet),
        escape(&error.error_description),
        escape(&error.error)
    );
    (status, Html(body)).into_response()
}

fn hidden_fields(params: &AuthorizeParams) -> String {
    [
        ("response_type", &params.response_type),
        ("client_id", &params.client_id),
        ("redirect_uri", &params.redirect_uri),
        ("scope", &params.scope),
        ("state", &params.state),
        ("code_challenge", &params.code_challenge),
        ("code_challenge_method", &params.code_challenge_method),
    ]
    .iter()
    .filter_map(|(name, value)| {
        value.as_ref().map(|v| {
            format!(
                r#"<input type="hidden" name="{name}" value="{}">"#,
                escape(v)
            )
        })
    })
    .collect()
}

/// HTTP Basic client credentials are form-encoded (RFC 6749 §2.3.1).
fn decode_form(value: &str) -> String {
    url::form_urlencoded::parse(format!("v={value}").as_bytes())
        .next()
        .map(|(_, v)| v.into_owned())
        .unwrap_or_default()
}
