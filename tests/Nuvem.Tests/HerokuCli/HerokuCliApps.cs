using Nuvem.Tests.Infrastructure;

namespace Nuvem.Tests.HerokuCli;

/// <summary>The app the heroku CLI deploys: a web process (Python's standard library) that logs every request's path.</summary>
public static class HerokuCliApps
{
    public static GitWorkspace Web(NuvemServer server) => new GitWorkspace(server)
        .Write("Procfile", "web: python3 server.py\n")
        .Write("server.py", """
            import os, http.server
            class Handler(http.server.BaseHTTPRequestHandler):
                def do_GET(self):
                    print("served", self.path, flush=True)
                    body = (os.environ.get("DYNO", "?") + " " + os.environ.get("GREETING", "none") + "\n").encode()
                    self.send_response(200)
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                def log_message(self, *args):
                    pass
            print("listening on", os.environ["PORT"], flush=True)
            http.server.ThreadingHTTPServer(("0.0.0.0", int(os.environ["PORT"])), Handler).serve_forever()
            """);
}
