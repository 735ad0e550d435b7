//! Compiling rule specs into a [`RuleSet`]: one prefilter automaton over every
//! keyword of every rule, and one regex per rule. Built once per run, then shared
//! read-only by every thread.
//!
//! A rule's regex is parsed (so a syntax error is reported at load) but compiled
//! only when its keywords first hit: compiling all ~290 default regexes took 45 ms,
//! more than a pre-commit run on a small change should cost in total.

use std::collections::HashMap;
use std::sync::OnceLock;

use regex::bytes::{Regex, RegexBuilder};

use crate::extent::{line_shape_of, Extent, LineShape, MAX_LINE_REACH, MAX_WINDOW};
use crate::keywords::KeywordAutomaton;
use crate::pack::{default_specs, LoadError};
use crate::spec::{Confidence, KeywordCase, RuleSpec, Scope, Severity};
use crate::validate::Validator;

/// Keywords shorter than this hit so often that the prefilter stops filtering
/// (docs/DESIGN.md: case-insensitive `AC` hit 1.3 million times on the benchmark tree).
const MIN_KEYWORD_LEN: usize = 3;

/// A rule set could not be built.
#[derive(Debug, thiserror::Error)]
pub enum CompileError {
    #[error(transparent)]
    Load(#[from] LoadError),
    #[error("rule {id}: invalid regex: {error}")]
    Syntax {
        id: String,
        error: Box<regex_syntax::Error>,
    },
    #[error("rule {id}: invalid regex: {error}")]
    Regex { id: String, error: regex::Error },
    #[error("rule {id}: {problem}")]
    Invalid { id: String, problem: String },
    #[error("rule id {id} is defined twice")]
    DuplicateId { id: String },
}

/// A compiled rule: its metadata, regex and validation settings.
#[derive(Debug)]
pub struct Rule {
    pub id: String,
    pub name: String,
    pub keywords: Vec<String>,
    pub severity: Severity,
    pub confidence: Confidence,
    pub tags: Vec<String>,
    pub remediation: String,
    /// Compiled on first use; see the module docs.
    compiled: OnceLock<Result<CompiledRegex, regex::Error>>,
    pub(crate) entropy: Option<f64>,
    pub(crate) validator: Option<Validator>,
    pub(crate) scope: Scope,
    pub(crate) window_before: usize,
    pub(crate) window_after: usize,
    pub(crate) reject_placeholders: bool,
    pub(crate) secret_length: Option<[usize; 2]>,
    /// Lower-cased stopwords.
    pub(crate) stopwords: Vec<Vec<u8>>,
    /// Who wins when two rules report overlapping secrets (see [`Rank`]).
    pub(crate) rank: Rank,
    /// The value's shape, for a rule of the provider table: such a rule is
    /// matched by the hand-written reach, not by a regex.
    pub(crate) reach: Option<crate::spec::TableShape>,
    /// Rules whose matches inside this rule's whole match are part of this
    /// finding (a key pair subsumes the key id and the secret), by index.
    pub(crate) subsumes: Vec<u32>,
    /// Whether its regex can match line breaks; computed on first use.
    pub(crate) line_shape: OnceLock<LineShape>,
    /// The rule as written, kept for `rules check` and the example tests.
    pub spec: RuleSpec,
}

/// A rule's regex, the indexes of its secret groups (named `secret`, or
/// `secret2`, `secret3`... in other alternatives; the first that took part is
/// the secret; none: the whole match).
#[derive(Debug)]
pub(crate) struct CompiledRegex {
    pub regex: Regex,
    pub secret_groups: Vec<usize>,
    /// The bounds of long repetitions, checked on matches (see [`crate::relax`]).
    pub limits: crate::relax::Limits,
}

/// How much a rule knows about what it finds. Of two overlapping matches the
/// higher rank is reported; a provider rule's *rejection* of a candidate (bad
/// checksum, structure, entropy, placeholder) is final for lower ranks too, so
/// no generic rule re-reports what a provider rule ruled out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Rank {
    /// Tagged `generic`: a password or token by its key alone.
    Generic,
    /// Compiled from a `[[providers]]` table entry: a provider's name near a value
    /// of its shape.
    KeywordValue,
    /// A provider rule proper: a prefix, a structure or a checksum.
    Provider,
}

