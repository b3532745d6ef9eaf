//! What the tabs of one browser tell each other about the session (`BroadcastChannel`, or
//! `localStorage` events where there is none), and the real input (keys, pointer, touch) that
//! counts as activity.

use std::rc::Rc;

use wasm_bindgen::JsCast;
use wasm_bindgen::closure::Closure;
use web_sys::{BroadcastChannel, MessageEvent, StorageEvent};
use yew::prelude::*;

use crate::components::time;

/// The `BroadcastChannel` the tabs share.
pub const CHANNEL: &str = "gatehouse-session";
/// The `localStorage` key whose changes carry the messages where there is no channel.
pub const STORAGE_KEY: &str = "gatehouse-session-event";
/// The input that counts as activity.
const INPUT: [&str; 3] = ["keydown", "pointerdown", "touchstart"];

/// What one tab tells the others.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Message {
    /// Someone typed or clicked in that tab: it counts for all.
    Activity,
    /// That tab renewed the session: the deadlines moved.
    Extended,
}

impl Message {
    /// The message on the wire.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Activity => "activity",
            Self::Extended => "extended",
        }
    }

    /// A message heard, if it is one (a storage event's carries the time after it).
    pub fn parse(text: &str) -> Option<Self> {
        [Self::Activity, Self::Extended]
            .into_iter()
            .find(|m| text.starts_with(m.as_str()))
    }
}

/// Tells the other tabs `message`.
pub fn tell_others(message: Message) {
    if let Ok(channel) = BroadcastChannel::new(CHANNEL) {
        let _ = channel.post_message(&message.as_str().into());
        channel.close();
    } else if let Some(storage) = web_sys::window().and_then(|w| w.local_storage().ok().flatten()) {
        // Another tab hears a `storage` event; the time makes each message a change.
        let _ = storage.set_item(
            STORAGE_KEY,
            &format!("{} {}", message.as_str(), time::now()),
        );
    }
}

/// While mounted: real input here is told to the other tabs and to `oninput`; what the other
/// tabs tell, to `onheard`.
#[hook]
pub fn use_tabs(oninput: Callback<()>, onheard: Callback<Message>) {
    use_effect_with((), move |()| {
        let window = web_sys::window().expect("a window");
        let on_input = Closure::<dyn Fn()>::new(move || {
            tell_others(Message::Activity);
            oninput.emit(());
        });
        for event in INPUT {
            let _ =
                window.add_event_listener_with_callback(event, on_input.as_ref().unchecked_ref());
        }
        let heard = Rc::new(move |text: &str| {
            if let Some(message) = Message::parse(text) {
                onheard.emit(message);
            }
        });
        let channel = BroadcastChannel::new(CHANNEL).ok();
        let on_message = {
            let heard = heard.clone();
            Closure::<dyn Fn(MessageEvent)>::new(move |e: MessageEvent| {
                if let Some(text) = e.data().as_string() {
                    heard(&text);
                }
            })
        };
        if let Some(channel) = &channel {
            channel.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        }
        let on_storage = Closure::<dyn Fn(StorageEvent)>::new(move |e: StorageEvent| {
            if e.key().as_deref() == Some(STORAGE_KEY)
                && let Some(text) = e.new_value()
            {
                heard(&text);
            }
        });
        let _ =
            window.add_event_listener_with_callback("storage", on_storage.as_ref().unchecked_ref());
        move || {
            for event in INPUT {
                let _ = window
                    .remove_event_listener_with_callback(event, on_input.as_ref().unchecked_ref());
            }
            let _ = window.remove_event_listener_with_callback(
                "storage",
                on_storage.as_ref().unchecked_ref(),
            );
            if let Some(channel) = channel {
                channel.set_onmessage(None);
                channel.close();
            }
            drop((on_input, on_message, on_storage));
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_message_reads_back_with_or_without_the_time_after_it() {
        for m in [Message::Activity, Message::Extended] {
            assert_eq!(Message::parse(m.as_str()), Some(m));
            assert_eq!(
                Message::parse(&format!("{} 1733400000000", m.as_str())),
                Some(m)
            );
        }
        assert_eq!(Message::parse("signed-out"), None);
    }
}
