-- Headless Neovim 0.7 applying recipes through the real server (test/e2e/neovim-recipes.test.ts):
-- workspace/executeCommand postfix.applyRecipe (rate-limits), which the server applies
-- with workspace/applyEdit, then the PF542 quick fix (WARN variant, a CreateFile for
-- the table) with Neovim's own apply_workspace_edit. Prints facts, or FAIL and exits non-zero.
local e2e = require('postfix_e2e')

e2e.on_first_buffer(function(bufnr)
  local client = e2e.start(bufnr)
  if not client then return end
  if not e2e.wait(15000, function() return e2e.find(bufnr, 'PF542') ~= nil end, 'PF542') then return end
  local done, result = false, nil
  client.request('workspace/executeCommand', { command = 'postfix.applyRecipe', arguments = { { uri = vim.uri_from_bufnr(bufnr), recipe = 'rate-limits' } } },
    function(err, res) done = true; result = res; if err then e2e.log('ERR ' .. vim.inspect(err)) end end, bufnr)
  if not e2e.wait(15000, function() return done end, 'the answer to postfix.applyRecipe') then return end
  e2e.log('APPLIED ' .. tostring(result and result.applied))
  local d = e2e.find(bufnr, 'PF542')
  local params = { textDocument = { uri = vim.uri_from_bufnr(bufnr) }, range = d.range, context = { diagnostics = { d } } }
  local chosen
  for _, a in ipairs(e2e.request(bufnr, 'textDocument/codeAction', params) or {}) do
    e2e.log('ACTION ' .. a.title)
    if a.kind == 'quickfix' and a.edit and a.title:find('… WARN)', 1, true) then chosen = a end
  end
  if not chosen then return e2e.fail('no WARN action') end
  vim.lsp.util.apply_workspace_edit(chosen.edit, client.offset_encoding)
  if not e2e.wait(15000, function() return e2e.find(bufnr, 'PF542') == nil end, 'PF542 to go after the quick fix') then return end
  e2e.log('PF542 GONE')

  vim.cmd('silent wall')
  e2e.finish(client)
end, 60000)
