using System.Globalization;
using System.Text;

namespace Nuvem.Platform.Dynos.Runtime.Containers;

/// <summary>
/// Follows the log conmon keeps of a dyno's stdout and stderr (the "k8s-file" format:
/// <c>2026-11-27T06:22:46.194848597+00:00 stdout F text</c>, <c>P</c> for a part of a longer line). conmon writes it
/// whether or not the platform is running, and the position read so far is saved beside it: after a platform
/// restart the follower resumes where the last one stopped, so lines written meanwhile are not lost.
/// </summary>
public sealed class ContainerLog(string path, string positionPath)
{
    private long _position = ReadPosition(positionPath);
    private readonly StringBuilder _partial = new();

    /// <summary>Reads what was added since the last call and passes each complete line on.</summary>
    /// <returns>Whether anything was read.</returns>
    /// <param name="stored">Completes once the lines passed on are stored: only then is the new position saved.</param>
    public async Task<bool> PollAsync(Func<string, DateTimeOffset?, Task> line, Func<Task>? stored = null)
    {
        try
        {
            return await ReadAsync(line, stored);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false; // read again next time; the dyno must not be lost over its log
        }
    }

    private async Task<bool> ReadAsync(Func<string, DateTimeOffset?, Task> line, Func<Task>? stored)
    {
        if (!File.Exists(path)) return false;
        await using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        if (file.Length < _position) _position = 0; // conmon started the file over (--log-size-max)
        if (file.Length == _position) return false;
        file.Seek(_position, SeekOrigin.Begin);
        var buffer = new byte[file.Length - _position];
        var read = await file.ReadAtLeastAsync(buffer, buffer.Length, throwOnEndOfStream: false);
        // Only whole records: one still being written is read next time.
        var end = Array.LastIndexOf(buffer, (byte)'\n', read - 1);
        if (end < 0) return false;
        foreach (var record in Encoding.UTF8.GetString(buffer, 0, end).Split('\n')) await HandleAsync(record, line);
        _position += end + 1;
        if (stored is not null)
        {
            try { await stored(); }
            catch (Exception) { return true; } // not stored: read again after a restart rather than lost
        }
        await File.WriteAllTextAsync(positionPath, _position.ToString(CultureInfo.InvariantCulture));
        return true;
    }

    private async Task HandleAsync(string record, Func<string, DateTimeOffset?, Task> line)
    {
        // TIMESTAMP STREAM TAG TEXT
        var first = record.IndexOf(' ');
        var second = first < 0 ? -1 : record.IndexOf(' ', first + 1);
        if (second < 0) return;
        var third = record.IndexOf(' ', second + 1);
        var tag = third < 0 ? record[(second + 1)..] : record[(second + 1)..third];
        var text = third < 0 ? "" : record[(third + 1)..];
        _partial.Append(text);
        if (tag.StartsWith('P')) return;
        var whole = _partial.ToString();
        _partial.Clear();
        try { await line(whole, Timestamp(record[..first])); }
        catch (Exception) { /* the log must never take a dyno down */ }
    }

    /// <summary>conmon's RFC 3339 time with nanoseconds; .NET parses at most 7 fractional digits.</summary>
    private static DateTimeOffset? Timestamp(string text)
    {
        var dot = text.IndexOf('.');
        var zone = text.LastIndexOfAny(['+', '-', 'Z']);
        if (dot > 0 && zone > dot && zone - dot - 1 > 7) text = text[..(dot + 8)] + text[zone..];
        return DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at) ? at : null;
    }

    private static long ReadPosition(string path) =>
        File.Exists(path) && long.TryParse(File.ReadAllText(path).Trim(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var position) ? position : 0;
}
