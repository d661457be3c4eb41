// The registered environments as the app lists them (the Data tab's environment select): names,
// descriptions, turn limits and default options, plain data across the worker boundary.
import '../env/builtins.ts';
import { envDefs } from '../env/registry.ts';
import type { EnvInfo } from './protocol.ts';

export async function environmentList(): Promise<EnvInfo[]> {
  return envDefs().map((d) => ({
    name: d.name,
    description: d.description,
    defaultMaxTurns: d.defaultMaxTurns,
    defaults: structuredClone(d.defaults),
  }));
}
