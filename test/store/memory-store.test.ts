import { memoryStores } from '../../src/store/stores';
import { storeContract } from './store-contract';

storeContract('memory', async () => ({ stores: memoryStores(), cleanup: async () => undefined }));
