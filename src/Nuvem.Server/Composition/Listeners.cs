using System.Net;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Nuvem.Server.Configuration;
using Nuvem.Server.Rendezvous;

namespace Nuvem.Server.Composition;

/// <summary>
/// What nuvemd's own Kestrel listens on: the Platform API and git over HTTPS, the git hooks' private unix socket, and
/// the rendezvous port of `run` sessions (raw TLS, not HTTP). The app router has a listener of its own (RouterHost).
/// </summary>
internal static class Listeners
{
    public static void Configure(KestrelServerOptions kestrel, ServerOptions options, X509Certificate2 certificate, string hookSocket)
    {
        kestrel.AddServerHeader = false;
        Listen(kestrel, options.Bind, options.ApiPort, listen => listen.UseHttps(certificate));
        kestrel.ListenUnixSocket(hookSocket);
        Listen(kestrel, options.Bind, options.RendezvousPort, listen =>
        {
            listen.UseHttps(certificate);
            listen.UseConnectionHandler<RendezvousConnectionHandler>();
        });
    }

    /// <param name="bind">NUVEM_BIND_ADDRESS: <c>*</c>, <c>localhost</c> or one IP address.</param>
    private static void Listen(KestrelServerOptions kestrel, string bind, int port, Action<ListenOptions> configure)
    {
        switch (bind)
        {
            case "*": kestrel.ListenAnyIP(port, configure); break;
            case "localhost": kestrel.ListenLocalhost(port, configure); break;
            default: kestrel.Listen(IPAddress.Parse(bind), port, configure); break;
        }
    }
}
