import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { cleanUpDaemons, makeSite, startSite } from '../support/daemon.js';
import { RawClient } from '../support/pop3-client.js';

/*
 * A message file whose name is not valid UTF-8 is mail like any other: listed, retrieved, deleted. Decoded
 * the usual way its name would not lead back to the file, and the message would be invisible.
 */

afterEach(cleanUpDaemons);

const bytesOf = (text: string): Buffer => Buffer.from(text, 'latin1');

describe('message files whose names are not UTF-8', () => {
  it('are listed with a UIDL hashed from the name bytes, retrieved whole, and deleted by QUIT', async () => {
    const site = makeSite({ users: { alice: 'secret' }, mail: { alice: ['Subject: plain\n\nfirst\n'] } });
    const maildir = site.maildir('alice');
    mkdirSync(join(maildir, 'cur'), { recursive: true });
    const odd = [bytesOf('1700004102.\xff\xfe.x:2,S'), bytesOf('1700004103.caf\xe9.x')];
    writeFileSync(Buffer.concat([Buffer.from(join(maildir, 'cur') + '/'), odd[0]!]), 'Subject: odd\n\nsecond\n');
    writeFileSync(Buffer.concat([Buffer.from(join(maildir, 'new') + '/'), odd[1]!]), 'Subject: latin\n\nthird\n');
    const daemon = await startSite({ site });
    const client = await RawClient.open(daemon.port('pop3'));
    await client.line();
    await client.command('USER alice');
    expect(await client.command('PASS secret')).toMatch(/^\+OK Logged in: 3 messages/);
    client.send('UIDL\r\n');
    const sha1 = (name: Buffer): string => createHash('sha1').update(name.subarray(0, name.indexOf(':') === -1 ? name.length : name.indexOf(':'))).digest('hex');
    expect(await client.multiline()).toBe(`+OK Unique-ID listing follows\r\n1 1700000000.M0P1.test\r\n2 ${sha1(odd[0]!)}\r\n3 ${sha1(odd[1]!)}\r\n.\r\n`);
    client.send('RETR 2\r\n');
    expect(await client.multiline()).toBe('+OK 24 octets\r\nSubject: odd\r\n\r\nsecond\r\n.\r\n');
    client.send('RETR 3\r\n');
    expect(await client.multiline()).toBe('+OK 25 octets\r\nSubject: latin\r\n\r\nthird\r\n.\r\n');
    expect(await client.command('DELE 2')).toMatch(/^\+OK/);
    expect(await client.command('DELE 3')).toMatch(/^\+OK/);
    expect(await client.command('QUIT')).toMatch(/^\+OK/);
    await client.ended();
    // Login moved new/ to cur/ (mail.flagUpdates), the odd name as well; QUIT removed both odd files there.
    expect(readdirSync(join(maildir, 'cur'))).toEqual(['1700000000.M0P1.test:2,']);
    expect(readdirSync(join(maildir, 'new'))).toEqual([]);
  });
});
