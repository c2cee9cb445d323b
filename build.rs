//! The `chatroute` executable is linked position-dependent on Linux: a
//! position-independent one has its 700 KB of pointer tables (`.data.rel.ro`:
//! vtables, the time-zone and phone tables) relocated page by page at every
//! start, about 180 page faults and 0.5 ms before `main` (`perf stat`
//! page-faults 341 -> 161; `chatroute check` of a small spec 2.0 -> 1.7 ms).
//! The cost: the executable's own code is not randomised in memory (its
//! libraries, heap and stack still are); the code is memory-safe Rust.
//! Only the binaries of this package are linked so; the library crates,
//! tests and benchmarks are untouched. `CHATROUTE_PIE=1` at build time
//! keeps the executable position-independent (randomised in memory).

fn main() {
    let os = std::env::var("CARGO_CFG_TARGET_OS").unwrap_or_default();
    let pie = std::env::var_os("CHATROUTE_PIE").is_some_and(|v| v == "1");
    if os == "linux" && !pie {
        println!("cargo:rustc-link-arg-bins=-no-pie");
    }
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-env-changed=CHATROUTE_PIE");
}
