"""Seeds a Thunderbird profile's saved passwords (key4.db + logins.json) through Thunderbird's own libnss3,
so the password is there before the first start (a runtime addLoginAsync arrives too late for login_at_startup)."""
import base64
import ctypes
import json
import os
import subprocess
import sys
import time
import uuid

NSS_DIR = "/usr/lib/thunderbird"


class SECItem(ctypes.Structure):
    _fields_ = [("type", ctypes.c_uint), ("data", ctypes.c_void_p), ("len", ctypes.c_uint)]


def seed_logins(profile, entries):
    """Runs the seeding in a child process: Thunderbird's libnss3 needs its sibling libraries, which the dynamic
    loader finds only through LD_LIBRARY_PATH set before the process starts."""
    env = dict(os.environ, LD_LIBRARY_PATH=NSS_DIR)
    subprocess.run([sys.executable, os.path.abspath(__file__), profile], input=json.dumps(entries).encode(), env=env, check=True)


def _seed_in_process(profile, entries):
    """entries: [(origin, username, password[, realm])], origin like "imap://127.0.0.2" (also the realm unless given;
    Thunderbird keeps an OAuth2 refresh token under origin "oauth://<issuer>" with the scope as its realm)."""
    nss = ctypes.CDLL(f"{NSS_DIR}/libnss3.so")
    nss.PK11_GetInternalKeySlot.restype = ctypes.c_void_p
    nss.PK11_InitPin.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_char_p]
    nss.PK11SDR_Encrypt.argtypes = [ctypes.POINTER(SECItem), ctypes.POINTER(SECItem), ctypes.POINTER(SECItem), ctypes.c_void_p]
    nss.PK11_FreeSlot.argtypes = [ctypes.c_void_p]
    if nss.NSS_InitReadWrite(f"sql:{profile}".encode()) != 0:
        raise RuntimeError("NSS_InitReadWrite failed")
    try:
        slot = nss.PK11_GetInternalKeySlot()
        if nss.PK11_InitPin(slot, b"", b"") != 0:  # empty primary password, as a fresh profile has
            raise RuntimeError("PK11_InitPin failed")
        nss.PK11_FreeSlot(slot)

        def encrypt(text):
            raw = text.encode()
            buf = ctypes.create_string_buffer(raw, len(raw))
            plain = SECItem(0, ctypes.cast(buf, ctypes.c_void_p), len(raw))
            key_id = SECItem(0, None, 0)
            out = SECItem(0, None, 0)
            if nss.PK11SDR_Encrypt(ctypes.byref(key_id), ctypes.byref(plain), ctypes.byref(out), None) != 0:
                raise RuntimeError("PK11SDR_Encrypt failed")
            return base64.b64encode(ctypes.string_at(out.data, out.len)).decode()

        now = int(time.time() * 1000)
        logins = []
        for i, (origin, username, password, *realm) in enumerate(entries, start=1):
            logins.append({
                "id": i, "hostname": origin, "httpRealm": realm[0] if realm else origin, "formSubmitURL": None,
                "usernameField": "", "passwordField": "",
                "encryptedUsername": encrypt(username), "encryptedPassword": encrypt(password),
                "guid": "{%s}" % uuid.uuid4(), "encType": 1,
                "timeCreated": now, "timeLastUsed": now, "timePasswordChanged": now, "timesUsed": 1,
            })
    finally:
        nss.NSS_Shutdown()
    with open(f"{profile}/logins.json", "w") as f:
        json.dump({"nextId": len(logins) + 1, "logins": logins, "potentiallyVulnerablePasswords": [],
                   "dismissedBreachAlertsByLoginGUID": {}, "version": 3}, f)


if __name__ == "__main__":
    _seed_in_process(sys.argv[1], json.load(sys.stdin))
