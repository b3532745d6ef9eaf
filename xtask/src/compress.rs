//! Precompression of the built SPA: `.br` and `.gz` beside each hashed asset, made once at build
//! time so the server sends them as they are (tower-http's `precompressed_br/gzip`).

use std::io::Write;
use std::path::Path;

/// Brotli at its densest (quality 11, 4 MiB window): a one-off cost at build time.
pub fn brotli(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    {
        let mut w = brotli::CompressorWriter::new(&mut out, 64 * 1024, 11, 22);
        w.write_all(bytes).expect("writing to a Vec");
    }
    out
}

/// Gzip at level 9.
pub fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut w = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    w.write_all(bytes).expect("writing to a Vec");
    w.finish().expect("writing to a Vec")
}

/// Files the browser downloads from `dist/` that are worth compressing.
pub fn compressible(path: &Path) -> bool {
    matches!(
        path.extension().and_then(|e| e.to_str()),
        Some("js" | "wasm" | "css" | "html" | "svg" | "json")
    )
}

/// Writes `<file>.br` and `<file>.gz` for every compressible file in `dist` and its folders.
pub fn precompress(dist: &Path) -> Result<usize, String> {
    let mut n = 0;
    for entry in std::fs::read_dir(dist).map_err(|e| format!("{}: {e}", dist.display()))? {
        let path = entry.map_err(|e| e.to_string())?.path();
        if path.is_dir() {
            n += precompress(&path)?;
            continue;
        }
        if !path.is_file() || !compressible(&path) {
            continue;
        }
        let bytes = std::fs::read(&path).map_err(|e| e.to_string())?;
        let with = |ext: &str| {
            let mut name = path.as_os_str().to_owned();
            name.push(ext);
            name
        };
        std::fs::write(with(".br"), brotli(&bytes)).map_err(|e| e.to_string())?;
        std::fs::write(with(".gz"), gzip(&bytes)).map_err(|e| e.to_string())?;
        n += 1;
    }
    Ok(n)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn compressed_copies_decompress_to_the_original_and_are_smaller() {
        let text = "fn main() { println!(\"hello\"); }\n".repeat(200);
        let br = brotli(text.as_bytes());
        let gz = gzip(text.as_bytes());
        assert!(br.len() < text.len() / 10 && gz.len() < text.len() / 5);
        let mut back = Vec::new();
        brotli::BrotliDecompress(&mut &br[..], &mut back).unwrap();
        assert_eq!(back, text.as_bytes());
        let mut back = String::new();
        std::io::Read::read_to_string(&mut flate2::read::GzDecoder::new(&gz[..]), &mut back)
            .unwrap();
        assert_eq!(back, text);
    }

    #[test]
    fn precompress_writes_br_and_gz_beside_assets_only() {
        let dir = std::env::temp_dir().join(format!("gh-precompress-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(
            dir.join("app-0123456789abcdef.js"),
            "export const a = 1;".repeat(50),
        )
        .unwrap();
        std::fs::write(dir.join("notes.txt"), "plain").unwrap();
        std::fs::create_dir_all(dir.join("assets")).unwrap();
        std::fs::write(dir.join("assets/index.css"), "a{color:red}".repeat(20)).unwrap();
        assert_eq!(precompress(&dir).unwrap(), 2);
        assert!(dir.join("assets/index.css.br").exists(), "in folders too");
        assert!(dir.join("app-0123456789abcdef.js.br").exists());
        assert!(dir.join("app-0123456789abcdef.js.gz").exists());
        assert!(!dir.join("notes.txt.br").exists());
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
