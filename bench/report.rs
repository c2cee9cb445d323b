//! The human reporter's cost per diagnostic: `cargo bench --bench report`.
//! A linear reporter takes the same time per diagnostic at every count.

// The tests' support, of which a benchmark uses a part.
#[allow(dead_code, unreachable_pub)]
#[path = "../tests/it/support/specs.rs"]
mod specs;

use chatroute::check::{Checked, check};
use chatroute::diagnostics::render::{self, FileDiagnostics, HumanStyle};
use divan::counter::ItemsCount;
use divan::{Bencher, black_box};

fn main() {
    divan::main();
}

#[divan::bench(args = [1_000, 10_000, 20_000], sample_count = 10)]
fn human(bencher: Bencher, n: usize) {
    let checked: Checked = check("many.toml", specs::many_warnings(n).into_bytes(), Default::default());
    let files = [FileDiagnostics { file: &checked.source, diagnostics: &checked.diagnostics }];
    bencher
        .counter(ItemsCount::new(n))
        .bench_local(|| black_box(render::human(&files, HumanStyle { color: false, width: 100 })));
}
