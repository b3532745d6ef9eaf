//! Renders the app.

fn main() {
    yew::Renderer::<gatehouse::app::App>::new().render();
}