impl Rule {
    /// The compiled regex, compiling it on first use. An error here means the
    /// pattern parsed but exceeds the size limits; [`RuleSet::compile_all`]
    /// reports it up front.
    pub(crate) fn compiled(&self) -> Result<&CompiledRegex, &regex::Error> {
        self.compiled.get_or_init(|| build_regex(&self.spec.regex)).as_ref()
    }
}

impl Rule {
    /// The word bytes that may not precede a hit of this rule's keywords
    /// ([`crate::gate`]; 0: any may).
    pub fn keyword_gate(&self) -> crate::gate::AsciiSet {
        self.spec.keyword_gate.unwrap_or(0)
    }

    /// How far this rule's match can reach from a keyword hit. The first call
    /// parses the rule's regex (for its line shape).
    pub fn extent(&self) -> Extent {
        let (before, after) = self.window_bytes();
        let (crosses_lines, continues_after_secret) = match (self.scope, &self.reach) {
            // The shared reach: the value after the keyword, across at most two
            // line breaks, and the value ends the match.
            (_, Some(_)) => (true, false),
            (Scope::Line, None) => (false, false),
            (Scope::Window, None) => {
                let shape = self.line_shape();
                (shape.crosses_lines, shape.continues_after_secret)
            }
        };
        Extent {
            before,
            after,
            crosses_lines,
            continues_after_secret,
        }
    }

    /// Bytes before a keyword's first byte and after its last byte that a match
    /// may cover.
    fn window_bytes(&self) -> (usize, usize) {
        match (self.scope, &self.reach) {
            (_, Some(_)) => (0, self.window_after),
            (Scope::Line, None) => (MAX_LINE_REACH, MAX_LINE_REACH),
            (Scope::Window, None) => (self.window_before, self.window_after),
        }
    }

    /// The widest match this rule can report: both windows and its longest
    /// keyword.
    pub(crate) fn span_bytes(&self) -> usize {
        let (before, after) = self.window_bytes();
        let keyword = self.keywords.iter().map(String::len).max().unwrap_or(0);
        before + keyword + after
    }

    /// The named groups of this rule's regex other than the secret's, as its
    /// first match in `text` (the whole match a finding was made of) holds
    /// them: what a verifier's templates name besides `{secret}`.
    pub fn named_captures(&self, text: &[u8]) -> Vec<(String, Vec<u8>)> {
        if self.reach.is_some() {
            return Vec::new();
        }
        let Ok(compiled) = self.compiled() else {
            return Vec::new();
        };
        let Some(caps) = compiled.regex.captures(text) else {
            return Vec::new();
        };
        compiled
            .regex
            .capture_names()
            .flatten()
            .filter(|name| !name.starts_with("secret"))
            .filter_map(|name| caps.name(name).map(|m| (name.to_owned(), m.as_bytes().to_vec())))
            .collect()
    }

    fn line_shape(&self) -> LineShape {
        *self.line_shape.get_or_init(|| line_shape_of(&self.spec.regex))
    }
}

fn build_regex(pattern: &str) -> Result<CompiledRegex, regex::Error> {
    let (relaxed, limits) = crate::relax::relax(pattern);
    // Unicode off: rules match bytes (tokens are ASCII) and the DFA stays small.
    let regex = RegexBuilder::new(&relaxed)
        .unicode(false)
        .size_limit(32 << 20)
        .dfa_size_limit(8 << 20)
        .build()?;
    let mut secret_groups: Vec<usize> = regex
        .capture_names()
        .enumerate()
        .filter(|(_, n)| n.is_some_and(|n| n.starts_with("secret")))
        .map(|(i, _)| i)
        .collect();
    if secret_groups.is_empty() {
        secret_groups.push(0);
    }
    Ok(CompiledRegex {
        regex,
        secret_groups,
        limits,
    })
}

