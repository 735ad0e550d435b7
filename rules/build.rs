//! Embeds every rule pack in `data/` into the library, so the binary carries its
//! default rules and a new pack file needs no code change.
use std::{env, fs, path::PathBuf};

// The keyword gates are derived here, once, by the same code the engine runs on
// other packs' rules (see src/gate.rs): parsing every regex at start-up took
// over 100 ms.
#[allow(dead_code)]
#[path = "src/gate.rs"]
mod gate;
#[path = "src/hir.rs"]
mod hir;

fn main() {
    let data = PathBuf::from(env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR")).join("data");
    println!("cargo:rerun-if-changed={}", data.display());
    let mut packs: Vec<PathBuf> = fs::read_dir(&data)
        .expect("rules/data exists")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .collect();
    packs.sort();
    let mut out = String::from(
        "/// The default rule packs: (file name, TOML text).\npub const DEFAULT_PACKS: &[(&str, &str)] = &[\n",
    );
    for p in &packs {
        println!("cargo:rerun-if-changed={}", p.display());
        let name = p.file_name().expect("file has a name").to_string_lossy();
        out.push_str(&format!(
            "    ({name:?}, include_str!({:?})),\n",
            p.display().to_string()
        ));
    }
    out.push_str("];\n");
    // The same packs as JSON (TOML parsed here, once): what the binary loads.
    out.push_str(
        "/// The default rule packs as JSON, converted from the TOML at build time:\n\
         /// (file name, JSON text). Start-up parses these, not the TOML.\n\
         pub const DEFAULT_PACKS_JSON: &[(&str, &str)] = &[\n",
    );
    let mut gates: Vec<(String, u128)> = Vec::new();
    for p in &packs {
        let name = p.file_name().expect("file has a name").to_string_lossy();
        let text = fs::read_to_string(p).expect("rule pack is UTF-8");
        let value: toml::Value =
            toml::from_str(&text).unwrap_or_else(|e| panic!("rule pack {name} is not valid TOML: {e}"));
        gates.extend(rule_gates(&value));
        let json = serde_json::to_string(&value).expect("TOML values convert to JSON");
        out.push_str(&format!("    ({name:?}, {json:?}),\n"));
    }
    out.push_str("];\n");
    gates.sort();
    out.push_str(
        "/// The keyword gates of the default rules that have one (`crate::gate`), by\n\
         /// rule id, sorted: derived from their regexes at build time.\n\
         pub const DEFAULT_GATES: &[(&str, u128)] = &[\n",
    );
    for (id, gate) in &gates {
        out.push_str(&format!("    ({id:?}, {gate:#x}),\n"));
    }
    out.push_str("];\n");
    // `hush --version` names the packs it carries: how many rules, and a digest
    // of their text, so two builds with different rules tell themselves apart.
    let mut digest: u64 = 0xcbf2_9ce4_8422_2325; // FNV-1a 64
    let mut rule_count = 0usize;
    for p in &packs {
        let text = fs::read(p).expect("rule pack is readable");
        let name = p.file_name().expect("file has a name").to_string_lossy().into_owned();
        rule_count += text
            .split(|&b| b == b'\n')
            .filter(|l| l.starts_with(b"[[rules]]") || l.starts_with(b"[[providers]]"))
            .count();
        for &b in name.as_bytes().iter().chain([0u8].iter()).chain(text.iter()) {
            digest = (digest ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
        }
    }
    out.push_str(&format!(
        "/// Rules in the default packs.\npub const DEFAULT_RULE_COUNT: usize = {rule_count};\n\
         /// FNV-1a 64 digest of the default packs (names and text), hex.\n\
         pub const DEFAULT_PACKS_DIGEST: &str = \"{digest:016x}\";\n"
    ));
    let dest = PathBuf::from(env::var("OUT_DIR").expect("cargo sets OUT_DIR")).join("default_packs.rs");
    fs::write(dest, out).expect("OUT_DIR is writable");
}

/// (rule id, gate) for each `[[rules]]` entry of a pack whose regex gives a gate.
fn rule_gates(pack: &toml::Value) -> Vec<(String, u128)> {
    let Some(rules) = pack.get("rules").and_then(toml::Value::as_array) else {
        return Vec::new();
    };
    rules
        .iter()
        .filter_map(|rule| {
            let id = rule.get("id")?.as_str()?;
            let regex = rule.get("regex")?.as_str()?;
            let keywords: Vec<String> = rule
                .get("keywords")?
                .as_array()?
                .iter()
                .filter_map(|k| k.as_str().map(str::to_owned))
                .collect();
            let exact = rule.get("keyword_case").and_then(toml::Value::as_str) == Some("exact");
            let gate = gate::keyword_gate(regex, &keywords, exact);
            (gate != 0).then(|| (id.to_owned(), gate))
        })
        .collect()
}
