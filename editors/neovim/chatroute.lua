-- chatroute's language server for TOML buffers, Neovim 0.7 and later:
-- put this file on your runtimepath's plugin/ directory, or `dofile` it
-- from init.lua. The server reports on chatroute specs only (a top-level
-- [integration] table, or a `#:schema` line naming chatroute's schema);
-- Cargo.toml and other TOML files stay quiet. `vim.g.chatroute_bin` names
-- the executable when `chatroute` is not on PATH.
local client_id
vim.api.nvim_create_autocmd("FileType", {
  pattern = "toml",
  callback = function(args)
    client_id = client_id or vim.lsp.start_client({
      name = "chatroute",
      cmd = { vim.g.chatroute_bin or "chatroute", "lsp" },
      root_dir = vim.fn.getcwd(),
    })
    vim.lsp.buf_attach_client(args.buf, client_id)
  end,
})
