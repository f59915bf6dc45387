//! `buyerlens stats`: counts per label, agent, day and week.

use std::io::Write as _;
use std::path::Path;
use std::process::ExitCode;

use buyerlens_core::store::StatsFilter;

use crate::db;

/// Arguments of `stats`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// From this date (YYYY-MM-DD).
    #[arg(long)]
    from: Option<String>,
    /// Up to this date, inclusive.
    #[arg(long)]
    to: Option<String>,
    /// Only this agent.
    #[arg(long)]
    agent: Option<String>,
    /// Print JSON (`"conversations": N` and the counts).
    #[arg(long)]
    json: bool,
}

pub fn run(args: Args, db_flag: Option<&Path>) -> anyhow::Result<ExitCode> {
    let store = db::open_existing(db_flag, db::Access::Read)?;
    let filter = StatsFilter {
        from: args
            .from
            .as_deref()
            .map(|t| db::parse_time(t, false))
            .transpose()?,
        to: args
            .to
            .as_deref()
            .map(|t| db::parse_time(t, true))
            .transpose()?,
        agent: args.agent,
    };
    let stats = store.stats(&filter)?;
    if args.json {
        writeln!(std::io::stdout(), "{}", serde_json::to_string(&stats)?)?;
        return Ok(ExitCode::SUCCESS);
    }
    writeln!(
        std::io::stdout(),
        "会话 {}  已更正 {}",
        stats.conversations,
        stats.corrected
    )?;
    let mut axis = None;
    for label in &stats.labels {
        if axis != Some(label.axis) {
            axis = Some(label.axis);
            writeln!(std::io::stdout(), "[{}]", label.axis.code())?;
        }
        writeln!(std::io::stdout(), "  {:<8} {:>9}", label.label, label.count)?;
    }
    writeln!(std::io::stdout(), "[客服]")?;
    for agent in &stats.agents {
        let name = if agent.agent.is_empty() {
            "(未知)"
        } else {
            agent.agent.as_str()
        };
        writeln!(std::io::stdout(), "  {name:<8} {:>9}", agent.conversations)?;
    }
    writeln!(std::io::stdout(), "[周]")?;
    for week in &stats.weeks {
        writeln!(
            std::io::stdout(),
            "  {} {:>9}",
            week.period,
            week.conversations
        )?;
    }
    Ok(ExitCode::SUCCESS)
}
