// vscode-languageserver, imported in one place. The package is CommonJS: the
// bundler copies its hundreds of exports onto a new object in every module
// that imports it (17 copies took ~10 ms of the server's start); through this
// module they are copied once.
export * from 'vscode-languageserver/node';
