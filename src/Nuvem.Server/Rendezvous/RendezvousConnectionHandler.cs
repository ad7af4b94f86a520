using System.Buffers;
using System.IO.Pipelines;
using System.Text;
using Microsoft.AspNetCore.Connections;

namespace Nuvem.Server.Rendezvous;

/// <summary>
/// The rendezvous protocol of <c>heroku run</c> (reference: heroku-cli.md section 7), over TLS on its own port:
/// the client sends its secret and CRLF; we answer <c>rendezvous\r\n</c> on its own (the client discards that first
/// chunk), then bytes flow both ways between the client and the dyno. Without a TTY the client ends its input with
/// EOT (0x04), which closes the dyno's stdin. When the dyno exits and its output is delivered, the connection closes.
/// </summary>
public sealed class RendezvousConnectionHandler(RendezvousSessions sessions, ILogger<RendezvousConnectionHandler> logger) : ConnectionHandler
{
    private const byte EndOfTransmission = 0x04;

    public override async Task OnConnectedAsync(ConnectionContext connection)
    {
        var input = connection.Transport.Input;
        var output = connection.Transport.Output;
        var secret = await ReadSecretAsync(input, connection.ConnectionClosed);
        var session = secret is null ? null : sessions.Claim(secret);
        if (session is null)
        {
            await output.WriteAsync("error: unknown or expired session\r\n"u8.ToArray());
            return;
        }

        await output.WriteAsync("rendezvous\r\n"u8.ToArray());
        await output.FlushAsync();
        var dyno = session.Dyno;
        // The client throws its whole first read away (it takes it for the "rendezvous" line). Output that arrived in the
        // same read would be lost, so it waits until the client has spoken (it sends input or EOT as soon as it got
        // the line) or a moment has passed.
        var clientSpoke = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        var toDyno = Task.Run(async () =>
        {
            try
            {
                while (true)
                {
                    var result = await input.ReadAsync();
                    clientSpoke.TrySetResult();
                    var buffer = result.Buffer;
                    foreach (var segment in buffer)
                    {
                        var span = segment.Span;
                        var eot = session.Tty ? -1 : span.IndexOf(EndOfTransmission);
                        if (eot >= 0)
                        {
                            await dyno.Input.WriteAsync(segment[..eot]);
                            await dyno.Input.FlushAsync();
                            dyno.Input.Close();
                            return;
                        }
                        await dyno.Input.WriteAsync(segment);
                    }
                    await dyno.Input.FlushAsync();
                    input.AdvanceTo(buffer.End);
                    if (result.IsCompleted) break;
                }
                dyno.Input.Close();
            }
            catch (Exception e) when (e is IOException or ObjectDisposedException or InvalidOperationException or ConnectionResetException)
            {
                // The dyno stopped reading (it exited) or the client hung up.
            }
        });

        var fromDyno = Task.Run(async () =>
        {
            await Task.WhenAny(clientSpoke.Task, Task.Delay(TimeSpan.FromSeconds(1)));
            var chunk = new byte[16 * 1024];
            int read;
            while ((read = await dyno.Output.ReadAsync(chunk)) > 0)
            {
                var flush = await output.WriteAsync(chunk.AsMemory(0, read));
                if (flush.IsCompleted) break; // the client is gone
            }
        });

        try
        {
            await fromDyno;
            await dyno.Exited;
        }
        catch (Exception e) when (e is IOException or ConnectionResetException or OperationCanceledException)
        {
            logger.LogInformation("Rendezvous client of {Dyno} went away: {Error}", session.DynoName, e.Message);
        }
        finally
        {
            if (!dyno.Exited.IsCompleted) _ = dyno.StopAsync(TimeSpan.FromSeconds(10)); // hung up: the dyno goes too
        }
        await Task.WhenAny(toDyno, Task.Delay(100));
    }

    private static async Task<string?> ReadSecretAsync(PipeReader input, CancellationToken cancellation)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
        timeout.CancelAfter(TimeSpan.FromSeconds(10));
        try
        {
            while (true)
            {
                var result = await input.ReadAsync(timeout.Token);
                var buffer = result.Buffer;
                var newline = buffer.PositionOf((byte)'\n');
                if (newline is { } end)
                {
                    var line = Encoding.ASCII.GetString(buffer.Slice(0, end).ToArray()).Trim('\r', ' ');
                    input.AdvanceTo(buffer.GetPosition(1, end));
                    // The client sends the URL's path and query: "SECRET" or "SECRET?…".
                    return line.Split('?')[0].Trim('/');
                }
                if (buffer.Length > 512 || result.IsCompleted) return null;
                input.AdvanceTo(buffer.Start, buffer.End);
            }
        }
        catch (OperationCanceledException)
        {
            return null;
        }
    }
}
