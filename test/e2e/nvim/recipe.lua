-- Headless Neovim 0.7 applying recipes through the real server (test/e2e/neovim-recipes.test.ts):
-- workspace/executeCommand postfix.applyRecipe (rate-limits), which the server applies
-- with workspace/applyEdit, then the PF542 quick fix (WARN variant, a CreateFile for
-- the table) with Neovim's own apply_workspace_edit. Prints facts, or FAIL and exits non-zero.
local server = assert(os.getenv('POSTFIX_SERVER'), 'POSTFIX_SERVER not set')

local function log(s) io.stdout:write(s .. '\n') end
local function fail(msg) log('FAIL: ' .. msg); vim.cmd('cquit 1') end

-- The LSP form of a Neovim diagnostic (0.7 keeps only code and data in user_data.lsp).
local function lsp_diag(d)
  local extra = (d.user_data and d.user_data.lsp) or {}
  return {
    range = { start = { line = d.lnum, character = d.col }, ['end'] = { line = d.end_lnum, character = d.end_col } },
    severity = d.severity, message = d.message, source = d.source, code = extra.code or d.code, data = extra.data,
  }
end

local function find(bufnr, code)
  for _, d in ipairs(vim.diagnostic.get(bufnr)) do
    local l = lsp_diag(d)
    if l.code == code then return l end
  end
end

vim.api.nvim_create_autocmd('BufEnter', { pattern = '*', once = true, callback = function(args)
  local bufnr = args.buf
  local client_id = vim.lsp.start_client({
    name = 'postfix', cmd = { 'node', server, '--stdio' },
    root_dir = vim.fn.fnamemodify(vim.api.nvim_buf_get_name(bufnr), ':p:h'),
  })
  if not client_id then return fail('start_client returned nil') end
  vim.lsp.buf_attach_client(bufnr, client_id)
  local client = vim.lsp.get_client_by_id(client_id)
  if not vim.wait(15000, function() return find(bufnr, 'PF542') ~= nil end, 20) then
    return fail('no PF542 within 15s')
  end
  local done, result = false, nil
  client.request('workspace/executeCommand', { command = 'postfix.applyRecipe', arguments = { { uri = vim.uri_from_bufnr(bufnr), recipe = 'rate-limits' } } },
    function(err, res) done = true; result = res; if err then log('ERR ' .. vim.inspect(err)) end end, bufnr)
  if not vim.wait(15000, function() return done end, 20) then return fail('no answer to postfix.applyRecipe') end
  log('APPLIED ' .. tostring(result and result.applied))
  local d = find(bufnr, 'PF542')
  local params = { textDocument = { uri = vim.uri_from_bufnr(bufnr) }, range = d.range, context = { diagnostics = { d } } }
  local resp = vim.lsp.buf_request_sync(bufnr, 'textDocument/codeAction', params, 10000)
  local chosen
  for _, r in pairs(resp or {}) do
    for _, a in ipairs(r.result or {}) do
      log('ACTION ' .. a.title)
      if a.kind == 'quickfix' and a.edit and a.title:find('… WARN)', 1, true) then chosen = a end
    end
  end
  if not chosen then return fail('no WARN action') end
  vim.lsp.util.apply_workspace_edit(chosen.edit, client.offset_encoding)
  if not vim.wait(15000, function() return find(bufnr, 'PF542') == nil end, 20) then
    return fail('PF542 still reported 15s after the quick fix')
  end
  log('PF542 GONE')

  vim.cmd('silent wall')
  vim.lsp.stop_client(client_id)
  log('OK')
  vim.cmd('qall!')
end })

vim.defer_fn(function() fail('timeout after 60s') end, 60000)
