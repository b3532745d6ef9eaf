//! The shipped wasm in parts. The app built with its feature `split` carries split points
//! (`src/later.rs`); `wasm-split-cli` cuts that build into the main part and one part per
//! split point (plus chunks that several of them share), with the JavaScript that loads a part
//! when its split point is first called. Here that replaces the whole wasm and glue Trunk
//! built: wasm-bindgen on the main part (keeping the exports the parts link against),
//! wasm-opt on every part, and every file named with one hash of them all, so that each name
//! is immutable (the server caches hashed names for a year). The HTML's names and integrity
//! hashes are changed to match.

use std::path::{Path, PathBuf};
use std::process::Command;

use sha2::{Digest, Sha256};

use crate::minify::{integrity, replace_integrity};
use crate::setup::Tools;
use crate::{cargo, sh, target_dir};

/// What `wasm-split-cli` names its loader, and the main module it expects beside it.
const LOADER: &str = "__wasm_split.js";
const MAIN: &str = "main";

/// A file of dist/ Trunk wrote whose name ends with `suffix` (`.js`, `_bg.wasm`).
fn trunk_file(dist: &Path, suffix: &str) -> Result<PathBuf, String> {
    std::fs::read_dir(dist)
        .map_err(|e| format!("{}: {e}", dist.display()))?
        .filter_map(Result::ok)
        .map(|e| e.path())
        .find(|p| {
            let name = p.file_name().unwrap_or_default().to_string_lossy();
            name.starts_with("gatehouse-") && name.ends_with(suffix)
        })
        .ok_or_else(|| format!("no gatehouse-*{suffix} in {}", dist.display()))
}

fn read(path: &Path) -> Result<Vec<u8>, String> {
    std::fs::read(path).map_err(|e| format!("{}: {e}", path.display()))
}

fn write(path: &Path, bytes: &[u8]) -> Result<(), String> {
    std::fs::write(path, bytes).map_err(|e| format!("{}: {e}", path.display()))
}

/// Builds the app with its split points, cuts it into parts and puts them in `dist` in place
/// of Trunk's wasm and glue. Returns the parts loaded later, by file name.
pub fn split_into_parts(dist: &Path, tools: &Tools) -> Result<Vec<String>, String> {
    sh(cargo()
        .args([
            "build",
            "-q",
            "--profile",
            "wasm-release",
            "--target",
            "wasm32-unknown-unknown",
            "-p",
            "gatehouse",
            "--bin",
            "gatehouse",
            "--features",
            "split",
        ])
        .env("PATH", &tools.path))?;
    let built = target_dir().join("wasm32-unknown-unknown/wasm-release/gatehouse.wasm");
    let work = target_dir().join("split");
    let _ = std::fs::remove_dir_all(&work);
    let (parts, pkg, out) = (work.join("parts"), work.join("pkg"), work.join("out"));
    std::fs::create_dir_all(&out).map_err(|e| e.to_string())?;
    sh(Command::new(&tools.wasm_split)
        .args(["--target", "web"])
        .arg(&built)
        .arg(&parts))?;
    sh(Command::new("wasm-bindgen")
        .args([
            "--target",
            "web",
            "--keep-lld-exports",
            "--out-name",
            "gatehouse",
        ])
        .arg("--out-dir")
        .arg(&pkg)
        .arg(parts.join(format!("{MAIN}.wasm")))
        .env("PATH", &tools.path))?;

    // Every wasm, optimized as Trunk does (and without names): the main one, then the parts.
    let mut wasms = vec![(pkg.join("gatehouse_bg.wasm"), "gatehouse".to_string())];
    let mut stems: Vec<String> = std::fs::read_dir(&parts)
        .map_err(|e| e.to_string())?
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "wasm"))
        .filter_map(|p| Some(p.file_stem()?.to_string_lossy().into_owned()))
        .filter(|stem| stem != MAIN)
        .collect();
    stems.sort();
    wasms.extend(
        stems
            .iter()
            .map(|s| (parts.join(format!("{s}.wasm")), s.clone())),
    );
    let mut hasher = Sha256::new();
    for (from, stem) in &wasms {
        sh(Command::new("wasm-opt")
            .args(["-Oz", "--strip-debug", "--strip-producers"])
            .arg(from)
            .arg("-o")
            .arg(out.join(format!("{stem}.wasm")))
            .env("PATH", &tools.path))?;
        hasher.update(read(&out.join(format!("{stem}.wasm")))?);
    }
    let glue = String::from_utf8(read(&pkg.join("gatehouse.js"))?).map_err(|e| e.to_string())?;
    let loader = String::from_utf8(read(&parts.join(LOADER))?).map_err(|e| e.to_string())?;
    hasher.update(&glue);
    hasher.update(&loader);
    let id: String = hasher
        .finalize()
        .iter()
        .take(8)
        .map(|b| format!("{b:02x}"))
        .collect();

    let names = Names::new(&id);
    let (glue, loader) = names.link(&glue, &loader, &stems)?;
    let mut later = Vec::new();
    for stem in &stems {
        let name = names.part(stem);
        write(&dist.join(&name), &read(&out.join(format!("{stem}.wasm")))?)?;
        later.push(name);
    }
    let (glue_name, main_name, loader_name) = (names.glue(), names.main(), names.loader());

    // In place of Trunk's files, in the HTML too.
    let (old_glue, old_main) = (trunk_file(dist, ".js")?, trunk_file(dist, "_bg.wasm")?);
    let main = read(&out.join("gatehouse.wasm"))?;
    let renames = [
        (
            &old_glue,
            &glue_name,
            integrity(&read(&old_glue)?),
            integrity(glue.as_bytes()),
        ),
        (
            &old_main,
            &main_name,
            integrity(&read(&old_main)?),
            integrity(&main),
        ),
    ];
    for page in std::fs::read_dir(dist).map_err(|e| e.to_string())? {
        let page = page.map_err(|e| e.to_string())?.path();
        if page.extension().is_none_or(|e| e != "html") {
            continue;
        }
        let mut html = String::from_utf8(read(&page)?).map_err(|e| e.to_string())?;
        for (old, new, old_sri, new_sri) in &renames {
            let old_name = old.file_name().unwrap_or_default().to_string_lossy();
            html = html.replace(old_name.as_ref(), new);
            let (replaced, n) = replace_integrity(&html, old_sri, new_sri);
            // A page that names the file names it with its hash: one left stale would make
            // the browser refuse the new file.
            if html.contains(new.as_str()) && n == 0 {
                return Err(format!(
                    "{}: names {new} but not with Trunk's integrity hash of it",
                    page.display()
                ));
            }
            html = replaced;
        }
        write(&page, html.as_bytes())?;
    }
    for (old, ..) in &renames {
        std::fs::remove_file(old).map_err(|e| format!("{}: {e}", old.display()))?;
    }
    write(&dist.join(&glue_name), glue.as_bytes())?;
    write(&dist.join(&main_name), &main)?;
    write(&dist.join(&loader_name), loader.as_bytes())?;
    Ok(later)
}

