//! The keyword lexicon: cues that point to labels, as data.
//!
//! A lexicon is a TOML document (the default is `assets/lexicon.toml`):
//!
//! ```toml
//! version = "2026.11"
//!
//! [negation]
//! before = ["不", "没", "不用", "无所谓"]   # cancel a cue they precede
//! after = ["无所谓", "都行"]                # cancel a cue they follow
//! window = 4                                # chars before the cue, same clause
//!
//! [labels.bargain]
//! cues = [
//!   { cue = "包邮", means = "问是否免运费" },
//!   { regex = "便宜(一)?点", weight = 1.0, means = "要求降价" },
//! ]
//!
//! [mask]   # phrases that contain a cue but do not mean it
//! cues = [{ cue = "安全路", means = "地名，不是求安" }]
//! ```
//!
//! Each cue has a literal `cue` or a `regex` (matched against normalised
//! text: Simplified, half-width, lower case, no spaces), a `weight`
//! (default 1.0; a label holds when its cues add up to 1.0), `means` (why
//! it points to the label), an optional `id` (default `label/pattern`) and
//! `negatable` (default true; false for worry words such as 掉色 whose
//! negated form still asks about the concern).

use std::collections::{BTreeMap, HashSet};

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::label::Label;
use crate::normalize::normalize;

/// The default lexicon shipped in `assets/lexicon.toml`.
pub const DEFAULT_LEXICON: &str = include_str!("../../../assets/lexicon.toml");

/// What a cue matches.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Pattern {
    /// A literal phrase (normalised before matching).
    Literal(String),
    /// A regular expression over normalised text.
    Regex(String),
}

impl Pattern {
    /// The pattern's source text.
    pub fn as_str(&self) -> &str {
        match self {
            Pattern::Literal(s) | Pattern::Regex(s) => s,
        }
    }
}

/// What a cue stands for: a label, or a mask that hides cues inside it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Target {
    /// Evidence for this label.
    Label(Label),
    /// A phrase that contains cues but means none of them (安全路).
    Mask,
}

/// One validated lexicon entry.
#[derive(Debug, Clone, PartialEq)]
pub struct Cue {
    /// Stable rule id shown in evidence, e.g. `bargain/包邮`.
    pub id: String,
    /// What it points to.
    pub target: Target,
    /// What to match.
    pub pattern: Pattern,
    /// How much it counts; a label holds at a total of 1.0.
    pub weight: f32,
    /// Why it points to the label.
    pub means: String,
    /// Whether a preceding negation cancels it.
    pub negatable: bool,
}

/// Negation and dismissal words.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Negation {
    /// Words that cancel a cue they precede within `window` chars.
    #[serde(default)]
    pub before: Vec<String>,
    /// Words that cancel a cue they directly follow (`价格无所谓`).
    #[serde(default)]
    pub after: Vec<String>,
    /// How many chars before a cue a negation may stand.
    #[serde(default = "default_window")]
    pub window: usize,
}

fn default_window() -> usize {
    4
}

impl Default for Negation {
    fn default() -> Self {
        Negation {
            before: Vec::new(),
            after: Vec::new(),
            window: default_window(),
        }
    }
}

/// A validated lexicon, ready to be compiled into a classifier.
#[derive(Debug, Clone, PartialEq)]
pub struct Lexicon {
    /// The lexicon's version, stored with each classification.
    pub version: String,
    /// Negation words.
    pub negation: Negation,
    /// All cues, in file order.
    pub cues: Vec<Cue>,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct LexiconFile {
    #[serde(default)]
    version: String,
    #[serde(default)]
    negation: Negation,
    #[serde(default)]
    labels: BTreeMap<String, Section>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    mask: Option<Section>,
}

#[derive(Debug, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Section {
    #[serde(default)]
    cues: Vec<Entry>,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Entry {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    cue: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    regex: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    weight: Option<f32>,
    #[serde(default)]
    means: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    negatable: Option<bool>,
}

/// The largest weight a single cue may carry.
pub const MAX_WEIGHT: f32 = 5.0;

impl Lexicon {
    /// The default lexicon shipped with BuyerLens.
    ///
    /// # Panics
    /// Never in a released build: a test checks the shipped file is valid.
    pub fn default_lexicon() -> Lexicon {
        Lexicon::from_toml(DEFAULT_LEXICON).expect("the shipped lexicon is valid")
    }

