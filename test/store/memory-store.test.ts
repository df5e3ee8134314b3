import { MemoryStore } from '../../src/store/memory-store';
import { storeContract } from './store-contract';

storeContract('memory', async () => ({ store: new MemoryStore(), cleanup: async () => undefined }));
