// Full sessions with the users in PostgreSQL (cache warm, cache off) beside the passwd-file, on one fixture,
// in one run: `npm run bench -- --servers pop3d --scenarios none --user-sources passwd-file,postgresql,postgresql-nocache`.
// The database is a private PostgreSQL (test/support/postgresql.mjs) holding the fixture's session users with
// the same {PLAIN} passwords as users.passwd, so only where the users come from differs.
import { startPostgres } from '../support/postgresql.mjs';
import { sessionsScenario } from './load.mjs';
import { PASSWORD } from './fixtures.mjs';

export const USER_SOURCES = ['passwd-file', 'postgresql', 'postgresql-nocache'];

const PASSWORD_QUERY = 'SELECT password FROM users WHERE name = $1';

/** The users.* config of each variant; the passwd-file one is the generated config's own. */
function usersConfig(source, db) {
  if (source === 'passwd-file') return undefined;
  const cache = source === 'postgresql-nocache' ? { ttl: 0, negativeTtl: 0, size: 0 } : { ttl: 300, negativeTtl: 10, size: 10_000 };
  return { source: 'postgresql', cache, postgresql: { url: db.url, passwordQuery: PASSWORD_QUERY, poolSize: 8 } };
}

/**
 * Runs the full-sessions scenario for each source and client count; `start(config)` starts pop3d with extra
 * config sections. Results are keyed `<source>-<clients>`.
 */
export async function measureUserSources({ sources, start, manifest, clients, durationMs, log, quiet }) {
  const db = sources.some((source) => source.startsWith('postgresql')) ? await startPostgres() : undefined;
  const results = {};
  try {
    if (db) {
      await db.query('CREATE TABLE users (name text PRIMARY KEY, password text NOT NULL)');
      for (const user of manifest.plan.sessionUsers) await db.query('INSERT INTO users VALUES ($1, $2)', [user, `{PLAIN}${PASSWORD}`]);
    }
    for (const source of sources) {
      const users = usersConfig(source, db);
      const server = await start(users === undefined ? {} : { users: { file: 'unused', ...users } });
      try {
        for (const count of clients) {
          await quiet(server);
          log(`pop3d (users: ${source}): full sessions, ${count} clients`);
          results[`${source}-${count}`] = await sessionsScenario({ target: server.target, manifest, clients: count, durationMs, memory: server.memory });
        }
      } finally {
        await server.stop();
      }
    }
  } finally {
    db?.remove();
  }
  return results;
}

/** Rows of [metric, value] for the table. */
export function userSourceRows(results, sources, clients) {
  const rows = [];
  for (const count of clients) {
    for (const source of sources) {
      const r = results[`${source}-${count}`];
      if (!r) continue;
      rows.push([
        `sessions x${count}, users: ${source}`,
        `${r.sessionsPerSecond.toFixed(1)} sessions/s, p50 ${r.p50ms.toFixed(0)} ms, p99 ${r.p99ms.toFixed(0)} ms, ${r.errors} errors, ${r.serverCpu?.toFixed(2)} cores`,
      ]);
    }
  }
  return rows;
}
