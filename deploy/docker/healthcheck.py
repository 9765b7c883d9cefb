"""Container health probe: exit 0 when the service's HTTP endpoint answers 2xx, 1 otherwise.

Slim images carry no curl or wget, and the probe must not import the service (that would take seconds and
say nothing about whether the running process answers), so it uses only the standard library.
Usage: python healthcheck.py [PATH]   (PATH defaults to /healthz; the port comes from TUNELINE_HTTP_PORT).
"""

from __future__ import annotations

import os
import sys
import urllib.error
import urllib.request

DEFAULT_PATH = "/healthz"
TIMEOUT_S = 4.0


def probe_url(environ: dict[str, str], path: str = DEFAULT_PATH) -> str:
    """The URL to probe; the service listens on all interfaces in a container, so loopback reaches it."""
    port = environ.get("TUNELINE_HTTP_PORT", "")
    if not port.isdigit() or not 1 <= int(port) <= 65535:
        raise ValueError(f"TUNELINE_HTTP_PORT must be a port number 1-65535, got {port!r}")
    return f"http://127.0.0.1:{int(port)}/{path.lstrip('/')}"


def check(url: str, timeout_s: float = TIMEOUT_S) -> tuple[bool, str]:
    """(healthy, reason) for one GET of `url`."""
    try:
        with urllib.request.urlopen(url, timeout=timeout_s) as response:  # noqa: S310 - fixed http loopback URL
            status = int(response.status)
    except urllib.error.HTTPError as exc:
        return False, f"{url} answered HTTP {exc.code}"
    except (urllib.error.URLError, OSError) as exc:
        return False, f"{url} unreachable: {exc}"
    return 200 <= status < 300, f"{url} answered HTTP {status}"


def main(argv: list[str]) -> int:
    try:
        url = probe_url(dict(os.environ), argv[1] if len(argv) > 1 else DEFAULT_PATH)
    except ValueError as exc:
        print(f"healthcheck: {exc}", file=sys.stderr)
        return 1
    healthy, reason = check(url)
    print(f"healthcheck: {reason}", file=sys.stderr if not healthy else sys.stdout)
    return 0 if healthy else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
