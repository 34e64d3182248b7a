// The server's semantic token legend and package.json agree: every token type
// that is not one of LSP's standard types is declared (VS Code ignores
// undeclared ones), and every scope mapping names a type and modifiers the
// server sends.

import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { TOKEN_MODIFIERS, TOKEN_TYPES } from '../../server/src/engine/semantic/tokens';
import { SemanticTokenModifiers, SemanticTokenTypes } from 'vscode-languageserver-protocol';
import { repoDir } from '../helpers/env';

const manifest = JSON.parse(readFileSync(join(repoDir, 'package.json'), 'utf8'));
const standardTypes = new Set<string>(Object.values(SemanticTokenTypes));
const standardModifiers = new Set<string>(Object.values(SemanticTokenModifiers));

test('custom token types are declared with a standard super type', () => {
  const declared = new Map<string, string>(manifest.contributes.semanticTokenTypes.map((t: { id: string; superType: string }) => [t.id, t.superType]));
  for (const t of TOKEN_TYPES) {
    if (standardTypes.has(t)) continue;
    assert.ok(declared.has(t), `${t} not in contributes.semanticTokenTypes`);
    assert.ok(standardTypes.has(declared.get(t)!), `${t}: super type ${declared.get(t)}`);
  }
  for (const m of TOKEN_MODIFIERS) assert.ok(standardModifiers.has(m), `${m} is not a standard modifier`);
});

test('scope mappings name types and modifiers the server sends, for both config languages', () => {
  const mappings: { language: string; scopes: Record<string, string[]> }[] = manifest.contributes.semanticTokenScopes;
  assert.deepEqual(mappings.map((m) => m.language).sort(), ['postfix-main', 'postfix-master']);
  for (const m of mappings) {
    for (const [selector, scopes] of Object.entries(m.scopes)) {
      const [type, ...mods] = selector.split('.');
      assert.ok((TOKEN_TYPES as readonly string[]).includes(type), selector);
      for (const mod of mods) assert.ok((TOKEN_MODIFIERS as readonly string[]).includes(mod), selector);
      assert.ok(scopes.length > 0 && scopes.every((s) => s.endsWith('.postfix')), selector);
    }
    for (const t of TOKEN_TYPES.filter((x) => !standardTypes.has(x))) assert.ok(m.scopes[t], `${m.language}: no scope for ${t}`);
  }
});
