//! Parsing a rule's regex the way the engine compiles it (bytes, Unicode off),
//! for the analyses that read its structure: the syntax check of a user's
//! rule, its line shape, its keyword gate and the relaxing of long
//! repetitions. Depends on regex-syntax alone, so the build script can include
//! it beside `gate.rs`.

use regex_syntax::hir::Hir;

/// `pattern` parsed as the engine compiles it.
pub fn parse(pattern: &str) -> Result<Hir, Box<regex_syntax::Error>> {
    regex_syntax::ParserBuilder::new()
        .unicode(false)
        .utf8(false)
        .build()
        .parse(pattern)
        .map_err(Box::new)
}
