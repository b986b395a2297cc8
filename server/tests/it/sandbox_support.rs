//! A real `steward` HTTP server with the sandbox on a loopback port, and a webhook receiver.

use std::{
    net::SocketAddr,
    sync::{
        Arc, Mutex,
        atomic::{AtomicU16, Ordering},
    },
    time::Duration,
};

use app::state::AppState;
use axum::{
    body::Bytes,
    extract::State,
    http::{HeaderMap, StatusCode},
    routing::post,
};
use domain::Db;
use server::{
    auth::{AuthSettings, SignIn},
    http::{
        ServerState, router,
        sandbox::{SandboxState, deliver_forever},
        webhooks::WebhookIngress,
    },
    runtime::Ingest,
};
use tokio::net::TcpListener;
use webex_sandbox::{Sandbox, seed::SeedSummary};

use crate::helpers::settings;

/// A running server with the seeded sandbox and the webhook route.
pub struct SandboxServer {
    pub base: String,
    /// `http://127.0.0.1:PORT`.
    pub origin: String,
    pub sandbox: Sandbox,
    pub seed: SeedSummary,
    pub http: reqwest::Client,
    /// What the webhook route stores into.
    pub ingest: Ingest,
}

impl SandboxServer {
    pub async fn start(db: &Db) -> Self {
        Self::start_allowing(db, None).await
    }

    /// Like [`SandboxServer::start`], admitting only `allowed_org` at sign-in.
    pub async fn start_allowing(db: &Db, allowed_org: Option<&str>) -> Self {
        let sandbox = Sandbox::new(db.clone());
        let seed = sandbox.seed_demo().await.unwrap();
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let base = format!("http://{addr}/sandbox/v1");
        let origin = format!("http://{addr}");
        let redirect_url = format!("{origin}/auth/callback");
        let client_secret = sandbox
            .ensure_oauth_client("steward-console", "Steward console", &redirect_url)
            .await
            .unwrap();
        let sign_in = SignIn {
            client_id: "steward-console".into(),
            client_secret: client_secret.into(),
            authorize_url: format!("{base}/authorize"),
            token_url: format!("{base}/access_token"),
            api_base: base.clone(),
            redirect_url,
            allowed_orgs: vec![allowed_org.unwrap_or(&seed.org_id).to_owned()],
            sandbox: Some(sandbox.clone()),
            http: reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .unwrap(),
        };
        let ingest = Ingest::open(db).await.unwrap();
        let state = ServerState {
            leptos_options: leptos::prelude::LeptosOptions::builder()
                .output_name("steward")
                .build(),
            app: AppState {
                db: db.clone(),
                sandbox: Some(sandbox.clone()),
                sign_in_available: true,
                spaces: None,
            },
            metrics: server::telemetry::metrics_handle(),
            sandbox: Some(SandboxState {
                sandbox: sandbox.clone(),
                base_url: base.clone(),
                stylesheet: "/pkg/steward.css".to_owned(),
            }),
            auth: AuthSettings {
                sign_in: Some(sign_in),
                max_age: Duration::from_secs(12 * 3600),
            },
            webhooks: Some(WebhookIngress {
                secrets: ingest.secrets.clone(),
                ingestor: ingest.ingestor.clone(),
                bot_id: Arc::clone(&ingest.bot_id),
            }),
        };
        let mut settings = settings();
        settings.public_origin = origin.clone();
        let app = router(state, &settings);
        tokio::spawn(async move { axum::serve(listener, app).await.ok() });
        tokio::spawn(deliver_forever(
            sandbox.clone(),
            reqwest::Client::new(),
            Duration::from_secs(2),
            Duration::from_millis(200),
        ));
        Self {
            base,
            origin,
            sandbox,
            seed,
            http: reqwest::Client::new(),
            ingest,
        }
    }

    /// A `spark:all` token for the demo person with this e-mail.
    pub async fn token_for(&self, email: &str) -> String {
        let people = self.sandbox.people().await.unwrap();
        let person = people
            .iter()
            .find(|p| p.emails[0] == email)
            .unwrap_or_else(|| panic!("no {email}"));
        self.sandbox.issue_personal_token(&person.id).await.unwrap()
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    pub fn get(&self, path: &str, token: &str) -> reqwest::RequestBuilder {
        self.http.get(self.url(path)).bearer_auth(token)
    }

    pub fn post(
        &self,
        path: &str,
        token: &str,
        body: serde_json::Value,
    ) -> reqwest::RequestBuilder {
        self.http
            .post(self.url(path))
            .bearer_auth(token)
            .json(&body)
    }

    /// The ID of the space with this title, as `token` sees it.
    pub async fn room_id(&self, token: &str, title: &str) -> String {
        let rooms: serde_json::Value = self
            .get("/rooms?max=1000", token)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        rooms["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["title"] == title)
            .unwrap_or_else(|| panic!("no room {title}"))["id"]
            .as_str()
            .unwrap()
            .to_owned()
    }
}

/// Records every POST it receives and answers with a settable status.
#[derive(Clone, Default)]
pub struct Receiver {
    pub deliveries: Arc<Mutex<Vec<(HeaderMap, Bytes)>>>,
    pub status: Arc<AtomicU16>,
}

impl Receiver {
    pub async fn start() -> (Self, SocketAddr) {
        let receiver = Self::default();
        receiver.status.store(200, Ordering::SeqCst);
        let app = axum::Router::new()
            .route("/hook", post(record))
            .with_state(receiver.clone());
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move { axum::serve(listener, app).await.ok() });
        (receiver, addr)
    }

    pub fn count(&self) -> usize {
        self.deliveries.lock().unwrap().len()
    }

    /// Waits until `n` deliveries arrived (or fails after 10 s).
    pub async fn wait_for(&self, n: usize) -> Vec<(HeaderMap, Bytes)> {
        for _ in 0..200 {
            if self.count() >= n {
                return self.deliveries.lock().unwrap().clone();
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("expected {n} deliveries, got {}", self.count());
    }
}

async fn record(State(receiver): State<Receiver>, headers: HeaderMap, body: Bytes) -> StatusCode {
    receiver.deliveries.lock().unwrap().push((headers, body));
    StatusCode::from_u16(receiver.status.load(Ordering::SeqCst)).unwrap()
}
