//! Embeds every rule pack in `data/` into the library, so the binary carries its
//! default rules and a new pack file needs no code change.
use std::{env, fs, path::PathBuf};

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
    for p in &packs {
        let name = p.file_name().expect("file has a name").to_string_lossy();
        let text = fs::read_to_string(p).expect("rule pack is UTF-8");
        let value: toml::Value =
            toml::from_str(&text).unwrap_or_else(|e| panic!("rule pack {name} is not valid TOML: {e}"));
        let json = serde_json::to_string(&value).expect("TOML values convert to JSON");
        out.push_str(&format!("    ({name:?}, {json:?}),\n"));
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
