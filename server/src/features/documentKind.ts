// Which of our three languages a document is. The file name decides first, by
// the engine's rule (it is what Postfix itself goes by); the editor's language
// id decides for untitled buffers and names the engine would call a table.

import { DocumentKind, documentKind as kindByName } from '../engine/lint';

export type { DocumentKind };

const LANGUAGE_KIND: Record<string, DocumentKind> = {
  'postfix-main': 'main',
  'postfix-master': 'master',
  'postfix-map': 'map',
};

export function documentKind(path: string | undefined, languageId?: string): DocumentKind {
  const byName = path ? kindByName(path) : 'map';
  if (byName !== 'map') return byName;
  return (languageId && LANGUAGE_KIND[languageId]) || 'map';
}
