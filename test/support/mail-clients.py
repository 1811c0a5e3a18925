"""POP3 and IMAP clients (Python's poplib and imaplib) for the end-to-end tests beside Dovecot; JSON on stdout.

  pop3 PORT USER PASS                      UIDL, LIST and each message's Subject (by TOP n 0: no flag changes)
  imap PORT USER PASS                      UIDVALIDITY, and each message's UID, flags and Subject
  interleave POP3PORT IMAPPORT USER PASS   a POP3 session stays open while IMAP flags message 1, expunges
                                           message 2 and appends one; then POP3 retrieves 1 and 2, deletes 3, QUITs
"""
import imaplib
import json
import poplib
import re
import sys

HOST = '127.0.0.1'


def subject_of(header_bytes):
    match = re.search(rb'^Subject: *(.*?)\r?$', header_bytes, re.M | re.I)
    return match.group(1).decode() if match else None


def pop3_listing(pop):
    uidl = [line.decode().split(' ', 1) for line in pop.uidl()[1]]
    sizes = dict(line.decode().split(' ', 1) for line in pop.list()[1])
    return [
        {'n': int(n), 'uidl': uid, 'size': int(sizes[n]), 'subject': subject_of(b'\n'.join(pop.top(int(n), 0)[1]))}
        for n, uid in uidl
    ]


def pop3_login(port, user, password):
    pop = poplib.POP3(HOST, int(port), timeout=20)
    pop.user(user)
    pop.pass_(password)
    return pop


def imap_login(port, user, password):
    imap = imaplib.IMAP4(HOST, int(port), timeout=20)
    imap.login(user, password)
    imap.select('INBOX')
    return imap


def imap_listing(imap):
    status = imap.status('INBOX', '(UIDVALIDITY)')[1][0].decode()
    uidvalidity = int(re.search(r'UIDVALIDITY (\d+)', status).group(1))
    messages = []
    typ, data = imap.fetch('1:*', '(UID FLAGS BODY.PEEK[HEADER.FIELDS (SUBJECT)])')
    for item in data:
        if not isinstance(item, tuple):
            continue
        meta = item[0].decode()
        messages.append({
            'uid': int(re.search(r'UID (\d+)', meta).group(1)),
            'flags': re.search(r'FLAGS \(([^)]*)\)', meta).group(1).split(),
            'subject': subject_of(item[1]),
        })
    return {'uidvalidity': uidvalidity, 'messages': messages}


def seq_of(imap, subject):
    return imap.search(None, 'SUBJECT', '"%s"' % subject)[1][0].decode().split()[0]


def main(command, *args):
    if command == 'pop3':
        pop = pop3_login(*args)
        result = pop3_listing(pop)
        pop.quit()
    elif command == 'imap':
        imap = imap_login(*args)
        result = imap_listing(imap)
        imap.logout()
    elif command == 'interleave':
        pop_port, imap_port, user, password = args
        pop = pop3_login(pop_port, user, password)
        before = pop3_listing(pop)
        imap = imap_login(imap_port, user, password)
        imap.store(seq_of(imap, before[0]['subject']), '+FLAGS', '(\\Flagged)')
        imap.store(seq_of(imap, before[1]['subject']), '+FLAGS', '(\\Deleted)')
        imap.expunge()
        imap.append('INBOX', None, None, b'Subject: appended\r\n\r\nby IMAP\r\n')
        imap.logout()
        retr1 = b'\n'.join(pop.retr(1)[1]).decode()
        try:
            retr2 = b'\n'.join(pop.retr(2)[1]).decode()
        except poplib.error_proto as error:
            retr2 = error.args[0].decode()
        pop.dele(3)
        quit_reply = pop.quit().decode()
        result = {'before': before, 'retr1': retr1, 'retr2': retr2, 'quit': quit_reply}
    else:
        raise SystemExit('unknown command ' + command)
    json.dump(result, sys.stdout)


if __name__ == '__main__':
    main(*sys.argv[1:])
