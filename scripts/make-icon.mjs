// Draws media/icon.png (128×128, RGBA), the extension's icon: a closed
// envelope on a dark rounded square with a green check, for "a configuration
// that passes". Generated rather than drawn by hand so anyone can change it;
// run `node scripts/make-icon.mjs` and commit the PNG. No dependencies: the
// PNG is written with node:zlib.
import { writeFileSync } from 'node:fs';
import { deflateSync } from 'node:zlib';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const N = 128;
const SS = 4; // supersampling per axis, for smooth edges
const px = new Float64Array(N * N * 4);

const BG = [0x1f, 0x3a, 0x5f];
const PAPER = [0xf4, 0xf6, 0xf8];
const INK = [0x1f, 0x3a, 0x5f];
const GREEN = [0x2e, 0xa0, 0x43];

function roundedSquare(x, y) {
  const r = 22, m = 4;
  const cx = Math.min(Math.max(x, m + r), N - m - r), cy = Math.min(Math.max(y, m + r), N - m - r);
  return x >= m && x <= N - m && y >= m && y <= N - m && (x - cx) ** 2 + (y - cy) ** 2 <= r * r;
}
const env = { l: 22, r: 106, t: 36, b: 92 };
const inEnvelope = (x, y) => x >= env.l && x <= env.r && y >= env.t && y <= env.b;
function distToSegment(x, y, x1, y1, x2, y2) {
  const dx = x2 - x1, dy = y2 - y1;
  const t = Math.max(0, Math.min(1, ((x - x1) * dx + (y - y1) * dy) / (dx * dx + dy * dy)));
  return Math.hypot(x - (x1 + t * dx), y - (y1 + t * dy));
}
const flap = (x, y) => Math.min(distToSegment(x, y, env.l, env.t, 64, 68), distToSegment(x, y, 64, 68, env.r, env.t)) <= 2.5;
const badge = { x: 96, y: 94, r: 22 };
const inBadge = (x, y) => (x - badge.x) ** 2 + (y - badge.y) ** 2 <= badge.r ** 2;
const inBadgeRing = (x, y) => (x - badge.x) ** 2 + (y - badge.y) ** 2 <= (badge.r + 4) ** 2;
const check = (x, y) => Math.min(distToSegment(x, y, 85, 94, 93, 102), distToSegment(x, y, 93, 102, 108, 85)) <= 3.5;

function colourAt(x, y) {
  if (!roundedSquare(x, y)) return null;
  if (inBadge(x, y)) return check(x, y) ? PAPER : GREEN;
  if (inBadgeRing(x, y)) return BG;
  if (inEnvelope(x, y)) return flap(x, y) ? INK : PAPER;
  return BG;
}

for (let y = 0; y < N; y++)
  for (let x = 0; x < N; x++) {
    const acc = [0, 0, 0, 0];
    for (let sy = 0; sy < SS; sy++)
      for (let sx = 0; sx < SS; sx++) {
        const c = colourAt(x + (sx + 0.5) / SS, y + (sy + 0.5) / SS);
        if (!c) continue;
        acc[0] += c[0]; acc[1] += c[1]; acc[2] += c[2]; acc[3] += 255;
      }
    const n = SS * SS, a = acc[3] / n, i = (y * N + x) * 4;
    px[i + 3] = a;
    for (let k = 0; k < 3; k++) px[i + k] = a ? (acc[k] * 255) / acc[3] : 0;
  }

const raw = Buffer.alloc(N * (N * 4 + 1));
for (let y = 0; y < N; y++) {
  raw[y * (N * 4 + 1)] = 0; // filter: none
  for (let x = 0; x < N * 4; x++) raw[y * (N * 4 + 1) + 1 + x] = Math.round(px[y * N * 4 + x]);
}
const crcTable = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
const crc32 = (buf) => {
  let c = 0xffffffff;
  for (const b of buf) c = crcTable[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
};
function chunk(type, data) {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const td = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(td));
  return Buffer.concat([len, td, crc]);
}
const ihdr = Buffer.alloc(13);
ihdr.writeUInt32BE(N, 0);
ihdr.writeUInt32BE(N, 4);
ihdr[8] = 8; // bit depth
ihdr[9] = 6; // RGBA
const png = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', ihdr), chunk('IDAT', deflateSync(raw, { level: 9 })), chunk('IEND', Buffer.alloc(0))]);
const out = join(dirname(fileURLToPath(import.meta.url)), '..', 'media', 'icon.png');
writeFileSync(out, png);
console.log(`wrote ${out} (${png.length} bytes)`);
