/**
 * A user's own mail location as Dovecot writes it (`mail` in userdb: passwd-file extra fields, a SQL column,
 * an LDAP attribute): `maildir:<path>[:OPTION=...]`, or a bare path. Dovecot's options (INDEX=, LAYOUT=, ...)
 * concern its own index files and are ignored. Another format (mbox:, mdbox:) cannot be served.
 */
export function parseMailLocation(location: string): { readonly maildir: string } | { readonly problem: string } {
  if (location.startsWith('/') || location.startsWith('~')) return { maildir: location };
  const [format, path = ''] = location.split(':');
  if (format !== 'maildir' || path === '') return { problem: `mail location ${JSON.stringify(location)} is not maildir:<path>` };
  return { maildir: path };
}
