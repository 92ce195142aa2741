export * from './codec.js';
export * from './decoder.js';
export * from './names.js';
export * from './types.js';
export * from './url.js';