/// The shipped names of the files, each with the one hash of them all.
struct Names {
    id: String,
}

impl Names {
    fn new(id: &str) -> Self {
        Self { id: id.to_string() }
    }

    fn glue(&self) -> String {
        format!("gatehouse-{}.js", self.id)
    }

    fn main(&self) -> String {
        format!("gatehouse-{}_bg.wasm", self.id)
    }

    fn loader(&self) -> String {
        format!("split-{}.js", self.id)
    }

    fn part(&self, stem: &str) -> String {
        format!("{stem}-{}.wasm", self.id)
    }

    /// `glue` and `loader` naming each other, and the loader the parts `stems`, by these names.
    /// Only the glue's `import` statements change: its imports object keeps the module name
    /// the wasm asks for.
    fn link(&self, glue: &str, loader: &str, stems: &[String]) -> Result<(String, String), String> {
        let (from_loader, to_loader) = (
            format!("from \"./{LOADER}\""),
            format!("from \"./{}\"", self.loader()),
        );
        let (from_glue, to_glue) = (
            format!("from \"./{MAIN}.js\""),
            format!("from \"./{}\"", self.glue()),
        );
        if !glue.contains(&from_loader) || !loader.contains(&from_glue) {
            return Err("the glue and the loader do not import each other as expected".into());
        }
        let glue = glue.replace(&from_loader, &to_loader);
        let mut loader = loader.replace(&from_glue, &to_glue);
        for stem in stems {
            let quoted = format!("\"./{stem}.wasm\"");
            if !loader.contains(&quoted) {
                return Err(format!("{LOADER} does not load {stem}.wasm"));
            }
            loader = loader.replace(&quoted, &format!("\"./{}\"", self.part(stem)));
        }
        Ok((glue, loader))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const GLUE: &str = r#"import * as import1 from "./__wasm_split.js"
function __wbg_get_imports() {
    return { "./main_bg.js": import0, "./__wasm_split.js": import1 };
}"#;
    const LOADER_JS: &str = r#"import { initSync } from "./main.js";
const __chunk_5 = makeLoad(() => fetch(new URL("./chunk_5.wasm", import.meta.url)), []);
export const __wasm_split_load_notes = wrapAsyncCb(makeLoad(() => fetch(new URL("./split_notes.wasm", import.meta.url)), [__chunk_5]));"#;

    #[test]
    fn the_glue_and_the_loader_name_each_other_and_every_part_by_its_hashed_name() {
        let names = Names::new("0123456789abcdef");
        let stems = ["chunk_5".to_string(), "split_notes".to_string()];
        let (glue, loader) = names.link(GLUE, LOADER_JS, &stems).unwrap();
        assert!(glue.contains(r#"import * as import1 from "./split-0123456789abcdef.js""#));
        // The wasm imports the module "./__wasm_split.js": that key stays.
        assert!(glue.contains(r#""./__wasm_split.js": import1"#), "{glue}");
        assert!(loader.contains(r#"from "./gatehouse-0123456789abcdef.js""#));
        assert!(loader.contains(r#""./chunk_5-0123456789abcdef.wasm""#));
        assert!(loader.contains(r#""./split_notes-0123456789abcdef.wasm""#));
        assert!(!loader.contains(r#""./split_notes.wasm""#));
    }

    #[test]
    fn a_part_the_loader_does_not_load_is_an_error_not_a_page_that_never_comes() {
        let names = Names::new("0123456789abcdef");
        let stems = ["split_admin".to_string()];
        assert!(names.link(GLUE, LOADER_JS, &stems).is_err());
        assert!(names.link("no imports", LOADER_JS, &[]).is_err());
    }
}
