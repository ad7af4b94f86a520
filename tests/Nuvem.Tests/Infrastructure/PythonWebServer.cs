namespace Nuvem.Tests.Infrastructure;

/// <summary>
/// The web process of the tests' apps: Python's standard library answering "DYNO WORD" on $PORT. Headers and body
/// go out in one write: written apart, a kept-alive connection waits on Nagle and delayed ACKs (40 ms a request).
/// </summary>
public static class PythonWebServer
{
    /// <param name="word">A Python expression for what follows the dyno's name, e.g. <c>os.environ.get("COLOR", "none")</c>.</param>
    /// <param name="printRequests">Prints "served PATH" for every request (to see it in the app's log).</param>
    public static string Source(string word, bool printRequests = false) =>
        "import os, http.server\n" +
        "class Handler(http.server.BaseHTTPRequestHandler):\n" +
        "    def do_GET(self):\n" +
        (printRequests ? "        print(\"served\", self.path, flush=True)\n" : "") +
        $"        body = (os.environ.get(\"DYNO\", \"?\") + \" \" + {word} + \"\\n\").encode()\n" +
        "        self.send_response(200)\n" +
        "        self.send_header(\"Content-Length\", str(len(body)))\n" +
        "        self.end_headers()\n" +
        "        self.wfile.write(body)\n" +
        "    def log_message(self, *args):\n" +
        "        pass\n" +
        "print(\"listening on\", os.environ[\"PORT\"], flush=True)\n" +
        "http.server.ThreadingHTTPServer((\"0.0.0.0\", int(os.environ[\"PORT\"])), Handler).serve_forever()\n";
}
