import type { Logger } from 'pino';

/** Who the daemon should run as once its sockets are bound (`daemon.user`/`daemon.group`). */
export interface RunAs {
  readonly user?: string;
  readonly group?: string;
}

export type PrivilegeOutcome =
  | { readonly kind: 'dropped'; readonly uid: number; readonly gid: number }
  | { readonly kind: 'not-root' }
  | { readonly kind: 'root-unconfigured' };

/** The parts of `process` this needs, so the decision can be tested without being root. */
export interface ProcessIdentity {
  getuid(): number;
  getgid(): number;
  setgid(id: string): void;
  setuid(id: string): void;
  setgroups(groups: string[]): void;
  initgroups(user: string, extraGroup: string): void;
}

/**
 * Least privilege: started as root to bind 110/995, become `daemon.user`/`daemon.group` once every listener
 * is bound. Group first (setgid is not allowed after setuid), supplementary groups reset, then the user.
 * Throws when a switch fails or root stays root, so the daemon never serves with more rights than asked for.
 */
export function dropPrivileges(target: RunAs, identity: ProcessIdentity): PrivilegeOutcome {
  if (identity.getuid() !== 0) return { kind: 'not-root' };
  if (target.user === undefined && target.group === undefined) return { kind: 'root-unconfigured' };
  if (target.group !== undefined) {
    if (target.user !== undefined) identity.initgroups(target.user, target.group);
    else identity.setgroups([target.group]);
    identity.setgid(target.group);
  }
  if (target.user !== undefined) identity.setuid(target.user);
  const uid = identity.getuid();
  const gid = identity.getgid();
  if ((target.user !== undefined && uid === 0) || (target.group !== undefined && gid === 0)) {
    throw new Error(`still root after switching to ${target.user ?? ''}:${target.group ?? ''}`);
  }
  return { kind: 'dropped', uid, gid };
}

/** dropPrivileges on this process, logged; a warning when root keeps running as root. No-op off POSIX. */
export function applyRunAs(target: RunAs, log: Pick<Logger, 'info' | 'warn'>): void {
  if (process.getuid === undefined) return;
  const outcome = dropPrivileges(target, process as unknown as ProcessIdentity);
  switch (outcome.kind) {
    case 'dropped':
      log.info({ event: 'privileges-dropped', ...target, uid: outcome.uid, gid: outcome.gid }, 'dropped root privileges');
      return;
    case 'root-unconfigured':
      log.warn({ event: 'running-as-root' }, 'running as root: set daemon.user and daemon.group to drop privileges');
      return;
    case 'not-root':
      if (target.user !== undefined || target.group !== undefined) {
        log.info({ event: 'privileges-unchanged' }, 'not started as root: daemon.user and daemon.group are not used');
      }
  }
}
