import { EMPTY, map, of, type Observable, type SchedulerLike } from 'rxjs';
import type { LoginThrottle } from '../../src/auth/throttle.js';
import { SessionTable } from '../../src/metrics/session-table.js';
import { createLiveSettings, type LiveSettings } from '../../src/config/live-settings.js';
import { parseConfig } from '../../src/config/load.js';
import type { ServerEvent } from '../../src/events/server-events.js';
import type { Metrics } from '../../src/metrics/reducer.js';
import type { InputLine } from '../../src/net/lines.js';
import { adminAuthority } from '../../src/push3/authority.js';
import { push3Session } from '../../src/push3/session.js';
import { AdminRefusal, type UserAdmin } from '../../src/push3/user-admin.js';
import { MemoryUsers } from './memory-ports.js';
import { rejected, resolved } from './sync.js';

/** Users file in memory: edits settle synchronously (see sync.ts) and change what LOGIN accepts. */
export class MemoryUserAdmin implements UserAdmin {
  constructor(readonly passwords: Record<string, string>) {}
  list(): Promise<readonly string[]> {
    return resolved(Object.keys(this.passwords));
  }
  add(name: string, password: string): Promise<void> {
    if (Object.hasOwn(this.passwords, name)) return rejected(new AdminRefusal(`user ${name} already exists`));
    this.passwords[name] = password;
    return resolved(undefined);
  }
  remove(name: string): Promise<void> {
    if (!Object.hasOwn(this.passwords, name)) return rejected(new AdminRefusal(`no user ${name}`));
    delete this.passwords[name];
    return resolved(undefined);
  }
  passwd(name: string, password: string): Promise<void> {
    if (!Object.hasOwn(this.passwords, name)) return rejected(new AdminRefusal(`no user ${name}`));
    this.passwords[name] = password;
    return resolved(undefined);
  }
}

export interface Push3Harness {
  readonly events: ServerEvent[];
  readonly settings: LiveSettings;
  readonly userAdmin: MemoryUserAdmin;
  /** KICK targets, in order. */
  readonly kicked: string[];
  /** A session over text lines (`<long>` stands for an over-long line), output as strings. */
  session(lines$: Observable<string>, id?: string, paused$?: Observable<boolean>): Observable<string>;
}

export function push3Harness(
  scheduler: SchedulerLike,
  metrics$: Observable<Metrics>,
  admins = ['root'],
  events$: Observable<ServerEvent> = EMPTY,
  throttle?: LoginThrottle,
): Push3Harness {
  const sessions = new SessionTable();
  sessions.follow(events$);
  const kicked: string[] = [];
  const passwords: Record<string, string> = { root: 'toor', alice: 'secret' };
  const userAdmin = new MemoryUserAdmin(passwords);
  const settings = createLiveSettings(parseConfig({}));
  const events: ServerEvent[] = [];
  const users = new MemoryUsers(passwords);
  const factory = push3Session({
    metrics$,
    // Reads the same record the admin edits, so ADDUSER/DELUSER take effect for LOGIN.
    users,
    // Reads the array it was given at each command, so a test can take an admin off the list.
    authority: adminAuthority(() => admins, users),
    userAdmin,
    settings,
    scheduler,
    emit: (event) => events.push(event),
    events$,
    sessions,
    kick: (target) => {
      kicked.push(target);
      return resolved(undefined);
    },
    throttle,
  });
  return {
    events,
    settings,
    userAdmin,
    kicked,
    session: (lines$, id = 'c1', paused$ = of(false)) =>
      factory(
        lines$.pipe(map((text): InputLine => (text === '<long>' ? { kind: 'too-long' } : { kind: 'line', text }))),
        { id, remote: '127.0.0.1:1234', address: '127.0.0.1', outputPaused$: paused$ },
      ).pipe(map((chunk) => chunk.toString())),
  };
}
