-- Headless Neovim 0.7: go to definition, rename and formatting through the real
-- server with Neovim's own handlers (vim.lsp.buf.*), on main.cf of a repository
-- copy with master.cf and a `virtual` table beside it (test/e2e/neovim.test.ts).
-- Prints DEFINITION, RENAMED, FORMATTED and OK, or FAIL and exits non-zero.
local e2e = require('postfix_e2e')
local new_name = assert(os.getenv('POSTFIX_NEW_NAME'), 'POSTFIX_NEW_NAME not set')

-- Puts the cursor on the first `needle` in the current buffer (inside it, one character in).
local function cursor_on(needle)
  for n, line in ipairs(vim.api.nvim_buf_get_lines(0, 0, -1, false)) do
    local col = line:find(needle, 1, true)
    if col then return vim.api.nvim_win_set_cursor(0, { n, col }) end
  end
  e2e.fail('no ' .. needle .. ' in ' .. vim.api.nvim_buf_get_name(0))
end

local function ends_with(s, tail) return s:sub(-#tail) == tail end

e2e.on_first_buffer(function(main)
  local client = e2e.start(main)
  if not client then return end
  local dir = vim.fn.fnamemodify(vim.api.nvim_buf_get_name(main), ':p:h')

  -- Definition: the table path of virtual_alias_maps jumps to the table file beside main.cf.
  cursor_on('/etc/postfix/virtual')
  vim.lsp.buf.definition()
  if not e2e.wait(10000, function() return ends_with(vim.api.nvim_buf_get_name(0), '/virtual') end, 'definition to open the table') then return end
  e2e.log('DEFINITION ' .. vim.fn.fnamemodify(vim.api.nvim_buf_get_name(0), ':t') .. ' line ' .. vim.api.nvim_win_get_cursor(0)[1])
  vim.cmd('buffer ' .. main)

  -- Rename a user-defined parameter where it is set; the server's edit reaches master.cf's -o value.
  cursor_on('office_net =')
  vim.lsp.buf.rename(new_name)
  local master_path = dir .. '/master.cf'
  local function master_renamed()
    local b = vim.fn.bufnr(master_path)
    if b < 0 or not vim.api.nvim_buf_is_loaded(b) then return false end
    return table.concat(vim.api.nvim_buf_get_lines(b, 0, -1, false), '\n'):find('$' .. new_name, 1, true) ~= nil
  end
  if not e2e.wait(10000, master_renamed, 'the rename to reach master.cf') then return end
  local main_text = table.concat(vim.api.nvim_buf_get_lines(main, 0, -1, false), '\n')
  if main_text:find('office_net', 1, true) then return e2e.fail('office_net left in main.cf:\n' .. main_text) end
  e2e.log('RENAMED main.cf master.cf')

  -- Formatting, synchronous as format-on-save runs it: main.cf, then master.cf attached as well.
  vim.lsp.buf.formatting_sync({ tabSize = 2, insertSpaces = true }, 10000)
  local master = vim.fn.bufnr(master_path)
  vim.lsp.buf_attach_client(master, client.id)
  vim.cmd('buffer ' .. master)
  vim.lsp.buf.formatting_sync({ tabSize = 2, insertSpaces = true }, 10000)
  e2e.log('FORMATTED main.cf master.cf')

  vim.cmd('silent wall')
  e2e.finish(client)
end, 60000)
