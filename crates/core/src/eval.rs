//! Measuring the classifier against labeled conversations.
//!
//! Input: JSONL lines `{"id", "format", "text", "labels": {"motives": [..],
//! "experience": "..", "intent": "..", "topics": [..]}}` (TAXONOMY.md §6).
//! Output: per-label precision/recall/F1, micro and macro F1 for the
//! multi-label axes, accuracy and a confusion matrix for the single-label
//! axes, figures per `format`, and the misclassified conversations with the
//! evidence that misled.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::label::{Axis, Label};
use crate::model::{Classification, Evidence};

/// Gold labels of one conversation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GoldLabels {
    /// Motive codes.
    #[serde(default)]
    pub motives: Vec<String>,
    /// Experience code.
    pub experience: String,
    /// Intent code.
    pub intent: String,
    /// Topic codes.
    #[serde(default)]
    pub topics: Vec<String>,
}

/// One labeled conversation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Example {
    /// The conversation's id.
    pub id: String,
    /// The shape as labeled (for per-format figures); `unknown` if absent.
    #[serde(default = "unknown_format")]
    pub format: String,
    /// The transcript.
    pub text: String,
    /// The gold labels.
    pub labels: GoldLabels,
}

fn unknown_format() -> String {
    "unknown".into()
}

/// Reads labeled JSONL; blank lines are skipped.
///
/// # Errors
/// [`Error::BadLine`] naming the first line that is not a labeled example,
/// or that uses a label code the taxonomy doesn't have.
pub fn read_examples(jsonl: &str) -> Result<Vec<Example>> {
    let mut examples = Vec::new();
    for (index, line) in jsonl.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let bad = |message: String| Error::BadLine {
            line: index + 1,
            message,
        };
        let example: Example = serde_json::from_str(line).map_err(|e| bad(e.to_string()))?;
        let labels = &example.labels;
        let check = |axis: Axis, code: &str| {
            Label::from_axis_code(axis, code)
                .map(|_| ())
                .ok_or_else(|| bad(format!("unknown {} label {code:?}", axis.code())))
        };
        labels
            .motives
            .iter()
            .try_for_each(|c| check(Axis::Motive, c))?;
        labels
            .topics
            .iter()
            .try_for_each(|c| check(Axis::Topic, c))?;
        check(Axis::Experience, &labels.experience)?;
        check(Axis::Intent, &labels.intent)?;
        examples.push(example);
    }
    if examples.is_empty() {
        return Err(Error::Eval("no labeled conversations in the input".into()));
    }
    Ok(examples)
}

/// Precision, recall and F1 of one label.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LabelMetrics {
    /// The label code.
    pub code: String,
    /// True positives.
    pub tp: usize,
    /// False positives.
    pub fp: usize,
    /// False negatives.
    pub fn_: usize,
    /// tp / (tp + fp), 0 when nothing was predicted.
    pub precision: f64,
    /// tp / (tp + fn), 0 when nothing was expected.
    pub recall: f64,
    /// Harmonic mean of precision and recall.
    pub f1: f64,
}

/// Figures for a multi-label axis.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MultiLabelMetrics {
    /// One row per label of the axis.
    pub labels: Vec<LabelMetrics>,
    /// F1 over all pooled decisions.
    pub micro_f1: f64,
    /// Mean of the per-label F1s.
    pub macro_f1: f64,
}

/// Figures for a single-label axis.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SingleLabelMetrics {
    /// Share of conversations labeled right.
    pub accuracy: f64,
    /// Label codes, the order of the matrix rows and columns.
    pub codes: Vec<String>,
    /// `confusion[expected][predicted]` counts.
    pub confusion: Vec<Vec<usize>>,
}

/// Headline figures for one transcript format.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FormatFigures {
    /// Conversations of this format.
    pub conversations: usize,
    /// Motives micro-F1.
    pub motives_micro_f1: f64,
    /// Topics micro-F1.
    pub topics_micro_f1: f64,
    /// Experience accuracy.
    pub experience_accuracy: f64,
    /// Intent accuracy.
    pub intent_accuracy: f64,
}

/// A conversation the classifier got wrong on some axis.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Miss {
    /// The conversation's id.
    pub id: String,
    /// The axis (`motive`, `experience`, `intent`, `topic`).
    pub axis: String,
    /// Labels predicted but not expected.
    pub extra: Vec<String>,
    /// Labels expected but not predicted.
    pub missing: Vec<String>,
    /// The evidence behind the wrong predictions: what misled.
    pub misleading: Vec<Evidence>,
}

/// The whole evaluation.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Report {
    /// Number of conversations.
    pub conversations: usize,
    /// Motives.
    pub motives: MultiLabelMetrics,
    /// Topics.
    pub topics: MultiLabelMetrics,
    /// Experience.
    pub experience: SingleLabelMetrics,
    /// Intent.
    pub intent: SingleLabelMetrics,
    /// Headline figures per labeled format.
    pub per_format: BTreeMap<String, FormatFigures>,
    /// Misclassified conversations, in input order.
    pub misses: Vec<Miss>,
}

