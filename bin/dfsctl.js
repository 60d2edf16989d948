#!/usr/bin/env node
// Runs the TypeScript sources directly (tsx); `dfsctl` is the management client.
import { register } from 'tsx/esm/api';

register();
await import('../src/server/cli/dfsctl.ts');
