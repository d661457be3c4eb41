// The training worker: a thin router from protocol messages to one TrainingSession with the browser's
// environment (WebGPU, Hub downloads, IndexedDB). Start it with TrainerClient.spawn().
import { serve, type ServePort } from './serve.ts';
import { TrainingSession } from './session.ts';
import { browserEnv } from './env.ts';

serve(self as unknown as ServePort, new TrainingSession(browserEnv()));
