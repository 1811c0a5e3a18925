import type { ServerEvent } from '../events/server-events.js';
import { EMPTY_HISTOGRAM, observe, type Histogram } from './histogram.js';
import { timedNameOf } from './latency.js';

/**
 * A batch of a worker's events in sums: its commands, retrievals and latencies, which are most of a session's
 * events (about 70 of the 76 of a 20-message session) and which the metrics only ever add up. The primary
 * folds a tally as it would fold the events it stands for, so Push3 and Prometheus show the same figures; a
 * worker sends tallies while nothing in the primary watches the events one by one (Push3's event WATCH).
 */
export interface EventTally {
  readonly type: 'tally';
  /** The time of the batch's last event: the tally's observations count in that second. */
  readonly at: number;
  /** POP3 commands by verb, as the events spelled it. */
  readonly commands: Readonly<Record<string, number>>;
  /** Each connection's latest command, for the session table (which shows only the latest). */
  readonly latest: readonly (readonly [connection: string, verb: string, ok: boolean])[];
  readonly retrieved: number;
  /** Latency histograms of this batch's observations, by name (latency.ts). */
  readonly latencies: Readonly<Record<string, Histogram>>;
}

/**
 * Pure: the batch with its POP3 commands, retrievals and latencies taken out into one tally, the other events
 * in their order. No tally when the batch had none of them.
 */
export function tallyBatch(batch: readonly ServerEvent[]): { readonly events: ServerEvent[]; readonly tally?: EventTally } {
  const events: ServerEvent[] = [];
  const commands: Record<string, number> = {};
  const latest = new Map<string, readonly [string, string, boolean]>();
  const latencies: Record<string, Histogram> = {};
  let retrieved = 0;
  let at = Number.NEGATIVE_INFINITY;
  for (const event of batch) {
    if (event.type === 'command' && event.protocol === 'pop3') {
      commands[event.verb] = (commands[event.verb] ?? 0) + 1;
      latest.set(event.connection, [event.connection, event.verb, event.ok]);
    } else if (event.type === 'message-retrieved') {
      retrieved += 1;
    } else if (event.type === 'latency') {
      const name = timedNameOf(event);
      latencies[name] = observe(latencies[name] ?? EMPTY_HISTOGRAM, Math.max(0, event.ms) / 1000);
    } else {
      events.push(event);
      continue;
    }
    at = Math.max(at, event.at);
  }
  if (at === Number.NEGATIVE_INFINITY) return { events };
  return { events, tally: { type: 'tally', at, commands, latest: [...latest.values()], retrieved, latencies } };
}
