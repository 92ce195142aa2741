export { memoryTransportPair } from './memory.js';
export {
  type DialOptions,
  describeSocketError,
  dial,
  INSECURE_WARNING_CODE,
  type TlsClientOptions,
} from './tcp.js';
export type { Transport } from './transport.js';
