/**
 * Samba's smbclient kept open (interactive, stdbuf -o0): one command at a time, with the
 * output each one printed. Its session and tree connect live until it quits or is killed.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';

/** What ends the output of one `ls`: its summary line, or the error it failed with. */
export const LS_DONE = /blocks available|NT_STATUS_\w+/;

export class HeldSmbClient {
  private readonly child: ChildProcessWithoutNullStreams;
  private readonly exited: Promise<number>;
  output = '';

  constructor(args: string[], cwd: string) {
    // Unbuffered, or smbclient's answers wait in its stdout buffer while stdin is a pipe.
    this.child = spawn('stdbuf', ['-o0', 'smbclient', ...args], { cwd, stdio: ['pipe', 'pipe', 'pipe'] });
    this.child.stdout.on('data', (d: Buffer) => (this.output += d.toString()));
    this.child.stderr.on('data', (d: Buffer) => (this.output += d.toString()));
    this.exited = new Promise((resolve) => this.child.once('close', (code) => resolve(code ?? -1)));
  }

  /** Sends a command and resolves with what it printed, once that matches `done` (or after 20 s). */
  async command(line: string, done = LS_DONE): Promise<string> {
    const from = this.output.length;
    this.child.stdin.write(`${line}\n`);
    for (let waited = 0; waited < 20_000 && !done.test(this.output.slice(from)); waited += 50)
      await new Promise((resolve) => setTimeout(resolve, 50));
    return this.output.slice(from);
  }

  /** Sends `quit` (smbclient ends its tree connect and session) and resolves with the exit code. */
  quit(): Promise<number> {
    this.child.stdin.end('quit\n');
    return this.exited;
  }

  kill(): void {
    this.child.kill('SIGKILL');
  }
}
