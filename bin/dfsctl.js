#!/usr/bin/env node
// `dfsctl`, the management client: the compiled CLI (see load-cli.mjs).
// CommonJS, like every file in bin/ (bin/package.json).
void import('./load-cli.mjs').then(({ loadCli }) => loadCli('dfsctl'));
