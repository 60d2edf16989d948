import { describe, expect, it } from 'vitest';
import { Status } from './constants.ts';
import { SmbStatusError } from './handler.ts';
import { splitStreamName } from './stream-names.ts';

function statusOf(path: string): number | undefined {
  try {
    splitStreamName(path);
    return undefined;
  } catch (err) {
    return err instanceof SmbStatusError ? err.status : -1;
  }
}

describe('splitStreamName', () => {
  it('leaves a path without a colon alone', () => {
    expect(splitStreamName('dir\\file.txt')).toEqual({ path: 'dir\\file.txt', stream: undefined, unnamedData: false });
    expect(splitStreamName('')).toEqual({ path: '', stream: undefined, unnamedData: false });
  });

  it('splits a named stream with and without its $DATA type (in any case)', () => {
    expect(splitStreamName('dir\\f.txt:AFP_AfpInfo')).toEqual({
      path: 'dir\\f.txt',
      stream: 'AFP_AfpInfo',
      unnamedData: false,
    });
    expect(splitStreamName('f.txt:Zone.Identifier:$DATA')).toEqual({
      path: 'f.txt',
      stream: 'Zone.Identifier',
      unnamedData: false,
    });
    expect(splitStreamName('f.txt:s:$data')).toEqual({ path: 'f.txt', stream: 's', unnamedData: false });
    expect(splitStreamName('f:\x05SummaryInformation')).toEqual({
      path: 'f',
      stream: '\x05SummaryInformation',
      unnamedData: false,
    });
  });

  it('takes ::$DATA as the file itself', () => {
    expect(splitStreamName('dir\\f.txt::$DATA')).toEqual({ path: 'dir\\f.txt', stream: undefined, unnamedData: true });
    expect(splitStreamName('f::$Data')).toEqual({ path: 'f', stream: undefined, unnamedData: true });
  });

  it('puts a stream on a directory or the share root', () => {
    expect(splitStreamName('dir:meta')).toEqual({ path: 'dir', stream: 'meta', unnamedData: false });
    expect(splitStreamName(':meta:$DATA')).toEqual({ path: '', stream: 'meta', unnamedData: false });
  });

  it('refuses other stream types, empty names, extra colons and bad characters', () => {
    for (const bad of [
      'f:',
      'f::',
      'f:s:$INDEX_ALLOCATION',
      'f::$BITMAP',
      'f:a:$DATA:x',
      'f:a/b',
      `f:${'x'.repeat(256)}`,
    ])
      expect(statusOf(bad), bad).toBe(Status.OBJECT_NAME_INVALID);
    expect(statusOf(`f:${'x'.repeat(255)}`)).toBeUndefined();
  });

  it('leaves colons in earlier components to the path checks', () => {
    expect(splitStreamName('a:b\\c')).toEqual({ path: 'a:b\\c', stream: undefined, unnamedData: false });
  });
});
