// Stands in for Electron's `process.parentPort` when out/main/utility.js runs under plain
// Node (forked with an IPC channel): messages cross as { data } events and process.send.
import { EventEmitter } from 'node:events';
import process from 'node:process';

const parentPort = new EventEmitter();
parentPort.postMessage = (message) => process.send?.(message);
process.on('message', (data) => parentPort.emit('message', { data, ports: [] }));
process.parentPort = parentPort;