fn ratio(a: usize, b: usize) -> f64 {
    if b == 0 {
        0.0
    } else {
        a as f64 / b as f64
    }
}

fn f1(precision: f64, recall: f64) -> f64 {
    if precision + recall == 0.0 {
        0.0
    } else {
        2.0 * precision * recall / (precision + recall)
    }
}

/// Multi-label figures from (expected, predicted) code sets.
pub fn multi_label(
    axis: Axis,
    pairs: &[(BTreeSet<String>, BTreeSet<String>)],
) -> MultiLabelMetrics {
    let mut labels = Vec::new();
    let (mut tp_all, mut fp_all, mut fn_all) = (0, 0, 0);
    for label in Label::of_axis(axis) {
        let code = label.code();
        let (mut tp, mut fp, mut fn_) = (0, 0, 0);
        for (expected, predicted) in pairs {
            match (expected.contains(code), predicted.contains(code)) {
                (true, true) => tp += 1,
                (false, true) => fp += 1,
                (true, false) => fn_ += 1,
                (false, false) => {}
            }
        }
        tp_all += tp;
        fp_all += fp;
        fn_all += fn_;
        let precision = ratio(tp, tp + fp);
        let recall = ratio(tp, tp + fn_);
        labels.push(LabelMetrics {
            code: code.into(),
            tp,
            fp,
            fn_,
            precision,
            recall,
            f1: f1(precision, recall),
        });
    }
    let micro_f1 = f1(
        ratio(tp_all, tp_all + fp_all),
        ratio(tp_all, tp_all + fn_all),
    );
    let macro_f1 = labels.iter().map(|l| l.f1).sum::<f64>() / labels.len().max(1) as f64;
    MultiLabelMetrics {
        labels,
        micro_f1,
        macro_f1,
    }
}

/// Single-label figures from (expected, predicted) codes.
pub fn single_label(axis: Axis, pairs: &[(String, String)]) -> SingleLabelMetrics {
    let codes: Vec<String> = Label::of_axis(axis).map(|l| l.code().to_string()).collect();
    let mut confusion = vec![vec![0; codes.len()]; codes.len()];
    let index = |code: &str| codes.iter().position(|c| c == code);
    let mut right = 0;
    for (expected, predicted) in pairs {
        if expected == predicted {
            right += 1;
        }
        if let (Some(e), Some(p)) = (index(expected), index(predicted)) {
            confusion[e][p] += 1;
        }
    }
    SingleLabelMetrics {
        accuracy: ratio(right, pairs.len()),
        codes,
        confusion,
    }
}

fn codes(scores: &[crate::model::LabelScore]) -> BTreeSet<String> {
    scores.iter().map(|s| s.code.code().to_string()).collect()
}

