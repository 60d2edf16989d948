/**
 * Password strength with zxcvbn-ts (a pattern-matching estimator: common passwords, words,
 * keyboard rows, dates, repeats, l33t). New passwords scoring below MIN_SCORE (of 0-4) are
 * refused, by the forms and by the API's schema alike. The dictionary is built on first use.
 */
import { ZxcvbnFactory } from '@zxcvbn-ts/core';
import { adjacencyGraphs, dictionary } from '@zxcvbn-ts/language-common';

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

export interface PasswordStrength {
  /** 0 (very weak) to 4 (very strong). */
  score: number;
  label: string;
  ok: boolean;
  /** Why it is weak, when it is. */
  reason: string | undefined;
}

export function passwordStrength(password: string, userInputs: string[] = []): PasswordStrength {
  factory ??= new ZxcvbnFactory({ dictionary, graphs: adjacencyGraphs });
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