    /// Parses and validates a lexicon document.
    ///
    /// # Errors
    /// [`Error::Lexicon`] naming the line (TOML syntax), or the section and
    /// entry (unknown category, missing or doubled pattern, broken regex,
    /// duplicate id, weight out of range).
    pub fn from_toml(source: &str) -> Result<Lexicon> {
        let file: LexiconFile =
            toml::from_str(source).map_err(|e| Error::Lexicon(e.to_string().trim().to_string()))?;
        let mut cues = Vec::new();
        for (section, body) in &file.labels {
            let label = Label::from_code(section).ok_or_else(|| {
                Error::Lexicon(format!(
                    "unknown category [labels.{section}]: use a code of TAXONOMY.md ({})",
                    Label::ALL
                        .iter()
                        .map(|l| l.code())
                        .collect::<Vec<_>>()
                        .join(", ")
                ))
            })?;
            for (index, entry) in body.cues.iter().enumerate() {
                cues.push(validate_entry(section, index, entry, Target::Label(label))?);
            }
        }
        if let Some(mask) = &file.mask {
            for (index, entry) in mask.cues.iter().enumerate() {
                cues.push(validate_entry("mask", index, entry, Target::Mask)?);
            }
        }
        let mut seen = HashSet::new();
        for cue in &cues {
            if !seen.insert(cue.id.as_str()) {
                return Err(Error::Lexicon(format!(
                    "duplicate id {:?}: ids must be unique",
                    cue.id
                )));
            }
        }
        if file.negation.window > 20 {
            return Err(Error::Lexicon(format!(
                "negation window {} is too wide: use at most 20 chars",
                file.negation.window
            )));
        }
        let version = if file.version.is_empty() {
            "custom".to_string()
        } else {
            file.version
        };
        Ok(Lexicon {
            version,
            negation: file.negation,
            cues,
        })
    }

