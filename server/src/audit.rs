//! `steward audit`: anchoring the audit log outside Steward and verifying it from the command
//! line, where a cron job or an auditor can run it without the console.

use std::{fmt::Write as _, path::Path};

use anyhow::{Context, bail};
use domain::audit::{self, Anchor};

use crate::{cli::AuditAction, config::Config, run::open_database};

/// Runs one `steward audit` command, prints its result, and fails when the log does not verify.
pub async fn run(config: &Config, action: AuditAction) -> anyhow::Result<()> {
    let db = open_database(config).await?;
    let result = match action {
        AuditAction::Anchor { post } => anchor(config, &db, post).await,
        AuditAction::Verify { anchor } => verify(&db, anchor.as_deref()).await,
    };
    db.close().await;
    let output = result?;
    #[expect(clippy::print_stdout, reason = "the command's output")]
    {
        print!("{output}");
    }
    Ok(())
}

async fn anchor(config: &Config, db: &domain::Db, post: bool) -> anyhow::Result<String> {
    let anchor = audit::anchor(db)
        .await
        .context("cannot read the audit log's head")?;
    if post {
        let Some(url) = &config.audit_anchor_url else {
            bail!("--post needs STEWARD_AUDIT_ANCHOR_URL, where the anchor is sent");
        };
        let response = domain::outbound::client()
            .build()
            .context("cannot build an HTTP client")?
            .post(url.clone())
            .json(&anchor)
            .send()
            .await
            .with_context(|| format!("cannot send the anchor to {url}"))?;
        if !response.status().is_success() {
            bail!("{url} refused the anchor: {}", response.status());
        }
    }
    Ok(format!(
        "{}\n",
        serde_json::to_string(&anchor).context("cannot write the anchor")?
    ))
}

async fn verify(db: &domain::Db, anchor_file: Option<&Path>) -> anyhow::Result<String> {
    let anchor: Option<Anchor> = anchor_file
        .map(|path| {
            let text = std::fs::read_to_string(path)
                .with_context(|| format!("cannot read the anchor {}", path.display()))?;
            serde_json::from_str(&text)
                .with_context(|| format!("{} is not an anchor", path.display()))
        })
        .transpose()?;
    let report = audit::verify(db)
        .await
        .context("cannot read the audit log")?;
    if let Some(broken) = &report.first_broken {
        bail!(
            "the audit log is broken at entry {}: {} ({} entries before it verified)",
            broken.seq,
            broken.problem,
            report.entries_checked
        );
    }
    let mut out = format!(
        "audit log intact: {} entries verified, ",
        report.entries_checked
    );
    match &report.key_id {
        Some(key) => writeln!(out, "sealed with audit key {key}").ok(),
        None => writeln!(
            out,
            "by their hashes only (no audit key is configured, so a rewrite with recomputed \
             hashes would go unnoticed)"
        )
        .ok(),
    };
    if let Some(anchor) = anchor {
        audit::check_anchor(db, &anchor)
            .await
            .context("cannot read the audit log")?
            .with_context(|| {
                format!(
                    "the audit log does not extend the anchor at entry {}",
                    anchor.seq
                )
            })?;
        let signed = match (&anchor.signature, db.audit_key()) {
            (Some(_), Some(_)) => "its signature checked",
            (Some(_), None) => "its signature not checked: no audit key is configured",
            (None, _) => "unsigned",
        };
        writeln!(out, "extends the anchor at entry {} ({signed})", anchor.seq).ok();
    }
    Ok(out)
}
