//! Newtypes for input with rules: built only by parsing, so holding one means the rules held.

use std::fmt;

/// Why one request field was refused; the server sends these as `ErrorBody::fields`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FieldError {
    /// The request field's name, as in the JSON body.
    pub field: &'static str,
    /// A sentence for the person who typed it.
    pub message: String,
}

impl FieldError {
    fn new(field: &'static str, message: impl Into<String>) -> Self {
        Self {
            field,
            message: message.into(),
        }
    }
}

impl fmt::Display for FieldError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.field, self.message)
    }
}

impl std::error::Error for FieldError {}

/// Checks `value`'s length in characters, naming the field `label` in the sentence it refuses
/// with ("Title can't be empty.").
fn char_count_between(
    field: &'static str,
    label: &str,
    value: &str,
    min: usize,
    max: usize,
) -> Result<(), FieldError> {
    let n = value.chars().count();
    if n < min {
        return Err(FieldError::new(
            field,
            if min == 1 {
                format!("{label} can't be empty.")
            } else {
                format!("{label} must be at least {min} characters.")
            },
        ));
    }
    if n > max {
        return Err(FieldError::new(
            field,
            format!("{label} can't be longer than {max} characters; this one has {n}."),
        ));
    }
    Ok(())
}

/// A sign-in name: 1 to 64 characters after trimming, no whitespace, control, invisible or
/// direction-changing characters. Compared without regard to ASCII case.
///
/// With the `unicode` feature (the server's rule) the name is first normalized to NFKC, so a
/// fullwidth `ａｄｍｉｎ` is `admin`, and `skeleton` gives the Unicode TR39 confusable skeleton
/// that no two accounts may share (`аdmin` with a Cyrillic а looks like `admin`).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Username(String);

impl Username {
    /// The longest accepted username, in characters.
    pub const MAX: usize = 64;

    /// The name as typed (trimmed).
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The form used for look-ups and throttling keys: ASCII letters without case, any other
    /// character as written.
    pub fn folded(&self) -> String {
        self.0.to_ascii_lowercase()
    }

    /// The form the administrators' search looks in: lower case in every script, so `MÜLLER`
    /// and `müller` both find `Müller`.
    #[cfg(feature = "unicode")]
    pub fn search_form(&self) -> String {
        Self::search_query(&self.0)
    }

    /// Text typed to find names by a part of them, in the form `search_form` gives a name:
    /// normalized as a name is, then lower case in every script.
    #[cfg(feature = "unicode")]
    #[allow(
        clippy::disallowed_methods,
        reason = "names are in any script, and so is their case; only the server builds this"
    )]
    pub fn search_query(text: &str) -> String {
        let normalized: String = unicode_normalization::UnicodeNormalization::nfkc(text).collect();
        normalized.trim().to_lowercase()
    }

    /// What the name looks like, whatever its case: two names with the same skeleton are easily
    /// taken for each other. It is the TR39 confusable skeleton of the lower case of the
    /// skeleton of the upper case, so that case cannot make a look-alike (`I` looks like `l`,
    /// and names are compared without case, so `ADMlN` reads as `admin`).
    #[cfg(feature = "unicode")]
    #[allow(
        clippy::disallowed_methods,
        reason = "look-alikes are a matter of every script's case, and only the server builds this"
    )]
    pub fn skeleton(&self) -> String {
        let upper: String = unicode_security::skeleton(&self.0.to_uppercase()).collect();
        unicode_security::skeleton(&upper.to_lowercase()).collect()
    }
}

/// Characters that show nothing or reorder what follows (Default_Ignorable_Code_Point, which
/// includes the bidi controls): a name with one looks like a name without it.
fn is_invisible(c: char) -> bool {
    matches!(
        u32::from(c),
        0x00AD
            | 0x034F
            | 0x061C
            | 0x115F..=0x1160
            | 0x17B4..=0x17B5
            | 0x180B..=0x180F
            | 0x200B..=0x200F
            | 0x202A..=0x202E
            | 0x2060..=0x206F
            | 0x3164
            | 0xFE00..=0xFE0F
            | 0xFEFF
            | 0xFFA0
            | 0xFFF0..=0xFFF8
            | 0x1BCA0..=0x1BCA3
            | 0x1D173..=0x1D17A
            | 0xE0000..=0xE0FFF
    )
}

