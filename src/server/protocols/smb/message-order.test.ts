import { describe, expect, it } from 'vitest';
import { Command, HEADER_SIZE, Status } from './constants.ts';
import { Disposition } from './handlers/create.ts';
import { MessageOrder, runsAlongside } from './message-order.ts';
import { createBody, readBody, TestClient } from './testing.ts';

/** A task that logs its start and end and finishes when `release` is called. */
function task(log: string[], name: string): { fn: () => Promise<void>; release: () => void } {
  let release = (): void => undefined;
  const gate = new Promise<void>((r) => (release = r));
  return {
    fn: async () => {
      log.push(`${name}+`);
      await gate;
      log.push(`${name}-`);
    },
    release: () => release(),
  };
}

const tick = (): Promise<void> => new Promise((r) => setImmediate(r));

describe('MessageOrder', () => {
  it('overlaps READs and WRITEs, and runs every other message alone, in arrival order', async () => {
    const log: string[] = [];
    const order = new MessageOrder();
    const [r1, r2, create, r3] = ['r1', 'r2', 'create', 'r3'].map((n) => task(log, n)) as [
      ReturnType<typeof task>,
      ReturnType<typeof task>,
      ReturnType<typeof task>,
      ReturnType<typeof task>,
    ];
    order.run(true, r1.fn);
    order.run(true, r2.fn);
    order.run(false, create.fn);
    order.run(true, r3.fn);
    await tick();
    expect(log).toEqual(['r1+', 'r2+']);
    r2.release();
    await tick();
    expect(log).toEqual(['r1+', 'r2+', 'r2-']);
    r1.release();
    await tick();
    expect(log).toEqual(['r1+', 'r2+', 'r2-', 'r1-', 'create+']);
    create.release();
    await tick();
    expect(log.slice(-2)).toEqual(['create-', 'r3+']);
    r3.release();
    await order.settled();
    expect(log.at(-1)).toBe('r3-');
  });
});

describe('runsAlongside', () => {
  it('lets a lone READ of an open file overlap, not a compound, a pipe, an unknown FileId or another command', async () => {
    const c = await TestClient.create();
    await c.login();
    await c.treeConnect();
    const made = await c.send(Command.CREATE, createBody('f.txt', Disposition.CREATE));
    const fileId = { persistent: made.body.readBigUInt64LE(64), volatile: made.body.readBigUInt64LE(72) };
    const st = c.conn.state;
    expect(runsAlongside(c.message(Command.READ, readBody(10, 0, fileId)), st)).toBe(true);
    expect(runsAlongside(c.message(Command.READ, readBody(10)), st)).toBe(false);
    const chained = c.message(Command.READ, readBody(10, 0, fileId));
    chained.writeUInt32LE(HEADER_SIZE + 56, 20); // NextCommand: a compound
    expect(runsAlongside(chained, st)).toBe(false);
    expect(runsAlongside(c.message(Command.FLUSH, readBody(10, 0, fileId)), st)).toBe(false);
    await c.treeConnect('IPC$');
    const pipe = await c.send(Command.CREATE, createBody('srvsvc', Disposition.OPEN));
    const pipeId = { persistent: pipe.body.readBigUInt64LE(64), volatile: pipe.body.readBigUInt64LE(72) };
    expect(pipe.hdr.status).toBe(Status.SUCCESS);
    expect(runsAlongside(c.message(Command.READ, readBody(10, 0, pipeId)), st)).toBe(false);
  });
});
