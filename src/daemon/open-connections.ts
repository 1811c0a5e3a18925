import type { OpenConnection } from '../net/connection.js';

/** The connections a process has open, so that a shutdown can wait for them and close the rest. */
export class OpenConnections {
  private readonly open = new Set<OpenConnection>();

  /** Tracks a connection until it closes (pass as a listener's onConnection). */
  readonly add = (connection: OpenConnection): void => {
    this.open.add(connection);
    connection.onClosed(this.#remove);
  };

  /** One listener for every connection: each is told which one closed. */
  readonly #remove = (connection: OpenConnection): void => {
    this.open.delete(connection);
  };

  /**
   * Waits up to `graceMs` for every connection to end on its own, then closes the rest (after telling
   * `graceOver` how many are left) and waits for them.
   */
  async drain(graceMs: number, graceOver: (left: number) => void = () => undefined): Promise<void> {
    const allClosed = Promise.all([...this.open].map((connection) => connection.closed));
    const grace = new Promise<'timeout'>((resolve) => setTimeout(resolve, graceMs, 'timeout').unref());
    if ((await Promise.race([allClosed, grace])) !== 'timeout') return;
    graceOver(this.open.size);
    for (const connection of this.open) connection.destroy();
    await allClosed;
  }
}
