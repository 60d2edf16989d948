/**
 * Whether a share serves named streams follows its store (metadata/store.ts: the stream
 * methods are optional): FILE_NAMED_STREAMS in FileFsAttributeInformation and stream opens.
 * Real clients cover the streams themselves (e2e/smb/streams.test.ts, smbtorture smb2.streams).
 */
import { describe, expect, it } from 'vitest';
import type { MetadataStore } from '../../metadata/store.ts';
import { MemoryMetadataStore } from '../../metadata/stores/memory/memory-store.ts';
import { testRuntime } from '../testing/test-runtime.ts';
import { Command, Status } from './constants.ts';
import { Disposition } from './handlers/create.ts';
import { createBody, serverContext, TestClient } from './testing.ts';
import { LeWriter } from './writer.ts';

const FILE_NAMED_STREAMS = 0x40000;

/** A memory store without the stream methods, as a store that keeps no streams. */
function storeWithoutStreams(): MetadataStore {
  return Object.assign(new MemoryMetadataStore(), { listStreams: undefined, getStream: undefined });
}

async function connect(store: MetadataStore): Promise<TestClient> {
  const c = new TestClient(serverContext(await testRuntime([], store)));
  await c.login();
  await c.treeConnect();
  return c;
}

/** FileFsAttributeInformation's attributes, through an open of `name`. */
async function fsAttributes(c: TestClient, name: string): Promise<number> {
  const created = await c.send(Command.CREATE, createBody(name, Disposition.OPEN_IF));
  expect(created.hdr.status).toBe(Status.SUCCESS);
  const fileId = created.body.subarray(64, 80);
  const query = new LeWriter().u16(41).u8(2).u8(5).u32(1024).u16(0).u16(0).u32(0).u32(0).u32(0).bytes(fileId);
  const r = await c.send(Command.QUERY_INFO, Buffer.from(query.finish()));
  expect(r.hdr.status).toBe(Status.SUCCESS);
  return r.body.readUInt32LE(8);
}

describe('named streams follow the store', () => {
  it('a store with streams advertises FILE_NAMED_STREAMS and opens file:stream', async () => {
    const c = await connect(new MemoryMetadataStore());
    expect((await fsAttributes(c, 'f.txt')) & FILE_NAMED_STREAMS).toBe(FILE_NAMED_STREAMS);
    const r = await c.send(Command.CREATE, createBody('f.txt:AFP_AfpInfo', Disposition.OPEN_IF));
    expect(r.hdr.status).toBe(Status.SUCCESS);
  });

  it('a store without them does not, and a stream name is OBJECT_NAME_INVALID as before', async () => {
    const c = await connect(storeWithoutStreams());
    expect((await fsAttributes(c, 'f.txt')) & FILE_NAMED_STREAMS).toBe(0);
    for (const name of ['f.txt:AFP_AfpInfo', 'new.txt:s:$DATA']) {
      const r = await c.send(Command.CREATE, createBody(name, Disposition.OPEN_IF));
      expect(r.hdr.status, name).toBe(Status.OBJECT_NAME_INVALID);
    }
    // The file itself by its unnamed stream's name still opens.
    expect((await c.send(Command.CREATE, createBody('f.txt::$DATA', Disposition.OPEN))).hdr.status).toBe(
      Status.SUCCESS,
    );
  });
});
