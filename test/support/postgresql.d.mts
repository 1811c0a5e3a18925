import type pg from 'pg';

export interface PrivatePostgres {
  readonly url: string;
  readonly port: number;
  /** Runs SQL as the superuser. */
  query(sql: string, values?: unknown[]): Promise<pg.QueryResult>;
  stop(): void;
  start(): void;
  /** Stops the server (if running) and removes its files. */
  remove(): void;
}

export function startPostgres(): Promise<PrivatePostgres>;
