-- bpfls in Neovim 0.7+ with the built-in LSP client (no plugins). Put this in init.lua (or
-- require it from there). `bpfls` must be on PATH (or set BPFLS to its path).
-- BPF C files (*.bpf.c, *.bpf.h) have filetype c; BPF assembly (*.bpf.s) gets filetype bpf-asm.
vim.cmd([[autocmd BufRead,BufNewFile *.bpf.s,*.bpf.S,*.bpf.asm setfiletype bpf-asm]])

local bpfls_clients = {} -- one server per root directory

local function bpfls_attach(buf)
  local name = vim.api.nvim_buf_get_name(buf)
  if not (name:match('%.bpf%.[ch]$') or vim.bo[buf].filetype == 'bpf-asm') then
    return
  end
  local root = vim.fn.getcwd()
  local id = bpfls_clients[root]
  if not (id and vim.lsp.get_client_by_id(id)) then
    id = vim.lsp.start_client({
      name = 'bpfls',
      cmd = { vim.env.BPFLS or 'bpfls', 'lsp', '--stdio' },
      root_dir = root,
      -- languageId: 'c' for C buffers, 'bpf-asm' for assembly (the filetype).
      get_language_id = function(_, filetype) return filetype end,
    })
    bpfls_clients[root] = id
  end
  if id then vim.lsp.buf_attach_client(buf, id) end
end

vim.api.nvim_create_autocmd('FileType', {
  pattern = { 'c', 'bpf-asm' },
  callback = function(args) bpfls_attach(args.buf) end,
})