/// Evaluates predictions against examples (paired by position).
pub fn evaluate(examples: &[Example], predictions: &[Classification]) -> Report {
    let mut motive_pairs = Vec::new();
    let mut topic_pairs = Vec::new();
    let mut experience_pairs = Vec::new();
    let mut intent_pairs = Vec::new();
    let mut misses = Vec::new();
    for (example, predicted) in examples.iter().zip(predictions) {
        let gold = &example.labels;
        let expected_motives: BTreeSet<String> = gold.motives.iter().cloned().collect();
        let expected_topics: BTreeSet<String> = gold.topics.iter().cloned().collect();
        let multi = [
            (
                "motive",
                expected_motives.clone(),
                codes(&predicted.motives),
                &predicted.motives,
            ),
            (
                "topic",
                expected_topics.clone(),
                codes(&predicted.topics),
                &predicted.topics,
            ),
        ];
        for (axis, expected, got, scores) in multi {
            if expected != got {
                let extra: Vec<String> = got.difference(&expected).cloned().collect();
                let misleading = scores
                    .iter()
                    .filter(|s| extra.iter().any(|e| e == s.code.code()))
                    .flat_map(|s| s.evidence.iter().cloned())
                    .collect();
                misses.push(Miss {
                    id: example.id.clone(),
                    axis: axis.into(),
                    extra,
                    missing: expected.difference(&got).cloned().collect(),
                    misleading,
                });
            }
        }
        for (axis, expected, got) in [
            ("experience", &gold.experience, &predicted.experience),
            ("intent", &gold.intent, &predicted.intent),
        ] {
            if expected != got.code.code() {
                misses.push(Miss {
                    id: example.id.clone(),
                    axis: axis.into(),
                    extra: vec![got.code.code().into()],
                    missing: vec![expected.clone()],
                    misleading: got.evidence.clone(),
                });
            }
        }
        motive_pairs.push((expected_motives, codes(&predicted.motives)));
        topic_pairs.push((expected_topics, codes(&predicted.topics)));
        experience_pairs.push((
            gold.experience.clone(),
            predicted.experience.code.code().to_string(),
        ));
        intent_pairs.push((
            gold.intent.clone(),
            predicted.intent.code.code().to_string(),
        ));
    }
    let mut per_format = BTreeMap::new();
    let formats: BTreeSet<&str> = examples.iter().map(|e| e.format.as_str()).collect();
    for format in formats {
        let pick = |i: &usize| examples[*i].format == format;
        let indices: Vec<usize> = (0..examples.len().min(predictions.len()))
            .filter(pick)
            .collect();
        let sub = |pairs: &Vec<(BTreeSet<String>, BTreeSet<String>)>| {
            indices
                .iter()
                .map(|&i| pairs[i].clone())
                .collect::<Vec<_>>()
        };
        let sub1 = |pairs: &Vec<(String, String)>| {
            indices
                .iter()
                .map(|&i| pairs[i].clone())
                .collect::<Vec<_>>()
        };
        per_format.insert(
            format.to_string(),
            FormatFigures {
                conversations: indices.len(),
                motives_micro_f1: multi_label(Axis::Motive, &sub(&motive_pairs)).micro_f1,
                topics_micro_f1: multi_label(Axis::Topic, &sub(&topic_pairs)).micro_f1,
                experience_accuracy: single_label(Axis::Experience, &sub1(&experience_pairs))
                    .accuracy,
                intent_accuracy: single_label(Axis::Intent, &sub1(&intent_pairs)).accuracy,
            },
        );
    }
    Report {
        conversations: examples.len().min(predictions.len()),
        motives: multi_label(Axis::Motive, &motive_pairs),
        topics: multi_label(Axis::Topic, &topic_pairs),
        experience: single_label(Axis::Experience, &experience_pairs),
        intent: single_label(Axis::Intent, &intent_pairs),
        per_format,
        misses,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set(codes: &[&str]) -> BTreeSet<String> {
        codes.iter().map(|c| c.to_string()).collect()
    }

    // Precision, recall, F1 and micro/macro follow their textbook definitions.
    #[test]
    fn multi_label_arithmetic() {
        let pairs = vec![
            (set(&["bargain", "speed"]), set(&["bargain"])), // bargain tp, speed fn
            (set(&["bargain"]), set(&["bargain", "safety"])), // bargain tp, safety fp
            (set(&[]), set(&["speed"])),                     // speed fp
        ];
        let m = multi_label(Axis::Motive, &pairs);
        let row = |code: &str| m.labels.iter().find(|l| l.code == code).unwrap().clone();
        let bargain = row("bargain");
        assert_eq!((bargain.tp, bargain.fp, bargain.fn_), (2, 0, 0));
        assert_eq!(bargain.f1, 1.0);
        let speed = row("speed");
        assert_eq!((speed.tp, speed.fp, speed.fn_), (0, 1, 1));
        assert_eq!(speed.f1, 0.0);
        // micro: tp 2, fp 2, fn 1 → p 0.5, r 2/3 → f1 4/7
        assert!((m.micro_f1 - 4.0 / 7.0).abs() < 1e-12, "{}", m.micro_f1);
        // macro: bargain 1, the other eight 0 → 1/9
        assert!((m.macro_f1 - 1.0 / 9.0).abs() < 1e-12, "{}", m.macro_f1);
    }

    // Accuracy and the confusion matrix count expected × predicted.
    #[test]
    fn single_label_arithmetic() {
        let pairs: Vec<(String, String)> = [
            ("novice", "novice"),
            ("novice", "unknown"),
            ("experienced", "experienced"),
            ("unknown", "novice"),
        ]
        .iter()
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect();
        let m = single_label(Axis::Experience, &pairs);
        assert_eq!(m.codes, vec!["novice", "experienced", "unknown"]);
        assert_eq!(m.accuracy, 0.5);
        assert_eq!(
            m.confusion,
            vec![vec![1, 0, 1], vec![0, 1, 0], vec![1, 0, 0]]
        );
    }

    // Bad lines name their line number; unknown codes are refused.
    #[test]
    fn read_examples_errors() {
        let ok = r#"{"id":"a","text":"x","labels":{"motives":["bargain"],"experience":"novice","intent":"shopper","topics":[]}}"#;
        assert_eq!(read_examples(ok).unwrap().len(), 1);
        let bad_code = ok.replace("bargain", "bargin");
        let e = read_examples(&format!("{ok}\n{bad_code}"))
            .unwrap_err()
            .to_string();
        assert!(e.starts_with("line 2:") && e.contains("bargin"), "{e}");
        let e = read_examples("{not json").unwrap_err().to_string();
        assert!(e.starts_with("line 1:"), "{e}");
    }
}
