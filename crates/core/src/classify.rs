//! The classifier: buyer words in, labels with evidence out.
//!
//! # How a transcript is scored
//!
//! 1. The transcript is parsed ([`crate::transcript::parse`]); only the
//!    buyer's non-system messages are scanned.
//! 2. Each message is normalised ([`crate::normalize`]) and searched once
//!    with an Aho-Corasick automaton of every literal cue (overlapping
//!    matches), plus the lexicon's few regexes.
//! 3. Matches are resolved per message: a `[mask]` phrase hides every cue
//!    inside it (安全路 is an address, not 求安); a cue inside a longer cue
//!    of the same label — or, on a single-label axis, of the same axis —
//!    gives way to the longer one (怎么确认收货 is novice, not the
//!    experienced 确认收货); a negation word up to `window` chars before
//!    the cue in the same clause (不急, 不用送) or a dismissal right after
//!    it (价格无所谓) cancels it, except in A不A questions (能不能便宜) and
//!    in clauses that ask (不会掉色吧？), which still show the concern.
//! 4. A label's support is the sum of the weights of its distinct rules
//!    (a rule repeated counts once). Multi-label axes (motives, topics):
//!    a label holds at support ≥ [`HOLDS_AT`]. Its score is
//!    `1 − e^(−support)`: 0.63 at the threshold, 0.86 at twice it.
//! 5. Intent (exactly one): non-buyer cues at the threshold decide first
//!    (a competitor also asks about items), and a non-buyer gets no
//!    motives or topics; then info-seeker cues at the threshold, unless
//!    order actions (shopper cues) weigh as much; else shopper — what a
//!    buyer who asks routine questions is, and the default for a chat with
//!    no intent evidence (score 0.5 then).
//! 6. Experience (exactly one): a stated credit level adds
//!    [`CREDIT_WEIGHT`] to its side (≥ 三心 experienced, below novice);
//!    a held 求惯 motive (a repeat buyer) adds [`REPEAT_BUYER_WEIGHT`] to
//!    the experienced side.
//!    The larger side wins when it reaches [`HOLDS_AT`], novice on a tie
//!    (a buyer who asks how to pay is a novice even if they say 拍下).
//!    With neither side at the threshold, a shopper who asked routine
//!    questions with no novice sign is experienced (the taxonomy: "asks
//!    only routine questions efficiently"), scored low; else `unknown`.

use std::sync::Arc;

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind};
use regex::Regex;

use crate::error::{Error, Result};
use crate::label::{Axis, Label};
use crate::lexicon::{Lexicon, Pattern, Target};
use crate::model::{Classification, Evidence, LabelScore, Speaker};
use crate::normalize::{is_clause_break, normalize, Normalized};
use crate::transcript::{credit_is_experienced, parse, Transcript};

mod needs;
use needs::Gate;

/// Support at which a label holds.
pub const HOLDS_AT: f32 = 1.0;
/// Support a stated buyer credit level adds to its experience side.
pub const CREDIT_WEIGHT: f32 = 2.0;
/// Support the 求惯 motive (a repeat buyer) adds to the experienced side.
pub const REPEAT_BUYER_WEIGHT: f32 = 0.6;

/// A compiled lexicon: classifies transcripts.
///
/// # Resource usage
/// Building compiles one Aho-Corasick automaton over every literal cue and
/// one regex per regex cue; build once and reuse. Classification allocates
/// per message and never compiles anything.
///
/// # Cloning
/// The compiled matchers sit behind an `Arc`: cloning is cheap, and a
/// `Classifier` is `Send + Sync`, so threads can share or clone it. When a
/// supervisor edits the lexicon, build a new one and swap it in.
#[derive(Clone, Debug)]
pub struct Classifier {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    version: String,
    rules: Vec<Rule>,
    literals: AhoCorasick,
    /// Aho-Corasick pattern index → rule index.
    literal_rule: Vec<usize>,
    /// Regexes whose language is not a small finite set, with their rule.
    regexes: Vec<(Regex, usize)>,
    /// What a message must contain for each of `regexes` to match it
    /// (`None`: nothing, the regex runs on every message).
    ///
    /// Measured: a `RegexSet` pass over every message (the first design)
    /// fell back to its PikeVM on real chats and took 80% of classification
    /// time; a literal scan that picks the few regexes worth running is
    /// several times faster.
    gates: Vec<Option<Gate>>,
    /// Every gate's trigger literals, as one automaton.
    triggers: AhoCorasick,
    /// `triggers` pattern index → the regex it triggers.
    trigger_regex: Vec<usize>,
    /// Negation words that cancel a cue after them, as one automaton:
    /// searching the window once for all of them, instead of each word on
    /// its own, took a sixth of classification time off.
    negation_before: AhoCorasick,
    /// `negation_before` pattern index → the word.
    negation_before_words: Vec<String>,
    /// Dismissals that cancel a cue before them (价格无所谓), as one automaton.
    negation_after: AhoCorasick,
    window: usize,
}

