-- Headless Neovim 0.7 driving the real language server (test/e2e/neovim.test.ts).
-- Prints one line per fact (DIAG, SYMBOLS, OK) or FAIL, and exits non-zero on failure.
local server = assert(os.getenv('POSTFIX_SERVER'), 'POSTFIX_SERVER not set')
local edit_line = tonumber(os.getenv('POSTFIX_EDIT_LINE') or '-1')   -- zero-based line to delete, or -1
local gone_code = os.getenv('POSTFIX_GONE_CODE')                      -- code that must vanish after the edit

local function log(s) io.stdout:write(s .. '\n') end
local function fail(msg) log('FAIL: ' .. msg); vim.cmd('cquit 1') end

local function code_of(d)  -- 0.7 keeps the LSP code in user_data, later versions on the item
  return d.code or (d.user_data and d.user_data.lsp and d.user_data.lsp.code) or '?'
end

local function dump(bufnr, tag)
  for _, d in ipairs(vim.diagnostic.get(bufnr)) do
    log(string.format('%s %d %s %d %s', tag, d.lnum, code_of(d), d.severity, (d.message:gsub('\n', ' '))))
  end
end

local function has_code(bufnr, code)
  for _, d in ipairs(vim.diagnostic.get(bufnr)) do if code_of(d) == code then return true end end
  return false
end

vim.api.nvim_create_autocmd('BufEnter', { pattern = '*', once = true, callback = function(args)
  local bufnr = args.buf
  local client_id = vim.lsp.start_client({
    name = 'postfix', cmd = { 'node', server, '--stdio' },
    root_dir = vim.fn.fnamemodify(vim.api.nvim_buf_get_name(bufnr), ':p:h'),
    on_exit = function(code, signal)
      if code ~= 0 then vim.schedule(function() fail('server exited code=' .. code .. ' signal=' .. signal) end) end
    end,
  })
  if not client_id then return fail('start_client returned nil') end
  vim.lsp.buf_attach_client(bufnr, client_id)
  if not vim.wait(10000, function() return #vim.diagnostic.get(bufnr) > 0 end, 20) then
    return fail('no diagnostics within 10s')
  end
  dump(bufnr, 'DIAG')

  if edit_line >= 0 then
    vim.api.nvim_buf_set_lines(bufnr, edit_line, edit_line + 1, false, {})   -- sent as an incremental didChange
    if not vim.wait(10000, function() return not has_code(bufnr, gone_code) end, 20) then
      return fail(gone_code .. ' still reported 10s after the edit')
    end
    dump(bufnr, 'AFTER')
  end

  local params = { textDocument = { uri = vim.uri_from_bufnr(bufnr) } }
  local resp, err = vim.lsp.buf_request_sync(bufnr, 'textDocument/documentSymbol', params, 5000)
  if not resp then return fail('documentSymbol failed: ' .. tostring(err)) end
  for _, r in pairs(resp) do
    local names = {}
    for _, s in ipairs(r.result or {}) do table.insert(names, s.name) end
    log('SYMBOLS ' .. table.concat(names, ','))
  end
  vim.lsp.stop_client(client_id)
  log('OK')
  vim.cmd('qall!')
end })

vim.defer_fn(function() fail('timeout after 30s') end, 30000)
