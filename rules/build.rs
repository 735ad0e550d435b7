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
    let dest = PathBuf::from(env::var("OUT_DIR").expect("cargo sets OUT_DIR")).join("default_packs.rs");
    fs::write(dest, out).expect("OUT_DIR is writable");
}
