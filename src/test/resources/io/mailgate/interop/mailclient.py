#!/usr/bin/env python3
"""One mail session with Python's standard library (imaplib, poplib, smtplib), for mailgate's interop matrix.

It logs in with the mechanism asked for, then reads (IMAP: LIST, SELECT, FETCH 1 BODY.PEEK[]; POP3: STAT, LIST,
RETR 1) or sends (SMTP: MAIL, RCPT, DATA), then logs out. It prints one JSON object: whether the login succeeded,
the listing, any RFC 7628 error challenge the server sent (decoded), and the error text of a failure. A fetched
message goes byte for byte to --out.
"""
import argparse
import base64
import hmac
import imaplib
import json
import poplib
import smtplib
import socket
import ssl
import sys

TIMEOUT = 15


class Sasl:
    """The client side of one SASL exchange: the initial response, then an answer per server challenge.

    A token mechanism's error challenge (RFC 7628 section 3.2.2) is recorded, then acknowledged as the RFC says:
    with %x01 for OAUTHBEARER; XOAUTH2 (Google's variant) expects an empty response.
    """

    def __init__(self, mechanism, user, secret):
        self.mechanism = mechanism
        self.user = user
        self.secret = secret
        self.challenges = []
        self.error_challenge = None
        self.step = 0

    def initial(self):
        m = self.mechanism
        if m == 'PLAIN':
            return '\0' + self.user + '\0' + self.secret
        if m == 'XOAUTH2':
            return 'user=' + self.user + '\x01auth=Bearer ' + self.secret + '\x01\x01'
        if m == 'OAUTHBEARER':
            return 'n,a=' + self.user.replace('=', '=3D').replace(',', '=2C') + ',\x01auth=Bearer ' \
                + self.secret + '\x01\x01'
        return None

    def answer(self, challenge):
        """The response to a challenge (bytes, decoded from base64), as text."""
        self.step += 1
        self.challenges.append(challenge)
        m = self.mechanism
        if m == 'LOGIN':
            return self.user if self.step == 1 else self.secret
        if m == 'CRAM-MD5':
            digest = hmac.new(self.secret.encode('utf-8'), challenge, 'md5').hexdigest()
            return self.user + ' ' + digest
        if m in ('PLAIN', 'XOAUTH2', 'OAUTHBEARER') and self.step == 1 and not challenge:
            return self.initial()
        if m in ('XOAUTH2', 'OAUTHBEARER'):
            self.error_challenge = challenge.decode('utf-8', 'replace')
            return '\x01' if m == 'OAUTHBEARER' else ''
        raise ValueError('unexpected challenge %r for %s' % (challenge, m))


def tls_context(args):
    return ssl.create_default_context(cafile=args.cafile) if args.cafile else None


def imap_session(args, result, sasl):
    ctx = tls_context(args)
    if args.security == 'tls':
        client = imaplib.IMAP4_SSL(args.host, args.port, ssl_context=ctx, timeout=TIMEOUT)
    else:
        client = imaplib.IMAP4(args.host, args.port, timeout=TIMEOUT)
        if args.security == 'starttls':
            client.starttls(ssl_context=ctx)
    try:
        if args.mechanism == 'DEFAULT':
            client.login(args.user, args.secret)
        elif args.mechanism == 'CRAM-MD5':
            client.login_cram_md5(args.user, args.secret)
        else:
            client.authenticate(args.mechanism, sasl.answer)
        result['loggedIn'] = True
        typ, folders = client.list()
        result['listing'] = '\n'.join(f.decode('utf-8', 'replace') for f in folders)
        client.select('INBOX', readonly=True)
        typ, data = client.fetch('1', '(BODY.PEEK[])')
        write_out(args, data[0][1])
    finally:
        try:
            client.logout()
        except (imaplib.IMAP4.error, OSError):
            pass


def pop3_sasl(client, sasl):
    """RFC 5034 AUTH, spoken over poplib's line primitives (poplib has no AUTH command of its own)."""
    client._putcmd('AUTH ' + sasl.mechanism)
    while True:
        line = client._getline()[0]
        if line.startswith(b'+OK'):
            return
        if line.startswith(b'-ERR'):
            raise poplib.error_proto(line.decode('utf-8', 'replace'))
        if line == b'+' or line.startswith(b'+ '):
            challenge = base64.b64decode(line[2:]) if len(line) > 2 else b''
            answer = sasl.answer(challenge)
            client._putcmd(base64.b64encode(answer.encode('utf-8')).decode('ascii'))
        else:
            raise poplib.error_proto('unexpected line ' + line.decode('utf-8', 'replace'))


