export { memoryTransportPair } from './memory.js';
export { type DialOptions, describeSocketError, dial, type TlsClientOptions } from './tcp.js';
export type { Transport } from './transport.js';
