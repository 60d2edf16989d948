/**
 * Validation messages in words. Every schema without its own message gets one of these
 * instead of the validation library's wording ("Too small: expected string to have >=1
 * characters."), on the server (problem details) and in the forms alike.
 */
import type { z } from 'zod';

type RawIssue = Parameters<z.core.$ZodErrorMap>[0];

const KINDS: Record<string, string> = {
  string: 'text',
  number: 'a number',
  int: 'a whole number',
  boolean: 'true or false',
  array: 'a list',
  object: 'a set of fields',
};

function count(n: number | bigint, one: string): string {
  return `${n} ${one}${n === 1 || n === 1n ? '' : 's'}`;
}

/** The sentence for one issue (lower-case start: forms and problem details add the capital). */
export function issueInWords(issue: RawIssue): string {
  switch (issue.code) {
    case 'invalid_type':
      if (issue.input === undefined) return 'this field is required';
      if (typeof issue.input === 'number' && Number.isNaN(issue.input)) return 'enter a number';
      return `expected ${KINDS[issue.expected] ?? issue.expected}`;
    case 'too_small':
      if (issue.origin === 'string')
        return Number(issue.minimum) <= 1
          ? 'this field is required'
          : `use at least ${count(issue.minimum, 'character')}`;
      if (issue.origin === 'array' || issue.origin === 'set') return `choose at least ${issue.minimum}`;
      return `enter ${issue.inclusive === false ? 'more than' : 'at least'} ${issue.minimum}`;
    case 'too_big':
      if (issue.origin === 'string') return `use at most ${count(issue.maximum, 'character')}`;
      if (issue.origin === 'array' || issue.origin === 'set') return `at most ${issue.maximum} entries`;
      return `enter ${issue.inclusive === false ? 'less than' : 'at most'} ${issue.maximum}`;
    case 'invalid_format':
      return issue.format === 'email'
        ? 'expected an e-mail address such as ann@example.com'
        : `not a valid ${issue.format}`;
    case 'invalid_value':
      return `expected one of ${issue.values.map((v) => String(v)).join(', ')}`;
    case 'not_multiple_of':
      return `expected a multiple of ${String(issue.divisor)}`;
    case 'unrecognized_keys':
      return `unknown field${issue.keys.length > 1 ? 's' : ''}: see the API schema`;
    case 'invalid_union':
      return 'this value is not one of the accepted forms';
    default:
      return 'this value is not valid';
  }
}
