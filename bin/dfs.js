#!/usr/bin/env node
// Runs the TypeScript sources directly (tsx); `dfs` is the server CLI.
import { register } from 'tsx/esm/api';

register();
await import('../src/server/cli/dfs.ts');
