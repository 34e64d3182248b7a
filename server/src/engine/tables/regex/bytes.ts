// Postfix hands PCRE (without UTF mode) and glibc regex (C locale) plain bytes.
// We match the same way: text becomes a "binary string" holding one UTF-8 byte
// per UTF-16 unit (0–255), and JavaScript regexps run without the u flag.

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8');

function isAscii(s: string): boolean {
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) > 127) return false;
  return true;
}

/** Text → binary string of its UTF-8 bytes. */
export function toBytes(s: string): string {
  if (isAscii(s)) return s;
  const b = encoder.encode(s);
  let out = '';
  for (let i = 0; i < b.length; i += 4096) out += String.fromCharCode(...b.subarray(i, i + 4096));
  return out;
}

/** Binary string of UTF-8 bytes → text (invalid sequences become U+FFFD). */
export function fromBytes(b: string): string {
  if (isAscii(b)) return b;
  const u = new Uint8Array(b.length);
  for (let i = 0; i < b.length; i++) u[i] = b.charCodeAt(i) & 0xff;
  return decoder.decode(u);
}
