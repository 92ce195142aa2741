// mpcrp-bot/http: the operations listener (health, readiness, Prometheus metrics, webhooks).
// A subpath of its own, so `import 'mpcrp-bot'` never loads node:http or prom-client.
export { formatHttpUrl, type ListenAddress, parseListenAddress } from './address.js';
export { type RunHttp, type RunHttpOptions, startRunHttp } from './run-http.js';
export { type ServeHttp, type ServeHttpOptions, startServeHttp } from './serve-http.js';
export {
  DEFAULT_HTTP_LIMITS,
  type Endpoint,
  type HttpLimits,
  type HttpReply,
  type HttpRequest,
  type Readiness,
  type Router,
  type RunningHttp,
} from './server.js';
