//! The processes: open the database, serve until a signal, shut down cleanly.

use std::{path::Path, sync::Arc, time::Duration};

use anyhow::Context;
use app::state::AppState;
use domain::{Db, installation::InstallationKind, policy::SpaceDirectory};
use leptos::prelude::LeptosOptions;
use tokio::{net::TcpListener, sync::watch};
use webex_sandbox::{Sandbox, seed::SeedSummary};

use domain::webex::client::WEBEX_API;

use crate::{
    auth::{AuthSettings, SignIn},
    cli::{Cli, Command, SecretsAction},
    config::{Config, FileSettings},
    http::webhooks::WebhookIngress,
    http::{self, HttpSettings, ServerState, sandbox::SandboxState},
    runtime::{Chores, Ingest, RuntimeTask, WebexAccess},
    sessions::DbSessionStore,
    telemetry,
};

/// The console's OAuth client ID at the sandbox's sign-in provider.
const SANDBOX_CLIENT_ID: &str = "steward-console";

/// How long one sandbox webhook delivery may take before it counts as failed.
const SANDBOX_DELIVERY_TIMEOUT: Duration = Duration::from_secs(10);

/// How often expired console sessions are removed.
const SESSION_PURGE_PERIOD: Duration = Duration::from_secs(15 * 60);

/// Reads the configuration named on the command line (or `./steward.toml` when present).
pub fn load_config(cli: &Cli) -> anyhow::Result<Config> {
    let file = match &cli.config {
        Some(path) => FileSettings::load(path)?,
        None if Path::new("steward.toml").exists() => {
            FileSettings::load(Path::new("steward.toml"))?
        }
        None => FileSettings::default(),
    };
    Ok(Config::resolve(cli.settings.clone(), file)?)
}

/// Runs the command the command line asks for.
pub async fn run(cli: Cli) -> anyhow::Result<()> {
    let config = load_config(&cli)?;
    telemetry::init_logging(&config.log, config.log_format);
    tracing::debug!(?config, "configuration loaded");
    match cli.command.unwrap_or(Command::Serve) {
        Command::Serve => serve(config).await,
        Command::Worker => work(config).await,
        Command::Policy { action } => crate::policy::run(&config, action).await,
        Command::Audit { action } => crate::audit::run(&config, action).await,
        Command::Secrets { action } => secrets(&config, action).await,
        Command::Sandbox { port } => serve_sandbox(config, port).await,
        Command::SandboxToken { email } => {
            let db = open_database_as(&config, InstallationKind::Sandbox).await?;
            let sandbox = Sandbox::new(db.clone());
            sandbox
                .seed_demo()
                .await
                .context("cannot seed the Webex sandbox")?;
            let token = sandbox
                .token_for_email(&email)
                .await
                .with_context(|| format!("cannot issue a sandbox token for {email}"))?;
            db.close().await;
            #[expect(clippy::print_stdout, reason = "the token is the command's output")]
            {
                println!("{token}");
            }
            Ok(())
        }
        Command::Migrate => {
            let db = open_database(&config).await?;
            db.close().await;
            tracing::info!(database = %config.database_url, "database is up to date");
            Ok(())
        }
    }
}

/// `steward secrets rotate`: re-seals every stored secret with the current key.
async fn secrets(config: &Config, action: SecretsAction) -> anyhow::Result<()> {
    let SecretsAction::Rotate = action;
    if config.secrets_key.is_none() {
        anyhow::bail!(
            "set STEWARD_SECRETS_KEY (the new key) and STEWARD_SECRETS_KEY_PREVIOUS (the old one, if any)"
        );
    }
    let db = open_database(config).await?;
    let rotation = domain::vault::rotate(&db, &domain::audit::Actor::system("cli"))
        .await
        .context("cannot re-seal the stored secrets")?;
    db.close().await;
    #[expect(clippy::print_stdout, reason = "the command's output")]
    {
        println!(
            "re-sealed {} credentials and {} webhook secrets with the current key",
            rotation.credentials, rotation.webhooks
        );
    }
    Ok(())
}

/// Connects to the configured database, applies pending migrations and checks that it was set
/// up for the mode this process runs in (marking a new database with it).
pub async fn open_database(config: &Config) -> anyhow::Result<Db> {
    open_database_as(config, config.installation()).await
}

