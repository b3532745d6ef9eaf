//! The built SPA as `cargo xtask dist` leaves it (`GATEHOUSE_E2E_DIST`): what the pages name
//! is there with the hash they give it, and the JS glue is minified.

use std::path::{Path, PathBuf};

use base64::Engine;
use base64::engine::general_purpose::STANDARD as B64;
use gatehouse_e2e::env_path;
use sha2::{Digest, Sha384};

/// The value of attribute `name` in one HTML tag's text, quoted or not.
fn attribute<'a>(tag: &'a str, name: &str) -> Option<&'a str> {
    let at = tag.find(&format!(" {name}="))? + name.len() + 2;
    let rest = &tag[at..];
    match rest.chars().next()? {
        q @ ('"' | '\'') => rest[1..].split(q).next(),
        _ => rest.split([' ', '>']).next(),
    }
}

/// Every `(href or src, integrity)` pair in the tags of `html`.
fn integrities(html: &str) -> Vec<(String, String)> {
    html.split('<')
        .filter_map(|tag| {
            let tag = tag.split('>').next()?;
            let tag = format!("{tag} ");
            let hash = attribute(&tag, "integrity")?.to_string();
            let url = attribute(&tag, "href").or_else(|| attribute(&tag, "src"))?;
            Some((url.to_string(), hash))
        })
        .collect()
}

/// The files in `dist` (not its folders) whose name ends in `.ext`.
fn files(dist: &Path, ext: &str) -> Vec<PathBuf> {
    std::fs::read_dir(dist)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == ext))
        .collect()
}

/// Each page in `dist`: its file name and its text.
fn pages(dist: &Path) -> Vec<(String, String)> {
    files(dist, "html")
        .into_iter()
        .map(|p| {
            let name = p.file_name().unwrap().to_string_lossy().into_owned();
            (name, std::fs::read_to_string(&p).unwrap())
        })
        .collect()
}

#[test]
fn an_attribute_is_read_quoted_or_not() {
    let tag = "link crossorigin href=/a.js integrity=\"sha384-x y\" rel=modulepreload ";
    assert_eq!(attribute(tag, "href"), Some("/a.js"));
    assert_eq!(attribute(tag, "integrity"), Some("sha384-x y"));
    assert_eq!(attribute(tag, "src"), None);
}

#[test]
fn every_file_a_built_page_names_with_an_integrity_hash_has_that_hash() {
    let dist = env_path("GATEHOUSE_E2E_DIST");
    let pages = pages(&dist);
    assert!(
        pages.iter().any(|(name, _)| name == "index.html"),
        "{pages:?}"
    );
    let mut checked = 0;
    for (page, html) in &pages {
        for (url, hash) in integrities(html) {
            let bytes = std::fs::read(dist.join(url.trim_start_matches('/')))
                .unwrap_or_else(|e| panic!("{page} names {url}: {e}"));
            let actual = format!("sha384-{}", B64.encode(Sha384::digest(&bytes)));
            assert_eq!(hash, actual, "{page}'s integrity for {url}");
            checked += 1;
        }
    }
    // index.html preloads the glue and the wasm with their hashes (login.html preloads neither).
    assert!(checked >= 2, "only {checked} integrity hashes in {pages:?}");
}

#[test]
fn the_js_glue_is_minified() {
    let dist = env_path("GATEHOUSE_E2E_DIST");
    let glue = files(&dist, "js");
    assert!(!glue.is_empty(), "no .js in {}", dist.display());
    for js in glue {
        let text = std::fs::read_to_string(&js).unwrap();
        let indented = text.lines().filter(|l| l.starts_with("    ")).count();
        assert_eq!(
            indented,
            0,
            "{} has {indented} indented lines",
            js.display()
        );
        assert!(
            text.lines().count() < 20,
            "{} has {} lines",
            js.display(),
            text.lines().count()
        );
    }
}
