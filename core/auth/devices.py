"""Known devices: a signed cookie that lets a browser which already signed in to an
account keep signing in while strangers have locked that account (decision 82).

A successful password sign-in hands the browser a *device cookie*: a random nonce and
an HMAC binding it to the account's address. Later attempts on that account that
present it are throttled on the device's own counter (``device:<digest of nonce>``)
instead of the account's, so five wrong passwords sent from anywhere else no longer
lock its owner out; a stolen or guessed-at cookie still gets only the per-account
limit. Nothing is stored: the signature is the proof (OWASP, "Slow Down Online
Guessing Attacks with Device Cookies").
"""

from __future__ import annotations

import datetime as dt

from core.auth.secrets import digest, hmac_token, new_token, same

DEVICE_COOKIE = "maillage_device"
# As long as a person keeps the same browser: a year, renewed at each sign-in.
DEVICE_TTL = dt.timedelta(days=365)


def _signature(secret_key: str, email: str, nonce: str) -> str:
    return hmac_token(secret_key, "device", f"{digest(email.strip().lower())}:{nonce}")


def issue(secret_key: str, email: str) -> str:
    """A new device cookie for the account ``email``."""
    nonce = new_token()
    return f"{nonce}.{_signature(secret_key, email, nonce)}"


def throttle_key(secret_key: str, email: str, cookie: str | None) -> str | None:
    """The device's throttle key when ``cookie`` was issued for ``email``, else None
    (no cookie, another account's, or forged: the account's counter applies)."""
    if not cookie:
        return None
    nonce, sep, signature = cookie.partition(".")
    if not sep or not nonce or not same(signature, _signature(secret_key, email, nonce)):
        return None
    return "device:" + digest(nonce)
