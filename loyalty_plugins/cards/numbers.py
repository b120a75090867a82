"""Card numbers: 16 digits with a Luhn check digit; tokens: 192 random bits."""

from __future__ import annotations

import re
import secrets

PREFIX = "70"


def luhn_digit(body: str) -> str:
    total = 0
    for position, char in enumerate(reversed(body)):
        digit = int(char)
        if position % 2 == 0:  # every second digit from the right, the check digit's place
            digit *= 2
            if digit > 9:
                digit -= 9
        total += digit
    return str((10 - total % 10) % 10)


def new_number() -> str:
    body = PREFIX + "".join(str(secrets.randbelow(10)) for _ in range(13))
    return body + luhn_digit(body)


def normalise(raw: str) -> str:
    return re.sub(r"[\s-]", "", raw or "")


def is_valid(number: str) -> bool:
    number = normalise(number)
    return bool(re.fullmatch(r"\d{16}", number)) and luhn_digit(number[:-1]) == number[-1]


def pretty(number: str) -> str:
    return " ".join(number[i:i + 4] for i in range(0, len(number), 4))


def new_token() -> str:
    return secrets.token_urlsafe(24)
