//! `buyerlens templates`: list, add, edit, remove, import and export reply
//! templates; and the `--templates N` suggestions of `classify`.

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use buyerlens_core::store::{pack_to_toml, parse_pack, Template, TemplateDraft};
use buyerlens_core::suggest::{self, FillContext, Suggestion};
use buyerlens_core::{Classification, Label, Store};

use crate::{db, BadInput};

/// Template subcommands.
#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// List templates.
    List {
        /// Include disabled templates.
        #[arg(long)]
        all: bool,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Add a template.
    Add(Fields),
    /// Change a template (only the fields given).
    Edit {
        /// Template id.
        id: i64,
        #[command(flatten)]
        fields: Fields,
    },
    /// Remove a template (and its recorded uses).
    Rm {
        /// Template id.
        id: i64,
    },
    /// Import a template pack (TOML); templates with a known key are updated.
    Import {
        /// The pack file.
        file: PathBuf,
    },
    /// Export all templates as a pack (to FILE, or stdout).
    Export {
        /// The pack file to write.
        file: Option<PathBuf>,
    },
}

/// Template fields on the command line.
#[derive(Debug, clap::Args)]
pub struct Fields {
    /// Title.
    #[arg(long)]
    title: Option<String>,
    /// Reply text; placeholders {买家} {客服} {店铺} {商品}.
    #[arg(long)]
    body: Option<String>,
    /// Label codes or names it answers, comma-separated.
    #[arg(long)]
    tags: Option<String>,
    /// Group.
    #[arg(long)]
    group: Option<String>,
    /// Typing shortcut.
    #[arg(long)]
    shortcut: Option<String>,
    /// Stable key (for packs).
    #[arg(long)]
    key: Option<String>,
    /// Stop suggesting it.
    #[arg(long, conflicts_with = "enable")]
    disable: bool,
    /// Suggest it again.
    #[arg(long)]
    enable: bool,
}

fn tags(text: &str) -> anyhow::Result<Vec<Label>> {
    text.split([',', '，'])
        .filter(|t| !t.trim().is_empty())
        .map(|t| {
            let t = t.trim();
            Label::ALL
                .iter()
                .copied()
                .find(|l| l.code() == t || l.zh() == t)
                .ok_or_else(|| {
                    BadInput(format!(
                        "\"{t}\" is not a label code (e.g. bargain, novice, shipping)"
                    ))
                    .into()
                })
        })
        .collect()
}

impl Fields {
    fn apply(&self, draft: &mut TemplateDraft) -> anyhow::Result<()> {
        if let Some(v) = &self.title {
            draft.title = v.clone();
        }
        if let Some(v) = &self.body {
            draft.body = v.clone();
        }
        if let Some(v) = &self.tags {
            draft.tags = tags(v)?;
        }
        if let Some(v) = &self.group {
            draft.group = v.clone();
        }
        if let Some(v) = &self.shortcut {
            draft.shortcut = Some(v.clone()).filter(|s| !s.is_empty());
        }
        if let Some(v) = &self.key {
            draft.key = Some(v.clone()).filter(|s| !s.is_empty());
        }
        if self.disable {
            draft.enabled = false;
        }
        if self.enable {
            draft.enabled = true;
        }
        Ok(())
    }
}

/// Opens the store with the default pack installed on first use.
fn open(db_flag: Option<&Path>) -> anyhow::Result<Store> {
    let mut store = db::open(db_flag)?;
    store.install_default_templates(db::now())?;
    Ok(store)
}

fn print_list(templates: &[Template]) -> std::io::Result<()> {
    for t in templates {
        let tags: Vec<&str> = t.tags.iter().map(|l| l.zh()).collect();
        writeln!(
            std::io::stdout(),
            "{:>4}{} [{}] {} ({})  用{}次\n      {}",
            t.id,
            if t.enabled { " " } else { "-" },
            t.group,
            t.title,
            tags.join("/"),
            t.use_count,
            t.body
        )?;
    }
    Ok(())
}

pub fn run(command: Command, db_flag: Option<&Path>) -> anyhow::Result<ExitCode> {
    let mut store = open(db_flag)?;
    let now = db::now();
    if matches!(
        command,
        Command::Add(_) | Command::Edit { .. } | Command::Rm { .. } | Command::Import { .. }
    ) {
        db::require_supervisor(&mut store)?;
    }
    match command {
        Command::List { all, json } => {
            let templates = store.templates(all)?;
            if json {
                writeln!(std::io::stdout(), "{}", serde_json::to_string(&templates)?)?;
            } else {
                print_list(&templates)?;
            }
        }
        Command::Add(fields) => {
            let mut draft = TemplateDraft {
                key: None,
                title: String::new(),
                body: String::new(),
                tags: Vec::new(),
                group: String::new(),
                shortcut: None,
                enabled: true,
            };
            fields.apply(&mut draft)?;
            if draft.title.is_empty() || draft.body.is_empty() {
                return Err(BadInput("a template needs --title and --body".into()).into());
            }
            let id = store.add_template(&draft, now)?;
            writeln!(std::io::stdout(), "{id}")?;
        }
        Command::Edit { id, fields } => {
            let mut draft = TemplateDraft::from(&store.template(id)?);
            fields.apply(&mut draft)?;
            store.update_template(id, &draft, now)?;
        }
        Command::Rm { id } => store.delete_template(id)?,
        Command::Import { file } => {
            let source = std::fs::read(&file).map_err(|source| buyerlens_core::Error::Io {
                path: file.clone(),
                source,
            })?;
            let text = buyerlens_core::decode::decode_bytes(&source)?.text;
            let drafts = parse_pack(&text)?;
            let outcome = store.import_templates(&drafts, now)?;
            writeln!(
                std::io::stdout(),
                "{} added, {} updated",
                outcome.added,
                outcome.updated
            )?;
        }
        Command::Export { file } => {
            let drafts: Vec<TemplateDraft> = store
                .templates(true)?
                .iter()
                .map(TemplateDraft::from)
                .collect();
            let pack = pack_to_toml(&drafts);
            match file {
                Some(path) => std::fs::write(&path, pack)
                    .map_err(|source| buyerlens_core::Error::Io { path, source })?,
                None => write!(std::io::stdout(), "{pack}")?,
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// The `n` best templates for a classification (for `classify --templates N`).
pub fn suggest_for(
    result: &Classification,
    n: usize,
    db_flag: Option<&Path>,
) -> anyhow::Result<Vec<Suggestion>> {
    let store = open(db_flag)?;
    let templates = store.templates(false)?;
    Ok(suggest::suggest(
        &templates,
        result,
        &FillContext::from_classification(result),
        n,
    ))
}
