// The language server: wires the protocol to the feature modules and owns the
// document store. Run as `node dist/server.js --stdio` (or --node-ipc, which
// the VS Code client uses). Analysis lives in engine/, features in features/.

import {
  ClientCapabilities,
  combineFeatures,
  createConnection,
  type Features,
  Trace,
  type _,
  InitializeResult,
  ProposedFeatures,
  ServerCapabilities,
  TextDocuments,
  TextDocumentSyncKind,
} from './features/lsp';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { describeError, Logger, makeGuard, ServerContext } from './features/context';
import { features } from './features';
import { mergeCapabilities } from './features/capabilities';
import { Workspace, workspaceRoots } from './features/workspace';
import { Analyses } from './features/analysis';
import { configDocuments, logDocuments } from './features/documents';
import { messageStrategy } from './features/priority';
import { version } from '../../package.json';
import { labelText } from './engine/steps';

/**
 * The tracer, also telling whether the client reads the trace (set by
 * initialize's `trace` and $/setTrace): a step label is formatted only then.
 */
const tracerKnowsLevel: Features<_, { readonly tracing: boolean }> = {
  __brand: 'features',
  tracer: (Base) =>
    class extends Base {
      tracing = false;
      set trace(value: Trace) {
        // The library's own setter (not in the RemoteTracer type) still decides what is logged.
        Reflect.set(Base.prototype, 'trace', value, this);
        this.tracing = value !== Trace.Off;
      }
    },
};

// Requests are answered between the steps of an analysis (features/priority.ts).
const connection = createConnection(combineFeatures(ProposedFeatures.all, tracerKnowsLevel), { messageStrategy });
const documents = new TextDocuments(TextDocument);

const log: Logger = {
  info: (m) => connection.console.info(m),
  error: (m) => connection.console.error(m),
};

// Last line of defence: a bug in a timer callback must not end the session.
process.on('uncaughtException', (e) => log.error(`uncaught: ${describeError(e)}`));
process.on('unhandledRejection', (e) => log.error(`unhandled rejection: ${describeError(e)}`));

const configs = configDocuments(documents);
const workspace = new Workspace(configs);
const ctx: ServerContext = { connection, documents: configs, logs: logDocuments(documents), workspace, analyses: new Analyses(workspace), roots: [], log, guard: makeGuard(log) };
// Each analysis step in the protocol trace ($/setTrace verbose; nothing is sent while it is off):
// which piece of work a slow re-lint was doing, and what a request was answered between.
ctx.analyses.onStep = (label) => {
  if (connection.tracer.tracing) connection.tracer.log(`analysis step: ${labelText(label)}`);
};

let clientCapabilities: ClientCapabilities = {};

connection.onInitialize((params): InitializeResult => {
  clientCapabilities = params.capabilities ?? {};
  ctx.roots = workspaceRoots(params);
  let capabilities: ServerCapabilities = { textDocumentSync: TextDocumentSyncKind.Incremental };
  for (const f of features) capabilities = mergeCapabilities(capabilities, f.capabilities, f.capabilitiesFor?.(clientCapabilities));
  return { capabilities, serverInfo: { name: 'postfix-lint', version } };
});

connection.onInitialized(() => {
  for (const f of features) {
    try {
      f.initialized?.(ctx, clientCapabilities);
    } catch (e) {
      log.error(`${f.name}: initialized failed: ${describeError(e)}`);
    }
  }
});

for (const f of features) f.register(ctx);
documents.listen(connection);
connection.listen();
