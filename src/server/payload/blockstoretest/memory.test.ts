import { MemoryBlockStore } from '../stores/memory/memory-store.ts';
import { runBlockStoreConformance } from './suite.ts';

runBlockStoreConformance('memory', async () => ({
  open: async () => new MemoryBlockStore(),
  cleanup: async () => {},
}));
