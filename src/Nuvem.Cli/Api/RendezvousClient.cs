using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace Nuvem.Cli.Api;

/// <summary>
/// The client side of the rendezvous protocol (what <c>heroku run</c> speaks): TLS to the <c>attach_url</c>'s
/// host and port, the secret and CRLF, a first chunk (<c>rendezvous</c>) to drop, then stdin out and output in.
/// Without a terminal, end of input is sent as EOT.
/// </summary>
public sealed class RendezvousClient(TrustedCertificates trust)
{
    public const char ExitStatusMark = '\uFFFF';
    public const string ExitStatusPrefix = "\uFFFF heroku-command-exit-status:";

    /// <returns>The exit status the command reported through the marker line, or null when the marker never came.</returns>
    public async Task<int?> RunAsync(string attachUrl, Stream stdin, Stream stdout, CancellationToken cancellation)
    {
        var url = new Uri(attachUrl);
        if (url.Port <= 0) throw new CliException($"The platform returned an attach URL without a port: {attachUrl}");
        using var tcp = new TcpClient();
        try
        {
            await tcp.ConnectAsync(url.Host, url.Port, cancellation);
        }
        catch (SocketException e)
        {
            throw new CliException($"Could not connect to the run session at {url.Host}:{url.Port}: {e.Message}");
        }
        await using var tls = new SslStream(tcp.GetStream(), leaveInnerStreamOpen: false,
            (_, certificate, chain, errors) => trust.Validate(null!, certificate as X509Certificate2 ?? (certificate is null ? null : new X509Certificate2(certificate)), chain, errors));
        await tls.AuthenticateAsClientAsync(url.Host);
        await tls.WriteAsync(Encoding.ASCII.GetBytes(url.PathAndQuery.TrimStart('/') + "\r\n"), cancellation);

        var buffer = new byte[16 * 1024];
        var first = await tls.ReadAsync(buffer, cancellation);
        if (first == 0) throw new CliException("The run session closed before it started.");
        var greeting = Encoding.ASCII.GetString(buffer, 0, first);
        if (greeting.StartsWith("error", StringComparison.Ordinal)) throw new CliException($"The platform refused the run session: {greeting.Trim()}");

        var sending = Task.Run(async () =>
        {
            try
            {
                await stdin.CopyToAsync(tls, cancellation);
                await tls.WriteAsync(new byte[] { 0x04 }, cancellation); // end of input
                await tls.FlushAsync(cancellation);
            }
            catch (Exception e) when (e is IOException or ObjectDisposedException or OperationCanceledException) { }
        }, cancellation);

        // Output goes straight through, except the exit-status line at its end, which is ours to read.
        var decoder = Encoding.UTF8.GetDecoder();
        var chars = new char[buffer.Length + 1];
        var held = new StringBuilder();
        var writer = new StreamWriter(stdout, new UTF8Encoding(false)) { AutoFlush = true };
        int read;
        while ((read = await tls.ReadAsync(buffer, cancellation)) > 0)
        {
            var count = decoder.GetChars(buffer, 0, read, chars, 0);
            var text = new string(chars, 0, count);
            if (held.Length > 0 || text.Contains(ExitStatusMark))
            {
                var mark = held.Length > 0 ? 0 : text.IndexOf(ExitStatusMark);
                await writer.WriteAsync(text[..mark]);
                held.Append(text[mark..]);
            }
            else
            {
                await writer.WriteAsync(text);
            }
        }
        await writer.FlushAsync(cancellation);
        var marker = held.ToString();
        var at = marker.IndexOf(ExitStatusPrefix, StringComparison.Ordinal);
        if (at < 0)
        {
            if (marker.Length > 0) await writer.WriteAsync(marker);
            return null;
        }
        var rest = marker[(at + ExitStatusPrefix.Length)..];
        var digits = new string(rest.TrimStart().TakeWhile(char.IsDigit).ToArray());
        return int.TryParse(digits, out var status) ? status : null;
    }
}
