using System.Net.Sockets;
using System.Security.Authentication;
using Nuvem.Cli.Configuration;

namespace Nuvem.Cli.Api;

/// <summary>
/// Turns the exception soup of a failed connection (HttpRequestException wrapping SocketException or
/// AuthenticationException, timeouts surfacing as TaskCanceledException) into one line that says what to do.
/// </summary>
public static class TransportErrors
{
    public static async Task<T> Guard<T>(NuvemHost host, TrustedCertificates trust, CancellationToken cancellation, Func<Task<T>> send)
    {
        try
        {
            return await send();
        }
        catch (TaskCanceledException) when (!cancellation.IsCancellationRequested)
        {
            throw new CliException($"Request to {host} timed out.");
        }
        catch (HttpRequestException e)
        {
            throw new CliException(Describe(e, host, trust));
        }
    }

    public static string Describe(HttpRequestException error, NuvemHost host, TrustedCertificates trust)
    {
        if (Find<AuthenticationException>(error) is { } tls)
        {
            return trust.LastRejection switch
            {
                CertificateRejection.NameMismatch =>
                    $"TLS certificate of {host} is not valid for the name {host.BaseUri.Host}; use the host name the certificate was issued for.",
                CertificateRejection.Untrusted =>
                    $"TLS certificate of {host} is not trusted; pass --ca-file or set NUVEM_CA_FILE" +
                    (trust.CaFile is null ? "." : $" (tried CA file {trust.CaFile})."),
                // The certificate was never looked at: the server probably does not speak TLS on that port.
                _ => $"TLS handshake with {host} failed: {tls.Message}" +
                     (host.IsHttps ? " Is the server speaking plain HTTP on that port?" : ""),
            };
        }

        if (Find<SocketException>(error) is { } socket)
        {
            var reason = socket.SocketErrorCode switch
            {
                SocketError.ConnectionRefused => "connection refused",
                SocketError.HostNotFound or SocketError.NoData or SocketError.TryAgain => $"unknown host {host.BaseUri.Host}",
                SocketError.TimedOut => "connection timed out",
                SocketError.NetworkUnreachable or SocketError.HostUnreachable => "network unreachable",
                SocketError.ConnectionReset => "connection reset by server",
                _ => socket.Message,
            };
            return $"Could not connect to {host}: {reason}";
        }

        return $"Could not connect to {host}: {error.Message}";
    }

    private static T? Find<T>(Exception error) where T : Exception
    {
        for (Exception? current = error; current is not null; current = current.InnerException)
        {
            if (current is T match) return match;
        }
        return null;
    }
}
