// Key folding as Postfix does it for exact-match tables (DICT_FLAG_FOLD_FIX):
// ASCII keys are lower-cased; with SMTPUTF8 on (the default from
// compatibility_level 1 on) other keys get Unicode case folding.

/** True when every character is 7-bit ASCII. */
export function isAscii(s: string): boolean {
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) > 127) return false;
  return true;
}

function hasUpperAscii(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 65 && c <= 90) return true;
  }
  return false;
}

/**
 * Case-folds a key. ICU's full case folding is approximated per code point
 * by upper-casing then lower-casing, which gives ß → ss and ﬁ → fi and avoids
 * the context rules of toLowerCase (final sigma); scripts that fold to upper
 * case (Cherokee) are the known difference.
 */
export function foldKey(s: string): string {
  if (isAscii(s)) return hasUpperAscii(s) ? s.toLowerCase() : s;
  let out = '';
  for (const ch of s) {
    const cp = ch.codePointAt(0)!;
    out += cp < 128 ? ch.toLowerCase() : ch.toUpperCase().toLowerCase();
  }
  return out;
}

/** Postfix lowercase(): ASCII only (used when UTF-8 support is off). */
export function lowerAscii(s: string): string {
  return hasUpperAscii(s) ? s.replace(/[A-Z]+/g, (m) => m.toLowerCase()) : s;
}
