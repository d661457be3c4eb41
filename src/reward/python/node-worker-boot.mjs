// Entry of the Python checker's Node worker thread: the worker is TypeScript, which Node runs through tsx.
import { tsImport } from 'tsx/esm/api';

await tsImport('./node-worker.ts', import.meta.url);
