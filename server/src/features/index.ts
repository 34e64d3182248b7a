// The server's features. Adding one: write a module exporting a `Feature`,
// import it here and list it below; server.ts merges the capabilities.

import type { Feature } from './context';
import { diagnostics } from './diagnostics';
import { documentSymbols } from './documentSymbols';
import { foldingRanges } from './foldingRanges';

export const features: Feature[] = [
  diagnostics,
  documentSymbols,
  foldingRanges,
];
