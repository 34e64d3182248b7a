-- Shared by every headless Neovim 0.7 script in this directory (loaded with
-- require('postfix_e2e'); test/helpers/nvim.ts puts this directory on package.path).
-- The scripts print one fact per line for the TypeScript test to assert on, and
-- FAIL: <why> with a non-zero exit on any failure, a Lua error or a timeout.
local M = {}

M.server = assert(os.getenv('POSTFIX_SERVER'), 'POSTFIX_SERVER not set')

function M.log(s) io.stdout:write(s .. '\n') end

function M.fail(msg)
  M.log('FAIL: ' .. msg)
  vim.cmd('cquit 1')
end

-- The LSP form of a Neovim diagnostic (0.7 keeps the code and data in user_data.lsp, later versions on the item).
function M.lsp_diag(d)
  local extra = (d.user_data and d.user_data.lsp) or {}
  return {
    range = { start = { line = d.lnum, character = d.col }, ['end'] = { line = d.end_lnum, character = d.end_col } },
    severity = d.severity, message = d.message, source = d.source, code = extra.code or d.code or '?', data = extra.data,
  }
end

-- The first diagnostic of the buffer with this code, in LSP form, or nil.
function M.find(bufnr, code)
  for _, d in ipairs(vim.diagnostic.get(bufnr)) do
    local l = M.lsp_diag(d)
    if l.code == code then return l end
  end
end

-- Prints TAG <zero-based line> <code> <severity> <message> for each diagnostic.
function M.dump(bufnr, tag)
  for _, d in ipairs(vim.diagnostic.get(bufnr)) do
    M.log(string.format('%s %d %s %d %s', tag, d.lnum, M.lsp_diag(d).code, d.severity, (d.message:gsub('\n', ' '))))
  end
end

-- Waits up to `ms` for `cond`; on a timeout fails the run naming what did not happen.
function M.wait(ms, cond, what)
  if vim.wait(ms, cond, 20) then return true end
  M.fail(string.format('timed out after %d ms waiting for %s', ms, what))
  return false
end

-- Starts `node $POSTFIX_SERVER --stdio` rooted at the buffer's directory and attaches it;
-- a server that exits with an error fails the run. Returns the client once it is initialized.
function M.start(bufnr)
  local client_id = vim.lsp.start_client({
    name = 'postfix', cmd = { 'node', M.server, '--stdio' },
    root_dir = vim.fn.fnamemodify(vim.api.nvim_buf_get_name(bufnr), ':p:h'),
    on_exit = function(code, signal)
      if code ~= 0 then vim.schedule(function() M.fail('server exited code=' .. code .. ' signal=' .. signal) end) end
    end,
  })
  if not client_id then return M.fail('start_client returned nil') end
  vim.lsp.buf_attach_client(bufnr, client_id)
  local client = vim.lsp.get_client_by_id(client_id)
  if not M.wait(15000, function() return client.initialized end, 'the server to initialize') then return end
  return client
end

-- A synchronous request; returns the one result (nil when the server answered null) or fails the run.
function M.request(bufnr, method, params, ms)
  local resp, err = vim.lsp.buf_request_sync(bufnr, method, params, ms or 10000)
  if not resp then return M.fail(method .. ' failed: ' .. tostring(err)) end
  for _, r in pairs(resp) do
    if r.err then return M.fail(method .. ' error: ' .. vim.inspect(r.err)) end
    return r.result
  end
end

-- Runs `body(bufnr)` on the first buffer Neovim enters (the file on the command line);
-- a Lua error or `timeout_ms` without an exit fails the run.
function M.on_first_buffer(body, timeout_ms)
  vim.api.nvim_create_autocmd('BufEnter', { pattern = '*', once = true, callback = function(args)
    local ok, err = xpcall(body, debug.traceback, args.buf)
    if not ok then M.fail('Lua error: ' .. tostring(err)) end
  end })
  vim.defer_fn(function() M.fail('timed out after ' .. timeout_ms .. ' ms (whole script)') end, timeout_ms)
end

-- Stops the server, prints OK and quits with status 0.
function M.finish(client)
  client.stop()
  M.log('OK')
  vim.cmd('qall!')
end

return M
