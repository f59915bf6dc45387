//! `buyerlens settings`: show the settings, or change one.
//!
//! `mask on|off`: whether phone, ID-card and bank-card numbers and street
//! addresses are masked before a conversation is stored (on by default;
//! turning it off needs the supervisor PIN when one is set).

use std::path::Path;
use std::process::ExitCode;

use crate::{db, BadInput};

/// Arguments of `settings`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The setting to change: `mask`.
    name: Option<String>,
    /// Its new value: `on` or `off`.
    #[arg(requires = "name")]
    value: Option<String>,
}

pub fn run(args: Args, db_flag: Option<&Path>) -> anyhow::Result<ExitCode> {
    let mut store = db::open(db_flag)?;
    match (args.name.as_deref(), args.value.as_deref()) {
        (None, _) | (Some("mask"), None) => {}
        (Some("mask"), Some(value)) => {
            let on = match value {
                "on" => true,
                "off" => false,
                other => {
                    return Err(BadInput(format!(
                        "\"{other}\" is not a value of mask: use on or off"
                    ))
                    .into())
                }
            };
            if !on {
                // Storing personal data is a supervisor's decision.
                db::require_supervisor(&mut store)?;
            }
            store.set_masks_personal_data(on)?;
        }
        (Some(other), _) => {
            return Err(BadInput(format!("there is no setting \"{other}\"; settings: mask")).into())
        }
    }
    let on = store.masks_personal_data()?;
    println!("mask {}", if on { "on" } else { "off" });
    Ok(ExitCode::SUCCESS)
}
