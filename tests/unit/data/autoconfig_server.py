"""A tiny HTTPS server for the discovery tests: serves autoconfig documents by path, prints its port.
Usage: autoconfig_server.py CERT KEY"""
import http.server
import ssl
import sys

DOC = """<?xml version="1.0"?>
<clientConfig version="1.1"><emailProvider id="example.test"><domain>example.test</domain>
<incomingServer type="imap"><hostname>imap.%EMAILDOMAIN%</hostname><port>1993</port><socketType>SSL</socketType>
<username>%EMAILLOCALPART%</username><authentication>password-cleartext</authentication></incomingServer>
<outgoingServer type="smtp"><hostname>smtp.example.test</hostname><port>1587</port><socketType>STARTTLS</socketType>
<username>%EMAILADDRESS%</username><authentication>password-cleartext</authentication></outgoingServer>
</emailProvider></clientConfig>"""

PLAIN_DOC = """<?xml version="1.0"?>
<clientConfig version="1.1"><emailProvider id="plain.test"><domain>plain.test</domain>
<incomingServer type="imap"><hostname>imap.plain.test</hostname><port>143</port><socketType>plain</socketType>
<username>%EMAILADDRESS%</username><authentication>password-cleartext</authentication></incomingServer>
<outgoingServer type="smtp"><hostname>smtp.plain.test</hostname><port>465</port><socketType>SSL</socketType>
<username>%EMAILADDRESS%</username><authentication>password-cleartext</authentication></outgoingServer>
</emailProvider></clientConfig>"""


class Handler(http.server.BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def send(self, code, body=b"", headers=()):
        self.send_response(code)
        for k, v in headers:
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        host = (self.headers.get("Host") or "").split(":")[0]
        path = self.path
        if host == "autoconfig.example.test" and path == "/mail/config-v1.1.xml?emailaddress=bob%40example.test":
            return self.send(200, DOC.encode(), [("Content-Type", "text/xml")])
        if host == "autoconfig.redirect.test":
            return self.send(302, b"", [("Location", "https://settings.redirect.test/mail/config-v1.1.xml")])
        if host == "settings.redirect.test" and path == "/mail/config-v1.1.xml":
            return self.send(200, DOC.encode(), [("Content-Type", "text/xml")])
        # Redirects a mail client must not follow: to another domain, to an IP address.
        if host == "autoconfig.away.test":
            return self.send(302, b"", [("Location", "https://autoconfig.example.test/mail/config-v1.1.xml?emailaddress=bob%40example.test")])
        if host == "autoconfig.literal.test":
            return self.send(302, b"", [("Location", "https://127.0.0.1/mail/config-v1.1.xml")])
        if host == "autoconfig.plain.test":
            return self.send(200, PLAIN_DOC.encode(), [("Content-Type", "text/xml")])
        if host == "autoconfig.huge.test":
            self.send_response(200)
            self.end_headers()
            chunk = b"<clientConfig>" + b" " * 65536
            for _ in range(8):
                self.wfile.write(chunk)
            return None
        return self.send(404, b"not here")


server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
ctx.load_cert_chain(sys.argv[1], sys.argv[2])
server.socket = ctx.wrap_socket(server.socket, server_side=True)
print(server.server_address[1], flush=True)
server.serve_forever()