/// One rule that a prefilter pattern triggers.
#[derive(Debug, Clone)]
pub(crate) struct Trigger {
    pub rule: u32,
    /// When set, the hit's bytes must equal this exactly (keyword_case = exact).
    pub exact: Option<Box<[u8]>>,
    /// The word bytes that may not precede the hit ([`crate::gate`]; 0: any).
    pub gate: crate::gate::AsciiSet,
}

/// The compiled engine: rules plus the keyword prefilter. `Send + Sync`; build it
/// once and share it.
#[derive(Debug)]
pub struct RuleSet {
    pub(crate) rules: Vec<Rule>,
    /// The keyword automaton over every rule's keywords, lower-cased and
    /// deduplicated: word `i` triggers the rules in `triggers[i]`.
    pub(crate) keywords: KeywordAutomaton,
    /// For each prefilter pattern, the rules it triggers.
    pub(crate) triggers: Vec<Vec<Trigger>>,
    /// Each prefilter pattern (a keyword, lower-cased), by index.
    patterns: Vec<Vec<u8>>,
    /// The widest match any rule can report (see [`RuleSet::max_span`]).
    max_span: usize,
}

impl RuleSet {
    /// The set's keywords, lower-cased and deduplicated: keyword `i` is the
    /// one [`crate::Matcher::find_with_hits`] takes as `i`.
    pub fn keywords(&self) -> &[Vec<u8>] {
        &self.patterns
    }

    /// Keyword `index` of the set, lower-cased.
    pub fn keyword(&self, index: u32) -> &[u8] {
        &self.patterns[index as usize]
    }

    /// The embedded default rule packs, compiled.
    pub fn default_rules() -> Result<RuleSet, CompileError> {
        RuleSet::compile(default_specs()?)
    }

    /// Compiles `specs`; ids must be unique, regexes valid, keywords long enough.
    pub fn compile(specs: Vec<RuleSpec>) -> Result<RuleSet, CompileError> {
        let mut rules = Vec::with_capacity(specs.len());
        let mut ids = HashMap::new();
        let mut patterns: Vec<Vec<u8>> = Vec::new();
        let mut pattern_index: HashMap<Vec<u8>, usize> = HashMap::new();
        let mut triggers: Vec<Vec<Trigger>> = Vec::new();
        for mut spec in specs {
            if ids.insert(spec.id.clone(), ()).is_some() {
                return Err(CompileError::DuplicateId { id: spec.id });
            }
            let rule_index = u32::try_from(rules.len()).expect("fewer than 4 billion rules");
            if spec.keywords.is_empty() {
                return Err(invalid(&spec, "has no keywords"));
            }
            let gate = *spec.keyword_gate.get_or_insert_with(|| {
                crate::gate::keyword_gate(&spec.regex, &spec.keywords, spec.keyword_case == KeywordCase::Exact)
            });
            for keyword in &spec.keywords {
                if keyword.len() < MIN_KEYWORD_LEN {
                    return Err(invalid(
                        &spec,
                        &format!("keyword {keyword:?} is shorter than {MIN_KEYWORD_LEN} bytes"),
                    ));
                }
                let folded = keyword.to_ascii_lowercase().into_bytes();
                let pattern = *pattern_index.entry(folded.clone()).or_insert_with(|| {
                    patterns.push(folded);
                    triggers.push(Vec::new());
                    patterns.len() - 1
                });
                let exact = (spec.keyword_case == KeywordCase::Exact).then(|| keyword.as_bytes().into());
                triggers[pattern].push(Trigger {
                    rule: rule_index,
                    exact,
                    gate,
                });
            }
            if let Some(v) = &spec.verify {
                let regex = spec.table.is_none().then_some(spec.regex.as_str());
                v.check(regex)
                    .map_err(|problem| invalid(&spec, &format!("verify: {problem}")))?;
            }
            rules.push(compile_rule(spec)?);
        }
        let index_of: HashMap<&str, u32> = rules
            .iter()
            .enumerate()
            .map(|(i, r)| (r.id.as_str(), i as u32))
            .collect();
        // A subsumed rule that is not in the set (disabled) is simply absent.
        let subsumes: Vec<Vec<u32>> = rules
            .iter()
            .map(|r| {
                r.spec
                    .subsumes
                    .iter()
                    .filter_map(|id| index_of.get(id.as_str()).copied())
                    .collect()
            })
            .collect();
        for (rule, list) in rules.iter_mut().zip(subsumes) {
            rule.subsumes = list;
        }
        let keywords = KeywordAutomaton::new(&patterns);
        let max_span = rules.iter().map(Rule::span_bytes).max().unwrap_or(0);
        Ok(RuleSet {
            max_span,
            rules,
            keywords,
            triggers,
            patterns,
        })
    }

