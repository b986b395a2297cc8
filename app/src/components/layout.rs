//! The frame around every page: header, navigation and footer.

use leptos::prelude::*;
use leptos_router::components::A;

/// The console's frame. Navigation lists only pages that do something.
#[component]
pub fn Layout(children: Children) -> impl IntoView {
    view! {
        <a class="skip-link" href="#main">"Skip to content"</a>
        <header class="top-bar">
            <a class="brand" href="/">
                <span class="brand-mark" aria-hidden="true">"◆"</span>
                "Steward"
            </a>
            <nav aria-label="Main">
                <ul>
                    <li>
                        <A href="/" exact=true>"Overview"</A>
                    </li>
                </ul>
            </nav>
        </header>
        <main id="main">{children()}</main>
        <footer class="site-footer">
            <p>"Steward · governed AI agents for Webex"</p>
        </footer>
    }
}
