// Hidden secrets in store options: a URL's password is shown as ******** and a URL sent back
// that way keeps the saved password, but only for the very URL it was shown for.
import { describe, expect, it } from 'vitest';
import { REDACTED } from '../../shared/api/schemas.ts';
import { isRedacted, keepRedacted, redactConfig } from './store-admin.ts';

const saved = { bucket: 'b', secretAccessKey: 's3-secret', blockIndex: { url: 'postgres://dfs:pw-1@db:5432/nas' } };

describe('redacted store options', () => {
  it('hides the URL password and the secret key, and restores both when sent back unchanged', () => {
    const shown = redactConfig(saved);
    expect(shown).toEqual({
      bucket: 'b',
      secretAccessKey: REDACTED,
      blockIndex: { url: `postgres://dfs:${REDACTED}@db:5432/nas` },
    });
    expect(isRedacted((shown['blockIndex'] as { url: string }).url)).toBe(true);
    expect(keepRedacted(shown, saved)).toEqual(saved);
  });

  it('does not give the saved password to another URL', () => {
    const other = { ...saved, blockIndex: { url: `postgres://dfs:${REDACTED}@elsewhere:5432/nas` } };
    expect(keepRedacted(other, saved).blockIndex).toEqual(other.blockIndex);
  });
});
