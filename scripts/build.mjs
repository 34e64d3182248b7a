// Bundles the extension client, the language server and the CLI with esbuild.
// One file each: VS Code loads one large file much faster than many small ones.
import { build } from 'esbuild';
import { chmodSync, copyFileSync, readFileSync } from 'node:fs';

const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  sourcemap: process.argv.includes('--sourcemap') ? 'linked' : false,
  // Smaller bundles start faster (the server is spawned per editor session); --no-minify for readable output.
  minify: !process.argv.includes('--no-minify'),
  // Keeping function names (for stack traces in the server log) costs about a tenth of the
  // server's load time (a __name call per function at start); --keep-names when debugging.
  keepNames: process.argv.includes('--keep-names'),
  logLevel: 'warning',
  // Non-ASCII characters escaped: the loaders (server/src/boot) read an ASCII bundle without UTF-8 decoding.
  charset: 'ascii',
};

// vscode-languageserver loads child_process (to find a global npm for module
// resolution) and crypto (for random pipe names) when it is loaded; our server
// uses neither path over stdio or node-ipc, and compiling the two Node modules
// was ~7 ms of each server start. Here they are loaded on first use instead.
const LAZY_BUILTINS = ['child_process', 'crypto'];
const lazyBuiltins = {
  name: 'lazy-builtins',
  setup(b) {
    b.onLoad({ filter: /[\\/]node_modules[\\/]vscode-(languageserver|jsonrpc)[\\/].*\.js$/ }, (args) => {
      let contents = readFileSync(args.path, 'utf8');
      for (const id of LAZY_BUILTINS) {
        contents = contents.replaceAll(`require("${id}")`, `new Proxy({}, { get: (_, key) => require("${id}")[key] })`);
      }
      return { contents, loader: 'js' };
    });
  },
};

await Promise.all([
  build({ ...common, entryPoints: ['client/src/extension.ts'], outfile: 'dist/extension.js', external: ['vscode'] }),
  // dist/server.js is a small loader that runs dist/server-core.js through V8's code cache (server/src/boot).
  build({ ...common, entryPoints: ['server/src/server.ts'], outfile: 'dist/server-core.js', plugins: [lazyBuiltins] }),
  build({ ...common, entryPoints: ['server/src/boot/server.ts'], outfile: 'dist/server.js' }),
  // dist/cli.js (postfix-lint) is the same kind of loader, for dist/cli-core.js.
  build({ ...common, entryPoints: ['server/src/cli/main.ts'], outfile: 'dist/cli-core.js' }),
  build({
    ...common,
    entryPoints: ['server/src/boot/cli.ts'],
    outfile: 'dist/cli.js',
    banner: { js: '#!/usr/bin/env node' },
  }),
]);
chmodSync('dist/cli.js', 0o755);
// The HTML report tokenizes with vscode-textmate, whose regular expressions run in this WASM file.
copyFileSync('node_modules/vscode-oniguruma/release/onig.wasm', 'dist/onig.wasm');
