//! How the `chatroute` executable is linked, for a short start (a `check`
//! is a couple of milliseconds, so what happens before `main` counts):
//!
//! - Position-dependent on Linux: a position-independent one has its 700 KB
//!   of pointer tables (`.data.rel.ro`: vtables, the time-zone and phone
//!   tables) relocated page by page at every start, about 180 page faults
//!   and 0.5 ms before `main` (`perf stat` page-faults 341 -> 161;
//!   `chatroute check` of a small spec 2.0 -> 1.7 ms). The cost: the
//!   executable's own code is not randomised in memory (its libraries,
//!   heap and stack still are); the code is memory-safe Rust.
//!   `CHATROUTE_PIE=1` at build time keeps it position-independent.
//! - The functions a `check`, `compile` or `explain` runs first and
//!   together (`link/startup.order`, written by `bench/link_order.py`),
//!   where rustc links with lld (x86_64 Linux): the 14 MB of code are
//!   otherwise read in 64 KB pieces from all over the file, 70 page faults
//!   where the ordered ones take about 13. Names the build no longer has
//!   (the file is from another version or dependency set) are skipped;
//!   `CHATROUTE_LINK_ORDER=0` leaves the order to the linker (a linker other
//!   than lld does not know the option).
//!
//! Only the binaries of this package are linked so; the library crates,
//! tests and benchmarks are untouched. `CHATROUTE_LINK_MAP=FILE` writes
//! the linker's map (what `bench/link_order.py` names the code with).

const ORDER: &str = "link/startup.order";

fn main() {
    let env = |name: &str| std::env::var(name).unwrap_or_default();
    let linux = env("CARGO_CFG_TARGET_OS") == "linux";
    if linux && env("CHATROUTE_PIE") != "1" {
        println!("cargo:rustc-link-arg-bins=-no-pie");
    }
    if env("TARGET") == "x86_64-unknown-linux-gnu" && env("CHATROUTE_LINK_ORDER") != "0" {
        let order = std::path::Path::new(&env("CARGO_MANIFEST_DIR")).join(ORDER);
        if order.exists() {
            println!(
                "cargo:rustc-link-arg-bins=-Wl,--symbol-ordering-file={},--no-warn-symbol-ordering",
                order.display()
            );
        }
    }
    if linux && !env("CHATROUTE_LINK_MAP").is_empty() {
        println!("cargo:rustc-link-arg-bins=-Wl,-Map={},--no-demangle", env("CHATROUTE_LINK_MAP"));
    }
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-changed={ORDER}");
    for name in ["CHATROUTE_PIE", "CHATROUTE_LINK_ORDER", "CHATROUTE_LINK_MAP"] {
        println!("cargo:rerun-if-env-changed={name}");
    }
}