#[derive(Debug)]
struct Rule {
    id: String,
    target: Target,
    weight: f32,
    negatable: bool,
}

/// One cue found in one message, in normalised byte offsets.
#[derive(Debug, Clone, Copy)]
struct Hit {
    rule: usize,
    start: usize,
    end: usize,
}

impl Classifier {
    /// Compiles a validated lexicon.
    ///
    /// # Errors
    /// [`Error::Lexicon`] when the automaton or a regex cannot be built
    /// (a lexicon from [`Lexicon::from_toml`] is already validated, so this
    /// only fails on resource limits).
    pub fn new(lexicon: &Lexicon) -> Result<Classifier> {
        let mut rules = Vec::with_capacity(lexicon.cues.len());
        let mut patterns: Vec<Vec<u8>> = Vec::new();
        let mut literal_rule = Vec::new();
        let mut regexes = Vec::new();
        for (index, cue) in lexicon.cues.iter().enumerate() {
            rules.push(Rule {
                id: cue.id.clone(),
                target: cue.target,
                weight: cue.weight,
                negatable: cue.negatable,
            });
            match &cue.pattern {
                Pattern::Literal(text) => {
                    patterns.push(normalize(text).text.into_bytes());
                    literal_rule.push(index);
                }
                Pattern::Regex(source) => match finite_language(source) {
                    // Most lexicon regexes are alternations of phrases: they
                    // join the one automaton scan instead of running alone.
                    Some(literals) => {
                        for literal in literals {
                            patterns.push(literal);
                            literal_rule.push(index);
                        }
                    }
                    None => {
                        let regex = Regex::new(source).map_err(|e| {
                            Error::Lexicon(format!("{}: broken regex: {e}", cue.id))
                        })?;
                        regexes.push((regex, index));
                    }
                },
            }
        }
        let literals = AhoCorasickBuilder::new()
            .match_kind(MatchKind::Standard)
            .build(&patterns)
            .map_err(|e| Error::Lexicon(format!("cannot build the cue automaton: {e}")))?;
        let fold = |words: &[String]| {
            words
                .iter()
                .map(|w| normalize(w).text)
                .filter(|w| !w.is_empty())
                .collect()
        };
        // Each open regex is run only on messages that contain what every
        // match of it contains.
        let gates: Vec<Option<Gate>> = regexes
            .iter()
            .map(|(regex, _)| Gate::of_regex(regex.as_str()))
            .collect();
        let mut trigger_patterns: Vec<&[u8]> = Vec::new();
        let mut trigger_regex = Vec::new();
        for (which, gate) in gates.iter().enumerate() {
            for literal in gate.iter().flat_map(|g| &g.trigger) {
                trigger_patterns.push(literal);
                trigger_regex.push(which);
            }
        }
        let triggers = AhoCorasickBuilder::new()
            .match_kind(MatchKind::Standard)
            .build(&trigger_patterns)
            .map_err(|e| Error::Lexicon(format!("cannot build the regex triggers: {e}")))?;
        let negation_before_words: Vec<String> = fold(&lexicon.negation.before);
        let negation_before = AhoCorasickBuilder::new()
            .match_kind(MatchKind::Standard)
            .build(&negation_before_words)
            .map_err(|e| Error::Lexicon(format!("cannot build the negation automaton: {e}")))?;
        let negation_after_words: Vec<String> = fold(&lexicon.negation.after);
        let negation_after = AhoCorasickBuilder::new()
            .match_kind(MatchKind::Standard)
            .build(&negation_after_words)
            .map_err(|e| Error::Lexicon(format!("cannot build the dismissal automaton: {e}")))?;
        Ok(Classifier {
            inner: Arc::new(Inner {
                version: lexicon.version.clone(),
                rules,
                literals,
                literal_rule,
                regexes,
                gates,
                triggers,
                trigger_regex,
                negation_before,
                negation_before_words,
                negation_after,
                window: lexicon.negation.window,
            }),
        })
    }

