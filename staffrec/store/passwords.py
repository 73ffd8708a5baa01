"""Password hashing with the standard library's scrypt (no Flask or Werkzeug in the library)."""

import hashlib
import hmac
import secrets

_N, _R, _P, _SALT, _LEN = 2**14, 8, 1, 16, 32


def hash_password(password):
    """Return a self-describing scrypt hash of `password`."""
    salt = secrets.token_bytes(_SALT)
    digest = hashlib.scrypt(password.encode("utf-8"), salt=salt, n=_N, r=_R, p=_P, dklen=_LEN)
    return f"scrypt${_N}${_R}${_P}${salt.hex()}${digest.hex()}"


def check_password(stored, password):
    """Tell whether `password` matches a hash made by hash_password (constant-time compare)."""
    try:
        scheme, n, r, p, salt, digest = stored.split("$")
        if scheme != "scrypt":
            return False
        candidate = hashlib.scrypt(
            password.encode("utf-8"), salt=bytes.fromhex(salt), n=int(n), r=int(r), p=int(p), dklen=len(digest) // 2
        )
    except (ValueError, AttributeError):
        return False
    return hmac.compare_digest(candidate.hex(), digest)