    /// Compiles every rule's regex now (they are otherwise compiled on first
    /// use), reporting the first that fails. For user packs and tests.
    pub fn compile_all(&self) -> Result<(), CompileError> {
        self.compile_rules(|_| true)
    }

    /// Compiles the regexes of the rules `wanted` selects now.
    pub fn compile_rules(&self, wanted: impl Fn(&Rule) -> bool) -> Result<(), CompileError> {
        for rule in self.rules.iter().filter(|r| wanted(r)) {
            rule.compiled().map_err(|error| CompileError::Regex {
                id: rule.id.clone(),
                error: error.clone(),
            })?;
        }
        Ok(())
    }

    /// The widest match any rule of the set can report, in bytes: the bytes a
    /// rule's regex may see before its keyword, the longest keyword, and the bytes
    /// after it (bounded by [`crate::MAX_WINDOW`] at load). A piece of input cut
    /// from a longer one finds every match whole that starts at least this far
    /// before its end; the scanner's chunk overlap is derived from it.
    pub fn max_span(&self) -> usize {
        self.max_span
    }

    /// The compiled rules, in pack order.
    pub fn rules(&self) -> &[Rule] {
        &self.rules
    }

    /// The rule with this index (as carried by a [`crate::Match`]).
    pub fn rule(&self, index: usize) -> &Rule {
        &self.rules[index]
    }

    /// Number of rules.
    pub fn len(&self) -> usize {
        self.rules.len()
    }

    /// Whether the set holds no rule.
    pub fn is_empty(&self) -> bool {
        self.rules.is_empty()
    }
}

fn invalid(spec: &RuleSpec, problem: &str) -> CompileError {
    CompileError::Invalid {
        id: spec.id.clone(),
        problem: problem.to_owned(),
    }
}