/// [`open_database`] for a process that runs as `kind` whatever the configuration says (the
/// sandbox's own commands).
async fn open_database_as(config: &Config, kind: InstallationKind) -> anyhow::Result<Db> {
    let db = Db::connect(config.database_url.expose())
        .await
        .with_context(|| format!("cannot open the database {}", config.database_url))?;
    db.migrate()
        .await
        .with_context(|| format!("cannot migrate the database {}", config.database_url))?;
    domain::installation::claim(&db, kind)
        .await
        .with_context(|| format!("cannot use the database {}", config.database_url))?;
    let db = match &config.audit_key {
        Some(key) => db.with_audit_key(key.clone()),
        None => db,
    };
    Ok(match config.vault() {
        Some(vault) => db.with_vault(vault),
        None => db,
    })
}

/// The console's build output as the server must find it. A release build names its files by
/// their content's hash and lists the hashes in `pkg/hash.txt`; when that file is there, pages
/// link the hashed names.
pub fn leptos_options(config: &Config) -> LeptosOptions {
    let hash_file = Path::new(&config.site_root).join("pkg").join("hash.txt");
    let hashed = hash_file.is_file();
    let hash_file = std::path::absolute(&hash_file).unwrap_or(hash_file);
    LeptosOptions::builder()
        .output_name("steward")
        .site_root(config.site_root.as_str())
        .site_pkg_dir("pkg")
        .site_addr(config.bind)
        .hash_files(hashed)
        .hash_file(Arc::from(hash_file.to_string_lossy().as_ref()))
        .build()
}

/// Serves HTTP until SIGTERM or SIGINT, then lets in-flight requests finish within the grace
/// period.
pub async fn serve(config: Config) -> anyhow::Result<()> {
    let db = open_database(&config).await?;
    if config.secrets_key.is_none() && !config.sandbox {
        tracing::warn!(
            "no STEWARD_SECRETS_KEY: integration credentials, the AI key and webhook secrets are \
             stored unencrypted in the database"
        );
    }
    let seeded = domain::users::seed_admins(&db, &config.admin_emails)
        .await
        .context("cannot give the configured admins their role")?;
    if seeded > 0 {
        tracing::info!(seeded, "granted the admin role from STEWARD_ADMIN_EMAILS");
    }

    let mut background = Vec::new();
    let sandbox = if config.sandbox {
        let (state, delivery, seed) = start_sandbox(&config, &db).await?;
        background.push(delivery);
        Some((state, seed))
    } else {
        None
    };
    let ingest = Ingest::open(&db).await?;
    let access = match &sandbox {
        Some((state, seed)) => Some(WebexAccess::sandbox(&config, &state.base_url, seed)?),
        None => WebexAccess::webex(&config)?,
    };
    let demo_policy = match &sandbox {
        Some((state, _)) => {
            let mut policy = state
                .sandbox
                .demo_policy()
                .await
                .context("cannot read the sandbox's demo spaces")?;
            policy.integrations = Some(state.integrations_url());
            Some(policy)
        }
        None => None,
    };
    let auth = AuthSettings {
        sign_in: sign_in_provider(&config, sandbox.as_ref()).await?,
        max_age: config.session_max_age,
    };
    let state = ServerState {
        leptos_options: leptos_options(&config),
        app: AppState {
            db: db.clone(),
            sandbox: sandbox.as_ref().map(|(s, _)| s.sandbox.clone()),
            sign_in_available: auth.sign_in.is_some(),
            spaces: access
                .as_ref()
                .map(|access| SpaceDirectory::new(db.clone(), access.bot.clone())),
        },
        metrics: telemetry::metrics_handle(),
        sandbox: sandbox.map(|(state, _)| state),
        auth,
        webhooks: Some(WebhookIngress {
            secrets: ingest.secrets.clone(),
            ingestor: ingest.ingestor.clone(),
            bot_id: Arc::clone(&ingest.bot_id),
        }),
    };
    let router = http::router(state, &HttpSettings::from_config(&config));

    let listener = TcpListener::bind(config.bind)
        .await
        .with_context(|| format!("cannot listen on {}", config.bind))?;
    let address = listener
        .local_addr()
        .context("cannot read the bound address")?;
    tracing::info!(
        %address,
        database = %config.database_url,
        sandbox = config.sandbox,
        "Steward is listening on http://{address}"
    );

    let purge =
        tokio::spawn(DbSessionStore::new(db.clone()).purge_expired_every(SESSION_PURGE_PERIOD));
    // Started after the listener, because in sandbox mode the bot talks to this very server.
    let runtime = match access {
        Some(access) => Some(RuntimeTask::spawn(
            db.clone(),
            access,
            &ingest,
            &config,
            Chores {
                webhooks_and_backfill: true,
            },
            demo_policy,
        )),
        None => {
            tracing::warn!(
                "no Webex bot token (STEWARD_WEBEX_BOT_TOKEN) and not in sandbox mode: webhooks \
                 are stored, but no agent answers them"
            );
            None
        }
    };

    let (stop_tx, stop_rx) = watch::channel(false);
    tokio::spawn(async move {
        shutdown_signal().await;
        stop_tx.send(true).ok();
    });
    // Rate limits key on the peer address, which the connection info carries.
    let server = axum::serve(
        listener,
        router.into_make_service_with_connect_info::<std::net::SocketAddr>(),
    )
    .with_graceful_shutdown(stopped(stop_rx.clone()));
    let grace = config.shutdown_grace;
    tokio::select! {
        result = server => result.context("the HTTP server failed")?,
        () = async { stopped(stop_rx).await; tokio::time::sleep(grace).await } => {
            tracing::warn!(?grace, "in-flight requests did not finish in time; stopping anyway");
        }
    }

    if let Some(runtime) = runtime {
        runtime.stop(grace).await;
    }
    ingest.close();
    purge.abort();
    for task in background {
        task.abort();
    }
    db.close().await;
    tracing::info!("Steward stopped");
    Ok(())
}

