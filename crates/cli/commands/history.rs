//! `buyerlens history`: stored conversations, newest first, with filters
//! and full-text search.

use std::io::Write as _;
use std::path::Path;
use std::process::ExitCode;

use buyerlens_core::store::{HistoryFilter, HistoryRecord};
use buyerlens_core::Axis;

use crate::db;

/// Filters shared by `history` and `export`.
#[derive(Debug, clap::Args)]
pub struct Filters {
    /// From this date (YYYY-MM-DD [HH:MM]).
    #[arg(long)]
    from: Option<String>,
    /// Up to this date, inclusive.
    #[arg(long)]
    to: Option<String>,
    /// Handled by this agent.
    #[arg(long)]
    agent: Option<String>,
    /// With this motive (code or 求廉-style name); repeat for several.
    #[arg(long)]
    motive: Vec<String>,
    /// With this experience.
    #[arg(long)]
    experience: Option<String>,
    /// With this intent.
    #[arg(long)]
    intent: Option<String>,
    /// With this topic; repeat for several.
    #[arg(long)]
    topic: Vec<String>,
    /// Only conversations a supervisor corrected.
    #[arg(long)]
    corrected: bool,
    /// Words that must all appear in the transcript (two characters or more
    /// each): in what was said or in a speaker's name; the times of header
    /// lines are not searched (use --from/--to).
    #[arg(long)]
    search: Option<String>,
}

impl Filters {
    /// The core filter.
    pub fn to_filter(&self) -> anyhow::Result<HistoryFilter> {
        let mut labels = Vec::new();
        for m in &self.motive {
            labels.push(db::label(Axis::Motive, m)?);
        }
        if let Some(e) = &self.experience {
            labels.push(db::label(Axis::Experience, e)?);
        }
        if let Some(i) = &self.intent {
            labels.push(db::label(Axis::Intent, i)?);
        }
        for t in &self.topic {
            labels.push(db::label(Axis::Topic, t)?);
        }
        Ok(HistoryFilter {
            from: self
                .from
                .as_deref()
                .map(|t| db::parse_time(t, false))
                .transpose()?,
            to: self
                .to
                .as_deref()
                .map(|t| db::parse_time(t, true))
                .transpose()?,
            agent: self.agent.clone(),
            labels,
            corrected: self.corrected.then_some(true),
            search: self.search.clone(),
            ..HistoryFilter::default()
        })
    }
}

/// Arguments of `history`.
#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(flatten)]
    filters: Filters,
    /// Rows per page.
    #[arg(long, default_value_t = 50)]
    limit: u32,
    /// Rows to skip.
    #[arg(long, default_value_t = 0)]
    offset: u64,
    /// Print a JSON array of records.
    #[arg(long)]
    json: bool,
}

/// The labels of a record in Chinese, corrected axes marked with `*`.
pub fn label_text(record: &HistoryRecord) -> String {
    let l = &record.labels;
    let mark = |axis: Axis| if l.corrected.contains(&axis) { "*" } else { "" };
    let join = |labels: &[buyerlens_core::Label]| {
        labels.iter().map(|x| x.zh()).collect::<Vec<_>>().join("/")
    };
    format!(
        "动机[{}]{} 经验[{}]{} 意向[{}]{} 问题[{}]{}",
        join(&l.motives),
        mark(Axis::Motive),
        l.experience.map_or("", |x| x.zh()),
        mark(Axis::Experience),
        l.intent.map_or("", |x| x.zh()),
        mark(Axis::Intent),
        join(&l.topics),
        mark(Axis::Topic),
    )
}

pub fn run(args: Args, db_flag: Option<&Path>) -> anyhow::Result<ExitCode> {
    let store = db::open_existing(db_flag, db::Access::Read)?;
    let mut filter = args.filters.to_filter()?;
    filter.limit = args.limit;
    filter.offset = args.offset;
    let records = store.history(&filter)?;
    if args.json {
        writeln!(std::io::stdout(), "{}", serde_json::to_string(&records)?)?;
        return Ok(ExitCode::SUCCESS);
    }
    for record in &records {
        let preview: String = record
            .preview
            .chars()
            .map(|c| if c.is_control() { ' ' } else { c })
            .take(40)
            .collect();
        writeln!(
            std::io::stdout(),
            "{:>7}  {}  {:<8} {:<14} {}  {}",
            record.id,
            buyerlens_core::store::time::format_local(record.at),
            record.agent.as_deref().unwrap_or("-"),
            record.buyer.as_deref().unwrap_or("-"),
            label_text(record),
            preview
        )?;
    }
    if records.is_empty() {
        eprintln!("no conversations match");
    }
    Ok(ExitCode::SUCCESS)
}
