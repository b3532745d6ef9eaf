//! With the feature `split`, the wasm keeps its linker relocations (`--emit-relocs`), which
//! `wasm-split-cli` needs to cut it into parts (`cargo xtask dist`, `src/later.rs`). Only then:
//! a wasm that ships whole would carry them to the browser.

fn main() {
    // Run again only when this file changes (and when the features do, as cargo does anyway),
    // not on every change in the package.
    println!("cargo::rerun-if-changed=build.rs");
    let wasm = std::env::var("CARGO_CFG_TARGET_ARCH").is_ok_and(|arch| arch == "wasm32");
    if wasm && std::env::var_os("CARGO_FEATURE_SPLIT").is_some() {
        println!("cargo::rustc-link-arg-bins=--emit-relocs");
    }
}
