// Which of our three languages a document is. The file name decides first
// (it is what Postfix itself goes by); the editor's language id is the
// fallback for untitled buffers and unusual names.

import { basename } from 'node:path';

export type DocumentKind = 'main' | 'master' | 'map';

const LANGUAGE_KIND: Record<string, DocumentKind> = {
  'postfix-main': 'main',
  'postfix-master': 'master',
  'postfix-map': 'map',
};

export function documentKind(path: string | undefined, languageId?: string): DocumentKind {
  const name = path ? basename(path) : '';
  if (/^main\.cf(\.|$)/.test(name)) return 'main';
  if (/^master\.cf(\.|$)/.test(name)) return 'master';
  return (languageId && LANGUAGE_KIND[languageId]) || 'map';
}
