//! The browser's side of passkeys. The server's options are read by the browser itself
//! (`PublicKeyCredential.parseCreationOptionsFromJSON` / `parseRequestOptionsFromJSON`, WebAuthn
//! Level 3) and the credential goes back as its own `toJSON()`, so the wasm carries no WebAuthn
//! types: a few calls made by name.

use gatehouse_api::WebAuthnJson;
use js_sys::{Function, Object, Promise, Reflect};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

/// Why a passkey could not be used.
#[derive(Clone, Debug, PartialEq)]
pub enum PasskeyFailure {
    /// This browser has no passkeys (or not the JSON methods this app uses).
    Unsupported,
    /// The person closed the browser's dialog, or it timed out, or no passkey was chosen.
    Cancelled,
    /// Anything else the browser said.
    Failed(String),
}

impl PasskeyFailure {
    /// A sentence for the person.
    pub fn message(&self) -> String {
        match self {
            Self::Unsupported => "This browser cannot use passkeys here. Try another browser, \
                                  or sign in with your password."
                .into(),
            Self::Cancelled => "No passkey was used. You can try again.".into(),
            Self::Failed(what) => format!("The passkey could not be used ({what})."),
        }
    }
}

fn get(target: &JsValue, name: &str) -> Option<JsValue> {
    Reflect::get(target, &JsValue::from_str(name))
        .ok()
        .filter(|v| !v.is_undefined() && !v.is_null())
}

fn public_key_credential() -> Option<JsValue> {
    get(&js_sys::global(), "PublicKeyCredential")
}

/// Whether this browser can make and use passkeys the way this app asks. Pre-rendering (not
/// in a browser) says yes, so the page's layout does not change when the app takes it over.
pub fn supported() -> bool {
    if !cfg!(target_arch = "wasm32") {
        return true;
    }
    public_key_credential().is_some_and(|pkc| {
        get(&pkc, "parseCreationOptionsFromJSON").is_some()
            && get(&pkc, "parseRequestOptionsFromJSON").is_some()
    })
}

/// Whether the browser offers passkeys in the username field's autofill.
pub async fn autofill_available() -> bool {
    let Some(pkc) = public_key_credential().filter(|_| supported()) else {
        return false;
    };
    let Some(check) =
        get(&pkc, "isConditionalMediationAvailable").and_then(|f| f.dyn_into::<Function>().ok())
    else {
        return false;
    };
    match check.call0(&pkc).map(Promise::from) {
        Ok(promise) => JsFuture::from(promise)
            .await
            .is_ok_and(|v| v.as_bool() == Some(true)),
        Err(_) => false,
    }
}

fn failure(error: JsValue) -> PasskeyFailure {
    let name = get(&error, "name").and_then(|n| n.as_string());
    match name.as_deref() {
        Some("NotAllowedError" | "AbortError") => PasskeyFailure::Cancelled,
        _ => PasskeyFailure::Failed(
            get(&error, "message")
                .and_then(|m| m.as_string())
                .unwrap_or_else(|| "unknown error".into()),
        ),
    }
}

fn call(target: &JsValue, method: &str, args: &[&JsValue]) -> Result<JsValue, PasskeyFailure> {
    let f = get(target, method)
        .and_then(|f| f.dyn_into::<Function>().ok())
        .ok_or(PasskeyFailure::Unsupported)?;
    let args: js_sys::Array = args.iter().copied().collect();
    f.apply(target, &args).map_err(failure)
}

/// The browser's `navigator.credentials.<method>({ publicKey: parsed options, … })`, awaited,
/// and the credential's `toJSON()`.
async fn ceremony(
    method: &str,
    parse: &str,
    options: &WebAuthnJson,
    extra: &[(&str, JsValue)],
) -> Result<WebAuthnJson, PasskeyFailure> {
    let pkc = public_key_credential().ok_or(PasskeyFailure::Unsupported)?;
    let public_key = public_key(options)?;
    let parsed = call(&pkc, parse, &[&public_key])?;
    let request = Object::new();
    let _ = Reflect::set(&request, &"publicKey".into(), &parsed);
    for (key, value) in extra {
        let _ = Reflect::set(&request, &JsValue::from_str(key), value);
    }
    let navigator = get(&js_sys::global(), "navigator").ok_or(PasskeyFailure::Unsupported)?;
    let credentials = get(&navigator, "credentials").ok_or(PasskeyFailure::Unsupported)?;
    let promise = call(&credentials, method, &[&request])?;
    let credential = JsFuture::from(Promise::from(promise))
        .await
        .map_err(failure)?;
    if credential.is_null() || credential.is_undefined() {
        return Err(PasskeyFailure::Cancelled);
    }
    let json = call(&credential, "toJSON", &[])?;
    from_js(json)
}

/// The options' `publicKey`, the JavaScript object the browser's parser takes.
fn public_key(options: &WebAuthnJson) -> Result<JsValue, PasskeyFailure> {
    #[cfg(target_arch = "wasm32")]
    return get(&options.0, "publicKey").ok_or(PasskeyFailure::Unsupported);
    // Pre-rendering runs natively, where no browser can make a passkey.
    #[cfg(not(target_arch = "wasm32"))]
    {
        let _ = options;
        Err(PasskeyFailure::Unsupported)
    }
}

/// The browser's credential (its `toJSON()`), for the server.
fn from_js(json: JsValue) -> Result<WebAuthnJson, PasskeyFailure> {
    #[cfg(target_arch = "wasm32")]
    return Ok(WebAuthnJson(json));
    #[cfg(not(target_arch = "wasm32"))]
    {
        let _ = json;
        Err(PasskeyFailure::Unsupported)
    }
}

/// Makes a passkey with the server's creation `options` (`{ publicKey }`): its `toJSON()`.
pub async fn create(options: &WebAuthnJson) -> Result<WebAuthnJson, PasskeyFailure> {
    ceremony("create", "parseCreationOptionsFromJSON", options, &[]).await
}

/// How a sign-in asks for a passkey.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Ask {
    /// The browser's dialog, now (a button was pressed).
    Now,
    /// In the username field's autofill, whenever the person picks one; `signal` aborts it.
    Autofill,
}

/// Uses a passkey with the server's request `options` (`{ publicKey }`): its `toJSON()`.
/// With `Ask::Autofill`, `signal` (an `AbortSignal`) ends the wait.
pub async fn get_credential(
    options: &WebAuthnJson,
    ask: Ask,
    signal: Option<JsValue>,
) -> Result<WebAuthnJson, PasskeyFailure> {
    let mut extra = Vec::new();
    if ask == Ask::Autofill {
        extra.push(("mediation", JsValue::from_str("conditional")));
    }
    if let Some(signal) = signal {
        extra.push(("signal", signal));
    }
    ceremony("get", "parseRequestOptionsFromJSON", options, &extra).await
}
