// The server's features. Adding one: write a module exporting a `Feature`,
// import it here and list it below; server.ts merges the capabilities.

import type { Feature } from './context';
import { codeActions } from './codeActions';
import { codeLens } from './codeLens';
import { compare } from './compare';
import { completion } from './completion';
import { diagnostics } from './diagnostics';
import { documentLinks } from './documentLinks';
import { documentSymbols } from './documentSymbols';
import { foldingRanges } from './foldingRanges';
import { formatting } from './formatting';
import { hover } from './hover';
import { inlayHints } from './inlayHints';
import { navigation } from './navigation';
import { semanticTokens } from './semanticTokens';
import { recipes } from './recipes';
import { settings } from './settings';
import { simulate } from './simulate';
import { status } from './status';
import { workspaceSymbols } from './workspaceSymbols';
import { workspaceDiagnostics } from './workspaceDiagnostics';
import { workspaceFolders } from './workspaceFolders';
import { logExplain } from './logExplain';

export const features: Feature[] = [
  settings,
  diagnostics,
  workspaceFolders,
  workspaceDiagnostics,
  documentSymbols,
  foldingRanges,
  completion,
  hover,
  navigation,
  formatting,
  simulate,
  codeActions,
  status,
  compare,
  documentLinks,
  workspaceSymbols,
  codeLens,
  logExplain,
  semanticTokens,
  recipes,
  inlayHints,
];
