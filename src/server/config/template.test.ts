import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect, it } from 'vitest';
import { parse } from 'yaml';
import { loadConfig } from './load.ts';
import { configSchema } from './schema.ts';
import { CONFIG_TEMPLATE } from './template.ts';

it('spells out every default except the platform-specific dataDir', () => {
  const defaults = configSchema.parse({});
  expect({ ...parse(CONFIG_TEMPLATE), dataDir: defaults.dataDir }).toEqual(defaults);
});

it('loads to the same config as no file at all', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'dittofs-template-'));
  try {
    const file = path.join(dir, 'config.yaml');
    writeFileSync(file, '');
    const empty = loadConfig({ configPath: file, env: {} });
    writeFileSync(file, CONFIG_TEMPLATE);
    expect(loadConfig({ configPath: file, env: {} })).toEqual(empty);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
