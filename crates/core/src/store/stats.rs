//! Reports: counts per label, agent, day and week, read from the
//! `day_count` table the triggers keep, so they cost the same with a
//! thousand or a million conversations.

use std::collections::BTreeMap;

use rusqlite::params_from_iter;
use rusqlite::types::Value;
use serde::Serialize;

use super::{sql, time, Store};
use crate::error::Result;
use crate::label::{Axis, Label};

/// Which conversations a report counts. Times are rounded to whole days.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StatsFilter {
    /// From this time's day (local seconds, inclusive).
    pub from: Option<i64>,
    /// Up to this time's day (local seconds, inclusive).
    pub to: Option<i64>,
    /// Only this agent's conversations.
    pub agent: Option<String>,
}

/// How many conversations carry a label (after corrections).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LabelCount {
    /// The label code.
    pub code: Label,
    /// Its Chinese name.
    pub label: &'static str,
    /// Its axis.
    pub axis: Axis,
    /// Conversations.
    pub count: u64,
}

/// Conversations per agent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AgentCount {
    /// The agent (`""` when unknown).
    pub agent: String,
    /// Conversations.
    pub conversations: u64,
    /// Conversations per label code.
    pub labels: BTreeMap<&'static str, u64>,
}

/// Conversations per day or per ISO week.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DayCount {
    /// `YYYY-MM-DD`, or `YYYY-Www` for weeks.
    pub period: String,
    /// Conversations.
    pub conversations: u64,
}

/// A report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Stats {
    /// Conversations counted.
    pub conversations: u64,
    /// Of which a supervisor corrected.
    pub corrected: u64,
    /// Per label, in taxonomy order (labels never seen count 0).
    pub labels: Vec<LabelCount>,
    /// Per agent, busiest first.
    pub agents: Vec<AgentCount>,
    /// Per day, in order.
    pub days: Vec<DayCount>,
    /// Per ISO week, in order.
    pub weeks: Vec<DayCount>,
}

impl Store {
    /// Counts conversations per label, agent, day and week.
    ///
    /// # Errors
    /// On a database error.
    pub fn stats(&self, filter: &StatsFilter) -> Result<Stats> {
        let mut conditions = Vec::new();
        let mut args = Vec::new();
        if let Some(from) = filter.from {
            args.push(Value::Integer(from.div_euclid(86_400)));
            conditions.push(format!("day >= ?{}", args.len()));
        }
        if let Some(to) = filter.to {
            args.push(Value::Integer(to.div_euclid(86_400)));
            conditions.push(format!("day <= ?{}", args.len()));
        }
        if let Some(agent) = &filter.agent {
            args.push(Value::Text(agent.clone()));
            conditions.push(format!("agent = ?{}", args.len()));
        }
        let where_clause = if conditions.is_empty() {
            String::new()
        } else {
            format!("WHERE {}", conditions.join(" AND "))
        };
        let query = format!("SELECT day, agent, code, n FROM day_count {where_clause}");
        let rows: Vec<(i64, String, String, i64)> = self
            .conn
            .prepare_cached(&query)
            .and_then(|mut stmt| {
                stmt.query_map(params_from_iter(args.iter()), |r| {
                    Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
                })?
                .collect()
            })
            .map_err(sql("read the report counts"))?;

        let mut conversations = 0u64;
        let mut labels: BTreeMap<Label, u64> = BTreeMap::new();
        let mut agents: BTreeMap<String, AgentCount> = BTreeMap::new();
        let mut days: BTreeMap<i64, u64> = BTreeMap::new();
        for (day, agent, code, n) in rows {
            let n = u64::try_from(n).unwrap_or(0);
            let entry = agents.entry(agent.clone()).or_insert_with(|| AgentCount {
                agent,
                conversations: 0,
                labels: BTreeMap::new(),
            });
            if code.is_empty() {
                conversations += n;
                entry.conversations += n;
                *days.entry(day).or_default() += n;
            } else if let Some(label) = Label::from_code(&code) {
                *labels.entry(label).or_default() += n;
                *entry.labels.entry(label.code()).or_default() += n;
            }
        }
        let mut weeks: BTreeMap<String, u64> = BTreeMap::new();
        for (&day, &n) in &days {
            *weeks.entry(time::format_week(day)).or_default() += n;
        }
        let mut agents: Vec<AgentCount> = agents
            .into_values()
            .filter(|a| a.conversations > 0)
            .collect();
        agents.sort_by(|a, b| {
            b.conversations
                .cmp(&a.conversations)
                .then(a.agent.cmp(&b.agent))
        });

        let mut corrected_query =
            // The partial index holds only corrected rows: never read the others.
            String::from("SELECT count(*) FROM conversation INDEXED BY conversation_corrected_at WHERE corrected = 1");
        let mut corrected_args = Vec::new();
        if let Some(from) = filter.from {
            corrected_args.push(Value::Integer(from.div_euclid(86_400) * 86_400));
            corrected_query += &format!(" AND at >= ?{}", corrected_args.len());
        }
        if let Some(to) = filter.to {
            corrected_args.push(Value::Integer((to.div_euclid(86_400) + 1) * 86_400));
            corrected_query += &format!(" AND at < ?{}", corrected_args.len());
        }
        if let Some(agent) = &filter.agent {
            corrected_args.push(Value::Text(agent.clone()));
            corrected_query += &format!(" AND agent = ?{}", corrected_args.len());
        }
        let corrected: i64 = self
            .conn
            .query_row(
                &corrected_query,
                params_from_iter(corrected_args.iter()),
                |r| r.get(0),
            )
            .map_err(sql("count corrected conversations"))?;
        let corrected = u64::try_from(corrected).unwrap_or(0);

        Ok(Stats {
            conversations,
            corrected,
            labels: Label::ALL
                .iter()
                .map(|&code| LabelCount {
                    code,
                    label: code.zh(),
                    axis: code.axis(),
                    count: labels.get(&code).copied().unwrap_or(0),
                })
                .collect(),
            agents,
            days: days
                .into_iter()
                .map(|(day, n)| DayCount {
                    period: time::format_day(day),
                    conversations: n,
                })
                .collect(),
            weeks: weeks
                .into_iter()
                .map(|(period, conversations)| DayCount {
                    period,
                    conversations,
                })
                .collect(),
        })
    }
}
