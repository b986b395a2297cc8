//! `steward policy`: which agent functions act where, from the command line. Every change is
//! audited as made by `system:cli`.

use std::fmt::Write as _;

use anyhow::Context;
use domain::{
    agents::{
        AgentFunction,
        triage::{self, SeverityRules},
    },
    audit::Actor,
    policy::{self, Mode},
};

use crate::{cli::PolicyAction, config::Config, run::open_database};

/// Runs one `steward policy` command and prints its result.
pub async fn run(config: &Config, action: PolicyAction) -> anyhow::Result<()> {
    let db = open_database(config).await?;
    let actor = Actor::system("cli");
    let output = match action {
        PolicyAction::List => {
            let grid = policy::grid(&db).await.context("cannot read the policy")?;
            let mut out = String::new();
            for switch in &grid.functions {
                let state = match (switch.enabled, switch.rollout_percent) {
                    (false, _) => "off (switched off)".to_owned(),
                    (true, 100) => "on".to_owned(),
                    (true, percent) => format!("on in {percent}% of spaces"),
                };
                writeln!(out, "{}: {state}", switch.function).ok();
            }
            writeln!(out).ok();
            if grid.spaces.is_empty() {
                writeln!(out, "Steward knows no spaces yet: add the bot to a space.").ok();
            }
            for space in &grid.spaces {
                let modes: Vec<String> = grid
                    .modes
                    .iter()
                    .filter(|(_, room, _)| *room == space.room_id)
                    .map(|(function, _, mode)| format!("{function}={mode}"))
                    .collect();
                let modes = if modes.is_empty() {
                    "nothing enabled".to_owned()
                } else {
                    modes.join(", ")
                };
                writeln!(
                    out,
                    "{} ({}, {}): {modes}",
                    space.title, space.kind, space.room_id
                )
                .ok();
            }
            out
        }
        PolicyAction::Set {
            function,
            space,
            mode,
        } => {
            let function: AgentFunction = function.parse()?;
            let mode: Mode = mode.parse()?;
            let space = policy::find_space(&db, &space).await?;
            let changed = policy::set_mode(&db, function, &space.room_id, mode, &actor).await?;
            if changed {
                format!("{function} is now {mode} in {}\n", space.title)
            } else {
                format!("{function} was already {mode} in {}\n", space.title)
            }
        }
        PolicyAction::Switch { function, state } => {
            let function: AgentFunction = function.parse()?;
            let enabled = match state.as_str() {
                "on" => true,
                "off" => false,
                other => anyhow::bail!("`{other}` is not a switch state; use on or off"),
            };
            let changed = policy::set_enabled(&db, function, enabled, &actor).await?;
            let changed = if changed { "is now" } else { "was already" };
            format!("{function} {changed} switched {state}\n")
        }
        PolicyAction::SeverityRules { file: None } => {
            let rules = triage::rules(&db).await?;
            serde_json::to_string_pretty(&rules).expect("rules serialise") + "\n"
        }
        PolicyAction::SeverityRules { file: Some(path) } => {
            let text = std::fs::read_to_string(&path)
                .with_context(|| format!("cannot read {}", path.display()))?;
            let rules: SeverityRules = serde_json::from_str(&text)
                .with_context(|| format!("{} does not hold severity rules", path.display()))?;
            let changed = triage::set_rules(&db, &rules, &actor).await?;
            if changed {
                format!(
                    "replaced the severity rules ({} rules)\n",
                    rules.rules.len()
                )
            } else {
                "the severity rules were already these\n".to_owned()
            }
        }
    };
    db.close().await;
    #[expect(clippy::print_stdout, reason = "the command's output")]
    {
        print!("{output}");
    }
    Ok(())
}
