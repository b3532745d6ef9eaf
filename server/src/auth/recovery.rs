//! Recovery codes: ten, shown once when the authenticator app is set up (or renewed), each of
//! twelve characters from an alphabet without look-alikes (about 59 bits), stored hashed. A
//! code with that much randomness needs no slow hash: SHA-256 is enough and costs nothing.

use rand::Rng;
use sha2::{Digest, Sha256};

/// How many codes a set has.
pub const COUNT: usize = 10;

const ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyz23456789";

/// A new set: the codes to show (`xxxx-xxxx-xxxx`) and their hashes to store.
pub fn new_set() -> (Vec<String>, Vec<String>) {
    let mut rng = rand::rng();
    let codes: Vec<String> = (0..COUNT)
        .map(|_| {
            let chars: Vec<char> = (0..12)
                .map(|_| ALPHABET[rng.random_range(0..ALPHABET.len())] as char)
                .collect();
            chars
                .chunks(4)
                .map(|c| c.iter().collect::<String>())
                .collect::<Vec<_>>()
                .join("-")
        })
        .collect();
    let hashes = codes.iter().map(|c| hash(c)).collect();
    (codes, hashes)
}

/// What is stored for a code as typed: without case, spaces or dashes, SHA-256, hex.
pub fn hash(typed: &str) -> String {
    let normalized: String = typed
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .map(|c| c.to_ascii_lowercase())
        .collect();
    Sha256::digest(normalized.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_set_is_ten_distinct_codes_whose_hashes_match_them_as_typed() {
        let (codes, hashes) = new_set();
        assert_eq!(codes.len(), COUNT);
        let unique: std::collections::HashSet<_> = codes.iter().collect();
        assert_eq!(unique.len(), COUNT);
        for (code, stored) in codes.iter().zip(&hashes) {
            assert_eq!(code.len(), 14, "{code}");
            assert!(!stored.contains(code.as_str()));
            assert_eq!(&hash(code), stored);
            assert_eq!(&hash(&code.to_ascii_uppercase().replace('-', " ")), stored);
        }
        assert_ne!(hash(&codes[0]), hash(&codes[1]));
    }
}
