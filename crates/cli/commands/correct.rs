//! `buyerlens correct`: a supervisor's correction of a conversation's labels.

use std::io::Write as _;
use std::path::Path;
use std::process::ExitCode;

use buyerlens_core::store::Correction;
use buyerlens_core::Axis;

use crate::db;

/// Arguments of `correct`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The conversation id (see `history`).
    id: i64,
    /// The motives that hold, comma-separated (codes or 求廉-style names; "" for none).
    #[arg(long)]
    motives: Option<String>,
    /// The buyer's experience.
    #[arg(long)]
    experience: Option<String>,
    /// The buyer's intent.
    #[arg(long)]
    intent: Option<String>,
    /// The topics the buyer asked about, comma-separated ("" for none).
    #[arg(long)]
    topics: Option<String>,
    /// Who corrects (default: the login name).
    #[arg(long)]
    who: Option<String>,
    /// Why.
    #[arg(long)]
    note: Option<String>,
    /// Print the recorded corrections as JSON.
    #[arg(long)]
    json: bool,
}

pub fn run(args: Args, db_flag: Option<&Path>) -> anyhow::Result<ExitCode> {
    let correction = Correction {
        motives: args
            .motives
            .as_deref()
            .map(|m| db::labels(Axis::Motive, m))
            .transpose()?,
        experience: args
            .experience
            .as_deref()
            .map(|e| db::label(Axis::Experience, e))
            .transpose()?,
        intent: args
            .intent
            .as_deref()
            .map(|i| db::label(Axis::Intent, i))
            .transpose()?,
        topics: args
            .topics
            .as_deref()
            .map(|t| db::labels(Axis::Topic, t))
            .transpose()?,
        who: args
            .who
            .or_else(|| std::env::var("USER").ok())
            .or_else(|| std::env::var("USERNAME").ok())
            .unwrap_or_else(|| "supervisor".into()),
        note: args.note,
    };
    let mut store = db::open_existing(db_flag, db::Access::Write)?;
    db::require_supervisor(&mut store)?;
    let records = store.correct(args.id, &correction, db::now())?;
    if args.json {
        writeln!(std::io::stdout(), "{}", serde_json::to_string(&records)?)?;
    } else if records.is_empty() {
        writeln!(
            std::io::stdout(),
            "conversation {}: the labels were already so; nothing recorded",
            args.id
        )?;
    } else {
        for r in &records {
            let names = |l: &[buyerlens_core::Label]| {
                l.iter().map(|x| x.zh()).collect::<Vec<_>>().join("、")
            };
            writeln!(
                std::io::stdout(),
                "conversation {}: {} {} → {}",
                args.id,
                r.axis.code(),
                names(&r.old),
                names(&r.new)
            )?;
        }
    }
    Ok(ExitCode::SUCCESS)
}
