"""Masked examples for reports: enough shape to recognise the kind of value, never the value itself."""

from __future__ import annotations

import re


def mask_value(entity_type: str, value: str) -> str:
    """E.g. 'john.smith@example.com' → 'j*********@e******.com', '555-123-4567' → '***-***-**67'."""
    if entity_type == "EMAIL_ADDRESS" and "@" in value:
        local, _, domain = value.partition("@")
        host, dot, tld = domain.rpartition(".")
        masked_host = (host[:1] + "*" * max(len(host) - 1, 0)) if dot else domain[:1] + "*" * (len(domain) - 1)
        return f"{local[:1]}{'*' * max(len(local) - 1, 0)}@{masked_host}{dot}{tld if dot else ''}"
    digits = sum(ch.isdigit() for ch in value)
    if digits >= 4:
        keep = 2
        out: list[str] = []
        seen = 0
        for ch in value:
            if ch.isdigit():
                seen += 1
                out.append(ch if seen > digits - keep else "*")
            else:
                out.append(ch)
        return "".join(out)
    return re.sub(r"(?<=\w)\w", "*", value)