/// `steward worker`: only workers (and the rescue of crashed workers' jobs), no HTTP. Several
/// worker processes on one PostgreSQL share the queue.
async fn work(config: Config) -> anyhow::Result<()> {
    let db = open_database(&config).await?;
    let access = if config.sandbox {
        // The sandbox API is served by `steward serve`, at the public URL.
        let seed = Sandbox::new(db.clone())
            .seed_demo()
            .await
            .context("cannot read the Webex sandbox")?;
        let base_url = format!("{}sandbox/v1", config.public_url);
        Some(WebexAccess::sandbox(&config, &base_url, &seed)?)
    } else {
        WebexAccess::webex(&config)?
    };
    let Some(access) = access else {
        anyhow::bail!(
            "a worker needs Webex: set STEWARD_WEBEX_BOT_TOKEN, or STEWARD_SANDBOX=true with \
             STEWARD_PUBLIC_URL pointing at the `steward serve` that hosts the sandbox"
        );
    };
    let ingest = Ingest::open(&db).await?;
    let runtime = RuntimeTask::spawn(
        db.clone(),
        access,
        &ingest,
        &config,
        Chores {
            webhooks_and_backfill: false,
        },
        None,
    );
    tracing::info!(workers = config.workers, database = %config.database_url, "Steward worker started");
    shutdown_signal().await;
    runtime.stop(config.shutdown_grace).await;
    ingest.close();
    db.close().await;
    tracing::info!("Steward worker stopped");
    Ok(())
}

/// `steward sandbox`: only the sandbox API and its webhook deliveries, on loopback.
async fn serve_sandbox(config: Config, port: u16) -> anyhow::Result<()> {
    let db = open_database_as(&config, InstallationKind::Sandbox).await?;
    let listener = TcpListener::bind(("127.0.0.1", port))
        .await
        .with_context(|| format!("cannot listen on 127.0.0.1:{port}"))?;
    let address = listener
        .local_addr()
        .context("cannot read the bound address")?;
    let mut sandbox_config = config.clone();
    sandbox_config.public_url =
        url::Url::parse(&format!("http://{address}/")).context("invalid sandbox address")?;
    let (state, delivery, _) = start_sandbox(&sandbox_config, &db).await?;
    tracing::info!(%address, "the Webex sandbox API is at {}", state.base_url);
    let router = axum::Router::new()
        .route("/healthz", axum::routing::get(http::health::healthz))
        .nest_service(
            "/sandbox/integrations",
            http::sandbox::integrations::routes(state.sandbox.clone(), state.integrations_url()),
        )
        .nest_service("/sandbox/v1", http::sandbox::routes(state));
    let (stop_tx, stop_rx) = watch::channel(false);
    tokio::spawn(async move {
        shutdown_signal().await;
        stop_tx.send(true).ok();
    });
    axum::serve(listener, router)
        .with_graceful_shutdown(stopped(stop_rx))
        .await
        .context("the sandbox server failed")?;
    delivery.abort();
    db.close().await;
    Ok(())
}

