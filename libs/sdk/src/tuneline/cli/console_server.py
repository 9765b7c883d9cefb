"""Serves the built web console (console/dist) as static files, the way `tuneline up` runs it.

`/config.json` is written by the stack at start (the services' URLs, the environment, the sign-in method), so one
build serves any deployment. Any path that is not a file gets index.html: the console routes in the browser.
Run: `python -m tuneline.cli.console_server --dir console/dist --config stack/console.json --port 8100`.
"""

from __future__ import annotations

import argparse
import functools
import http.server
import io
from pathlib import Path
from typing import Any


class ConsoleHandler(http.server.SimpleHTTPRequestHandler):
    def __init__(self, *args: Any, config: Path, **kwargs: Any) -> None:
        self.config = config
        super().__init__(*args, **kwargs)

    def send_head(self) -> Any:
        path = self.path.split("?", 1)[0].split("#", 1)[0]
        if path == "/config.json":
            body = self.config.read_bytes()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Cache-Control", "no-store")
            self.end_headers()
            return io.BytesIO(body)
        if not Path(self.translate_path(path)).is_file():
            self.path = "/index.html"  # a route of the single-page app
        return super().send_head()

    def end_headers(self) -> None:
        # Nothing is fetched from anywhere but here and the services named in config.json.
        self.send_header("X-Content-Type-Options", "nosniff")
        self.send_header("Referrer-Policy", "no-referrer")
        super().end_headers()

    def log_message(self, format: str, *args: Any) -> None:
        return  # the console's requests are not worth a log line each


def serve(directory: Path, config: Path, host: str, port: int) -> None:
    handler = functools.partial(ConsoleHandler, directory=str(directory), config=config)
    with http.server.ThreadingHTTPServer((host, port), handler) as server:
        server.serve_forever()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--dir", type=Path, required=True, help="The built console (console/dist).")
    parser.add_argument("--config", type=Path, required=True, help="The runtime config.json to serve.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8100)
    args = parser.parse_args()
    serve(args.dir, args.config, args.host, args.port)


if __name__ == "__main__":
    main()
