/** How login names become directory names (config `auth.lowercaseNames`, `auth.defaultDomain`). */
export interface NameSettings {
  /** Dovecot's default `auth_username_format = %Lu`: `Alice` and `alice` are one user. */
  readonly lowercase: boolean;
  /** Dovecot's `auth_default_realm`: appended to a name without `@`. */
  readonly defaultDomain?: string;
}

/** Pure: the name a login, a lookup or a delivery for `name` uses. */
export function canonicalUserName(name: string, settings: NameSettings): string {
  const withDomain = settings.defaultDomain !== undefined && !name.includes('@') ? `${name}@${settings.defaultDomain}` : name;
  return settings.lowercase ? withDomain.toLowerCase() : withDomain;
}