    /// The version of the lexicon this classifier was built from.
    pub fn lexicon_version(&self) -> &str {
        &self.inner.version
    }

    /// The ids of the rules whose evidence this classifier gives.
    pub fn rule_ids(&self) -> impl Iterator<Item = &str> {
        self.inner.rules.iter().map(|rule| rule.id.as_str())
    }

    /// Parses and classifies a transcript.
    ///
    /// # Errors
    /// [`Error::EmptyInput`] when the text is empty or only whitespace.
    pub fn classify(&self, text: &str) -> Result<Classification> {
        if text.trim().is_empty() {
            return Err(Error::EmptyInput);
        }
        Ok(self.classify_transcript(parse(text)))
    }

    /// Classifies an already parsed transcript.
    pub fn classify_transcript(&self, transcript: Transcript) -> Classification {
        let inner = &*self.inner;
        // Without any buyer message, unattributed messages are the buyer's:
        // a chat is about its buyer.
        let has_buyer = transcript
            .messages
            .iter()
            .any(|m| m.speaker == Speaker::Buyer);
        let mut support = Supports::default();
        for (index, message) in transcript.messages.iter().enumerate() {
            let counts = message.speaker == Speaker::Buyer
                || (!has_buyer && message.speaker == Speaker::Unknown);
            if !counts || message.system {
                continue;
            }
            let normalized = normalize(&message.text);
            let hits = inner.resolve(&normalized);
            if hits.is_empty() {
                continue;
            }
            // Char index → byte offset, once per message: slicing evidence
            // out char by char from the start cost a tenth of scoring.
            let byte_at: Vec<usize> = message
                .text
                .char_indices()
                .map(|(at, _)| at)
                .chain(std::iter::once(message.text.len()))
                .collect();
            for hit in hits {
                let rule = &inner.rules[hit.rule];
                let Target::Label(label) = rule.target else {
                    continue;
                };
                let (start, end) = normalized.original_range(hit.start, hit.end);
                support.entry(label).add(
                    hit.rule,
                    rule.weight,
                    Evidence {
                        message: index,
                        start,
                        end,
                        text: message.text[byte_at[start]..byte_at[end]].to_string(),
                        rule: rule.id.clone(),
                    },
                );
            }
        }
        if let Some(credit) = &transcript.buyer_credit {
            let side = if credit_is_experienced(credit) {
                Label::Experienced
            } else {
                Label::Novice
            };
            support.entry(side).total += CREDIT_WEIGHT;
        }
        decide(transcript, support)
    }
}

/// The support gathered for one label.
#[derive(Debug, Default)]
struct Support {
    total: f32,
    /// Rules already counted (a repeated rule counts once): a handful per
    /// label, so a list beats a hash map.
    counted: Vec<usize>,
    evidence: Vec<Evidence>,
}

impl Support {
    fn add(&mut self, rule: usize, weight: f32, evidence: Evidence) {
        if !self.counted.contains(&rule) {
            self.counted.push(rule);
            self.total += weight;
        }
        self.evidence.push(evidence);
    }
}

/// Support per label, indexed by the label: the few dozen labels make a
/// table cheaper than hashing every hit.
struct Supports([Option<Support>; Label::ALL.len()]);

impl Default for Supports {
    fn default() -> Self {
        Supports(std::array::from_fn(|_| None))
    }
}

impl Supports {
    fn entry(&mut self, label: Label) -> &mut Support {
        self.0[label as usize].get_or_insert_with(Support::default)
    }

