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
  keepNames: true,
  logLevel: 'warning',
};

await Promise.all([
  build({ ...common, entryPoints: ['client/src/extension.ts'], outfile: 'dist/extension.js', external: ['vscode'] }),
  build({ ...common, entryPoints: ['server/src/server.ts'], outfile: 'dist/server.js' }),
  build({
    ...common,
    entryPoints: ['server/src/cli/main.ts'],
    outfile: 'dist/cli.js',
    banner: { js: '#!/usr/bin/env node' },
  }),
]);
chmodSync('dist/cli.js', 0o755);
// The HTML report tokenizes with vscode-textmate, whose regular expressions run in this WASM file.
copyFileSync('node_modules/vscode-oniguruma/release/onig.wasm', 'dist/onig.wasm');