def pop3_session(args, result, sasl):
    ctx = tls_context(args)
    if args.security == 'tls':
        client = poplib.POP3_SSL(args.host, args.port, context=ctx, timeout=TIMEOUT)
    else:
        client = poplib.POP3(args.host, args.port, timeout=TIMEOUT)
        if args.security == 'starttls':
            client.stls(context=ctx)
    try:
        if args.mechanism == 'DEFAULT':
            client.user(args.user)
            client.pass_(args.secret)
        else:
            pop3_sasl(client, sasl)
        result['loggedIn'] = True
        count, size = client.stat()
        resp, listing, octets = client.list()
        result['listing'] = 'STAT %d %d\n' % (count, size) + '\n'.join(l.decode() for l in listing)
        resp, lines, octets = client.retr(1)
        write_out(args, b''.join(line + b'\r\n' for line in lines))
    finally:
        try:
            client.quit()
        except (poplib.error_proto, OSError):
            pass


def smtp_session(args, result, sasl):
    ctx = tls_context(args)
    if args.security == 'tls':
        client = smtplib.SMTP_SSL(args.host, args.port, context=ctx, timeout=TIMEOUT)
    else:
        client = smtplib.SMTP(args.host, args.port, timeout=TIMEOUT)
    try:
        client.ehlo('python.mailgate.test')
        if args.security == 'starttls':
            client.starttls(context=ctx)
            client.ehlo('python.mailgate.test')
        if args.mechanism == 'DEFAULT':
            client.login(args.user, args.secret)
        elif args.mechanism != 'NONE':
            client.user, client.password = args.user, args.secret
            if args.mechanism in ('PLAIN', 'XOAUTH2', 'OAUTHBEARER'):
                # smtplib sends the initial response on the AUTH line (RFC 4954 section 4), then answers 334s.
                client.auth(args.mechanism, lambda challenge=None: sasl.initial() if challenge is None
                            else sasl.answer(challenge))
            else:
                client.auth(args.mechanism, lambda challenge=None: sasl.answer(challenge), initial_response_ok=False)
        result['loggedIn'] = True
        with open(args.message, 'rb') as f:
            message = f.read()
        refused = client.sendmail(args.mail_from, [args.rcpt], message)
        result['sent'] = not refused
    finally:
        try:
            client.quit()
        except (smtplib.SMTPException, OSError):
            pass


def write_out(args, data):
    with open(args.out, 'wb') as f:
        f.write(data)


def main():
    p = argparse.ArgumentParser()
    p.add_argument('--protocol', choices=['imap', 'pop3', 'smtp'], required=True)
    p.add_argument('--host', default='127.0.0.1')
    p.add_argument('--port', type=int, required=True)
    p.add_argument('--security', choices=['plain', 'starttls', 'tls'], default='plain')
    p.add_argument('--cafile')
    p.add_argument('--mechanism', default='DEFAULT')
    p.add_argument('--user', default='')
    p.add_argument('--secret', default='')
    p.add_argument('--out')
    p.add_argument('--message')
    p.add_argument('--mail-from')
    p.add_argument('--rcpt')
    args = p.parse_args()
    result = {'loggedIn': False, 'sent': False, 'listing': '', 'errorChallenge': None, 'error': None}
    sasl = Sasl(args.mechanism, args.user, args.secret)
    session = {'imap': imap_session, 'pop3': pop3_session, 'smtp': smtp_session}[args.protocol]
    try:
        session(args, result, sasl)
    except (imaplib.IMAP4.error, poplib.error_proto, smtplib.SMTPException, OSError, ssl.SSLError,
            ValueError) as e:
        result['error'] = '%s: %s' % (type(e).__name__, e)
    result['errorChallenge'] = sasl.error_challenge
    json.dump(result, sys.stdout)
    sys.stdout.write('\n')


if __name__ == '__main__':
    main()
