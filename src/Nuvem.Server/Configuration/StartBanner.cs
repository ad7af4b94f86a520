using Nuvem.Platform.Accounts;
using Nuvem.Server.Tls;

namespace Nuvem.Server.Configuration;

/// <summary>What nuvemd prints once it listens: where everything is, how to trust it and log in, and what is not isolated.</summary>
internal static class StartBanner
{
    /// <param name="dynos">How dynos run (the runtimes' description).</param>
    /// <param name="buildsWarning">Why builds are not contained, if they are not.</param>
    public static void Print(ServerOptions options, LocalCertificateAuthority ca, string dynos, string? buildsWarning, AdminBootstrap.Result? firstStart)
    {
        var apiUrl = $"https://{options.ApiHost}:{options.ApiPort}";
        Console.WriteLine($"""
            Nuvem is running.
              API and git:   {apiUrl}
              Apps:          http://APP.{options.Domain}:{options.RouterPort}/
              Data:          {options.DataDir}
              CA file:       {(options.TlsCertFile is null ? ca.CaCertificateFile : "(operator-provided certificate)")}
                             trust it: NUVEM_CA_FILE / git -c http.sslCAInfo=FILE / NODE_EXTRA_CA_CERTS=FILE
              Run sessions:  rendezvous on port {options.RendezvousPort}
              Dynos:         {dynos}
            """);
        if (options.DynoRuntime == "process")
            Console.WriteLine("  WARNING:       dynos run as plain processes (NUVEM_DYNO_RUNTIME=process): apps are NOT isolated from each other or the host.");
        if (buildsWarning is { } warning) Console.WriteLine($"  WARNING:       {warning}");
        if (firstStart is not null)
        {
            Console.WriteLine($"""
                  Admin account: {firstStart.Admin.Email}{(firstStart.GeneratedPasswordFile is null ? "" : $" (password in {firstStart.GeneratedPasswordFile})")}
                  Log in:        nuvem login --host {apiUrl} --email {firstStart.Admin.Email}
                """);
        }
    }
}