    /// Writes the lexicon back as a TOML document that [`Lexicon::from_toml`] reads.
    pub fn to_toml(&self) -> String {
        let mut labels: BTreeMap<String, Section> = BTreeMap::new();
        let mut mask = Section::default();
        for cue in &self.cues {
            let default_id = default_id(cue.target, &cue.pattern);
            let entry = Entry {
                id: (cue.id != default_id).then(|| cue.id.clone()),
                cue: matches!(cue.pattern, Pattern::Literal(_))
                    .then(|| cue.pattern.as_str().into()),
                regex: matches!(cue.pattern, Pattern::Regex(_))
                    .then(|| cue.pattern.as_str().into()),
                weight: (cue.weight != 1.0).then_some(cue.weight),
                means: cue.means.clone(),
                negatable: (!cue.negatable).then_some(false),
            };
            match cue.target {
                Target::Label(label) => labels
                    .entry(label.code().to_string())
                    .or_default()
                    .cues
                    .push(entry),
                Target::Mask => mask.cues.push(entry),
            }
        }
        let file = LexiconFile {
            version: self.version.clone(),
            negation: self.negation.clone(),
            labels,
            mask: (!mask.cues.is_empty()).then_some(mask),
        };
        toml::to_string(&file).unwrap_or_default()
    }
}

fn default_id(target: Target, pattern: &Pattern) -> String {
    let prefix = match target {
        Target::Label(label) => label.code(),
        Target::Mask => "mask",
    };
    format!("{prefix}/{}", pattern.as_str())
}

fn validate_entry(section: &str, index: usize, entry: &Entry, target: Target) -> Result<Cue> {
    let name = || {
        let what = entry
            .id
            .as_deref()
            .or(entry.cue.as_deref())
            .or(entry.regex.as_deref());
        format!("[{section}] cue #{} ({})", index + 1, what.unwrap_or("?"))
    };
    let pattern = match (&entry.cue, &entry.regex) {
        (Some(_), Some(_)) => {
            return Err(Error::Lexicon(format!(
                "{}: give either cue or regex, not both",
                name()
            )))
        }
        (None, None) => {
            return Err(Error::Lexicon(format!(
                "{}: needs a cue or a regex",
                name()
            )));
        }
        (Some(literal), None) => {
            if normalize(literal).text.is_empty() {
                return Err(Error::Lexicon(format!("{}: the cue is empty", name())));
            }
            Pattern::Literal(literal.clone())
        }
        (None, Some(regex)) => {
            // Parsed, not compiled: the classifier compiles the few regexes
            // that need it (most become literals), and compiling all of
            // them here doubled the start-up time.
            let parsed = regex_syntax::Parser::new()
                .parse(regex)
                .map_err(|e| Error::Lexicon(format!("{}: broken regex: {e}", name())))?;
            if parsed.properties().minimum_len() == Some(0) {
                return Err(Error::Lexicon(format!(
                    "{}: the regex matches empty text",
                    name()
                )));
            }
            Pattern::Regex(regex.clone())
        }
    };
    let weight = entry.weight.unwrap_or(1.0);
    if !(weight > 0.0 && weight <= MAX_WEIGHT) {
        return Err(Error::Lexicon(format!(
            "{}: weight {weight} is out of range (0, {MAX_WEIGHT}]",
            name()
        )));
    }
    let id = match &entry.id {
        Some(id) if id.trim().is_empty() => {
            return Err(Error::Lexicon(format!("{}: the id is empty", name())))
        }
        Some(id) => id.clone(),
        None => default_id(target, &pattern),
    };
    Ok(Cue {
        id,
        target,
        pattern,
        weight,
        means: entry.means.clone(),
        negatable: entry.negatable.unwrap_or(true),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn error_of(source: &str) -> String {
        Lexicon::from_toml(source).unwrap_err().to_string()
    }

    // The shipped lexicon loads and covers every label of the taxonomy.
    #[test]
    fn default_lexicon_covers_every_label() {
        let lexicon = Lexicon::default_lexicon();
        for &label in Label::ALL {
            if label == Label::ExperienceUnknown || label == Label::Shopper {
                continue; // the absence of evidence; shopper also has cues but may rely on topics
            }
            assert!(
                lexicon
                    .cues
                    .iter()
                    .any(|c| c.target == Target::Label(label)),
                "no cue for {}",
                label.code()
            );
        }
    }

    // Validation errors name the entry and the problem.
    #[test]
    fn errors_name_the_entry() {
        let e = error_of("[labels.bargin]\ncues = [{ cue = \"包邮\" }]");
        assert!(e.contains("unknown category [labels.bargin]"), "{e}");
        let e = error_of("[labels.bargain]\ncues = [{ regex = \"(便宜\", means = \"x\" }]");
        assert!(
            e.contains("[bargain] cue #1 ((便宜)") && e.contains("broken regex"),
            "{e}"
        );
        let e = error_of("[labels.bargain]\ncues = [{ cue = \"包邮\" }, { cue = \"包邮\" }]");
        assert!(e.contains("duplicate id \"bargain/包邮\""), "{e}");
        let e = error_of("[labels.bargain]\ncues = [{ cue = \"包邮\", weight = 0 }]");
        assert!(e.contains("weight 0 is out of range"), "{e}");
        let e = error_of("[labels.bargain]\ncues = [{ means = \"x\" }]");
        assert!(e.contains("needs a cue or a regex"), "{e}");
        let e = error_of("[labels.bargain]\ncues = [{ cue = \" \" }]");
        assert!(e.contains("the cue is empty"), "{e}");
        let e = error_of("[labels.bargain]\ncues = [{ regex = \"a*\" }]");
        assert!(e.contains("matches empty text"), "{e}");
        let e = error_of("[labels.bargain]\ncues = [{ cue = \"x\", colour = 1 }]");
        assert!(e.contains("unknown field"), "{e}");
        let e = error_of("[labels.bargain\n");
        assert!(e.contains("line 1"), "{e}");
    }

    // Writing a lexicon out and reading it back gives the same lexicon.
    #[test]
    fn toml_round_trip() {
        let lexicon = Lexicon::default_lexicon();
        let again = Lexicon::from_toml(&lexicon.to_toml()).unwrap();
        assert_eq!(lexicon.cues.len(), again.cues.len());
        assert_eq!(lexicon, again);
    }
}
