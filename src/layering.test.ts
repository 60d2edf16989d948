// The layering of DESIGN.md, checked on the import statements of every source file:
//   shared <- server, shared <- renderer, shared + server/entry <- main, shared <- preload;
// inside the server, layers point down: cli/entry -> api -> runtime -> services -> stores.
// Type-only imports (`import type`) are erased at build time and do not count as runtime.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const SRC = path.dirname(fileURLToPath(import.meta.url));

interface Import {
  file: string;
  spec: string;
  typeOnly: boolean;
  /** For relative specifiers: the target path relative to src/, e.g. "server/runtime/x.ts". */
  target?: string;
}

function walk(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((d) => {
    const p = path.join(dir, d.name);
    if (d.isDirectory()) return d.name === 'node_modules' ? [] : walk(p);
    return /\.(ts|tsx|mts|cts)$/.test(d.name) && !d.name.endsWith('.d.ts') ? [p] : [];
  });
}

/** Static imports/exports, dynamic import() and require() with a string literal. */
export function importsOf(file: string, text: string): Import[] {
  const out: Import[] = [];
  const code = text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:'"`])\/\/.*$/gm, '$1');
  const add = (spec: string, typeOnly: boolean) => {
    const imp: Import = { file, spec, typeOnly };
    if (spec.startsWith('.'))
      imp.target = path
        .relative(SRC, path.resolve(path.dirname(file), spec))
        .split(path.sep)
        .join('/');
    out.push(imp);
  };
  for (const m of code.matchAll(/^\s*(import|export)\s+(type\s+)?([^;]*?)\s*from\s*['"]([^'"]+)['"]/gms)) {
    const clause = m[3] ?? '';
    // `import { type A, type B } from` is type-only too.
    const allTypes =
      /^\{[^}]*\}$/s.test(clause.trim()) &&
      clause
        .replace(/[{}\s]/g, '')
        .split(',')
        .filter(Boolean)
        .every((s) => s.startsWith('type'));
    add(m[4] as string, Boolean(m[2]) || (clause.trim() !== '' && allTypes));
  }
  for (const m of code.matchAll(/^\s*import\s+['"]([^'"]+)['"]/gm)) add(m[1] as string, false);
  for (const m of code.matchAll(/\b(?:import|require)\s*\(\s*['"]([^'"]+)['"]\s*\)/g)) add(m[1] as string, false);
  return out;
}

const all = walk(SRC).flatMap((f) => importsOf(f, readFileSync(f, 'utf8')));
const rel = (f: string) => path.relative(SRC, f).split(path.sep).join('/');
const inDir = (i: Import, dir: string) => rel(i.file).startsWith(`${dir}/`);
const isTest = (i: Import) => /\.test\.tsx?$|\.test-helpers\.ts$|[/\\]testing(\.ts$|[/\\])/.test(i.file);
const show = (list: Import[]) => list.map((i) => `${rel(i.file)} -> ${i.spec}`);

describe('layering', () => {
  it('finds the source files', () => {
    expect(all.length).toBeGreaterThan(100);
  });

  it('imports electron at runtime only in src/main and src/preload', () => {
    const bad = all.filter(
      (i) =>
        (i.spec === 'electron' || i.spec.startsWith('electron/')) &&
        !i.typeOnly &&
        !inDir(i, 'main') &&
        !inDir(i, 'preload'),
    );
    expect(show(bad)).toEqual([]);
  });

  it('the renderer imports nothing from src/server, src/main, Node or electron', () => {
    const bad = all.filter(
      (i) =>
        inDir(i, 'renderer') &&
        (i.target?.startsWith('server/') ||
          i.target?.startsWith('main/') ||
          i.target?.startsWith('preload/') ||
          i.spec.startsWith('node:') ||
          i.spec === 'electron'),
    );
    expect(show(bad)).toEqual([]);
  });

  it('src/shared is platform-free: no node:, electron, React or other layers', () => {
    const bad = all.filter(
      (i) =>
        inDir(i, 'shared') &&
        !isTest(i) &&
        (i.spec.startsWith('node:') ||
          i.spec === 'electron' ||
          i.spec.startsWith('react') ||
          (i.target !== undefined && !i.target.startsWith('shared/'))),
    );
    expect(show(bad)).toEqual([]);
  });

  it('the server never imports electron, React or the UI layers', () => {
    const bad = all.filter(
      (i) =>
        inDir(i, 'server') &&
        (i.spec === 'electron' ||
          i.spec.startsWith('react') ||
          i.target?.startsWith('renderer/') ||
          i.target?.startsWith('main/') ||
          i.target?.startsWith('preload/')),
    );
    expect(show(bad)).toEqual([]);
  });

  it('the preload imports only electron and src/shared', () => {
    const bad = all.filter((i) => inDir(i, 'preload') && !(i.spec === 'electron' || i.target?.startsWith('shared/')));
    expect(show(bad)).toEqual([]);
  });

  it('main imports only src/shared, src/server/entry and its own modules (tests aside)', () => {
    const bad = all.filter(
      (i) =>
        inDir(i, 'main') &&
        !isTest(i) &&
        i.target !== undefined &&
        !i.target.startsWith('shared/') &&
        !i.target.startsWith('main/') &&
        !i.target.startsWith('server/entry/'),
    );
    expect(show(bad)).toEqual([]);
  });

  // Server layers, top to bottom; a layer may import its own and lower ones only. Stores and
  // services share one rank: MetadataService and its stores live in one folder.
  const SERVER_LAYERS: readonly (readonly string[])[] = [
    ['cli', 'entry'],
    ['api', 'metrics'], // the two HTTP surfaces over the Runtime
    ['runtime'],
    ['metadata', 'payload', 'protocols', 'controlplane', 'auth', 'config', 'logging', 'postgres'],
  ];
  const rankOf = (serverPath: string): number =>
    SERVER_LAYERS.findIndex((dirs) => dirs.some((d) => serverPath.startsWith(`${d}/`)));

  it('server layers point down: cli/entry -> api -> runtime -> services and stores', () => {
    const bad = all.filter((i) => {
      if (!inDir(i, 'server') || isTest(i) || i.typeOnly || !i.target?.startsWith('server/')) return false;
      const from = rankOf(rel(i.file).slice('server/'.length));
      const to = rankOf(i.target.slice('server/'.length));
      return from >= 0 && to >= 0 && to < from;
    });
    expect(show(bad)).toEqual([]);
  });

  it('parses the import forms it checks', () => {
    const f = path.join(SRC, 'renderer/x.ts');
    const got = importsOf(
      f,
      `import type { A } from 'electron';\nimport { type B } from '../server/a.ts';\nimport x from "node:fs";\nexport * from './y.ts';\nconst z = await import('../main/z.ts');\n// import q from 'electron'\n`,
    );
    expect(got.map((g) => [g.spec, g.typeOnly, g.target])).toEqual([
      ['electron', true, undefined],
      ['../server/a.ts', true, 'server/a.ts'],
      ['node:fs', false, undefined],
      ['./y.ts', false, 'renderer/y.ts'],
      ['../main/z.ts', false, 'main/z.ts'],
    ]);
  });
});
