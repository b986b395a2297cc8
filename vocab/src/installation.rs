//! What a database was set up for.

use crate::terms;

terms! {
    /// A database is marked, when Steward first opens it, as holding either the built-in
    /// sandbox's demo organization or a real one; Steward refuses to open it as the other, so
    /// the sandbox's sign-in (anyone may pick any demo person, admins included) and its demo
    /// credentials never reach a production database.
    pub enum InstallationKind("a kind of installation") {
        /// The built-in Webex sandbox with its demo organization.
        Sandbox = "sandbox", "Sandbox";
        /// Real Webex, real people.
        Production = "production", "Production";
    }
}
