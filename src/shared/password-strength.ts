/**
 * Password strength with zxcvbn-ts (a pattern-matching estimator: common passwords, words,
 * keyboard rows, dates, repeats, l33t). New passwords scoring below MIN_SCORE (of 0-4) are
 * refused, by the forms and by the API's schema alike. The estimator is built on first use.
 */
import type { ZxcvbnFactory } from '@zxcvbn-ts/core';

/** 2 = "somewhat guessable": resists online guessing; "password", "12345678" score 0. */
export const MIN_SCORE = 2;
export const SCORE_LABELS = ['Very weak', 'Weak', 'Fair', 'Strong', 'Very strong'] as const;
/** Words of this product that make a password easier to guess. */
const OWN_WORDS = ['dittofs', 'ditto', 'admin', 'nas'];

// zxcvbn's feedback keys, in our words.
const WARNINGS: Record<string, string> = {
  straightRow: 'rows of keys are easy to guess',
  keyPattern: 'short keyboard patterns are easy to guess',
  simpleRepeat: 'repeated characters such as "aaa" are easy to guess',
  extendedRepeat: 'repeated patterns such as "abcabc" are easy to guess',
  sequences: 'sequences such as "abc" or "6543" are easy to guess',
  recentYears: 'recent years are easy to guess',
  dates: 'dates are easy to guess',
  topTen: 'this is one of the ten most used passwords',
  topHundred: 'this is one of the hundred most used passwords',
  common: 'this is a commonly used password',
  similarToCommon: 'this is too close to a commonly used password',
  wordByItself: 'a single word is easy to guess',
  namesByThemselves: 'a name on its own is easy to guess',
  commonNames: 'common names are easy to guess',
  userInputs: 'it contains the user or product name',
  pwned: 'this password appeared in a data breach',
};

let factory: ZxcvbnFactory | undefined;

/**
 * Where the estimator comes from. Its dictionaries hold ~15 MiB once loaded (a server's idle
 * memory went from ~115 to ~100 MiB without them), so Node loads them on the first password
 * checked; the UI's bundle provides them at start (renderer/password-dictionary.ts).
 */
let loadEstimator: () => ZxcvbnFactory = loadInNode;

/** Replaces how the estimator is loaded (a browser has no `require`); undefined: Node's way. */
export function providePasswordEstimator(load: (() => ZxcvbnFactory) | undefined): void {
  loadEstimator = load ?? loadInNode;
  factory = undefined;
}

interface NodeModuleApi {
  createRequire(from: string): (id: string) => unknown;
}

function loadInNode(): ZxcvbnFactory {
  const nodeProcess = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process;
  const api = nodeProcess?.getBuiltinModule?.('node:module') as NodeModuleApi | undefined;
  if (api === undefined) throw new Error('no password estimator: provide one (providePasswordEstimator)');
  const require = api.createRequire(import.meta.url);
  const core = require('@zxcvbn-ts/core') as typeof import('@zxcvbn-ts/core');
  const common = require('@zxcvbn-ts/language-common') as typeof import('@zxcvbn-ts/language-common');
  return new core.ZxcvbnFactory({ dictionary: common.dictionary, graphs: common.adjacencyGraphs });
}

export interface PasswordStrength {
  /** 0 (very weak) to 4 (very strong). */
  score: number;
  label: string;
  ok: boolean;
  /** Why it is weak, when it is. */
  reason: string | undefined;
}

export function passwordStrength(password: string, userInputs: string[] = []): PasswordStrength {
  factory ??= loadEstimator();
  const r = factory.check(password, [...OWN_WORDS, ...userInputs]);
  const ok = r.score >= MIN_SCORE;
  const warning = r.feedback.warning ? WARNINGS[r.feedback.warning] : undefined;
  return {
    score: r.score,
    label: SCORE_LABELS[r.score] ?? 'Weak',
    ok,
    reason: ok ? undefined : (warning ?? 'it is easy to guess'),
  };
}

/** Why a new password is refused, as a sentence; undefined when it is strong enough. */
export function passwordProblem(password: string, userInputs: string[] = []): string | undefined {
  const s = passwordStrength(password, userInputs);
  return s.ok ? undefined : `too easy to guess: ${s.reason}; add more words or characters`;
}