fn compile_rule(spec: RuleSpec) -> Result<Rule, CompileError> {
    // A user's rule is parsed now so a syntax error names it at load; the
    // built-in rules were all compiled by the test suite (parsing ~960 regexes
    // took 130 ms, most of a small run's start-up).
    if !spec.builtin && spec.table.is_none() {
        crate::hir::parse(&spec.regex).map_err(|e| CompileError::Syntax {
            id: spec.id.clone(),
            error: e,
        })?;
    }
    if spec.window_after == 0 && spec.scope == Scope::Window {
        return Err(invalid(&spec, "window_after must be positive"));
    }
    if spec.scope == Scope::Window && spec.window_before.saturating_add(spec.window_after) > MAX_WINDOW {
        return Err(invalid(
            &spec,
            &format!(
                "window_before + window_after is {} bytes, over the engine's limit of {MAX_WINDOW} \
                 (chunk overlaps and the redactor's look-back are derived from the widest window; \
                 use scope = \"line\" or a narrower window)",
                spec.window_before.saturating_add(spec.window_after)
            ),
        ));
    }
    let rank = if spec.tags.iter().any(|t| t == "generic") {
        Rank::Generic
    } else if spec.tags.iter().any(|t| t == crate::table::KEYWORD_VALUE_TAG) {
        Rank::KeywordValue
    } else {
        Rank::Provider
    };
    Ok(Rule {
        rank,
        reach: spec.table.clone(),
        subsumes: Vec::new(),
        id: spec.id.clone(),
        name: spec.name.clone(),
        keywords: spec.keywords.clone(),
        severity: spec.severity,
        confidence: spec.confidence,
        tags: spec.tags.clone(),
        remediation: spec.remediation.clone(),
        compiled: OnceLock::new(),
        line_shape: OnceLock::new(),
        entropy: spec.entropy,
        validator: spec.validate,
        scope: spec.scope,
        window_before: spec.window_before,
        window_after: spec.window_after,
        reject_placeholders: spec.reject_placeholders,
        secret_length: spec.secret_length,
        stopwords: spec
            .stopwords
            .iter()
            .map(|s| s.to_ascii_lowercase().into_bytes())
            .collect(),
        spec,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pack::load_pack;

    fn pack(body: &str) -> Vec<RuleSpec> {
        load_pack("t.toml", body).expect("test pack parses")
    }

    const BASE: &str = "name = \"n\"\nseverity = \"low\"\nconfidence = \"low\"\nremediation = \"r\"\n";

    #[test]
    fn short_keyword_is_rejected() {
        let specs = pack(&format!(
            "[[rules]]\nid = \"a\"\nkeywords = [\"ab\"]\nregex = \"ab\"\n{BASE}"
        ));
        let err = RuleSet::compile(specs).unwrap_err().to_string();
        assert!(err.contains("shorter"), "{err}");
    }

    #[test]
    fn duplicate_ids_and_bad_regex_are_rejected() {
        let one = format!("[[rules]]\nid = \"a\"\nkeywords = [\"abc\"]\nregex = \"abc\"\n{BASE}");
        let err = RuleSet::compile(pack(&format!("{one}{one}"))).unwrap_err().to_string();
        assert!(err.contains("defined twice"), "{err}");
        let bad = format!("[[rules]]\nid = \"b\"\nkeywords = [\"abc\"]\nregex = \"abc(\"\n{BASE}");
        let err = RuleSet::compile(pack(&bad)).unwrap_err().to_string();
        assert!(err.contains("rule b: invalid regex"), "{err}");
        let huge = format!("[[rules]]\nid = \"c\"\nkeywords = [\"abc\"]\nregex = \"\\\\w{{1000}}{{1000}}\"\n{BASE}");
        let set = RuleSet::compile(pack(&huge)).expect("parses: the size is only known when compiled");
        let err = set.compile_all().unwrap_err().to_string();
        assert!(err.contains("rule c: invalid regex"), "{err}");
    }

    #[test]
    fn a_window_past_the_engine_limit_is_rejected_by_id_and_the_span_is_derived() {
        let wide = format!(
            "[[rules]]\nid = \"too-wide\"\nkeywords = [\"abc\"]\nregex = \"abc\"\nwindow_after = {}\n{BASE}",
            MAX_WINDOW
        );
        let err = RuleSet::compile(pack(&wide)).unwrap_err().to_string();
        assert!(err.starts_with("rule too-wide: window_before + window_after"), "{err}");
        let fits = format!("[[rules]]\nid = \"ok\"\nkeywords = [\"abcd\"]\nregex = \"abcd\"\nwindow_before = 100\nwindow_after = 1000\n{BASE}");
        let set = RuleSet::compile(pack(&fits)).expect("compiles");
        assert_eq!(set.max_span(), 100 + 4 + 1000);
    }

    #[test]
    fn rule_set_is_send_and_sync() {
        fn assert_send_sync<T: Send + Sync>() {}
        assert_send_sync::<RuleSet>();
    }
}
