namespace Nuvem.Cli.Configuration;

/// <summary>
/// The Nuvem server the CLI talks to. Heroku derives the netrc machine name from <c>HEROKU_HOST</c> as
/// <c>host:port</c> when the host is a URL; we do the same but always include the port (also when it is the
/// scheme's default), so one machine never holds credentials of two servers.
/// </summary>
public sealed class NuvemHost
{
    public const string DefaultUrl = "https://localhost:5443";

    private NuvemHost(Uri baseUri)
    {
        BaseUri = baseUri;
    }

    /// <summary>scheme://host:port/ — path, query and fragment of the configured value are dropped, as Heroku does.</summary>
    public Uri BaseUri { get; }

    /// <summary>The netrc machine name, e.g. <c>localhost:5443</c>.</summary>
    public string MachineName => $"{BaseUri.Host}:{BaseUri.Port}";

    /// <summary>How the host is named in messages, e.g. <c>https://localhost:5443</c>.</summary>
    public string Display => $"{BaseUri.Scheme}://{BaseUri.Host}:{BaseUri.Port}";

    public bool IsHttps => BaseUri.Scheme == Uri.UriSchemeHttps;

    public override string ToString() => Display;

    /// <summary>Resolution order: explicit value (login --host), <c>NUVEM_HOST</c>, the saved config, the default.</summary>
    public static NuvemHost Resolve(string? explicitHost, CliConfig config)
    {
        var candidate = FirstNonEmpty(explicitHost, Environment.GetEnvironmentVariable("NUVEM_HOST"), config.Host) ?? DefaultUrl;
        return Parse(candidate);
    }

    public static NuvemHost Parse(string value)
    {
        var text = value.Trim();
        // "localhost:5443" is a natural thing to type; the server only speaks HTTPS by default, so assume it.
        if (!text.Contains("://", StringComparison.Ordinal)) text = "https://" + text;
        if (!Uri.TryCreate(text, UriKind.Absolute, out var uri) ||
            (uri.Scheme != Uri.UriSchemeHttps && uri.Scheme != Uri.UriSchemeHttp) ||
            string.IsNullOrEmpty(uri.Host))
        {
            throw new CliException($"Invalid host '{value}'. Expected a URL such as {DefaultUrl}.");
        }
        return new NuvemHost(new Uri($"{uri.Scheme}://{uri.Authority}/"));
    }

    private static string? FirstNonEmpty(params string?[] values) => values.FirstOrDefault(v => !string.IsNullOrWhiteSpace(v));
}
