// Bundles the extension client, the language server and the CLI with esbuild.
// One file each: VS Code loads one large file much faster than many small ones.
import { build } from 'esbuild';
import { chmodSync, copyFileSync } from 'node:fs';

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
};

await Promise.all([
  build({ ...common, entryPoints: ['client/src/extension.ts'], outfile: 'dist/extension.js', external: ['vscode'] }),
  // dist/server.js is a small loader that runs dist/server-core.js through V8's code cache (server/src/boot).
  build({ ...common, entryPoints: ['server/src/server.ts'], outfile: 'dist/server-core.js' }),
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
