import { map, of, type Observable, type SchedulerLike } from 'rxjs';
import type { ServerEvent } from '../../src/events/server-events.js';
import type { InputLine } from '../../src/net/lines.js';
import { isStartTls, type ServedConnection, type SessionOutput, type StartTls } from '../../src/net/connection.js';
import { loginThrottle } from '../../src/auth/throttle.js';
import type { Pop3Service } from '../../src/pop3/context.js';
import { SessionControls } from '../../src/pop3/kick.js';
import { pop3Session } from '../../src/pop3/session.js';
import { MemoryMaildrops, MemoryUsers } from './memory-ports.js';

export const GREETING = '+OK POP3 server ready <c1.0@test>\r\n';

export interface Harness {
  readonly maildrops: MemoryMaildrops;
  readonly users: MemoryUsers;
  readonly events: ServerEvent[];
  /** Each StartTls a session ended with (shown in its output as `<starttls>`). */
  readonly upgrades: StartTls[];
  /** Runs a session over the given input lines; output chunks as strings. */
  session(lines$: Observable<string>, options?: { paused$?: Observable<boolean> }): Observable<string>;
}

/** Input lines as text; `<long>` stands for an over-long line. */
export const asInputLines = (lines$: Observable<string>): Observable<InputLine> =>
  lines$.pipe(map((text): InputLine => (text === '<long>' ? { kind: 'too-long' } : { kind: 'line', text })));

/** Output as text; a StartTls is kept in `upgrades` and shown as `<starttls>`. */
export const asText = (upgrades: StartTls[]) => (output: SessionOutput): string => {
  if (!isStartTls(output)) return output.toString();
  upgrades.push(output);
  return '<starttls>';
};

export function harness(
  scheduler: SchedulerLike,
  boxes: Record<string, string[]> = {},
  passwords: Record<string, string> = { alice: 'secret', bob: 'hunter2' },
  idleTimeoutMs = 600_000,
  /** Security settings and the like; by default a trusted plaintext connection without TLS or penalties. */
  overrides: Partial<Pop3Service> = {},
  peer: Partial<ServedConnection> = {},
): Harness {
  const maildrops = new MemoryMaildrops(boxes);
  const users = new MemoryUsers(passwords);
  const events: ServerEvent[] = [];
  const upgrades: StartTls[] = [];
  const service: Pop3Service = {
    maildrops,
    users,
    scheduler,
    idleTimeoutMs: () => idleTimeoutMs,
    hostname: 'test',
    implementation: 'pop3d',
    emit: (event) => events.push(event),
    loginTimeoutMs: () => idleTimeoutMs,
    startTls: false,
    plaintextAuthAllowed: () => true,
    throttle: loginThrottle({ baseDelayMs: 0, maxDelayMs: 0, now: () => scheduler.now() }),
    maxFailuresPerConnection: 10,
    controls: new SessionControls(),
    stopwatch: () => scheduler.now(),
    ...overrides,
  };
  const factory = pop3Session(service);
  return {
    maildrops,
    users,
    events,
    upgrades,
    session: (lines$, options = {}) =>
      factory(asInputLines(lines$), {
        id: 'c1',
        remote: '127.0.0.1:1234',
        address: '127.0.0.1',
        secure: false,
        outputPaused$: options.paused$ ?? of(false),
        // Backpressure tests drive paused$; the others also take the path of a reply that goes out whole.
        ...(options.paused$ === undefined ? { outputFull: () => false } : {}),
        ...peer,
      }).pipe(map(asText(upgrades))),
  };
}
