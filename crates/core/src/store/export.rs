//! Reports a supervisor opens in Excel or WPS: history rows with their
//! labels and corrections (CSV or xlsx), and the counts (xlsx).

use std::path::Path;

use super::history::{HistoryFilter, HistoryRecord};
use super::stats::StatsFilter;
use super::{time, Store, StoreError};
use crate::error::{Error, Result};
use crate::label::Label;

/// Excel's row limit, less the header.
const XLSX_MAX_ROWS: usize = 1_048_575;

const HEADER: &[&str] = &[
    "编号",
    "时间",
    "导入时间",
    "来源",
    "客服",
    "买家",
    "店铺",
    "动机",
    "经验",
    "意向",
    "问题",
    "已更正",
    "更正记录",
    "词库版本",
    "摘要",
];

fn names(labels: &[Label]) -> String {
    labels.iter().map(|l| l.zh()).collect::<Vec<_>>().join("、")
}

impl Store {
    /// Calls `each` for every history row the filter matches (its `limit`,
    /// `offset` and `before` are ignored), newest first, in pages.
    ///
    /// # Errors
    /// On a database error, or the first error `each` returns.
    pub fn for_each_record(
        &self,
        filter: &HistoryFilter,
        each: &mut dyn FnMut(&HistoryRecord) -> Result<()>,
    ) -> Result<usize> {
        let mut page = HistoryFilter {
            limit: 2000,
            offset: 0,
            before: None,
            ..filter.clone()
        };
        let mut count = 0;
        loop {
            let records = self.history(&page)?;
            for record in &records {
                each(record)?;
            }
            count += records.len();
            match records.last() {
                Some(last) if records.len() == page.limit as usize => {
                    page.before = Some((last.at, last.id));
                }
                _ => return Ok(count),
            }
        }
    }

    fn export_row(&self, record: &HistoryRecord) -> Result<Vec<String>> {
        let corrections = if record.corrected {
            self.corrections(record.id)?
                .iter()
                .map(|c| {
                    format!(
                        "{} {} {}: {} → {}{}",
                        time::format_local(c.at),
                        c.who,
                        c.axis.code(),
                        names(&c.old),
                        names(&c.new),
                        c.note
                            .as_deref()
                            .map(|n| format!("（{n}）"))
                            .unwrap_or_default()
                    )
                })
                .collect::<Vec<_>>()
                .join("；")
        } else {
            String::new()
        };
        let l = &record.labels;
        Ok(vec![
            record.id.to_string(),
            time::format_local(record.at),
            time::format_local(record.imported_at),
            record.source.clone(),
            record.agent.clone().unwrap_or_default(),
            record.buyer.clone().unwrap_or_default(),
            record.shop.clone().unwrap_or_default(),
            names(&l.motives),
            l.experience.map(|x| x.zh().to_string()).unwrap_or_default(),
            l.intent.map(|x| x.zh().to_string()).unwrap_or_default(),
            names(&l.topics),
            if record.corrected { "是" } else { "" }.to_string(),
            corrections,
            record.lexicon_version.clone().unwrap_or_default(),
            record.preview.replace(['\r', '\n'], " "),
        ])
    }

    /// Writes the matching history rows as CSV (UTF-8 with BOM, which
    /// Excel and WPS need to show Chinese). Returns the number of rows.
    ///
    /// # Errors
    /// When the file cannot be written; database errors.
    pub fn export_csv(&self, filter: &HistoryFilter, path: &Path) -> Result<usize> {
        let io = |source: std::io::Error| Error::Io {
            path: path.to_path_buf(),
            source,
        };
        let file = std::fs::File::create(path).map_err(io)?;
        let mut buffered = std::io::BufWriter::new(file);
        std::io::Write::write_all(&mut buffered, "\u{feff}".as_bytes()).map_err(io)?;
        let mut writer = csv::Writer::from_writer(buffered);
        let csv_error = |e: csv::Error| {
            Error::Store(StoreError::Invalid(format!(
                "cannot write {}: {e}",
                path.display()
            )))
        };
        writer.write_record(HEADER).map_err(csv_error)?;
        let count = self.for_each_record(filter, &mut |record| {
            writer
                .write_record(self.export_row(record)?)
                .map_err(csv_error)
        })?;
        writer.flush().map_err(io)?;
        Ok(count)
    }

    /// Writes an xlsx workbook: the matching history rows, and a sheet of
    /// counts per label, agent and week. Returns the number of rows.
    ///
    /// # Errors
    /// [`StoreError::Invalid`] when more rows match than a sheet holds;
    /// when the file cannot be written; database errors.
    pub fn export_xlsx(&self, filter: &HistoryFilter, path: &Path) -> Result<usize> {
        use rust_xlsxwriter::{Format, Workbook};
        let xlsx_error = |e: rust_xlsxwriter::XlsxError| {
            Error::Store(StoreError::Invalid(format!(
                "cannot write {}: {e}",
                path.display()
            )))
        };
        let mut workbook = Workbook::new();
        let bold = Format::new().set_bold();
        let sheet = workbook.add_worksheet();
        sheet.set_name("历史记录").map_err(xlsx_error)?;
        for (column, title) in HEADER.iter().enumerate() {
            sheet
                .write_string_with_format(0, column as u16, *title, &bold)
                .map_err(xlsx_error)?;
        }
        let mut row = 0u32;
        let count = self.for_each_record(filter, &mut |record| {
            if row as usize >= XLSX_MAX_ROWS {
                return Err(StoreError::Invalid(format!(
                    "more than {XLSX_MAX_ROWS} rows match, more than a sheet holds: \
                     narrow the filter or export CSV"
                ))
                .into());
            }
            row += 1;
            for (column, value) in self.export_row(record)?.iter().enumerate() {
                sheet
                    .write_string(row, column as u16, value)
                    .map_err(xlsx_error)?;
            }
            Ok(())
        })?;
        let stats = self.stats(&StatsFilter {
            from: filter.from,
            to: filter.to,
            agent: filter.agent.clone(),
        })?;
        let counts = workbook.add_worksheet();
        counts.set_name("统计").map_err(xlsx_error)?;
        let mut r = 0u32;
        let mut line = |counts: &mut rust_xlsxwriter::Worksheet, a: &str, b: &str, n: u64| {
            let result = counts
                .write_string(r, 0, a)
                .and_then(|s| s.write_string(r, 1, b))
                .and_then(|s| s.write_number(r, 2, n as f64))
                .map(|_| ());
            r += 1;
            result
        };
        line(counts, "会话总数", "", stats.conversations).map_err(xlsx_error)?;
        line(counts, "已更正", "", stats.corrected).map_err(xlsx_error)?;
        for label in &stats.labels {
            line(counts, "标签", label.label, label.count).map_err(xlsx_error)?;
        }
        for agent in &stats.agents {
            let name = if agent.agent.is_empty() {
                "（未知）"
            } else {
                &agent.agent
            };
            line(counts, "客服", name, agent.conversations).map_err(xlsx_error)?;
        }
        for week in &stats.weeks {
            line(counts, "周", &week.period, week.conversations).map_err(xlsx_error)?;
        }
        workbook.save(path).map_err(xlsx_error)?;
        Ok(count)
    }
}