    fn total(&self, label: Label) -> f32 {
        self.0[label as usize].as_ref().map_or(0.0, |s| s.total)
    }

    fn remove(&mut self, label: Label) -> Option<Support> {
        self.0[label as usize].take()
    }
}

fn squash(support: f32) -> f32 {
    1.0 - (-support).exp()
}

fn label_score(label: Label, support: Option<Support>, score: f32) -> LabelScore {
    let mut evidence = support.map(|s| s.evidence).unwrap_or_default();
    evidence.sort_by_key(|e| (e.message, e.start));
    LabelScore {
        code: label,
        label: label.zh().to_string(),
        score,
        evidence,
    }
}

fn decide(transcript: Transcript, mut support: Supports) -> Classification {
    let multi = |axis: Axis, support: &mut Supports| {
        let holding: Vec<Label> = Label::of_axis(axis)
            .filter(|&l| support.total(l) >= HOLDS_AT)
            .collect();
        let mut held: Vec<LabelScore> = holding
            .into_iter()
            .map(|l| {
                let s = support.total(l);
                label_score(l, support.remove(l), squash(s))
            })
            .collect();
        held.sort_by(|a, b| b.score.total_cmp(&a.score));
        held
    };
    let mut motives = multi(Axis::Motive, &mut support);
    let mut topics = multi(Axis::Topic, &mut support);

    let non_buyer = support.total(Label::NonBuyer);
    let seeker = support.total(Label::InfoSeeker);
    let ordering = support.total(Label::Shopper);
    let intent = if non_buyer >= HOLDS_AT {
        // A non-buyer has no purchase motive and asks no shopper's
        // question: a competitor asking 月销 is fishing, not following
        // the crowd.
        motives.clear();
        topics.clear();
        label_score(
            Label::NonBuyer,
            support.remove(Label::NonBuyer),
            squash(non_buyer),
        )
    } else if seeker >= HOLDS_AT && seeker > ordering {
        label_score(
            Label::InfoSeeker,
            support.remove(Label::InfoSeeker),
            squash(seeker - ordering),
        )
    } else {
        // Routine questions about items are what shoppers ask.
        let shown = ordering + 0.5 * topics.len() as f32;
        let score = if shown > 0.0 {
            squash(shown + 0.5).max(0.5)
        } else {
            0.5
        };
        label_score(Label::Shopper, support.remove(Label::Shopper), score)
    };

    // A buyer who buys again (求惯: 回购, 老地址, 还是上次那款) has bought
    // online before: repeat buying adds to the experienced side, with the
    // habit evidence behind it.
    if let Some(habit) = motives.iter().find(|m| m.code == Label::Habit) {
        let side = support.entry(Label::Experienced);
        side.total += REPEAT_BUYER_WEIGHT;
        side.evidence.extend(habit.evidence.iter().cloned());
    }
    let novice = support.total(Label::Novice);
    let experienced = support.total(Label::Experienced);
    let experience = if novice >= HOLDS_AT && novice >= experienced {
        let score = squash(novice - experienced * 0.5);
        label_score(Label::Novice, support.remove(Label::Novice), score)
    } else if experienced >= HOLDS_AT {
        let score = squash(experienced - novice * 0.5);
        label_score(
            Label::Experienced,
            support.remove(Label::Experienced),
            score,
        )
    } else if intent.code == Label::Shopper && !topics.is_empty() && novice < HOLDS_AT * 0.5 {
        // The taxonomy's experienced buyer "asks only routine questions
        // efficiently": a shopper who asks routine questions and shows no
        // sign of being new to the platform. A weak call, scored low.
        let mut evidence = support.remove(Label::Experienced);
        let support_so_far = evidence.as_ref().map_or(0.0, |s| s.total);
        if let Some(s) = evidence.as_mut() {
            s.evidence.truncate(8);
        }
        label_score(
            Label::Experienced,
            evidence,
            0.5 + 0.1 * support_so_far.min(1.0),
        )
    } else {
        let unsure = 0.5 + 0.5 * (1.0 - novice.max(experienced) / HOLDS_AT);
        label_score(Label::ExperienceUnknown, None, unsure)
    };

    Classification {
        format: transcript.format,
        messages: transcript.messages,
        motives,
        experience,
        intent,
        topics,
        buyer_credit: transcript.buyer_credit,
    }
}

