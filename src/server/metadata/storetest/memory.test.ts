import { MemoryMetadataStore } from '../stores/memory/memory-store.ts';
import { runStoreConformance } from './suite.ts';

runStoreConformance('memory', async () => ({
  open: async () => new MemoryMetadataStore(),
  persistent: false,
  cleanup: async () => {},
}));
