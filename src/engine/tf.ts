// The engine's single import of tfjs: the core with gradients and chained tensor methods (x.reshape(...))
// registered. Backends are chosen in backend.ts.
import '@tensorflow/tfjs-core/dist/register_all_gradients.js';
import '@tensorflow/tfjs-core/dist/public/chained_ops/register_all_chained_ops.js';
export * from '@tensorflow/tfjs-core';
