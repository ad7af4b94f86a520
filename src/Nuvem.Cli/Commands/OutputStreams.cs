namespace Nuvem.Cli.Commands;

/// <summary>Build and release output: the bytes of an <c>output_stream_url</c>, to stdout as they arrive.</summary>
public static class OutputStreams
{
    public static async Task ToStandardOutputAsync(CommandContext context, string url, CancellationToken cancellation)
    {
        // Lines the command printed before must come out before the stream's.
        Console.Out.Flush();
        await using var stdout = Console.OpenStandardOutput();
        await context.SignedUrls().StreamAsync(url, stdout, cancellation);
    }
}
