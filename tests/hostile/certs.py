"""Test certificates made at test time with the openssl command line (nothing is checked in).

- a private root CA (trusted through --cacert) and a leaf naming 127.0.0.1, localhost and hostile.test;
- a self-signed leaf for the same names (what an interceptor or a misconfigured server presents);
- a chain of 50 certificates: a leaf under 49 intermediates under a root no one trusts.
"""
import os
import ssl
import subprocess

NAMES = "subjectAltName=DNS:hostile.test,DNS:localhost,IP:127.0.0.1"


def _openssl(*args, cwd):
    subprocess.run(["openssl", *args], cwd=cwd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def _ca(cwd, name, subject, issuer=None):
    """A CA certificate name.pem with key name.key, self-signed or signed by issuer."""
    args = ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
            "-keyout", name + ".key", "-out", name + ".pem", "-days", "30", "-subj", "/CN=" + subject,
            "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign"]
    if issuer:
        args += ["-CA", issuer + ".pem", "-CAkey", issuer + ".key"]
    _openssl(*args, cwd=cwd)


def _leaf(cwd, name, issuer=None, names=NAMES, cn="hostile.test"):
    args = ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
            "-keyout", name + ".key", "-out", name + ".pem", "-days", "30", "-subj", "/CN=" + cn,
            "-addext", names, "-addext", "basicConstraints=critical,CA:FALSE",
            "-addext", "extendedKeyUsage=serverAuth"]
    if issuer:
        args += ["-CA", issuer + ".pem", "-CAkey", issuer + ".key"]
    _openssl(*args, cwd=cwd)


class Certs:
    def __init__(self, folder):
        self.folder = folder
        os.makedirs(folder, exist_ok=True)
        _ca(folder, "root", "maildoctor hostile test root")
        _leaf(folder, "leaf", issuer="root")
        _leaf(folder, "selfsigned")
        self.cacert = os.path.join(folder, "root.pem")
        self.good = (os.path.join(folder, "leaf.pem"), os.path.join(folder, "leaf.key"))
        self.self_signed = (os.path.join(folder, "selfsigned.pem"), os.path.join(folder, "selfsigned.key"))
        self._long_chain = None

    def long_chain(self, length=50):
        """leaf + (length - 1) intermediates in one PEM, leaf first, root left out (it is untrusted anyway)."""
        if self._long_chain:
            return self._long_chain
        issuer = "chainroot"
        _ca(self.folder, issuer, "untrusted chain root")
        names = []
        for i in range(length - 1):
            name = "inter%02d" % i
            _ca(self.folder, name, "intermediate %d" % i, issuer=issuer)
            names.append(name)
            issuer = name
        _leaf(self.folder, "chainleaf", issuer=issuer)
        bundle = os.path.join(self.folder, "chain50.pem")
        with open(bundle, "w") as out:
            for name in ["chainleaf"] + names[::-1]:
                with open(os.path.join(self.folder, name + ".pem")) as f:
                    out.write(f.read())
        self._long_chain = (bundle, os.path.join(self.folder, "chainleaf.key"))
        return self._long_chain

    def leaf_for(self, *hosts):
        """A leaf signed by the trusted test root naming exactly these hosts: a valid certificate, for someone else."""
        name = "leaf-" + "-".join(h.replace(".", "_") for h in hosts)
        if not os.path.exists(os.path.join(self.folder, name + ".pem")):
            _leaf(self.folder, name, issuer="root", names="subjectAltName=" + ",".join("DNS:" + h for h in hosts), cn=hosts[0])
        return (os.path.join(self.folder, name + ".pem"), os.path.join(self.folder, name + ".key"))

    @staticmethod
    def context(pair):
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(*pair)
        return ctx
