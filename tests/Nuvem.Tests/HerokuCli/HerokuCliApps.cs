using Nuvem.Tests.Infrastructure;

namespace Nuvem.Tests.HerokuCli;

/// <summary>The app the heroku CLI deploys: a web process (Python's standard library) that logs every request's path.</summary>
public static class HerokuCliApps
{
    public static GitWorkspace Web(NuvemServer server) => new GitWorkspace(server)
        .Write("Procfile", "web: python3 server.py\n")
        .Write("server.py", PythonWebServer.Source("os.environ.get(\"GREETING\", \"none\")", printRequests: true));
}
