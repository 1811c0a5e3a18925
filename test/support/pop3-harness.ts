import { map, of, type Observable, type SchedulerLike } from 'rxjs';
import type { ServerEvent } from '../../src/metrics/events.js';
import type { InputLine } from '../../src/net/lines.js';
import type { Outbound } from '../../src/net/connection.js';
import type { Pop3Service } from '../../src/pop3/context.js';
import { pop3Session } from '../../src/pop3/session.js';
import { MemoryMaildrops, MemoryUsers } from './memory-ports.js';

export const GREETING = '+OK POP3 server ready <c1.0@test>\r\n';

export interface Harness {
  readonly maildrops: MemoryMaildrops;
  readonly users: MemoryUsers;
  readonly events: ServerEvent[];
  /** Runs a session over the given input lines; output chunks as strings. */
  session(lines$: Observable<string>, options?: { paused$?: Observable<boolean> }): Observable<string>;
}

export function harness(
  scheduler: SchedulerLike,
  boxes: Record<string, string[]> = {},
  passwords: Record<string, string> = { alice: 'secret', bob: 'hunter2' },
  idleTimeoutMs = 600_000,
): Harness {
  const maildrops = new MemoryMaildrops(boxes);
  const users = new MemoryUsers(passwords);
  const events: ServerEvent[] = [];
  const service: Pop3Service = {
    maildrops,
    users,
    scheduler,
    idleTimeoutMs: () => idleTimeoutMs,
    hostname: 'test',
    implementation: 'pop3d',
    emit: (event) => events.push(event),
  };
  const factory = pop3Session(service);
  return {
    maildrops,
    users,
    events,
    session: (lines$, options = {}) =>
      factory(
        lines$.pipe(map((text): InputLine => (text === '<long>' ? { kind: 'too-long' } : { kind: 'line', text }))),
        { id: 'c1', remote: '127.0.0.1:1234', outputPaused$: options.paused$ ?? of(false) },
      ).pipe(map((chunk: Outbound) => chunk.toString())),
  };
}
