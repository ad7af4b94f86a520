using System.Globalization;
using System.Text;

namespace Nuvem.Server.Router;

/// <summary>
/// Heroku's router line, fields in Heroku's order:
/// <c>at=info method=GET path="/" host=app.localhost request_id=… fwd="127.0.0.1" dyno=web.1 connect=1ms service=12ms status=200 bytes=123 protocol=http</c>;
/// errors start <c>at=error code=H12 desc="Request timeout"</c> (H80 says <c>at=info code=H80</c>, it is no error).
/// Fields the router never reached (no dyno was tried) stay empty: <c>dyno= connect= service=</c>.
/// </summary>
public sealed record RouterLogLine
{
    public string At { get; init; } = "info";
    public string? Code { get; init; }
    public string? Desc { get; init; }
    public required string Method { get; init; }
    public required string Path { get; init; }
    public required string Host { get; init; }
    public required string RequestId { get; init; }
    public required string Fwd { get; init; }
    public string? Dyno { get; init; }
    public long? ConnectMs { get; init; }
    public long? ServiceMs { get; init; }
    public int Status { get; init; }
    public long? Bytes { get; init; }
    public string Protocol { get; init; } = "http";

    public override string ToString()
    {
        var line = new StringBuilder(256);
        line.Append("at=").Append(At);
        if (Code is not null) line.Append(" code=").Append(Code);
        if (Desc is not null) line.Append(" desc=\"").Append(Quote(Desc)).Append('"');
        line.Append(" method=").Append(Method)
            .Append(" path=\"").Append(Quote(Path)).Append('"')
            .Append(" host=").Append(Host)
            .Append(" request_id=").Append(RequestId)
            .Append(" fwd=\"").Append(Quote(Fwd)).Append('"')
            .Append(" dyno=").Append(Dyno)
            .Append(" connect=").Append(Ms(ConnectMs))
            .Append(" service=").Append(Ms(ServiceMs))
            .Append(" status=").Append(Status.ToString(CultureInfo.InvariantCulture))
            .Append(" bytes=").Append(Bytes?.ToString(CultureInfo.InvariantCulture))
            .Append(" protocol=").Append(Protocol);
        return line.ToString();
    }

    private static string Ms(long? value) => value is null ? "" : value.Value.ToString(CultureInfo.InvariantCulture) + "ms";

    /// <summary>Values inside quotes never break the line's shape: quotes, backslashes and control characters are escaped.</summary>
    private static string Quote(string value)
    {
        if (!value.Any(c => c is '"' or '\\' || char.IsControl(c))) return value;
        var escaped = new StringBuilder(value.Length + 8);
        foreach (var c in value)
        {
            if (c is '"' or '\\') escaped.Append('\\').Append(c);
            else if (char.IsControl(c)) escaped.Append("\\x").Append(((int)c).ToString("x2", CultureInfo.InvariantCulture));
            else escaped.Append(c);
        }
        return escaped.ToString();
    }
}
