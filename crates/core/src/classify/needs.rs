//! What a message must contain for a regex to match it: a condition on
//! literals (all of these, one of those), read off the regex's syntax, so
//! that an open regex runs only on messages that could hold a match.

use aho_corasick::AhoCorasick;
use regex_syntax::hir::{Class, Hir, HirKind};

/// Classes of up to this many chars become one literal per char.
const MAX_CLASS_CHARS: usize = 16;

/// At most this many clauses per condition.
const MAX_CLAUSES: usize = 8;

/// A condition on which literals a text contains.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Needs {
    /// Always holds: nothing to require.
    Nothing,
    /// The text contains this literal.
    Literal(Vec<u8>),
    /// Every one of these holds.
    All(Vec<Needs>),
    /// At least one of these holds.
    Any(Vec<Needs>),
}

/// Clauses that must all hold, each a set of literals one of which must
/// occur.
type Clauses = Vec<Vec<Vec<u8>>>;

impl Needs {
    fn of(hir: &Hir) -> Needs {
        match hir.kind() {
            HirKind::Empty | HirKind::Look(_) => Needs::Nothing,
            HirKind::Literal(literal) => Needs::Literal(literal.0.to_vec()),
            HirKind::Class(class) => Needs::of_class(class),
            HirKind::Repetition(repetition) if repetition.min > 0 => Needs::of(&repetition.sub),
            HirKind::Repetition(_) => Needs::Nothing,
            HirKind::Capture(capture) => Needs::of(&capture.sub),
            HirKind::Concat(parts) => {
                let mut all: Vec<Needs> = parts
                    .iter()
                    .map(Needs::of)
                    .filter(|needs| *needs != Needs::Nothing)
                    .collect();
                match all.len() {
                    0 => Needs::Nothing,
                    1 => all.swap_remove(0),
                    _ => Needs::All(all),
                }
            }
            HirKind::Alternation(branches) => {
                let any: Vec<Needs> = branches.iter().map(Needs::of).collect();
                if any.contains(&Needs::Nothing) {
                    Needs::Nothing
                } else {
                    Needs::Any(any)
                }
            }
        }
    }

    /// A small class: one of its chars (or bytes); a large one requires
    /// nothing.
    fn of_class(class: &Class) -> Needs {
        let mut members: Vec<Needs> = Vec::new();
        match class {
            Class::Unicode(class) => {
                for c in class.ranges().iter().flat_map(|r| r.start()..=r.end()) {
                    if members.len() == MAX_CLASS_CHARS {
                        return Needs::Nothing;
                    }
                    members.push(Needs::Literal(c.to_string().into_bytes()));
                }
            }
            Class::Bytes(class) => {
                for b in class.ranges().iter().flat_map(|r| r.start()..=r.end()) {
                    if members.len() == MAX_CLASS_CHARS {
                        return Needs::Nothing;
                    }
                    members.push(Needs::Literal(vec![b]));
                }
            }
        }
        if members.is_empty() {
            Needs::Nothing
        } else {
            Needs::Any(members)
        }
    }

    /// The condition as clauses, each a set of literals one of which the
    /// text must contain: implied by the condition (a text that fails a
    /// clause cannot match). Exact where that takes at most
    /// [`MAX_CLAUSES`] clauses; beyond, an alternative is loosened to one
    /// clause taking the first clause of each branch.
    fn clauses(&self) -> Clauses {
        let mut clauses = match self {
            Needs::Nothing => Vec::new(),
            Needs::Literal(literal) => vec![vec![literal.clone()]],
            Needs::All(parts) => parts.iter().flat_map(Needs::clauses).collect(),
            Needs::Any(branches) => {
                let each: Vec<Clauses> = branches.iter().map(Needs::clauses).collect();
                if each.iter().any(Vec::is_empty) {
                    Vec::new()
                } else if each.iter().map(Vec::len).product::<usize>() <= MAX_CLAUSES {
                    // (a ∧ b) ∨ c = (a ∨ c) ∧ (b ∨ c): one clause per pick
                    // of a clause from each branch.
                    each.iter().fold(vec![Vec::new()], |picks, clauses| {
                        picks
                            .iter()
                            .flat_map(|pick| {
                                clauses.iter().map(move |clause| {
                                    let mut joined = pick.clone();
                                    joined.extend_from_slice(clause);
                                    joined
                                })
                            })
                            .collect()
                    })
                } else {
                    vec![each.iter().flat_map(|c| c[0].iter().cloned()).collect()]
                }
            }
        };
        for clause in &mut clauses {
            clause.sort_unstable();
            clause.dedup();
        }
        clauses.sort();
        clauses.dedup();
        clauses
    }
}

/// How one regex is gated: the clause whose literals every message is
/// scanned for (with all other regexes' triggers, in one automaton), and
/// the other clauses, looked up in a message only when the trigger occurs.
///
/// Measured: the regexes' leading (or trailing) literals alone ran them
/// about 100 times per synthetic chat for 5 matches (`[0-9]…折` ran on
/// every message with a digit), and the lazy DFA's cache misses made
/// those runs a tenth of classification time.
#[derive(Debug)]
pub(crate) struct Gate {
    /// Literals one of which must occur.
    pub(crate) trigger: Vec<Vec<u8>>,
    /// One automaton per other clause.
    rest: Vec<AhoCorasick>,
}

