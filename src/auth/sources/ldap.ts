import { readFileSync } from 'node:fs';
import type { ConnectionOptions } from 'node:tls';
import { Client, Filter, InvalidCredentialsError, ResultCodeError } from 'ldapts';
import type { LdapSettings } from '../../config/user-sources.js';
import type { SourceEntry, UserSource } from '../source.js';
import { entryFrom, text } from './record-fields.js';

/**
 * The filter with `%u` (whole name), `%n` (before "@"), `%d` (after it) and `%%` replaced, each value escaped as
 * RFC 4515 says (`*`, `(`, `)`, `\` and NUL as `\2a`...), so a name can never change the filter's structure.
 */
export function userFilter(template: string, name: string): string {
  const at = name.indexOf('@');
  const parts: Record<string, string> = {
    u: name,
    n: at === -1 ? name : name.slice(0, at),
    d: at === -1 ? '' : name.slice(at + 1),
  };
  return template.replace(/%([und%])/gu, (_, variable: string) => (variable === '%' ? '%' : Filter.escape(parts[variable]!)));
}

/**
 * Users in an LDAP directory, Dovecot's `passdb { driver = ldap }`: a service bind searches for the user; the
 * password is checked by binding as the found DN (`auth: bind`) or against the stored `userPassword`
 * (`auth: password`). Each call opens its own connection, trying `urls` in order until one answers, so a
 * server that went away and came back is used again at once.
 */
export class LdapSource implements UserSource {
  readonly kind = 'ldap';
  readonly edits = {};
  readonly #settings: LdapSettings;
  readonly #timeoutMs: number;
  readonly #tls: ConnectionOptions;
  readonly #report: (reason: string) => void;

  constructor(settings: LdapSettings, timeoutMs: number, report: (reason: string) => void) {
    this.#settings = settings;
    this.#timeoutMs = timeoutMs;
    this.#report = report;
    this.#tls = settings.caFile === undefined ? {} : { ca: readFileSync(settings.caFile) };
  }

  async find(name: string): Promise<SourceEntry | undefined> {
    const { filter, base, auth, passwordAttribute, maildirAttribute, homeAttribute } = this.#settings;
    const attributes = [passwordAttribute, maildirAttribute, homeAttribute].filter((key): key is string => key !== undefined);
    const entries = await this.#asService((client) =>
      client.search(base, { scope: 'sub', filter: userFilter(filter, name), attributes, sizeLimit: 2 }),
    ).then((result) => result.searchEntries);
    if (entries.length === 0) return undefined;
    if (entries.length > 1) throw new Error(`the user filter matched more than one entry for ${JSON.stringify(name)}`);
    const entry = entries[0]!;
    const get = (attribute: string | undefined): unknown => (attribute === undefined ? undefined : entry[attribute]);
    if (auth === 'bind') {
      const fields = entryFrom(name, { maildir: get(maildirAttribute), home: get(homeAttribute) }, this.#report);
      return { record: fields.record, verifier: { kind: 'bind', dn: entry.dn } };
    }
    return entryFrom(name, { password: get(passwordAttribute), maildir: get(maildirAttribute), home: get(homeAttribute) }, this.#report);
  }

  async bind(dn: string, password: string): Promise<boolean> {
    // An empty password would be an "unauthenticated bind", which servers accept as anonymous: never a login.
    if (password === '') return false;
    try {
      await this.#connected((client) => client.bind(dn, password));
      return true;
    } catch (error) {
      if (error instanceof InvalidCredentialsError) return false;
      throw error;
    }
  }

  async list(): Promise<readonly string[]> {
    const { base, listFilter, nameAttribute } = this.#settings;
    const { searchEntries } = await this.#asService((client) =>
      client.search(base, { scope: 'sub', filter: listFilter, attributes: [nameAttribute] }),
    );
    const names = searchEntries.map((entry) => text(entry[nameAttribute])).filter((name): name is string => name !== undefined);
    // The server's order is its storage order: sorted, USERS and `pop3d user list` read the same from run to run.
    return names.sort();
  }

  #asService<T>(work: (client: Client) => Promise<T>): Promise<T> {
    const { bindDn, bindPassword } = this.#settings;
    return this.#connected(async (client) => {
      if (bindDn !== undefined) await client.bind(bindDn, bindPassword ?? '');
      return work(client);
    });
  }

  /** Runs `work` on a fresh connection to the first server that answers; an LDAP result (an error too) is final. */
  async #connected<T>(work: (client: Client) => Promise<T>): Promise<T> {
    let lastError: unknown;
    for (const url of this.#settings.urls) {
      // The constructor's TLS options make ldapts speak TLS from the first byte: for ldaps:// only.
      const implicitTls = url.startsWith('ldaps://');
      const client = new Client({ url, timeout: this.#timeoutMs, connectTimeout: this.#timeoutMs, tlsOptions: implicitTls ? this.#tls : undefined });
      try {
        if (this.#settings.startTls && !implicitTls) await client.startTLS({ ...this.#tls, host: new URL(url).hostname });
        return await work(client);
      } catch (error) {
        if (error instanceof ResultCodeError) throw error;
        lastError = error;
        if (this.#settings.urls.length > 1) this.#report(`${url}: ${(error as Error).message}; trying the next server`);
      } finally {
        await client.unbind().catch(() => undefined);
      }
    }
    throw lastError;
  }
}
