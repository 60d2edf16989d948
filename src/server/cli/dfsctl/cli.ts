/**
 * What the command modules share: the program's global options, the session, printing,
 * and `op`, which makes a command call one API operation (the table in
 * src/shared/api/operations.ts) and print its result.
 */
import type { Command } from 'commander';
import type { OperationId, OpInput, OpOutput } from '../../../shared/api/operations.ts';
import { action } from './errors.ts';
import { render } from './output.ts';
import { Session, type GlobalOpts } from './session.ts';

/** How a command prints what its operation returned. */
export interface Show {
  /** Table columns (table output). */
  columns?: string[];
  /** Printed (table output) when the operation returns nothing. */
  done?: string;
}

export interface OpSpec<K extends OperationId, A extends unknown[]> {
  /**
   * The operation's input from the command's arguments and options (default: none). It
   * may prompt, and throws a UsageError for bad arguments before anything is sent.
   */
  input?: (...args: A) => OpInput<K> | Promise<OpInput<K>>;
  columns?: string[];
  /** The line printed (table output) when the operation returns nothing. */
  done?: (...args: A) => string;
  /** Prints the result instead of the default rendering. */
  show?: (result: OpOutput<K>) => void;
}

/** `parent.command(usage).description(description)`: a subcommand to configure further. */
export function sub(parent: Command, usage: string, description: string): Command {
  return parent.command(usage).description(description);
}

/** A command as a `key` param: `(name) => ({ params: { name } })`. */
export function param<P extends string>(key: P): (value: string) => { params: Record<P, string> } {
  return (value) => ({ params: { [key]: value } as Record<P, string> });
}

export class Cli {
  constructor(readonly program: Command) {}

  globals(): GlobalOpts {
    return this.program.opts<GlobalOpts>();
  }

  session(): Session {
    return new Session(this.globals());
  }

  print(value: unknown, columns?: string[]): void {
    process.stdout.write(render(value, this.globals().output, columns));
  }

  /** Runs one operation with the current session and prints its result. */
  async run<K extends OperationId>(op: K, input: OpInput<K>, show?: Show): Promise<OpOutput<K>> {
    const result = await this.session().client().call(op, input);
    if (result === undefined || result === null || (result as unknown) === '') {
      if (show?.done && this.globals().output === 'table') process.stdout.write(`${show.done}\n`);
    } else {
      this.print(result, show?.columns);
    }
    return result;
  }

  /**
   * The two reads of a resource: `list` ("list <noun>s", a table of `columns`) and
   * `get <key>` ("show a <noun>", the argument as the `key` param).
   */
  reads<L extends OperationId, G extends OperationId>(
    parent: Command,
    noun: string,
    ops: { list: L; get: G },
    key: string,
    columns: string[],
  ): void {
    this.op(sub(parent, 'list', `list ${noun}s`), ops.list, { columns });
    this.op(sub(parent, `get <${key}>`, `show a ${noun}`), ops.get, {
      input: param(key) as (value: string) => OpInput<G>,
    });
  }

  /**
   * Makes `cmd` call operation `op` with the input built from its arguments and print the
   * result; failures end the process with a one-line message and an exit code (errors.ts).
   */
  op<K extends OperationId, A extends unknown[] = []>(cmd: Command, op: K, spec: OpSpec<K, A> = {}): Command {
    return cmd.action(
      action(async (...args: A) => {
        const input = spec.input ? await spec.input(...args) : ({} as OpInput<K>);
        if (spec.show) return spec.show(await this.session().client().call(op, input));
        return this.run(op, input, { columns: spec.columns, done: spec.done?.(...args) });
      }),
    );
  }
}
