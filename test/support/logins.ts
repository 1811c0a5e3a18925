import { RawClient } from './pop3-client.js';

/** Ends a session so that its lock is released before the next login (a dropped connection releases it later). */
async function end(client: RawClient, reply: string): Promise<void> {
  if (reply.startsWith('+OK')) await client.command('QUIT');
  client.close();
}

/** A USER/PASS login on a fresh connection; the reply to PASS. A session that logged in is QUIT. */
export async function userPassLogin(port: number, name: string, password: string): Promise<string> {
  const client = await RawClient.open(port);
  await client.line();
  await client.command(`USER ${name}`);
  const reply = await client.command(`PASS ${password}`);
  await end(client, reply);
  return reply;
}

/** An AUTH PLAIN login (a name may then hold spaces and any octet but NUL); the reply. QUIT as above. */
export async function plainLogin(port: number, name: string, password: string): Promise<string> {
  const client = await RawClient.open(port);
  await client.line();
  const reply = await client.command(`AUTH PLAIN ${Buffer.from(`\0${name}\0${password}`).toString('base64')}`);
  await end(client, reply);
  return reply;
}
