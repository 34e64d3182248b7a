// fast-check generators for configuration text: realistic enough to hit every
// parsing and expansion path (continuations, comments, every $ form,
// duplicates, user-defined names), occasionally broken on purpose.
import fc from 'fast-check';

const KNOWN = [
  'myhostname',
  'mydomain',
  'myorigin',
  'relayhost',
  'mydestination',
  'smtpd_banner',
  'alias_maps',
  'relay_domains',
  'mynetworks',
  'smtpd_relay_restrictions',
  'smtpd_recipient_restrictions',
  'virtual_alias_maps',
  'inet_interfaces',
  'message_size_limit',
];
const USER = ['my_rbl', 'my_list', 'site_dom', 'x1'];
const TYPO = ['smtpd_recipent_restrictions', 'MyHostname', 'relay_host'];
const ALL = [...KNOWN, ...USER, ...TYPO, 'nosuch_param'];

const word = fc.constantFrom('a', 'b', 'caf\u00e9', 'example.test', 'permit_mynetworks,', 'reject', 'hash:/etc/postfix/x', '127.0.0.0/8', '[::1]/128', 'x,y', '{', '}', '?', ':', '#');
const name = fc.constantFrom(...ALL);

const reference: fc.Arbitrary<string> = fc.oneof(
  name.map((n) => `$${n}`),
  name.map((n) => `\${${n}}`),
  name.map((n) => `$(${n})`),
  fc.tuple(name, word).map(([n, w]) => `\${${n}?${w}}`),
  fc.tuple(name, word).map(([n, w]) => `\${${n}:${w}}`),
  fc.tuple(name, word, word).map(([n, a, b]) => `\${${n}?{${a}}:{${b}}}`),
  fc.tuple(name, word).map(([n, w]) => `\${${n} ? {${w}}}`),
  fc.tuple(name, fc.constantFrom('==', '!=', '<', '>=', '<level'), word, word).map(
    ([n, op, a, b]) => `\${{$${n}} ${op} {${a === '{' || a === '}' ? 'z' : a}} ? {${b === '{' || b === '}' ? 'y' : b}} : {n}}`,
  ),
  fc.constant('$$'),
);

const brokenReference = fc.constantFrom('$', '${', '${mydomain', '$()', '${a b}', '${{x} ?? {y}}');

const valuePiece = fc.oneof({ weight: 5, arbitrary: word }, { weight: 3, arbitrary: reference }, { weight: 1, arbitrary: fc.constant('') });
const sep = fc.constantFrom(' ', ', ', '  ', '\t', ',');

/** A value, possibly continued over several physical lines. */
const value = fc
  .array(fc.tuple(valuePiece, sep, fc.constantFrom('', '', '', '\n  ', '\n\t', '\n# c\n  ', '\n\n  ')), { maxLength: 5 })
  .map((parts) => parts.map(([p, s, cont]) => p + s + cont).join('').replace(/\s+$/, ''));

const assignment = fc
  .tuple(name, fc.constantFrom(' = ', '=', ' =\t', '\t= '), value, fc.constantFrom('', ' ', '\t', '\r'))
  .map(([n, eq, v, trail]) => `${n}${eq}${v}${trail}`);

const line = fc.oneof(
  { weight: 10, arbitrary: assignment },
  { weight: 2, arbitrary: fc.constantFrom('# comment', '   # indented comment', '', '   ') },
  { weight: 1, arbitrary: fc.tuple(name, brokenReference).map(([n, b]) => `${n} = x${b}`) },
  { weight: 1, arbitrary: fc.constantFrom('missing_equals value', '  indented = line', '= novalue') },
);

/** A whole main.cf; usually starts with compatibility_level so defaults are modern. */
export function mainCfArbitrary(): fc.Arbitrary<string> {
  return fc
    .tuple(fc.constantFrom('compatibility_level = 3.6\n', 'compatibility_level = 3.6\n', 'compatibility_level = 2\n', ''), fc.array(line, { maxLength: 12 }), fc.boolean())
    .map(([head, lines, crlf]) => {
      const text = head + lines.join('\n') + '\n';
      return crlf ? text.replace(/\n/g, '\r\n') : text;
    });
}
