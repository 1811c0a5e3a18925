import pg from 'pg';
import type { PostgresqlSettings } from '../../config/user-sources.js';
import { checkName, checkPassword, UserEditError } from '../passwd-editor.js';
import { hashPassword } from '../password-schemes.js';
import type { SourceEdits, SourceEntry, UserSource } from '../source.js';
import { entryFrom } from './record-fields.js';

/** PostgreSQL's unique_violation: the user being added exists. */
const UNIQUE_VIOLATION = '23505';

/**
 * Users in PostgreSQL, Dovecot's `passdb { driver = sql }`: the queries are the operator's, and the user name is
 * always bound as `$1`, never spliced into the SQL. A bounded pool; a connection the server dropped (restart,
 * failover) is discarded and the next query opens a new one, so the source recovers by itself.
 */
export class PostgresqlSource implements UserSource {
  readonly kind = 'postgresql';
  readonly edits: SourceEdits;
  readonly list?: () => Promise<readonly string[]>;
  readonly #pool: pg.Pool;
  readonly #settings: PostgresqlSettings;
  readonly #report: (reason: string) => void;

  constructor(settings: PostgresqlSettings, timeoutMs: number, report: (reason: string) => void) {
    this.#settings = settings;
    this.#report = report;
    this.#pool = new pg.Pool({
      connectionString: settings.url,
      max: settings.poolSize,
      connectionTimeoutMillis: timeoutMs,
      query_timeout: timeoutMs,
      idleTimeoutMillis: 30_000,
      allowExitOnIdle: true,
    });
    // An idle connection the server closed: the pool drops it; without a listener the error would end the process.
    this.#pool.on('error', (error) => report(`idle connection lost: ${error.message}`));
    const { listQuery, addQuery, passwordUpdateQuery, deleteQuery } = settings;
    if (listQuery !== undefined) this.list = async () => (await this.#pool.query({ text: listQuery, rowMode: 'array' })).rows.map((row: unknown[]) => String(row[0]));
    this.edits = {
      add: addQuery === undefined ? undefined : (name, password) => this.#add(addQuery, name, password),
      setPassword: passwordUpdateQuery === undefined ? undefined : (name, password) => this.#setPassword(passwordUpdateQuery, name, password),
      remove: deleteQuery === undefined ? undefined : (name) => this.#remove(deleteQuery, name),
    };
  }

  async find(name: string): Promise<SourceEntry | undefined> {
    const { rows } = await this.#pool.query<Record<string, unknown>>(this.#settings.passwordQuery, [name]);
    const row = rows[0];
    return row === undefined ? undefined : entryFrom(name, row, this.#report);
  }

  async close(): Promise<void> {
    await this.#pool.end();
  }

  async #add(query: string, name: string, password: string): Promise<void> {
    checkName(name);
    checkPassword(password);
    const secret = await hashPassword(password);
    try {
      await this.#pool.query(query, [name, secret]);
    } catch (error) {
      if ((error as { code?: string }).code === UNIQUE_VIOLATION) throw new UserEditError(`user ${name} already exists`);
      throw error;
    }
  }

  async #setPassword(query: string, name: string, password: string): Promise<void> {
    checkName(name);
    checkPassword(password);
    const { rowCount } = await this.#pool.query(query, [name, await hashPassword(password)]);
    if (rowCount === 0) throw new UserEditError(`no user ${name}`);
  }

  async #remove(query: string, name: string): Promise<void> {
    checkName(name);
    const { rowCount } = await this.#pool.query(query, [name]);
    if (rowCount === 0) throw new UserEditError(`no user ${name}`);
  }
}
