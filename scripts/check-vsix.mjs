// Checks a packaged .vsix: under the size limit, and nothing in it that VS
// Code never loads (source maps, screenshots, the CLI). Run after
// `npm run package` (which calls it) and by scripts/quickstart.sh and the
// code-server test, so a growing bundle or a loosened .vscodeignore fails.
//   node scripts/check-vsix.mjs [dist/postfix-config-tools.vsix] [--max-kb 700]
import { readFileSync } from 'node:fs';

const args = process.argv.slice(2);
const maxAt = args.indexOf('--max-kb');
const MAX_KB = maxAt >= 0 ? Number(args[maxAt + 1]) : 700;
const file = args.find((a, i) => !a.startsWith('--') && (maxAt < 0 || i !== maxAt + 1)) ?? 'dist/postfix-config-tools.vsix';

/** Entry names and uncompressed sizes from the zip's central directory. */
function zipEntries(buf) {
  // The end-of-central-directory record is in the last 64 KiB + 22 bytes.
  let eocd = -1;
  for (let i = buf.length - 22; i >= Math.max(0, buf.length - 65_557); i--) {
    if (buf.readUInt32LE(i) === 0x06054b50) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) throw new Error(`${file}: not a zip file`);
  const count = buf.readUInt16LE(eocd + 10);
  let at = buf.readUInt32LE(eocd + 16);
  const out = [];
  for (let n = 0; n < count; n++) {
    if (buf.readUInt32LE(at) !== 0x02014b50) throw new Error(`${file}: broken central directory`);
    const compressed = buf.readUInt32LE(at + 20);
    const size = buf.readUInt32LE(at + 24);
    const nameLength = buf.readUInt16LE(at + 28);
    const extra = buf.readUInt16LE(at + 30);
    const comment = buf.readUInt16LE(at + 32);
    out.push({ name: buf.toString('utf8', at + 46, at + 46 + nameLength), size, compressed });
    at += 46 + nameLength + extra + comment;
  }
  return out;
}

const buf = readFileSync(file);
const entries = zipEntries(buf);
const kb = buf.length / 1024;
const problems = [];
if (kb >= MAX_KB) problems.push(`${file} is ${kb.toFixed(1)} KB, over the ${MAX_KB} KB limit`);
for (const e of entries) {
  if (/\.map$/.test(e.name)) problems.push(`${e.name}: source maps stay out of the .vsix`);
  if (/\.v8$/.test(e.name)) problems.push(`${e.name}: a V8 code cache is machine-specific (dist/.cache is written on the user's machine)`);
  if (/\.(png|jpe?g|gif)$/i.test(e.name) && !/^extension\/media\//.test(e.name)) problems.push(`${e.name}: screenshots stay out of the .vsix (README links point to the web)`);
  if (/^extension\/dist\/(cli\.js|onig\.wasm)$/.test(e.name)) problems.push(`${e.name}: the CLI ships through npm, not the .vsix`);
}
const biggest = [...entries].sort((a, b) => b.compressed - a.compressed).slice(0, 5);
console.log(`${file}: ${kb.toFixed(1)} KB, ${entries.length} files (limit ${MAX_KB} KB); largest compressed: ${biggest.map((e) => `${e.name.replace(/^extension\//, '')} ${(e.compressed / 1024).toFixed(0)} KB`).join(', ')}`);
if (problems.length) {
  for (const p of problems) console.error(`check-vsix: ${p}`);
  process.exit(1);
}
