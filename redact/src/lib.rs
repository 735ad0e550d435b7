//! hush-redact: a streaming filter that replaces secrets in a byte stream and
//! changes nothing else (`app 2>&1 | hush redact | shipper`).
//!
//! A [`Redactor`] is built once from a [`hush_rules::RuleSet`] (the same engine as
//! `hush scan`), literal masks ([`MaskValue`], masked raw and in base64, hex,
//! percent and JSON-escaped forms) and a [`Style`]; it also redacts by structure
//! (secret-named JSON fields, `Authorization` headers, URL passwords, secret query
//! parameters). Each stream gets a [`RedactStream`]: push bytes in, take redacted
//! bytes out. It works on bytes, never on text: invalid UTF-8 and NUL bytes pass
//! through untouched. [`pump()`] drives a stream from a reader to a writer with
//! per-line flushing and a maximum delay; [`cli`] is the command line shared by
//! `hush redact` and the `hush-redact` binary.
//!
//! ```
//! use hush_redact::{MaskValue, Redactor};
//! let redactor = Redactor::builder()
//!     .masks([MaskValue { origin: "example".into(), value: b"correct-horse".to_vec() }])
//!     .build()
//!     .expect("builds");
//! let out = redactor.redact(b"login ok, pw=correct-horse\n\xff\x00 binary stays\n");
//! assert_eq!(out, b"login ok, pw=[REDACTED:literal-mask]\n\xff\x00 binary stays\n");
//! ```

pub mod cli;
mod detect;
mod encode;
mod literal;
mod pem;
mod pump;
mod redactor;
mod report;
mod span;
mod stream;
mod structure;
mod style;
mod trigger;

pub use encode::Form;
pub use literal::{LiteralError, MaskValue, MIN_LINE_LITERAL, MIN_LITERAL};
pub use pump::{pump, pump_until, PumpError, PumpOptions, PumpSummary, Stop};
pub use redactor::{BuildError, Limits, Redactor, RedactorBuilder};
pub use report::Redaction;
pub use span::Kind;
pub use stream::RedactStream;
pub use style::{HashKey, HashKeyError, Style, MIN_HASH_KEY};
