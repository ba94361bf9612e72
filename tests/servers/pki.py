"""A throw-away PKI made with the openssl command line: root CA -> intermediate (pathlen 0) ->
leaves for mail.example.test, one per certificate fault the tests need.

Every leaf is a pair (cert, key) of file paths. `cert` is what a server serves: the leaf followed by
the intermediate, except for the faults where serving it alone is the point."""
import os
import threading

from .proc import run

HOST = "mail.example.test"
OTHER_HOST = "other.example.test"

# name -> how the leaf is made. Names are the public vocabulary of the harness.
LEAVES = ("good", "expired", "not_yet_valid", "self_signed", "other_host", "no_intermediate")

_CA_CONF = """[ca]
default_ca = ca_here
[ca_here]
dir = {dir}
database = {dir}/index.txt
new_certs_dir = {dir}/newcerts
serial = {dir}/serial
default_md = sha256
policy = policy_any
copy_extensions = none
unique_subject = no
email_in_dn = no
[policy_any]
commonName = supplied
[leaf_ext]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature,keyEncipherment
extendedKeyUsage = serverAuth
subjectAltName = @alt
[alt]
DNS.1 = {host}
"""


class PKI:
    """Creates its files lazily under `directory` and reuses them: one PKI per test run."""

    def __init__(self, directory):
        self.dir = directory
        os.makedirs(directory, exist_ok=True)
        os.chmod(directory, 0o755)
        self._lock = threading.Lock()
        self._made = {}
        self._log = os.path.join(directory, "openssl.log")

    def _ossl(self, *args):
        run(["openssl"] + list(args), log_path=self._log)

    def _p(self, name):
        return os.path.join(self.dir, name)

    def _newkey(self, path):
        self._ossl("genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", path)
        os.chmod(path, 0o644)  # Postfix and Dovecot read it as root; the dir is test-only

    @property
    def root_cert(self):
        """The trust anchor to hand to a client (--cacert)."""
        self._ensure_cas()
        return self._p("root.pem")

    @property
    def intermediate_cert(self):
        self._ensure_cas()
        return self._p("intermediate.pem")

    def _ensure_cas(self):
        with self._lock:
            if "cas" in self._made:
                return
            self._newkey(self._p("root.key"))
            self._ossl("req", "-x509", "-new", "-key", self._p("root.key"), "-out", self._p("root.pem"),
                       "-days", "3650", "-subj", "/CN=maildoctor test root CA",
                       "-addext", "basicConstraints=critical,CA:TRUE",
                       "-addext", "keyUsage=critical,keyCertSign,cRLSign")
            self._newkey(self._p("intermediate.key"))
            self._ossl("req", "-new", "-key", self._p("intermediate.key"), "-out", self._p("intermediate.csr"),
                       "-subj", "/CN=maildoctor test intermediate CA")
            with open(self._p("intermediate.ext"), "w") as f:
                f.write("basicConstraints=critical,CA:TRUE,pathlen:0\n"
                        "keyUsage=critical,keyCertSign,cRLSign\n"
                        "subjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid\n")
            self._ossl("x509", "-req", "-in", self._p("intermediate.csr"), "-CA", self._p("root.pem"),
                       "-CAkey", self._p("root.key"), "-CAcreateserial", "-days", "3650",
                       "-extfile", self._p("intermediate.ext"), "-out", self._p("intermediate.pem"))
            cadir = self._p("ca")
            os.makedirs(os.path.join(cadir, "newcerts"), exist_ok=True)
            open(os.path.join(cadir, "index.txt"), "w").close()
            with open(os.path.join(cadir, "serial"), "w") as f:
                f.write("1000\n")
            self._made["cas"] = True

    def _ca_conf(self, host):
        path = self._p("ca-%s.cnf" % host)
        with open(path, "w") as f:
            f.write(_CA_CONF.format(dir=self._p("ca"), host=host))
        return path

    def _signed_leaf(self, name, host, startdate=None, enddate=None):
        key, csr, leaf = self._p(name + ".key"), self._p(name + ".csr"), self._p(name + ".leaf.pem")
        self._newkey(key)
        self._ossl("req", "-new", "-key", key, "-out", csr, "-subj", "/CN=" + host)
        dates = []
        if startdate:
            dates += ["-startdate", startdate]
        if enddate:
            dates += ["-enddate", enddate]
        else:
            dates += ["-days", "825"]
        self._ossl("ca", "-batch", "-notext", "-config", self._ca_conf(host), "-extensions", "leaf_ext",
                   "-cert", self._p("intermediate.pem"), "-keyfile", self._p("intermediate.key"),
                   "-in", csr, "-out", leaf, *dates)
        return key, leaf

    def custom_leaf(self, name, host=HOST, enddate=None):
        """A leaf (served with the intermediate) for `host`, ending at `enddate` (openssl's YYYYMMDDHHMMSSZ; default
        825 days). Afterwards `name` is known to leaf(), so Dovecot(cert=name) and Postfix services can serve it."""
        if name in LEAVES:
            raise ValueError("%r is a built-in certificate" % name)
        self._ensure_cas()
        with self._lock:
            if name in self._made:
                raise ValueError("certificate %r exists already" % name)
            key, leaf = self._signed_leaf(name, host, None, enddate)
            served = self._p(name + ".pem")
            with open(served, "w") as out:
                for p in (leaf, self._p("intermediate.pem")):
                    with open(p) as f:
                        out.write(f.read())
            os.chmod(served, 0o644)
            self._made[name] = (served, key)
            return self._made[name]

    def foreign_leaf(self, name, ca_subject, host=HOST):
        """A leaf for `host` from a root CA of its own whose subject is `ca_subject` (openssl's "/CN=.../O=..." form),
        served with that root: what a program that intercepts TLS on this computer presents (an antivirus mail
        shield names itself there). Afterwards `name` is known to leaf(); the CA alone is at ca_cert(name)."""
        if name in LEAVES:
            raise ValueError("%r is a built-in certificate" % name)
        with self._lock:
            if name in self._made:
                raise ValueError("certificate %r exists already" % name)
            ca_key, ca_cert = self._p(name + ".ca.key"), self._p(name + ".ca.pem")
            self._newkey(ca_key)
            self._ossl("req", "-x509", "-new", "-key", ca_key, "-out", ca_cert, "-days", "3650", "-subj", ca_subject,
                       "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign")
            key, csr, leaf = self._p(name + ".key"), self._p(name + ".csr"), self._p(name + ".leaf.pem")
            self._newkey(key)
            self._ossl("req", "-new", "-key", key, "-out", csr, "-subj", "/CN=" + host)
            with open(self._p(name + ".ext"), "w") as f:
                f.write("basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\n"
                        "extendedKeyUsage=serverAuth\nsubjectAltName=DNS:%s\n" % host)
            self._ossl("x509", "-req", "-in", csr, "-CA", ca_cert, "-CAkey", ca_key, "-CAcreateserial", "-days", "825",
                       "-extfile", self._p(name + ".ext"), "-out", leaf)
            served = self._p(name + ".pem")
            with open(served, "w") as out:
                for p in (leaf, ca_cert):
                    with open(p) as f:
                        out.write(f.read())
            os.chmod(served, 0o644)
            self._made[name] = (served, key)
            return self._made[name]

    def ca_cert(self, name):
        """The root of a foreign_leaf()."""
        return self._p(name + ".ca.pem")

    def leaf(self, name):
        """(cert_path, key_path) for one of LEAVES, or a custom_leaf() made before."""
        with self._lock:
            if name in self._made and name != "cas":
                return self._made[name]
        if name not in LEAVES:
            raise ValueError("unknown certificate %r (known: %s)" % (name, ", ".join(LEAVES)))
        self._ensure_cas()
        with self._lock:
            if name in self._made:
                return self._made[name]
            served = self._p(name + ".pem")
            if name == "self_signed":
                key = self._p(name + ".key")
                self._newkey(key)
                self._ossl("req", "-x509", "-new", "-key", key, "-out", served, "-days", "825",
                           "-subj", "/CN=" + HOST, "-addext", "subjectAltName=DNS:" + HOST,
                           "-addext", "basicConstraints=critical,CA:FALSE",
                           "-addext", "extendedKeyUsage=serverAuth")
            else:
                host = OTHER_HOST if name == "other_host" else HOST
                start = end = None
                if name == "expired":
                    start, end = "20200101000000Z", "20210101000000Z"
                elif name == "not_yet_valid":
                    start, end = "20900101000000Z", "20910101000000Z"
                key, leaf = self._signed_leaf(name, host, start, end)
                parts = [leaf] if name == "no_intermediate" else [leaf, self._p("intermediate.pem")]
                with open(served, "w") as out:
                    for p in parts:
                        with open(p) as f:
                            out.write(f.read())
            os.chmod(served, 0o644)
            self._made[name] = (served, key)
            return self._made[name]
