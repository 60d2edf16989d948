// Runs the desktop app's server entry (src/server/entry/utility.ts) on plain Node as
// Electron's utilityProcess would, with a stand-in for process.parentPort: each JSON line on
// stdin is a message from the main process (queued until a listener attaches, as Electron
// does), and each message to the main process is one JSON line on stderr. Logs stay on stdout.
import { EventEmitter } from 'node:events';
import { createInterface } from 'node:readline';

const port = new EventEmitter();
const queued: unknown[] = [];
port.on('newListener', (event) => {
  if (event === 'message') queueMicrotask(() => queued.splice(0).forEach((data) => port.emit('message', { data })));
});
createInterface({ input: process.stdin }).on('line', (line) => {
  const data: unknown = JSON.parse(line);
  if (port.listenerCount('message') > 0) port.emit('message', { data });
  else queued.push(data);
});
Object.assign(port, { postMessage: (m: unknown) => process.stderr.write(`${JSON.stringify(m)}\n`) });
Object.assign(process, { parentPort: port });
await import('../../src/server/entry/utility.ts');
