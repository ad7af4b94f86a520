"""Nuvem test fixture: a web app on $PORT with one dependency, a package vendored in the app (no index needed)."""
import os
import sys
from http.server import BaseHTTPRequestHandler, HTTPServer

import greeting

MARKER = "fixture"


class Hello(BaseHTTPRequestHandler):
    def do_GET(self):
        body = f"{greeting.hello()} ({MARKER}) on Python {sys.version.split()[0]} in {sys.prefix}\n".encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/plain; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


if __name__ == "__main__":
    port = int(os.environ.get("PORT", "5000"))
    print(f"listening on {port}", flush=True)
    HTTPServer(("0.0.0.0", port), Hello).serve_forever()
