//! The README's console examples, run as written (trycmd, which clap runs
//! on its own docs): each `$` command's output must be the text below it.

#[test]
fn the_readmes_console_examples_answer_as_shown() {
    trycmd::TestCases::new()
        .register_bin("chatroute", std::path::PathBuf::from(env!("CARGO_BIN_EXE_chatroute")))
        .case("README.md");
}
