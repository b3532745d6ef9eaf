//! The JS glue, minified after Trunk: Trunk 0.21's minifier stops at wasm-bindgen's
//! `export { … as default }` ("Failed to minify JS") and leaves the file as it is. esbuild
//! minifies it here, and the `integrity` hashes Trunk wrote into the HTML are changed to match
//! (a browser refuses a module whose hash differs).

use std::path::{Path, PathBuf};
use std::process::Command;

use base64::Engine;
use base64::engine::general_purpose::STANDARD as B64;
use sha2::{Digest, Sha384};

use crate::sh;

/// A file's subresource-integrity value, as Trunk writes it.
pub fn integrity(bytes: &[u8]) -> String {
    format!("sha384-{}", B64.encode(Sha384::digest(bytes)))
}

/// `html` with every `old` integrity value replaced by `new`, and how many there were.
pub fn replace_integrity(html: &str, old: &str, new: &str) -> (String, usize) {
    (html.replace(old, new), html.matches(old).count())
}

fn files_with_extension(dir: &Path, ext: &str) -> Result<Vec<PathBuf>, String> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir(dir).map_err(|e| format!("{}: {e}", dir.display()))? {
        let path = entry.map_err(|e| e.to_string())?.path();
        if path.is_dir() {
            found.extend(files_with_extension(&path, ext)?);
        } else if path.extension().is_some_and(|e| e == ext) {
            found.push(path);
        }
    }
    Ok(found)
}

/// Minifies every `.js` in `dist` with `esbuild` and updates the integrity hashes that name
/// it in `dist`'s HTML. Returns each file's name with its size before and after.
pub fn minify_js(dist: &Path, esbuild: &Path) -> Result<Vec<(String, usize, usize)>, String> {
    let read = |p: &Path| std::fs::read(p).map_err(|e| format!("{}: {e}", p.display()));
    let pages = files_with_extension(dist, "html")?;
    let mut done = Vec::new();
    for js in files_with_extension(dist, "js")? {
        let before = read(&js)?;
        sh(Command::new(esbuild)
            .arg(&js)
            .args([
                "--minify",
                "--format=esm",
                "--target=es2022",
                "--legal-comments=none",
                "--log-level=warning",
                "--allow-overwrite",
            ])
            .arg(format!("--outfile={}", js.display())))?;
        let after = read(&js)?;
        let (old, new) = (integrity(&before), integrity(&after));
        for page in &pages {
            let html = String::from_utf8(read(page)?).map_err(|e| e.to_string())?;
            let (html, n) = replace_integrity(&html, &old, &new);
            if n > 0 {
                std::fs::write(page, html).map_err(|e| format!("{}: {e}", page.display()))?;
            }
        }
        let name = js.file_name().unwrap_or_default().to_string_lossy().into();
        done.push((name, before.len(), after.len()));
    }
    Ok(done)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_integrity_value_is_the_base64_sha384_of_the_bytes() {
        // printf 'abc' | openssl dgst -sha384 -binary | base64
        assert_eq!(
            integrity(b"abc"),
            "sha384-ywB1P0WjXou1oD1pmsZQBycsMqsO3tFjGotgWkP/W+2AhgcroefMI1i67KE0yCWn"
        );
    }

    #[test]
    fn every_integrity_naming_the_old_file_is_changed_and_others_are_left() {
        let (old, new, other) = (integrity(b"long js"), integrity(b"js"), integrity(b"wasm"));
        let html = format!(
            "<link href=/a.js integrity={old} rel=modulepreload><link href=/a.wasm integrity={other}><script integrity=\"{old}\"></script>"
        );
        let (html, n) = replace_integrity(&html, &old, &new);
        assert_eq!(n, 2);
        assert_eq!(html.matches(&new).count(), 2);
        assert!(!html.contains(&old));
        assert!(html.contains(&other));
    }
}
