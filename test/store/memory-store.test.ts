import { MemoryDb } from '../../src/store/memory/db';
import { memoryStores } from '../../src/store/stores';
import { storeContracts } from './contracts';

storeContracts('memory', async (options = {}) => ({ stores: memoryStores(new MemoryDb(Date.now, options.historyMax)), cleanup: async () => undefined }));