/// Seeds the sandbox's demo organisation (once) and starts its webhook delivery loop. Returns
/// the sandbox, the loop's task and what seeding found (the demo organization, the bot).
async fn start_sandbox(
    config: &Config,
    db: &Db,
) -> anyhow::Result<(SandboxState, tokio::task::JoinHandle<()>, SeedSummary)> {
    let sandbox = Sandbox::new(db.clone());
    let seeded = sandbox
        .seed_demo()
        .await
        .context("cannot seed the Webex sandbox")?;
    if seeded.created {
        tracing::info!("seeded the Webex sandbox with its demo organization");
    }
    // No redirects: deliveries go to the configured targets only; following redirects would let
    // a target bounce the sandbox elsewhere.
    let http = domain::outbound::client()
        .build()
        .context("cannot build the HTTP client for sandbox webhook deliveries")?;
    let delivery = tokio::spawn(http::sandbox::deliver_forever(
        sandbox.clone(),
        http,
        SANDBOX_DELIVERY_TIMEOUT,
        Duration::from_secs(1),
    ));
    let base_url = format!("{}sandbox/v1", config.public_url);
    let stylesheet = app::assets::stylesheet(&leptos_options(config));
    Ok((
        SandboxState {
            sandbox,
            base_url,
            stylesheet,
        },
        delivery,
        seeded,
    ))
}

/// Webex sign-in: in sandbox mode against the sandbox's own OAuth provider, as the demo org;
/// otherwise against Webex with the configured integration, if there is one.
async fn sign_in_provider(
    config: &Config,
    sandbox: Option<&(SandboxState, SeedSummary)>,
) -> anyhow::Result<Option<SignIn>> {
    // No redirects: a redirect from a token endpoint could leak the code elsewhere.
    let http = domain::outbound::client()
        .build()
        .context("cannot build the HTTP client for sign-in")?;
    let redirect_url = format!("{}auth/callback", config.public_url);
    if let Some((sandbox, seed)) = sandbox {
        let client_secret = sandbox
            .sandbox
            .ensure_oauth_client(SANDBOX_CLIENT_ID, "Steward console", &redirect_url)
            .await
            .context("cannot register the console with the sandbox's sign-in provider")?;
        return Ok(Some(SignIn {
            client_id: SANDBOX_CLIENT_ID.to_owned(),
            client_secret: client_secret.into(),
            authorize_url: format!("{}/authorize", sandbox.base_url),
            token_url: format!("{}/access_token", sandbox.base_url),
            api_base: sandbox.base_url.clone(),
            redirect_url,
            allowed_orgs: vec![seed.org_id.clone()],
            sandbox: Some(sandbox.sandbox.clone()),
            http,
        }));
    }
    Ok(config.webex_oauth.as_ref().map(|oauth| SignIn {
        client_id: oauth.client_id.clone(),
        client_secret: oauth.client_secret.clone(),
        authorize_url: format!("{WEBEX_API}authorize"),
        token_url: format!("{WEBEX_API}access_token"),
        api_base: WEBEX_API.to_owned(),
        redirect_url,
        allowed_orgs: config.webex_org_ids.clone(),
        sandbox: None,
        http,
    }))
}

async fn stopped(mut rx: watch::Receiver<bool>) {
    // An error means the sender is gone, which only happens after it has sent.
    rx.wait_for(|stop| *stop).await.ok();
}

async fn shutdown_signal() {
    let interrupt = async {
        tokio::signal::ctrl_c().await.ok();
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(error) => {
                tracing::warn!(error = %domain::error_chain(&error), "cannot listen for SIGTERM");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = interrupt => tracing::info!("SIGINT received, shutting down"),
        () = terminate => tracing::info!("SIGTERM received, shutting down"),
    }
}