impl Gate {
    /// The gate of a regex: its most selective clause (longest shortest
    /// literal, then fewest literals) as the trigger; `None` when the
    /// regex requires no literal (it runs on every message).
    pub(crate) fn of_regex(source: &str) -> Option<Gate> {
        let hir = regex_syntax::Parser::new().parse(source).ok()?;
        let mut clauses = Needs::of(&hir).clauses();
        let selectivity = |clause: &Vec<Vec<u8>>| {
            let shortest = clause.iter().map(Vec::len).min().unwrap_or(0);
            (shortest, std::cmp::Reverse(clause.len()))
        };
        let best = (0..clauses.len()).max_by_key(|&i| selectivity(&clauses[i]))?;
        let trigger = clauses.swap_remove(best);
        let rest = clauses
            .into_iter()
            .map(|clause| AhoCorasick::new(clause).ok())
            .collect::<Option<_>>()?;
        Some(Gate { trigger, rest })
    }

    /// Whether `text` has one literal of each clause other than the trigger.
    pub(crate) fn rest_holds(&self, text: &str) -> bool {
        self.rest.iter().all(|clause| clause.is_match(text))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Whether the gate lets `text` through to the regex.
    fn passes(gate: &Option<Gate>, text: &str) -> bool {
        gate.as_ref().is_none_or(|g| {
            g.trigger
                .iter()
                .any(|t| text.as_bytes().windows(t.len()).any(|w| w == t))
                && g.rest_holds(text)
        })
    }

    // Every part a match must contain is required, not only its start.
    #[test]
    fn every_required_part_counts() {
        let discount = Gate::of_regex("[0-9一二三](点[0-9])?折([^叠]|$)");
        assert_eq!(discount.as_ref().unwrap().trigger, vec!["折".as_bytes()]);
        assert!(!passes(&discount, "165 110斤穿什么码"));
        assert!(passes(&discount, "能打8折吗"));
        let size = Gate::of_regex("[0-9.]+(米|cm)[^,.?!]{0,6}(的)?(买|选)");
        assert!(!passes(&size, "1.8米"));
        assert!(!passes(&size, "选哪个"));
        assert!(passes(&size, "1.8米的床选哪个"));
    }

    // Optional parts, open classes and empty branches require nothing.
    #[test]
    fn optional_and_open_parts_require_nothing() {
        assert!(Gate::of_regex("(的)?").is_none());
        assert!(Gate::of_regex("[^,.?!]{0,5}").is_none());
        assert!(Gate::of_regex("[a-z0-9]+").is_none());
        assert!(Gate::of_regex("(吗|$)").is_none());
        let stock = Gate::of_regex("有[a-z0-9]{1,4}(吗|$)");
        assert!(passes(&stock, "有xl"));
        assert!(!passes(&stock, "在的"));
    }

    // The shipped lexicon's open regexes: wherever one matches, its gate
    // lets the text through (texts built from the regexes' own words).
    proptest! {
        #![proptest_config(ProptestConfig::with_cases(3000))]
        #[test]
        fn a_gate_never_hides_a_match(picks in prop::collection::vec(0usize..10_000, 1..8)) {
            let (regexes, words) = shipped_regexes();
            let text: String = picks.iter().map(|&p| words[p % words.len()].as_str()).collect();
            for (regex, gate) in regexes {
                if regex.is_match(&text) {
                    prop_assert!(passes(gate, &text), "{} on {}", regex.as_str(), text);
                }
            }
        }
    }

    /// Regexes with their gates, and words to build texts from.
    type Shipped = (Vec<(regex::Regex, Option<Gate>)>, Vec<String>);

    /// The shipped lexicon's regex cues with their gates, and words to
    /// build texts from: the literals of every clause, digits, letters,
    /// punctuation and a few common chat words.
    fn shipped_regexes() -> &'static Shipped {
        static SHIPPED: std::sync::LazyLock<Shipped> = std::sync::LazyLock::new(|| {
            let lexicon = crate::lexicon::Lexicon::default_lexicon();
            let mut words: Vec<String> = "0 1 5 8 a m x l , ? 的 了 吗 不 有 还 我 能 买 码 号"
                .split(' ')
                .map(String::from)
                .collect();
            let regexes = lexicon
                .cues
                .iter()
                .filter_map(|cue| match &cue.pattern {
                    crate::lexicon::Pattern::Regex(source) => Some(source.clone()),
                    crate::lexicon::Pattern::Literal(_) => None,
                })
                .map(|source| {
                    let hir = regex_syntax::Parser::new().parse(&source).unwrap();
                    for clause in Needs::of(&hir).clauses() {
                        for literal in clause {
                            words.extend(String::from_utf8(literal).ok());
                        }
                    }
                    (regex::Regex::new(&source).unwrap(), Gate::of_regex(&source))
                })
                .collect();
            words.sort();
            words.dedup();
            (regexes, words)
        });
        &SHIPPED
    }
}
