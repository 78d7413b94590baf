"""The rules a staff password must meet, in one place for the CLI, the demo and any future form."""
from __future__ import annotations

import re

from server.errors import Invalid

MIN_LENGTH = 12
# Argon2 pre-hashes any length, but a megabyte password is only a way to burn CPU.
MAX_LENGTH = 1024
MIN_DISTINCT = 3
# Usernames this short would match inside too many good passwords to mean anything.
MIN_USERNAME_MATCH = 3

# The most used passwords of 12 characters or more (shorter ones fail on length already),
# from the public breach top lists, with the Vietnamese ones our users would reach for.
COMMON = frozenset(
    {
        "123456789012", "1234567890qwe", "1234567890qwerty", "1q2w3e4r5t6y", "1qaz2wsx3edc", "1qaz2wsx3edc4rfv",
        "1qazxsw23edc", "a1b2c3d4e5f6", "aaaaaa111111", "abc123456789", "abcd12345678", "abcdef123456",
        "asdfghjkl123", "iloveyou1234", "password1234", "password123!", "passw0rd1234", "p@ssw0rd1234",
        "qwerty123456", "qwertyuiop12", "qwertyuiop123", "qwertyuiopasdfghjkl", "q1w2e3r4t5y6", "zaq12wsxcde3",
        "zxcvbnm12345", "welcome12345", "letmein12345", "trustno1trustno1", "football1234", "superman1234",
        "administrator", "administrator1", "admin1234567", "admin@123456", "changeme1234", "123456abcdef",
        "matkhau12345", "matkhau123456", "matkhau@123456", "anhyeuem1234", "anhyeuem123456", "emyeuanh1234",
        "vietnam12345", "vietnam123456", "iloveyou123456", "hoithao12345", "hoinghi12345", "diemcau12345",
    }
)
# A password that is one of these words with digits and symbols around it is no stronger than the word.
COMMON_WORDS = frozenset(
    {
        "password", "passw", "pass", "matkhau", "qwerty", "qwertyuiop", "asdfghjkl", "zxcvbnm", "abc", "abcd",
        "abcdef", "admin", "administrator", "letmein", "welcome", "iloveyou", "anhyeuem", "emyeuanh", "vietnam",
        "qaz", "qazwsx", "qwe", "qweasd", "changeme", "secret", "diemcau", "hoithao", "hoinghi",
    }
)
# Letters people swap in to look clever: P@ssw0rd is password.
LEET = str.maketrans({"@": "a", "4": "a", "0": "o", "1": "i", "3": "e", "5": "s", "$": "s", "7": "t"})


def _cores(folded: str) -> set[str]:
    """The word a password is built on: its letters alone, and with the digits and symbols at its ends cut
    and the look-alike ones inside read as letters."""
    middle = re.sub(r"^[^a-z]+|[^a-z]+$", "", folded).translate(LEET)
    return {re.sub(r"[^a-z]", "", folded), re.sub(r"[^a-z]", "", middle)}


def password_problem(password: str, username: str) -> str | None:
    """Why this password may not be used by this user, or None when it may."""
    folded = password.casefold()
    name = username.strip().casefold()
    if len(password) < MIN_LENGTH:
        return "too_short"
    if len(password) > MAX_LENGTH:
        return "too_long"
    if len(set(password)) < MIN_DISTINCT:
        return "too_simple"
    if password.isdigit():
        return "only_digits"
    if len(name) >= MIN_USERNAME_MATCH and name in folded:
        return "contains_username"
    if folded in COMMON or _cores(folded) & COMMON_WORDS:
        return "too_common"
    return None


MESSAGES = {
    "too_short": f"The password must have at least {MIN_LENGTH} characters",
    "too_long": f"The password may have at most {MAX_LENGTH} characters",
    "too_simple": f"The password must use at least {MIN_DISTINCT} different characters",
    "only_digits": "The password may not be only digits",
    "contains_username": "The password may not contain the username",
    "too_common": "This password is among the most common ones; choose another",
}


def check_password(password: str, username: str) -> None:
    """Refuse a password that breaks a rule, naming the rule in `details.password`."""
    problem = password_problem(password, username)
    if problem is not None:
        raise Invalid(MESSAGES[problem], {"password": problem}, code="weak_password")
