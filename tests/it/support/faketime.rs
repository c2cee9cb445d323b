//! libfaketime, preloaded into a service process itself (the `faketime`
//! command would run it as a child a kill does not reach).

const LIBRARY: &str = "/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1";

/// The library's path; `None` (the test skipped) where it is not
/// installed, a failure under `.ci/run`.
pub(crate) fn library() -> Option<&'static str> {
    if std::path::Path::new(LIBRARY).exists() {
        return Some(LIBRARY);
    }
    assert!(std::env::var_os("CHATROUTE_REQUIRE_FAKETIME").is_none(), "libfaketime is not installed");
    eprintln!("SKIPPED: libfaketime not found (apt-get install faketime)");
    None
}
