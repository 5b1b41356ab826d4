-- Driven by test/e2e/neovim.test.ts: with the buffer of a BPF C file open (through bpfls.lua),
-- waits for bpfls's diagnostics, asks for a hover on a helper, applies the preferred quick-fix
-- through vim.lsp.buf.code_action (vim.ui.select answered with the preferred action) and waits
-- for the diagnostic to go. Writes what it saw as JSON to $BPFLS_E2E_OUT, then quits.
local out = { steps = {} }
local buf = vim.api.nvim_get_current_buf()

local function finish()
  local f = assert(io.open(vim.env.BPFLS_E2E_OUT, 'w'))
  f:write(vim.fn.json_encode(out))
  f:close()
  vim.cmd('qall!')
end

local function bpfls()
  for _, c in pairs(vim.lsp.buf_get_clients(buf)) do
    if c.name == 'bpfls' then return c end
  end
end

local function diags()
  local list = {}
  for _, d in ipairs(vim.diagnostic.get(buf)) do
    local lsp = d.user_data and d.user_data.lsp or {}
    table.insert(list, { lnum = d.lnum, col = d.col, message = d.message, severity = d.severity,
      source = d.source, code = lsp.code })
  end
  return list
end

local function find_diag(code)
  for _, d in ipairs(diags()) do
    if d.code == code then return d end
  end
end

local ok, err = pcall(function()
  out.attached = vim.wait(20000, function() local c = bpfls(); return c ~= nil and c.initialized end, 50)
  table.insert(out.steps, 'attached')
  if not out.attached then return end

  local want = vim.env.BPFLS_E2E_CODE
  out.diagnostic_seen = vim.wait(25000, function() return find_diag(want) ~= nil end, 50)
  out.diagnostics = diags()
  table.insert(out.steps, 'diagnostics')

  -- Hover on the first call (outside comments) of the helper named in $BPFLS_E2E_HOVER.
  local lines = vim.api.nvim_buf_get_lines(buf, 0, -1, false)
  local word = vim.env.BPFLS_E2E_HOVER
  for i, l in ipairs(lines) do
    local s = l:find(word .. '(', 1, true)
    if s and not l:match('^%s*//') then
      local r = bpfls().request_sync('textDocument/hover', {
        textDocument = { uri = vim.uri_from_bufnr(buf) },
        position = { line = i - 1, character = s },
      }, 10000, buf)
      out.hover = r and r.result and r.result.contents
      break
    end
  end
  table.insert(out.steps, 'hover')

  -- The quick-fix, the way a user gets it: cursor on the diagnostic, :lua vim.lsp.buf.code_action().
  local d = find_diag(want)
  if not d then return end
  vim.api.nvim_win_set_cursor(0, { d.lnum + 1, d.col })
  local picked = false
  vim.ui.select = function(items, _, on_choice)
    out.actions = {}
    local choice
    for _, item in ipairs(items) do
      local action = item[2] or item.action
      table.insert(out.actions, action.title)
      if action.isPreferred and not choice then choice = item end
    end
    out.chosen = choice and (choice[2] or choice.action).title
    picked = true
    on_choice(choice)
  end
  vim.lsp.buf.code_action()
  vim.wait(10000, function() return picked end, 50)
  table.insert(out.steps, 'code action')
  out.diagnostic_gone = vim.wait(25000, function() return find_diag(want) == nil end, 50)
  out.diagnostics_after = diags()
  out.text_after = table.concat(vim.api.nvim_buf_get_lines(buf, 0, -1, false), '\n')
end)
if not ok then out.error = tostring(err) end
finish()
