/** dfsctl offloader: the S3 stores' upload backlog and cache, the shared S3 stores, drain and GC on demand. */
import type { OffloaderDto, SharedStoreDto } from '../../../../shared/api/offloader.ts';
import { param, sub, type Cli } from '../cli.ts';

const COLUMNS = ['store', 'pending', 'rate', 'cache', 'dedupSaved', 'lastGc', 'state'];
const MiB = 1024 * 1024;
const mib = (n: number): string => `${(n / MiB).toFixed(1)} MiB`;

function row(o: OffloaderDto): Record<string, unknown> {
  return {
    store: o.store,
    pending: `${o.pendingBlocks} blocks, ${mib(o.pendingBytes)}`,
    rate: `${mib(o.uploadBytesPerSec)}/s x${o.parallelUploads}`,
    cache: `${mib(o.cacheUsedBytes)} of ${mib(o.cacheCapBytes)}`,
    dedupSaved: mib(o.dedupSavedBytes),
    lastGc: o.lastGc === null ? undefined : `${o.lastGc.at}: ${o.lastGc.blocks} blocks, ${mib(o.lastGc.bytes)}`,
    state: o.failing ? 'uploads failing' : 'ok',
  };
}

const SHARED_COLUMNS = ['store', 'bucket', 'blockIndex', 'cache', 'stored', 'lastGc'];

function sharedRow(s: SharedStoreDto): Record<string, unknown> {
  return {
    store: s.store,
    bucket: `${s.bucket}/${s.prefix}`,
    blockIndex: `${s.blockIndex.database}: ${s.blockIndex.reachable ? 'reachable' : `unreachable (${s.blockIndex.error})`}`,
    cache: `${mib(s.cacheUsedBytes)} of ${mib(s.cacheCapBytes)}`,
    stored: s.storedBlocks === null ? undefined : `${s.storedBlocks} blocks, ${mib(s.storedBytes ?? 0)}`,
    lastGc: s.lastGc === null ? undefined : `${s.lastGc.at}: ${s.lastGc.blocks} blocks, ${mib(s.lastGc.bytes)}`,
  };
}

export function registerOffloader(cli: Cli): void {
  const offloader = sub(cli.program, 'offloader', 'the local caches in front of S3 stores: uploads, cache, GC');
  cli.op(
    sub(offloader, 'list', 'per S3 store: upload backlog and rate, cache use, dedup savings, last GC'),
    'offloader.list',
    {
      show: (list: OffloaderDto[]) => {
        if (cli.globals().output === 'table') cli.print(list.map(row), COLUMNS);
        else cli.print(list);
      },
    },
  );
  cli.op(
    sub(offloader, 'shared', 'per S3 store shared by several instances: bucket, block index database, cache, last GC'),
    'offloader.shared',
    {
      show: (list: SharedStoreDto[]) => {
        if (cli.globals().output === 'table') cli.print(list.map(sharedRow), SHARED_COLUMNS);
        else cli.print(list);
      },
    },
  );
  cli.op(sub(offloader, 'drain <store>', 'wait until every block of the store is in S3'), 'offloader.drain', {
    input: param('store'),
    show: (o: OffloaderDto) => {
      if (cli.globals().output === 'table') cli.print(row(o), COLUMNS);
      else cli.print(o);
    },
  });
  cli.op(
    sub(
      offloader,
      'gc <store>',
      'delete the blocks no file references (unreferenced for at least the grace period); offloaded or shared stores',
    ).option('--grace-seconds <n>', 'keep blocks unreferenced for less than this (default 3600)'),
    'offloader.gc',
    {
      input: (store: string, o: { graceSeconds?: string }) => ({
        params: { store },
        body: o.graceSeconds === undefined ? {} : { graceSeconds: Number(o.graceSeconds) },
      }),
    },
  );
}
