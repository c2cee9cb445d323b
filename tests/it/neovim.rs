//! A real editor as the language server's client: headless Neovim loads
//! the configuration users are given (`editors/neovim/chatroute.lua`, the
//! text docs/editors.md shows), opens a spec, and the test reads the
//! diagnostics Neovim received, then breaks the file and hovers a handle. `.ci/run` installs Neovim (Debian's package) and sets
//! `CHATROUTE_REQUIRE_NVIM`, which turns a missing `nvim` into a failure.

use std::process::Command;

const SCRIPT: &str = r#"
local spec, out = os.getenv("SPEC"), os.getenv("OUT")
vim.g.chatroute_bin = os.getenv("CHATROUTE_BIN")
-- `--clean -u NONE` leaves file types off; a user's Neovim has them on.
vim.cmd("filetype on")
dofile(os.getenv("CONFIG"))
vim.cmd("edit " .. spec)
vim.wait(15000, function() return #vim.diagnostic.get(0) > 0 end, 50)
local lines = {}
for _, d in ipairs(vim.diagnostic.get(0)) do
  local code = d.code or (d.user_data and d.user_data.lsp and d.user_data.lsp.code) or ""
  table.insert(lines, string.format("%d:%d:%s:%s", d.lnum, d.col, code, (d.message:gsub("\n", " "))))
end
vim.fn.writefile(lines, out)
-- Break the file as typing does (an inline table left open), wait for the
-- syntax error, then hover a handle elsewhere: the server answers from the
-- last good analysis.
vim.api.nvim_buf_set_lines(0, 8, 8, false, { 'max = { name = "Max' })
vim.wait(15000, function()
  for _, d in ipairs(vim.diagnostic.get(0)) do
    if (d.code or (d.user_data and d.user_data.lsp and d.user_data.lsp.code)) == "CR001" then return true end
  end
  return false
end, 50)
local params = { textDocument = { uri = vim.uri_from_bufnr(0) },
  position = { line = tonumber(os.getenv("LINE")), character = tonumber(os.getenv("COL")) } }
local answers = vim.lsp.buf_request_sync(0, "textDocument/hover", params, 5000) or {}
local hover = "no answer"
for _, a in pairs(answers) do
  if a.result and a.result.contents then hover = a.result.contents.value or "" end
end
vim.fn.writefile(vim.split(hover, "\n"), out .. ".hover")
vim.cmd("qa!")
"#;

#[test]
fn neovim_shows_the_servers_diagnostics_at_their_place() {
    if Command::new("nvim").arg("--version").output().is_err() {
        assert!(
            std::env::var_os("CHATROUTE_REQUIRE_NVIM").is_none(),
            "CHATROUTE_REQUIRE_NVIM is set but nvim is missing"
        );
        eprintln!("SKIPPED: nvim not found; apt-get install neovim to run this test");
        return;
    }
    let dir = std::env::temp_dir().join(format!("chatroute-nvim-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let spec = dir.join("spec.toml");
    // A member whose handle is misspelt.
    let text = std::fs::read_to_string("tests/fixtures/CR101.toml").unwrap();
    std::fs::write(&spec, &text).unwrap();
    let script = dir.join("init.lua");
    std::fs::write(&script, SCRIPT).unwrap();
    let out = dir.join("diagnostics.txt");
    let run = Command::new("nvim")
        .args(["--headless", "--clean", "-u", "NONE", "-c"])
        .arg(format!("luafile {}", script.display()))
        .env("SPEC", &spec)
        .env("OUT", &out)
        .env("CHATROUTE_BIN", env!("CARGO_BIN_EXE_chatroute"))
        .env("CONFIG", std::fs::canonicalize("editors/neovim/chatroute.lua").unwrap())
        // `tony` in the members line, one line lower once the broken line
        // is in.
        .env("LINE", "15")
        .env("COL", "members = [{ employee = \"bruse\" }, { employee = \"t".len().to_string())
        .output()
        .unwrap();
    let received = std::fs::read_to_string(&out)
        .unwrap_or_else(|e| panic!("no diagnostics written ({e}): {}", String::from_utf8_lossy(&run.stderr)));
    // CR101 at tests/fixtures/CR101.toml:15:25 (1-based): 14:24 0-based.
    assert!(received.lines().any(|l| l.starts_with("14:24:CR101:unknown employee `bruse`")), "{received}");
    let hover = std::fs::read_to_string(dir.join("diagnostics.txt.hover")).unwrap();
    assert!(hover.contains("**tony**: Tony Stark") && hover.contains("takes new deals on"), "{hover}");
}

/// docs/editors.md shows the configuration this test loads, verbatim.
#[test]
fn the_documented_neovim_configuration_is_the_tested_one() {
    let config = std::fs::read_to_string("editors/neovim/chatroute.lua").unwrap();
    let docs = std::fs::read_to_string("docs/editors.md").unwrap();
    assert!(docs.contains(&config), "docs/editors.md must show editors/neovim/chatroute.lua as it is");
}
