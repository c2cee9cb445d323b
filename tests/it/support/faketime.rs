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

/// The environment of a process whose clock a file sets: `+20m` (an
/// offset) or `@2026-12-07 14:00:00` (a start, UTC, from which it runs on),
/// read again at every call. The monotonic clock, which paces timers and
/// ticks, stays real.
pub(crate) fn clock_env<'a>(lib: &'a str, file: &'a std::path::Path) -> [(&'static str, &'a str); 6] {
    [
        ("LD_PRELOAD", lib),
        ("TZ", "UTC"),
        ("FAKETIME_TIMESTAMP_FILE", file.to_str().expect("a UTF-8 path")),
        ("FAKETIME_NO_CACHE", "1"),
        ("FAKETIME_DONT_FAKE_MONOTONIC", "1"),
        ("FAKETIME_DONT_RESET", "1"),
    ]
}