impl TryFrom<&str> for Username {
    type Error = FieldError;

    fn try_from(value: &str) -> Result<Self, Self::Error> {
        #[cfg(feature = "unicode")]
        let normalized: String = unicode_normalization::UnicodeNormalization::nfkc(value).collect();
        #[cfg(feature = "unicode")]
        let value = normalized.as_str();
        let value = value.trim();
        char_count_between("username", "Username", value, 1, Self::MAX)?;
        if value.chars().any(is_invisible) {
            return Err(FieldError::new(
                "username",
                "Username can't contain invisible or direction-changing characters.",
            ));
        }
        if value.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err(FieldError::new(
                "username",
                "Username can't contain spaces or control characters.",
            ));
        }
        Ok(Self(value.to_string()))
    }
}

impl fmt::Display for Username {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A password as typed: 1 to 1,024 characters at sign-in; `Password::new_account` asks for 8
/// to 256 when one is set. Its `Debug` never shows it.
#[derive(Clone, PartialEq, Eq)]
pub struct Password(String);

impl Password {
    /// The longest accepted password, in characters (hashing cost must stay bounded).
    pub const MAX: usize = 1024;
    /// The shortest password accepted when one is set.
    pub const MIN_NEW: usize = 8;
    /// The longest password accepted when one is set (what password managers generate, with
    /// room to spare); sign-in takes up to `MAX`, so no password set before is refused.
    pub const MAX_NEW: usize = 256;

    /// Parses a password to be set on an account.
    pub fn new_account(value: &str) -> Result<Self, FieldError> {
        char_count_between("password", "Password", value, Self::MIN_NEW, Self::MAX_NEW)?;
        Ok(Self(value.to_string()))
    }

    /// The secret itself, for hashing.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl TryFrom<&str> for Password {
    type Error = FieldError;

    fn try_from(value: &str) -> Result<Self, Self::Error> {
        char_count_between("password", "Password", value, 1, Self::MAX)?;
        Ok(Self(value.to_string()))
    }
}

impl fmt::Debug for Password {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Password(<redacted>)")
    }
}

/// A note title: 1 to 200 characters after trimming, no control characters.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NoteTitle(String);

impl NoteTitle {
    /// The longest accepted title, in characters.
    pub const MAX: usize = 200;

    /// The title text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<&str> for NoteTitle {
    type Error = FieldError;

    fn try_from(value: &str) -> Result<Self, Self::Error> {
        let value = value.trim();
        char_count_between("title", "Title", value, 1, Self::MAX)?;
        if value.chars().any(char::is_control) {
            return Err(FieldError::new(
                "title",
                "Title can't contain control characters.",
            ));
        }
        Ok(Self(value.to_string()))
    }
}

/// A note body: up to 20,000 characters, kept exactly as typed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NoteBody(String);

impl NoteBody {
    /// The longest accepted body, in characters.
    pub const MAX: usize = 20_000;

    /// The body text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<&str> for NoteBody {
    type Error = FieldError;

