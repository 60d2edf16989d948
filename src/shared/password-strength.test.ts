import { ZxcvbnFactory } from '@zxcvbn-ts/core';
import { afterEach, describe, expect, it } from 'vitest';
import { passwordProblem, passwordStrength, providePasswordEstimator } from './password-strength.ts';

describe('password strength', () => {
  afterEach(() => {
    // Back to Node's loader (the module's default), for the other tests.
    providePasswordEstimator(undefined);
  });

  it('refuses what a password cracker tries first, and accepts a few unrelated words (Node loads the dictionaries)', () => {
    expect(passwordStrength('password').score).toBe(0);
    expect(passwordProblem('dittofs123')).toMatch(/too easy to guess/);
    expect(passwordProblem('correct horse battery staple')).toBeUndefined();
  });

  it('loads the estimator on the first check only, not when the module is imported', () => {
    let loads = 0;
    providePasswordEstimator(() => {
      loads++;
      return new ZxcvbnFactory({});
    });
    expect(loads).toBe(0);
    passwordStrength('first');
    passwordStrength('second');
    expect(loads).toBe(1);
  });
});
