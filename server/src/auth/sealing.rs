//! Sealing what the database keeps but must not reveal on its own (the authenticator apps'
//! secrets): ChaCha20-Poly1305 under a key kept outside the database, in a file
//! (`--totp-key-file`, generated beside the SQLite file by default). A copy of the database
//! without the key file gives nothing away. Instances sharing a database must share the key:
//! a check value sealed with the first key is kept in the database, and a server started with
//! another key refuses to start instead of refusing every code.

use std::path::Path;
use std::sync::Arc;

use base64::Engine;
use base64::engine::general_purpose::STANDARD as B64;
use chacha20poly1305::aead::{Aead, AeadCore, KeyInit, OsRng};
use chacha20poly1305::{ChaCha20Poly1305, Key, Nonce};

use crate::data::db::Db;
use crate::data::secrets;

/// The key, loaded once.
#[derive(Clone)]
pub struct SealingKey(Arc<ChaCha20Poly1305>);

impl std::fmt::Debug for SealingKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SealingKey(<redacted>)")
    }
}

/// What the check value seals.
const CHECK: &[u8] = b"gatehouse sealing key";

impl SealingKey {
    /// The key in `path` (32 bytes, base64), made there (readable by its owner only) when
    /// the file does not exist yet.
    pub fn load_or_create(path: &Path) -> Result<Self, String> {
        let shown = path.display();
        let text = match std::fs::read_to_string(path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                let key = ChaCha20Poly1305::generate_key(&mut OsRng);
                let text = B64.encode(key);
                if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
                    std::fs::create_dir_all(dir)
                        .map_err(|e| format!("cannot create {shown}: {e}"))?;
                }
                // Instances started together on a fresh machine race here: one makes the
                // file, whole; the others read it.
                if write_private(path, &text).map_err(|e| format!("cannot write {shown}: {e}"))? {
                    tracing::info!(file = %shown, "made a new key for authenticator apps' secrets");
                    text
                } else {
                    std::fs::read_to_string(path)
                        .map_err(|e| format!("cannot read {shown}: {e}"))?
                }
            }
            Err(e) => return Err(format!("cannot read {shown}: {e}")),
        };
        let bytes = B64
            .decode(text.trim())
            .ok()
            .filter(|b| b.len() == 32)
            .ok_or_else(|| format!("{shown} does not hold a key (32 bytes, base64)"))?;
        Ok(Self(Arc::new(ChaCha20Poly1305::new(Key::from_slice(
            &bytes,
        )))))
    }

    /// Refuses a key other than the one the database's secrets were sealed with (several
    /// instances given different key files); the first key to come is recorded.
    pub async fn check_against(&self, db: &Db) -> Result<(), String> {
        let check = secrets::get_or_insert(db, "sealing_key_check", &self.seal(CHECK))
            .await
            .map_err(|e| format!("cannot read the sealing key's check value: {e}"))?;
        match self.open(&check) {
            Some(plain) if plain == CHECK => Ok(()),
            _ => Err(
                "the key file is not the one this database's secrets were sealed with \
                      (every instance needs the same --totp-key-file)"
                    .into(),
            ),
        }
    }

    /// `plain`, sealed: a new random nonce and the ciphertext, base64.
    pub fn seal(&self, plain: &[u8]) -> String {
        let nonce = ChaCha20Poly1305::generate_nonce(&mut OsRng);
        let sealed = self
            .0
            .encrypt(&nonce, plain)
            .expect("ChaCha20-Poly1305 seals any length the database holds");
        let mut out = nonce.to_vec();
        out.extend(sealed);
        B64.encode(out)
    }

    /// What `sealed` holds, unless it was sealed with another key or altered.
    pub fn open(&self, sealed: &str) -> Option<Vec<u8>> {
        let bytes = B64.decode(sealed).ok()?;
        if bytes.len() < 12 {
            return None;
        }
        let (nonce, ciphertext) = bytes.split_at(12);
        self.0.decrypt(Nonce::from_slice(nonce), ciphertext).ok()
    }
}

/// Writes `text` to `path` readable by its owner only, unless `path` exists: whole or not at
/// all (written beside it, then linked into place, which fails if another got there first).
/// Whether this call made it.
#[cfg(unix)]
fn write_private(path: &Path, text: &str) -> std::io::Result<bool> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let nonce: u64 = rand::random();
    let beside = path.with_extension(format!("{}-{nonce:016x}.tmp", std::process::id()));
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(&beside)?;
    let written = file
        .write_all(text.as_bytes())
        .and_then(|()| file.sync_all());
    let linked = written.and_then(|()| std::fs::hard_link(&beside, path));
    let _ = std::fs::remove_file(&beside);
    match linked {
        Ok(()) => Ok(true),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(false),
        Err(e) => Err(e),
    }
}

#[cfg(not(unix))]
fn write_private(path: &Path, text: &str) -> std::io::Result<bool> {
    match std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)
    {
        Ok(mut file) => std::io::Write::write_all(&mut file, text.as_bytes()).map(|()| true),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(false),
        Err(e) => Err(e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sealed_secret_opens_with_its_key_only_and_a_key_file_is_made_once() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("keys/totp.key");
        let key = SealingKey::load_or_create(&path).unwrap();
        let sealed = key.seal(b"a secret");
        assert!(!sealed.contains("a secret"));
        assert_eq!(key.open(&sealed).as_deref(), Some(&b"a secret"[..]));
        let again = SealingKey::load_or_create(&path).unwrap();
        assert_eq!(
            again.open(&sealed).as_deref(),
            Some(&b"a secret"[..]),
            "the same key"
        );
        let other = SealingKey::load_or_create(&dir.path().join("other.key")).unwrap();
        assert_eq!(other.open(&sealed), None);
        let mut altered = B64.decode(&sealed).unwrap();
        *altered.last_mut().unwrap() ^= 1;
        assert_eq!(key.open(&B64.encode(altered)), None);
    }

    #[test]
    fn a_file_that_holds_no_key_is_refused_with_its_name() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("bad.key");
        std::fs::write(&path, "not a key").unwrap();
        let err = SealingKey::load_or_create(&path).unwrap_err();
        assert!(err.contains("bad.key"), "{err}");
    }

    #[test]
    fn instances_making_the_key_at_once_all_get_the_same_one() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("totp.key");
        let start = std::sync::Arc::new(std::sync::Barrier::new(8));
        let keys: Vec<SealingKey> = (0..8)
            .map(|_| {
                let (path, start) = (path.clone(), start.clone());
                std::thread::spawn(move || {
                    start.wait();
                    SealingKey::load_or_create(&path)
                })
            })
            .collect::<Vec<_>>()
            .into_iter()
            .map(|t| t.join().unwrap().expect("every instance starts"))
            .collect();
        let sealed = keys[0].seal(b"x");
        assert!(
            keys.iter()
                .all(|k| k.open(&sealed).as_deref() == Some(&b"x"[..]))
        );
        let left: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
        assert_eq!(left.len(), 1, "no temporary file left behind");
    }
}
