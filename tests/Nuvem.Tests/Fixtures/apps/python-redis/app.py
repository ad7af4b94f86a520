"""Nuvem test fixture: counts hits in Redis ($REDIS_URL), speaking RESP over a socket with the standard library."""
import os
import socket
from http.server import BaseHTTPRequestHandler, HTTPServer
from urllib.parse import urlparse


def command(*args):
    url = urlparse(os.environ["REDIS_URL"])
    with socket.create_connection((url.hostname, url.port), timeout=10) as s:
        s.sendall(encode("AUTH", url.password) if not url.username else encode("AUTH", url.username, url.password))
        reply(s.makefile("rb"))
        s.sendall(encode(*args))
        return reply(s.makefile("rb"))


def encode(*args):
    out = f"*{len(args)}\r\n".encode()
    for a in args:
        b = str(a).encode()
        out += f"${len(b)}\r\n".encode() + b + b"\r\n"
    return out


def reply(f):
    line = f.readline().rstrip(b"\r\n")
    kind, rest = line[:1], line[1:].decode()
    if kind == b"-":
        raise RuntimeError(rest)
    if kind == b":":
        return int(rest)
    if kind == b"$":
        return None if rest == "-1" else f.read(int(rest) + 2)[:-2].decode()
    return rest


class Hits(BaseHTTPRequestHandler):
    def do_GET(self):
        try:
            body, status = f"hits: {command('INCR', 'hits')}\n", 200
        except Exception as e:
            body, status = f"error: {e}\n", 500
        data = body.encode()
        self.send_response(status)
        self.send_header("Content-Type", "text/plain; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


if __name__ == "__main__":
    port = int(os.environ.get("PORT", "5000"))
    print(f"listening on {port}", flush=True)
    HTTPServer(("0.0.0.0", port), Hits).serve_forever()