impl Inner {
    /// All cue hits in one normalised message that survive masks,
    /// overlaps and negation.
    fn resolve(&self, normalized: &Normalized) -> Vec<Hit> {
        let text = normalized.text.as_str();
        let mut hits: Vec<Hit> = self
            .literals
            .find_overlapping_iter(text)
            .map(|m| Hit {
                rule: self.literal_rule[m.pattern().as_usize()],
                start: m.start(),
                end: m.end(),
            })
            .collect();
        let mut candidate: Vec<bool> = self.gates.iter().map(Option::is_none).collect();
        for m in self.triggers.find_overlapping_iter(text) {
            candidate[self.trigger_regex[m.pattern().as_usize()]] = true;
        }
        let runs = (0..self.regexes.len()).filter(|&i| {
            candidate[i]
                && self.gates[i]
                    .as_ref()
                    .is_none_or(|gate| gate.rest_holds(text))
        });
        for which in runs {
            let (regex, rule) = &self.regexes[which];
            // A regex may end on the break that closes its clause
            // (`有吗 `, `有吗?`); the evidence stops before it.
            hits.extend(regex.find_iter(text).filter_map(|m| {
                let kept = m.as_str().trim_end_matches(is_clause_break).len();
                (kept > 0).then_some(Hit {
                    rule: *rule,
                    start: m.start(),
                    end: m.start() + kept,
                })
            }));
        }
        if hits.is_empty() {
            return hits;
        }
        // Per hit: its label (None for a mask), looked up once; the checks
        // below compare every pair of hits, and with overlapping matches a
        // message easily has a dozen.
        let labels: Vec<Option<Label>> = hits
            .iter()
            .map(|h| match self.rules[h.rule].target {
                Target::Label(label) => Some(label),
                Target::Mask => None,
            })
            .collect();
        let has_masks = labels.iter().any(Option::is_none);
        let mut negation_words: Option<NegationWords> = None;
        let overshadowed = |i: usize, j: usize| {
            let (hit, other) = (&hits[i], &hits[j]);
            // Containment first: the cheap test that rules out most pairs.
            if !(other.start <= hit.start && hit.end <= other.end) {
                return false;
            }
            let (Some(a), Some(b)) = (labels[i], labels[j]) else {
                return false;
            };
            let same_side = a == b
                || (a.axis() == b.axis() && matches!(a.axis(), Axis::Experience | Axis::Intent));
            let longer = other.end - other.start > hit.end - hit.start;
            // Two rules of one label on the same words count once: the
            // stronger (or, on a tie, the earlier) rule keeps them.
            let same_words_stronger = a == b
                && other.start == hit.start
                && other.end == hit.end
                && other.rule != hit.rule
                && (self.rules[other.rule].weight, std::cmp::Reverse(other.rule))
                    > (self.rules[hit.rule].weight, std::cmp::Reverse(hit.rule));
            same_side && (longer || same_words_stronger)
        };
        let masked = |h: &Hit| {
            has_masks
                && hits
                    .iter()
                    .zip(&labels)
                    .any(|(m, label)| label.is_none() && m.start <= h.start && h.end <= m.end)
        };
        (0..hits.len())
            .filter(|&i| labels[i].is_some())
            .filter(|&i| !masked(&hits[i]))
            .filter(|&i| !(0..hits.len()).any(|j| overshadowed(i, j)))
            .filter(|&i| {
                let hit = &hits[i];
                if !self.rules[hit.rule].negatable {
                    return true;
                }
                let words = negation_words.get_or_insert_with(|| self.negation_words(text));
                !self.negated(text, words, hit)
            })
            .map(|i| hits[i])
            .collect()
    }

    /// Where the negation words (`before`) and dismissals (`after`) of the
    /// lexicon occur in one normalised message: found with one scan each,
    /// so that the many cues with none near them are settled by comparing
    /// offsets. (Searching around every cue on its own was a fifth of
    /// scoring.)
    fn negation_words(&self, text: &str) -> NegationWords {
        NegationWords {
            before: self
                .negation_before
                .find_overlapping_iter(text)
                .map(|m| (m.start(), m.end(), m.pattern().as_usize()))
                .collect(),
            after: self
                .negation_after
                .find_overlapping_iter(text)
                .map(|m| m.start())
                .collect(),
        }
    }