    fn try_from(value: &str) -> Result<Self, Self::Error> {
        char_count_between("body", "Text", value, 0, Self::MAX)?;
        if value.contains('\0') {
            return Err(FieldError::new(
                "body",
                "Text can't contain NUL characters.",
            ));
        }
        Ok(Self(value.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_username_is_trimmed_and_folded_for_lookups() {
        let name = Username::try_from("  Alice ").unwrap();
        assert_eq!(name.as_str(), "Alice");
        assert_eq!(name.folded(), "alice");
    }

    #[test]
    fn a_username_must_have_1_to_64_characters_without_spaces() {
        assert_eq!(Username::try_from("").unwrap_err().field, "username");
        assert!(Username::try_from("   ").is_err());
        assert!(Username::try_from("a b").is_err());
        assert!(Username::try_from("a\tb").is_err());
        assert!(Username::try_from(&"x".repeat(64)[..]).is_ok());
        let err = Username::try_from(&"x".repeat(65)[..]).unwrap_err();
        assert_eq!(
            err.message,
            "Username can't be longer than 64 characters; this one has 65."
        );
        assert_eq!(
            Username::try_from("").unwrap_err().message,
            "Username can't be empty."
        );
        // Characters, not bytes: 64 two-byte letters are fine.
        assert!(Username::try_from(&"é".repeat(64)[..]).is_ok());
    }

    #[test]
    fn invisible_and_direction_changing_characters_are_refused() {
        for name in [
            "admin\u{200B}",
            "\u{202E}nimda",
            "ad\u{2066}min",
            "a\u{00AD}dmin",
            "x\u{FEFF}",
        ] {
            let err = Username::try_from(name).unwrap_err();
            assert!(err.message.contains("invisible"), "{name:?}: {err}");
        }
    }

    #[cfg(feature = "unicode")]
    #[test]
    fn look_alike_names_share_a_skeleton_and_fullwidth_is_normalized() {
        let admin = Username::try_from("admin").unwrap();
        let fullwidth = Username::try_from("ａｄｍｉｎ").unwrap();
        assert_eq!(fullwidth.as_str(), "admin", "NFKC");
        let cyrillic = Username::try_from("аdmin").unwrap();
        assert_ne!(cyrillic.folded(), admin.folded());
        assert_eq!(cyrillic.skeleton(), admin.skeleton());
        assert_eq!(
            Username::try_from("ADMIN").unwrap().skeleton(),
            admin.skeleton()
        );
        assert_ne!(
            Username::try_from("adrian").unwrap().skeleton(),
            admin.skeleton()
        );
    }

    #[cfg(feature = "unicode")]
    #[test]
    fn a_search_typed_in_any_case_or_form_takes_the_form_a_name_is_searched_in() {
        let name = Username::try_from("Élodie").unwrap().search_form();
        assert_eq!(name, "élodie");
        for typed in [" ÉLODIE ", "élodie", "E\u{301}lodie", "Ｅ\u{301}ＬＯＤＩＥ"] {
            assert_eq!(Username::search_query(typed), name, "{typed:?}");
        }
        assert_eq!(Username::search_query("ÜL"), "ül");
        assert_eq!(Username::search_query("％"), "%", "escaped by the caller");
    }

    #[cfg(feature = "unicode")]
    #[test]
    fn a_look_alike_made_with_a_change_of_case_shares_the_skeleton() {
        // Names are compared without case, so `ADMlN` (lower-case L) reads as `admin`.
        let admin = Username::try_from("admin").unwrap().skeleton();
        for name in ["ADMlN", "AdmIn", "admIn", "ADMIN"] {
            assert_eq!(
                Username::try_from(name).unwrap().skeleton(),
                admin,
                "{name}"
            );
        }
        for other in ["adman", "bob", "alma"] {
            assert_ne!(
                Username::try_from(other).unwrap().skeleton(),
                admin,
                "{other}"
            );
        }
    }

    #[test]
    fn a_new_password_needs_eight_characters_and_never_shows_in_debug() {
        assert!(Password::new_account("short").is_err());
        let p = Password::new_account("long enough").unwrap();
        assert_eq!(p.expose(), "long enough");
        assert!(!format!("{p:?}").contains("long"));
        assert!(
            Password::try_from("x").is_ok(),
            "sign-in accepts any length from 1"
        );
        assert!(Password::try_from(&"x".repeat(1025)[..]).is_err());
    }

    #[test]
    fn a_note_title_has_1_to_200_characters_and_a_body_up_to_20000() {
        assert!(NoteTitle::try_from(" ").is_err());
        assert!(NoteTitle::try_from(&"t".repeat(200)[..]).is_ok());
        assert!(NoteTitle::try_from(&"t".repeat(201)[..]).is_err());
        assert!(NoteTitle::try_from("a\u{7}b").is_err());
        assert!(NoteBody::try_from("").is_ok());
        assert!(NoteBody::try_from(&"b".repeat(20_000)[..]).is_ok());
        assert_eq!(
            NoteBody::try_from(&"b".repeat(20_001)[..])
                .unwrap_err()
                .field,
            "body"
        );
    }
}
