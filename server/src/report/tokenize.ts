// Colours for the HTML report: files are tokenized with the extension's own
// TextMate grammars through vscode-textmate, as VS Code would, so the report
// looks like the editor.

import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as oniguruma from 'vscode-oniguruma';
import { INITIAL, parseRawGrammar, Registry, type IGrammar } from 'vscode-textmate';

export type GrammarKind = 'main' | 'master' | 'map';

const SCOPES: Record<GrammarKind, string> = { main: 'source.postfix.main', master: 'source.postfix.master', map: 'source.postfix.map' };
const FILES: Record<string, string> = { 'source.postfix.main': 'postfix-main', 'source.postfix.master': 'postfix-master', 'source.postfix.map': 'postfix-map' };

export interface Token {
  text: string;
  scopes: string[];
}

/** The first existing path: beside the bundle (dist/) or in the source tree. */
function locate(candidates: string[]): string | undefined {
  return candidates.find((p) => existsSync(p));
}

let wasmLoaded: Promise<void> | undefined;

function loadWasm(): Promise<void> {
  wasmLoaded ??= (async () => {
    let path = locate([join(__dirname, 'onig.wasm'), join(__dirname, '../node_modules/vscode-oniguruma/release/onig.wasm'), join(__dirname, '../../../node_modules/vscode-oniguruma/release/onig.wasm')]);
    if (!path) {
      try {
        path = require.resolve('vscode-oniguruma/release/onig.wasm');
      } catch {
        throw new Error('onig.wasm not found: the HTML report needs vscode-oniguruma');
      }
    }
    const wasm = readFileSync(path);
    await oniguruma.loadWASM(wasm.buffer.slice(wasm.byteOffset, wasm.byteOffset + wasm.byteLength));
  })();
  return wasmLoaded;
}

export class Highlighter {
  private constructor(private readonly grammars: Map<GrammarKind, IGrammar>) {}

  static async create(): Promise<Highlighter> {
    await loadWasm();
    const dir = locate([join(__dirname, '../syntaxes'), join(__dirname, '../../../syntaxes')]);
    if (!dir) throw new Error('the TextMate grammars (syntaxes/) were not found');
    const registry = new Registry({
      onigLib: Promise.resolve({
        createOnigScanner: (p: string[]) => new oniguruma.OnigScanner(p),
        createOnigString: (s: string) => new oniguruma.OnigString(s),
      }),
      loadGrammar: async (scope) => {
        const file = FILES[scope];
        if (!file) return null;
        const path = join(dir, `${file}.tmLanguage.json`);
        return parseRawGrammar(readFileSync(path, 'utf8'), path);
      },
    });
    const grammars = new Map<GrammarKind, IGrammar>();
    for (const kind of Object.keys(SCOPES) as GrammarKind[]) {
      const g = await registry.loadGrammar(SCOPES[kind]);
      if (g) grammars.set(kind, g);
    }
    return new Highlighter(grammars);
  }

  /**
   * Tokens per line. Lines past `maxLineLength` are left plain: TextMate
   * grammars can be slow on pathological lines, and the report must finish.
   */
  tokenize(kind: GrammarKind, lines: string[], maxLineLength = 4000): Token[][] {
    const grammar = this.grammars.get(kind);
    let state = INITIAL;
    return lines.map((line) => {
      if (!grammar || line.length > maxLineLength) return [{ text: line, scopes: [] }];
      const r = grammar.tokenizeLine(line, state, 200);
      state = r.ruleStack;
      return r.tokens.map((t) => ({ text: line.slice(t.startIndex, t.endIndex), scopes: t.scopes.slice(1) }));
    });
  }
}