    /// Whether a negation or dismissal cancels the cue at `hit`.
    fn negated(&self, text: &str, words: &NegationWords, hit: &Hit) -> bool {
        let mut negated = words.before.iter().any(|&(_, end, _)| end <= hit.start)
            && self.negated_before(text, words, hit);
        if !negated {
            // A dismissal right after the cue, or after one or two
            // particles (包邮的话无所谓): starting at one of the first
            // three chars after it.
            let after = &text[hit.end..];
            let last_start = after.char_indices().nth(2).map_or(after.len(), |(i, _)| i);
            negated = words
                .after
                .iter()
                .any(|&start| start >= hit.end && start - hit.end <= last_start);
        }
        negated && !clause_asks(text, hit.end)
    }

    /// Whether a negation word stands within `window` chars before the cue
    /// in its clause (an A不A question does not count).
    fn negated_before(&self, text: &str, words: &NegationWords, hit: &Hit) -> bool {
        let clause_start = text[..hit.start].rfind(is_clause_break).map_or(0, |i| {
            i + text[i..].chars().next().map_or(1, char::len_utf8)
        });
        let before = &text[clause_start..hit.start];
        // An A不A question between a negation and its cue (不在乎包不包邮)
        // does not use up the window.
        let chars: Vec<(usize, char)> = before.char_indices().collect();
        let first_of_cue = text[hit.start..].chars().next();
        let mut budget = self.window;
        let mut window_start = before.len();
        let mut i = chars.len();
        while i > 0 && budget > 0 {
            i -= 1;
            let next = chars.get(i + 1).map(|c| c.1).or(first_of_cue);
            if matches!(chars[i].1, '不' | '没') && i >= 1 && Some(chars[i - 1].1) == next {
                i -= 1;
                window_start = chars[i].0;
                continue;
            }
            window_start = chars[i].0;
            budget -= 1;
        }
        let window_start = clause_start + window_start;
        words.before.iter().any(|&(start, end, word)| {
            start >= window_start
                && end <= hit.start
                && !is_a_not_a(text, start, &self.negation_before_words[word])
        })
    }
}

/// Negation words and dismissals found in one message, in byte offsets.
struct NegationWords {
    /// (start, end, index into `negation_before_words`).
    before: Vec<(usize, usize, usize)>,
    /// Where a dismissal starts.
    after: Vec<usize>,
}

/// The literal prefixes or suffixes of a regex, expanding classes of up to
/// 16 chars and repetitions of up to 4, as `regex-syntax` extracts them.
fn extract_literals(
    hir: &regex_syntax::hir::Hir,
    kind: regex_syntax::hir::literal::ExtractKind,
    max_literal_len: usize,
    max_total: usize,
) -> regex_syntax::hir::literal::Seq {
    let mut extractor = regex_syntax::hir::literal::Extractor::new();
    extractor
        .kind(kind)
        .limit_class(16)
        .limit_repeat(4)
        .limit_literal_len(max_literal_len)
        .limit_total(max_total);
    extractor.extract(hir)
}

/// The exact set of strings a regex matches, when it is a small finite
/// set (alternations, optional parts, small classes), normalised like
/// message text; `None` for anything else (open classes, repetition).
///
/// Measured: with the shipped lexicon (mostly alternation regexes) this
/// moves almost every regex into the Aho-Corasick scan, the difference
/// between tens of µs and tens of ms per chat.
fn finite_language(source: &str) -> Option<Vec<Vec<u8>>> {
    use regex_syntax::hir::literal::ExtractKind;
    const MAX_LITERALS: usize = 4096;
    let hir = regex_syntax::Parser::new().parse(source).ok()?;
    let seq = extract_literals(&hir, ExtractKind::Prefix, 64, MAX_LITERALS);
    if !seq.is_exact() {
        return None;
    }
    let literals = seq.literals()?;
    if literals.is_empty() || literals.len() > MAX_LITERALS {
        return None;
    }
    let mut out = Vec::with_capacity(literals.len());
    for literal in literals {
        let text = std::str::from_utf8(literal.as_bytes()).ok()?;
        // A pattern that can match nothing useful is not a literal set.
        if text.is_empty() || normalize(text).text != text {
            return None;
        }
        out.push(text.as_bytes().to_vec());
    }
    Some(out)
}

