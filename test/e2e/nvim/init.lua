-- Headless Neovim 0.7 driving the real language server (test/e2e/neovim.test.ts):
-- diagnostics, an edit that clears one, and the outline. Prints DIAG, AFTER, SYMBOLS, OK.
local e2e = require('postfix_e2e')
local edit_line = tonumber(os.getenv('POSTFIX_EDIT_LINE') or '-1')   -- zero-based line to delete, or -1
local gone_code = os.getenv('POSTFIX_GONE_CODE')                      -- code that must vanish after the edit

e2e.on_first_buffer(function(bufnr)
  local client = e2e.start(bufnr)
  if not client then return end
  if not e2e.wait(10000, function() return #vim.diagnostic.get(bufnr) > 0 end, 'diagnostics') then return end
  e2e.dump(bufnr, 'DIAG')

  if edit_line >= 0 then
    vim.api.nvim_buf_set_lines(bufnr, edit_line, edit_line + 1, false, {})   -- sent as an incremental didChange
    if not e2e.wait(10000, function() return e2e.find(bufnr, gone_code) == nil end, gone_code .. ' to go after the edit') then return end
    e2e.dump(bufnr, 'AFTER')
  end

  local names = {}
  for _, s in ipairs(e2e.request(bufnr, 'textDocument/documentSymbol', { textDocument = { uri = vim.uri_from_bufnr(bufnr) } }) or {}) do
    table.insert(names, s.name)
  end
  e2e.log('SYMBOLS ' .. table.concat(names, ','))
  e2e.finish(client)
end, 30000)
