// A deliberately small Jinja renderer for staging the shared corpus's
// templates (test/precision/shared-tier.ts). It evaluates nothing: every
// `{{ expression }}`, `{% if condition %}` and `{% for x in list %}` must be
// named, by its exact text (spaces collapsed), in the values given. A template
// that uses anything else throws, so a changed template in ../shared/corpus
// fails the test loudly instead of being staged half-rendered.
//
// Supported: {{ }}, {% if/elif/else/endif %}, {% for x in y %}...{% endfor %},
// {# #}, whitespace control with "-", string literals ("..." / '...'), and
// trim_blocks (Ansible's template module turns it on; plain jinja2 does not).

export interface JinjaValues {
  /** `{{ expr }}` -> text */
  values: Record<string, string>;
  /** `{% if cond %}` / `{% elif cond %}` -> truth */
  conditions?: Record<string, boolean>;
  /** `{% for x in expr %}` -> items */
  lists?: Record<string, string[]>;
  /** Remove the first newline after a block tag or comment (jinja2 trim_blocks). */
  trimBlocks?: boolean;
}

type Node =
  | { kind: 'text'; text: string }
  | { kind: 'expr'; expr: string }
  | { kind: 'if'; branches: Array<{ cond: string | undefined; body: Node[] }> }
  | { kind: 'for'; name: string; list: string; body: Node[] };

type Token = { kind: 'text'; text: string } | { kind: 'expr'; body: string } | { kind: 'block'; body: string } | { kind: 'comment' };

const TAG = /\{\{(-?)([\s\S]*?)(-?)\}\}|\{%(-?)([\s\S]*?)(-?)%\}|\{#(-?)([\s\S]*?)(-?)#\}/g;

const norm = (s: string) => s.trim().replace(/\s+/g, ' ');

function tokenize(src: string, trimBlocks: boolean): Token[] {
  const out: Token[] = [];
  let last = 0;
  let stripNext = false;
  let trimNewline = false;
  for (const m of src.matchAll(TAG)) {
    let text = src.slice(last, m.index);
    if (stripNext) text = text.replace(/^\s+/, '');
    else if (trimNewline) text = text.replace(/^\r?\n/, '');
    const stripBefore = (m[1] ?? m[4] ?? m[7]) === '-';
    if (stripBefore) text = text.replace(/\s+$/, '');
    if (text) out.push({ kind: 'text', text });
    if (m[2] !== undefined) out.push({ kind: 'expr', body: norm(m[2]) });
    else if (m[5] !== undefined) out.push({ kind: 'block', body: norm(m[5]) });
    else out.push({ kind: 'comment' });
    stripNext = (m[3] ?? m[6] ?? m[9]) === '-';
    trimNewline = trimBlocks && m[2] === undefined;
    last = m.index! + m[0].length;
  }
  let tail = src.slice(last);
  if (stripNext) tail = tail.replace(/^\s+/, '');
  else if (trimNewline) tail = tail.replace(/^\r?\n/, '');
  if (tail) out.push({ kind: 'text', text: tail });
  return out;
}

function parse(tokens: Token[]): Node[] {
  let i = 0;
  function body(stops: string[]): { nodes: Node[]; stop: string | undefined } {
    const nodes: Node[] = [];
    while (i < tokens.length) {
      const t = tokens[i++];
      if (t.kind === 'text') nodes.push({ kind: 'text', text: t.text });
      else if (t.kind === 'expr') nodes.push({ kind: 'expr', expr: t.body });
      else if (t.kind === 'block') {
        const word = t.body.split(' ')[0];
        if (stops.includes(word)) return { nodes, stop: t.body };
        if (word === 'if') {
          const branches: Array<{ cond: string | undefined; body: Node[] }> = [];
          let cond: string | undefined = t.body.slice(3);
          for (;;) {
            const r = body(['elif', 'else', 'endif']);
            branches.push({ cond, body: r.nodes });
            if (r.stop === undefined) throw new Error(`unclosed {% if ${branches[0].cond} %}`);
            if (r.stop === 'endif') break;
            cond = r.stop === 'else' ? undefined : r.stop.slice(5);
          }
          nodes.push({ kind: 'if', branches });
        } else if (word === 'for') {
          const m = /^for (\w+) in (.+)$/.exec(t.body);
          if (!m) throw new Error(`unsupported {% ${t.body} %}`);
          const r = body(['endfor']);
          if (r.stop === undefined) throw new Error(`unclosed {% ${t.body} %}`);
          nodes.push({ kind: 'for', name: m[1], list: norm(m[2]), body: r.nodes });
        } else throw new Error(`unsupported {% ${t.body} %}`);
      }
    }
    return { nodes, stop: undefined };
  }
  const r = body([]);
  if (r.stop !== undefined) throw new Error(`unexpected {% ${r.stop} %}`);
  return r.nodes;
}

function literal(expr: string): string | undefined {
  const m = /^"((?:[^"\\]|\\.)*)"$|^'((?:[^'\\]|\\.)*)'$/.exec(expr);
  if (!m) return undefined;
  return (m[1] ?? m[2]).replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c === 't' ? '\t' : c));
}

export function renderJinja(src: string, v: JinjaValues): string {
  const nodes = parse(tokenize(src, v.trimBlocks ?? false));
  const run = (list: Node[], scope: Record<string, string>): string =>
    list
      .map((n) => {
        if (n.kind === 'text') return n.text;
        if (n.kind === 'expr') {
          const lit = literal(n.expr);
          if (lit !== undefined) return lit;
          const val = scope[n.expr] ?? v.values[n.expr];
          if (val === undefined) throw new Error(`no value given for {{ ${n.expr} }}`);
          return val;
        }
        if (n.kind === 'if') {
          for (const b of n.branches) {
            if (b.cond === undefined) return run(b.body, scope);
            const c = v.conditions?.[norm(b.cond)];
            if (c === undefined) throw new Error(`no truth given for {% if ${norm(b.cond)} %}`);
            if (c) return run(b.body, scope);
          }
          return '';
        }
        const items = v.lists?.[n.list];
        if (items === undefined) throw new Error(`no list given for {% for ${n.name} in ${n.list} %}`);
        return items.map((it) => run(n.body, { ...scope, [n.name]: it })).join('');
      })
      .join('');
  return run(nodes, {});
}