/// `能不能`, `有没有`, `好不好看`: 不/没 between a repeated character is a
/// question, not a negation.
fn is_a_not_a(text: &str, at: usize, word: &str) -> bool {
    if word != "不" && word != "没" {
        return false;
    }
    let prev = text[..at].chars().next_back();
    let next = text[at + word.len()..].chars().next();
    prev.is_some() && prev == next
}

/// Whether the clause from `from` on asks a question (吗, 吧, ？ …).
fn clause_asks(text: &str, from: usize) -> bool {
    for c in text[from..].chars() {
        match c {
            '?' | '？' | '吗' | '吧' | '么' | '嘛' => return true,
            c if is_clause_break(c) => return false,
            _ => {}
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    fn classifier(source: &str) -> Classifier {
        Classifier::new(&Lexicon::from_toml(source).unwrap()).unwrap()
    }

    const SMALL: &str = r#"
[negation]
before = ["不", "没", "不用", "无所谓", "不在乎"]
after = ["无所谓", "都行"]
window = 4
[labels.bargain]
cues = [{ cue = "包邮" }, { cue = "便宜点" }, { cue = "送东西" }, { cue = "价格", weight = 0.5 }]
[labels.speed]
cues = [{ cue = "急" }]
[labels.safety]
cues = [{ cue = "安全" }]
[labels.practical]
cues = [{ cue = "掉色", negatable = false }]
[labels.novice]
cues = [{ cue = "怎么确认收货" }]
[labels.experienced]
cues = [{ cue = "确认收货" }]
[mask]
cues = [{ cue = "安全路" }]
"#;

    fn motives(c: &Classifier, text: &str) -> Vec<&'static str> {
        c.classify(text)
            .unwrap()
            .motives
            .iter()
            .map(|m| m.code.code())
            .collect()
    }

    // Negation and dismissal cancel a cue; A不A questions and asking clauses do not.
    #[test]
    fn negation_rules() {
        let c = classifier(SMALL);
        let cases: &[(&str, &[&str])] = &[
            ("能包邮吗", &["bargain"]),
            ("不在乎包不包邮", &[]),
            ("不用送东西", &[]),
            ("价格无所谓", &[]),
            ("不急", &[]),
            ("我很急", &["speed"]),
            ("能不能便宜点", &["bargain"]),
            ("不急，但能包邮吗", &["bargain"]),
            ("不会掉色吧", &["practical"]),
            ("不掉色", &["practical"]),
            ("不包邮吗？", &["bargain"]),
            // A space in ordinary chat ends a clause, like a comma.
            ("我不急 包邮吗", &["bargain"]),
        ];
        for (text, expected) in cases {
            assert_eq!(motives(&c, text), *expected, "{text}");
        }
    }

    // Only the buyer's words count: a shop line saying 包邮 is not evidence.
    #[test]
    fn buyer_only_evidence() {
        let c = classifier(SMALL);
        let r = c
            .classify("买家：在吗\n客服：亲，我们包邮，还能便宜点")
            .unwrap();
        assert!(
            r.motives.is_empty(),
            "shop words must not count: {:?}",
            r.motives
        );
        let r = c.classify("买家：包邮吗\n客服：包邮的").unwrap();
        assert_eq!(r.motives.len(), 1);
        assert!(r.motives[0].evidence.iter().all(|e| e.message == 0));
    }

    // Evidence offsets are chars into the original message text.
    #[test]
    fn evidence_offsets_point_at_original_text() {
        let c = classifier(SMALL);
        let r = c.classify("買家：親，能 包 郵嗎\n客服：可以").unwrap();
        let e = &r.motives[0].evidence[0];
        let original: String = r.messages[e.message]
            .text
            .chars()
            .skip(e.start)
            .take(e.end - e.start)
            .collect();
        assert_eq!(original, "包 郵");
        assert_eq!(e.text, "包 郵");
        assert_eq!((e.start, e.end), (4, 7));
        assert_eq!(e.rule, "bargain/包邮");
    }

    // Masks hide cues inside them; longer same-axis cues win.
    #[test]
    fn masks_and_overlaps() {
        let c = classifier(SMALL);
        assert!(motives(&c, "地址是安全路3号").is_empty());
        assert_eq!(motives(&c, "这个安全吗"), vec!["safety"]);
        let r = c.classify("请问怎么确认收货").unwrap();
        assert_eq!(r.experience.code, Label::Novice);
    }

    // Weights add per distinct rule; a repeated rule counts once.
    #[test]
    fn weights_add_per_rule() {
        let c = classifier(SMALL);
        assert!(
            motives(&c, "价格多少 价格").is_empty(),
            "0.5 twice is still 0.5"
        );
        assert_eq!(motives(&c, "价格多少 包邮吗"), vec!["bargain"]);
    }

    // Two rules of one label matching the same words count once.
    #[test]
    fn same_words_count_once_per_label() {
        let c = classifier(
            r#"
[labels.practical]
cues = [{ cue = "防滑吗", weight = 0.6 }, { regex = "防滑(吗|么)", weight = 0.6 }, { cue = "耐磨", weight = 0.6 }]
"#,
        );
        assert!(
            motives(&c, "鞋底防滑吗").is_empty(),
            "0.6 on the same words is 0.6"
        );
        assert_eq!(motives(&c, "防滑吗 耐磨吗"), vec!["practical"]);
    }

    // A repeat buyer (求惯) leans experienced; with another sign it is.
    #[test]
    fn repeat_buyer_leans_experienced() {
        let c = classifier(
            r#"
[labels.habit]
cues = [{ cue = "回购" }]
[labels.experienced]
cues = [{ cue = "备注", weight = 0.6 }]
"#,
        );
        let r = c.classify("买家：回购 备注了").unwrap();
        assert_eq!(r.experience.code, Label::Experienced);
        assert!(r.experience.evidence.iter().any(|e| e.rule == "habit/回购"));
        let r = c.classify("买家：备注了").unwrap();
        assert_eq!(r.experience.code, Label::ExperienceUnknown);
    }

    // Open regexes run only where what they need occurs, and still find
    // their matches.
    #[test]
    fn open_regexes_run_behind_the_literals_they_need() {
        let c = classifier(
            r#"
[labels.practical]
cues = [{ regex = "会不会[^,.?!]{0,6}坏" }]
[labels.bargain]
cues = [{ regex = "[0-9]+块[^,.?!]*" }]
"#,
        );
        assert_eq!(motives(&c, "用久了会不会容易坏"), vec!["practical"]);
        assert_eq!(motives(&c, "50块行吗"), vec!["bargain"]);
    }

    // Stated credit decides experience when words don't.
    #[test]
    fn credit_sets_experience() {
        let c = classifier(SMALL);
        assert_eq!(
            c.classify("买家信用：四心\n买家：在吗")
                .unwrap()
                .experience
                .code,
            Label::Experienced
        );
        assert_eq!(
            c.classify("买家信用：一心\n买家：在吗")
                .unwrap()
                .experience
                .code,
            Label::Novice
        );
        assert_eq!(
            c.classify("买家：在吗").unwrap().experience.code,
            Label::ExperienceUnknown
        );
    }

    // Empty or whitespace-only input is refused, not classified.
    #[test]
    fn empty_input_is_an_error() {
        let c = classifier(SMALL);
        assert!(matches!(c.classify(""), Err(Error::EmptyInput)));
        assert!(matches!(c.classify(" \n\t "), Err(Error::EmptyInput)));
    }

    // Every public type can cross threads.
    #[test]
    fn public_types_are_send_sync() {
        fn assert_all<T: Send + Sync>() {}
        assert_all::<Classifier>();
        assert_all::<Lexicon>();
        assert_all::<Classification>();
        assert_all::<Error>();
    }
}
