//! hush-rules: the detection engine shared by `hush scan` and `hush redact`.
//!
//! A [`RuleSet`] is compiled once from rule packs (TOML data files, the default ones
//! embedded at build time) and shared read-only across threads; each thread owns a
//! [`Matcher`] that holds its scratch space. Finding secrets in a haystack is four
//! steps: one ASCII-case-insensitive Aho-Corasick automaton over every rule's keywords
//! (a rule whose keywords do not occur never runs its regex), the rule's regex around
//! each keyword hit, then validation (entropy floor, checksums, structure, placeholder
//! and stopword rejection).
//!
//! ```
//! use hush_rules::{RuleSet, Matcher};
//! let rules = RuleSet::default_rules().expect("the default packs compile");
//! let mut matcher = Matcher::new(&rules);
//! let mut found = Vec::new();
//! matcher.find(b"nothing to see here", &mut found);
//! assert!(found.is_empty());
//! ```

mod compile;
pub mod decode;
mod entropy;
mod examples;
mod extent;
pub mod gate;
mod hir;
pub mod keywords;
mod matcher;
mod pack;
mod placeholder;
mod reach;
mod relax;
mod spec;
mod table;
mod validate;
pub mod verify;

pub use compile::{CompileError, Rule, RuleSet};
pub use entropy::shannon_entropy;
pub use examples::{check_examples, examples_of, ExampleFailure};
pub use extent::{Extent, MAX_WINDOW};
pub use matcher::{Match, Matcher};
pub use pack::{
    default_specs, load_pack, load_pack_file, LoadError, DEFAULT_PACKS, DEFAULT_PACKS_DIGEST, DEFAULT_PACKS_JSON,
    DEFAULT_RULE_COUNT,
};
pub use placeholder::looks_like_placeholder;
pub use spec::{Alphabet, Confidence, KeywordCase, RuleSpec, Scope, Severity, TableShape};
pub use table::{gap_names_a_non_secret, keyword_variants, ProviderSpec, KEYWORD_VALUE_TAG};
pub use validate::{github_checksum, Validator};
pub use verify::{placeholder_spans, Method, Outcome, VerifyKind, VerifySpec};

/// Version of the embedded default rule packs, reported by `hush --version`.
pub const RULES_VERSION: &str = env!("CARGO_PKG_VERSION");
