//! Times in words: "in 12 minutes", "3 hours ago", "19:46", in the reader's language.

use js_sys::{Date, Intl, Object, Reflect};
use wasm_bindgen::JsValue;

fn options(pairs: &[(&str, &str)]) -> Object {
    let object = Object::new();
    for (key, value) in pairs {
        let _ = Reflect::set(&object, &(*key).into(), &(*value).into());
    }
    object
}

/// Milliseconds since the epoch of an RFC 3339 time stamp, if it reads as one.
pub fn millis(rfc3339: &str) -> Option<f64> {
    let at = Date::parse(rfc3339);
    (!at.is_nan()).then_some(at)
}

/// Now, in milliseconds since the epoch.
pub fn now() -> f64 {
    Date::now()
}

/// `ms` from now (negative: ago) in words: "in 12 minutes", "3 hours ago", "yesterday".
pub fn from_now(ms: f64) -> String {
    let seconds = ms / 1000.0;
    let (value, unit) = [
        (60.0, 1.0, "second"),
        (3600.0, 60.0, "minute"),
        (86_400.0, 3600.0, "hour"),
        (2_592_000.0, 86_400.0, "day"),
        (31_536_000.0, 2_592_000.0, "month"),
        (f64::INFINITY, 31_536_000.0, "year"),
    ]
    .into_iter()
    .find(|(below, _, _)| seconds.abs() < *below)
    .map(|(_, size, unit)| ((seconds / size).round(), unit))
    .unwrap_or((0.0, "second"));
    // Within 45 seconds either way is "just now": a second or two ahead is only the two clocks
    // disagreeing.
    if unit == "second" && value.abs() < 45.0 {
        return "just now".into();
    }
    let format =
        Intl::RelativeTimeFormat::new(&js_sys::Array::new(), &options(&[("numeric", "auto")]));
    format.format(value, unit).into()
}

/// An RFC 3339 time stamp relative to now, in words; the stamp itself if it does not read.
pub fn relative(rfc3339: &str) -> String {
    match millis(rfc3339) {
        Some(at) => from_now(at - now()),
        None => rfc3339.to_string(),
    }
}

/// The clock time of a stamp ("19:46"), in the reader's locale; with the weekday ("Wed 07:46")
/// when it is not today.
pub fn clock(rfc3339: &str) -> String {
    match millis(rfc3339) {
        Some(ms) => clock_at_ms(ms),
        None => rfc3339.to_string(),
    }
}

/// The clock time of `ms` since the epoch ("19:46", or "Wed 07:46" on another day).
pub fn clock_at_ms(ms: f64) -> String {
    let date = Date::new(&JsValue::from_f64(ms));
    let today = Date::new_0();
    let same_day = date.to_date_string() == today.to_date_string();
    let mut pairs = vec![("hour", "2-digit"), ("minute", "2-digit")];
    if !same_day {
        pairs.push(("weekday", "short"));
    }
    date.to_locale_string("default", &options(&pairs)).into()
}

/// A stamp's date and time in full, for a tooltip ("24 Nov 2026, 19:46").
pub fn full(rfc3339: &str) -> String {
    let date = Date::new(&JsValue::from_str(rfc3339));
    if date.get_time().is_nan() {
        return rfc3339.to_string();
    }
    let opts = options(&[("dateStyle", "medium"), ("timeStyle", "short")]);
    date.to_locale_string("default", &opts).into()
}

/// A `<time>` saying when `rfc3339` was, in words ("3 days ago"), the full date in its tooltip.
pub fn when(rfc3339: &str) -> yew::Html {
    yew::html! {
        <time datetime={rfc3339.to_string()} title={full(rfc3339)}>{ relative(rfc3339) }</time>
    }
}
