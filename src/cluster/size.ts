import { availableParallelism } from 'node:os';

/** Config `workers` as a number of processes: "auto" is one per core this process may use. */
export function workerCount(setting: number | 'auto', cores: number = availableParallelism()): number {
  return setting === 'auto' ? cores : setting;
}
