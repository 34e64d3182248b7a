// IP address text ↔ bytes with the exact acceptance rules of glibc's
// inet_pton()/inet_ntop(), which Postfix's cidr tables use. General-purpose
// parsers (ip-address, net.isIP) accept or reject different edge cases (zone
// ids, leading zeros, 5-digit groups), and a cidr rule that Postfix skips must
// be reported as skipped, so we follow glibc to the byte.

function hexValue(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  if (c >= 97 && c <= 102) return c - 87;
  if (c >= 65 && c <= 70) return c - 55;
  return -1;
}

/** Dotted-quad IPv4 → 4 bytes, or undefined. Exactly four decimal parts 0–255, no leading zeros. */
export function pton4(s: string, from = 0, to = s.length, out = new Uint8Array(4), at = 0): Uint8Array | undefined {
  const tmp = [0, 0, 0, 0];
  let t = 0;
  let sawDigit = false;
  let octets = 0;
  for (let i = from; i < to; i++) {
    const c = s.charCodeAt(i);
    if (c >= 48 && c <= 57) {
      const v = tmp[t] * 10 + (c - 48);
      if (sawDigit && tmp[t] === 0) return undefined;
      if (v > 255) return undefined;
      tmp[t] = v;
      if (!sawDigit) {
        if (++octets > 4) return undefined;
        sawDigit = true;
      }
    } else if (c === 46 /* . */ && sawDigit) {
      if (octets === 4) return undefined;
      t++;
      sawDigit = false;
    } else return undefined;
  }
  if (octets < 4) return undefined;
  for (let k = 0; k < 4; k++) out[at + k] = tmp[k];
  return out;
}

/** IPv6 text → 16 bytes, or undefined (glibc rules: one `::`, ≤4 hex digits a group, optional trailing IPv4). */
export function pton6(s: string): Uint8Array | undefined {
  const out = new Uint8Array(16);
  const end = s.length;
  let i = 0;
  if (i === end) return undefined;
  if (s.charCodeAt(0) === 58) {
    i++;
    if (i === end || s.charCodeAt(i) !== 58) return undefined;
  }
  let tp = 0;
  let colonp = -1;
  let curtok = i;
  let digits = 0;
  let val = 0;
  while (i < end) {
    const c = s.charCodeAt(i++);
    const d = hexValue(c);
    if (d >= 0) {
      if (digits === 4) return undefined;
      val = (val << 4) | d;
      digits++;
      continue;
    }
    if (c === 58 /* : */) {
      curtok = i;
      if (digits === 0) {
        if (colonp >= 0) return undefined;
        colonp = tp;
        continue;
      } else if (i === end) return undefined;
      if (tp + 2 > 16) return undefined;
      out[tp++] = (val >> 8) & 0xff;
      out[tp++] = val & 0xff;
      digits = 0;
      val = 0;
      continue;
    }
    if (c === 46 /* . */ && tp + 4 <= 16 && pton4(s, curtok, end, out, tp)) {
      tp += 4;
      digits = 0;
      break;
    }
    return undefined;
  }
  if (digits > 0) {
    if (tp + 2 > 16) return undefined;
    out[tp++] = (val >> 8) & 0xff;
    out[tp++] = val & 0xff;
  }
  if (colonp >= 0) {
    if (tp === 16) return undefined;
    const n = tp - colonp;
    out.copyWithin(16 - n, colonp, tp);
    out.fill(0, colonp, 16 - n);
    tp = 16;
  }
  return tp === 16 ? out : undefined;
}

export function ntop4(b: Uint8Array, at = 0): string {
  return `${b[at]}.${b[at + 1]}.${b[at + 2]}.${b[at + 3]}`;
}

/** 16 bytes → text as glibc prints it (longest zero run of ≥2 groups compressed, IPv4-mapped tail). */
export function ntop6(b: Uint8Array): string {
  const w: number[] = [];
  for (let i = 0; i < 16; i += 2) w.push((b[i] << 8) | b[i + 1]);
  let bestBase = -1;
  let bestLen = 0;
  let curBase = -1;
  let curLen = 0;
  for (let i = 0; i < 8; i++) {
    if (w[i] === 0) {
      if (curBase === -1) {
        curBase = i;
        curLen = 1;
      } else curLen++;
    } else if (curBase !== -1) {
      if (bestBase === -1 || curLen > bestLen) {
        bestBase = curBase;
        bestLen = curLen;
      }
      curBase = -1;
    }
  }
  if (curBase !== -1 && (bestBase === -1 || curLen > bestLen)) {
    bestBase = curBase;
    bestLen = curLen;
  }
  if (bestBase !== -1 && bestLen < 2) bestBase = -1;
  let out = '';
  for (let i = 0; i < 8; i++) {
    if (bestBase !== -1 && i >= bestBase && i < bestBase + bestLen) {
      if (i === bestBase) out += ':';
      continue;
    }
    if (i !== 0) out += ':';
    if (i === 6 && bestBase === 0 && (bestLen === 6 || (bestLen === 5 && w[5] === 0xffff))) {
      out += ntop4(b, 12);
      return out;
    }
    out += w[i].toString(16);
  }
  if (bestBase !== -1 && bestBase + bestLen === 8) out += ':';
  return out;
}

export type Family = 4 | 6;

/** Postfix picks the family by the presence of ':'. */
export function familyOf(s: string): Family {
  return s.includes(':') ? 6 : 4;
}

export function ptonFamily(family: Family, s: string): Uint8Array | undefined {
  return family === 4 ? pton4(s) : pton6(s);
}

export function ntopFamily(family: Family, b: Uint8Array): string {
  return family === 4 ? ntop4(b) : ntop6(b);
}

/** Clears all bits after the first `bits` (Postfix mask_addr). */
export function maskBytes(b: Uint8Array, bits: number): Uint8Array {
  const out = Uint8Array.from(b);
  let p = bits >> 3;
  const rest = bits & 7;
  if (rest !== 0 && p < out.length) out[p++] &= (0xff << (8 - rest)) & 0xff;
  for (; p < out.length; p++) out[p] = 0;
  return out;
}
