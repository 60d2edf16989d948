// How every benchmark here starts the servers it compares: each in turn, and one that does
// not start is reported (its error's first lines) while the others still run.

export async function startEach<S>(
  starters: ReadonlyArray<readonly [name: string, start: () => Promise<S>]>,
): Promise<{ servers: S[]; errors: string[] }> {
  const servers: S[] = [];
  const errors: string[] = [];
  for (const [name, start] of starters) {
    try {
      servers.push(await start());
    } catch (e) {
      errors.push(`${name}: ${(e as Error).message.split('\n').slice(0, 30).join('\n')}`);
    }
  }
  return { servers, errors };
}
