/**
 * `text` as one flat string. Concatenation (template literals, path.join, path.resolve) makes a tree of
 * pieces, 32 bytes a node; a path built of a dozen pieces and kept for as long as a session stays open
 * costs several times its length. This copies it into a new flat string (the round trip through JSON keeps
 * every code unit, lone surrogates included), and the tree becomes garbage. For strings kept long; not
 * worth it for passing ones. (Flattening in place, e.g. by reading the string as a number, is undone by
 * the optimizing compiler, which drops a conversion whose result is unused.)
 */
export function flatString(text: string): string {
  return JSON.parse(JSON.stringify(text)) as string;
}
