"""What may be shown of a person (PIPL): a grid board shows a member's surname only, and an
export masks a personal phone unless the reader's role may see it."""

from __future__ import annotations

import re


def published_name(name: str) -> str:
    """What a public grid board shows: the surname only (张伟 -> 张*)."""
    return name[:1] + "*" * max(len(name) - 1, 1)


def mask_phone(phone: str | None) -> str | None:
    """13812345678 -> 138****5678: enough to tell numbers apart, not to call."""
    if not phone:
        return phone
    digits = re.sub(r"\D", "", phone)
    if len(digits) < 7:
        return "*" * len(digits)
    return digits[:3] + "*" * (len(digits) - 7) + digits[-4:]
