namespace Nuvem.Cli.Git;

/// <summary>
/// The git remote that ties a working copy to its app, like Heroku's <c>heroku</c> remote. Its URL has the form
/// <c>https://HOST:PORT/&lt;app&gt;.git</c>, so the app name is the last path segment without ".git".
/// Git is optional: when it is missing or the directory is no repository, the remote simply does not exist.
/// </summary>
public sealed class GitRemote(string name = GitRemote.DefaultName, string? workingDirectory = null)
{
    public const string DefaultName = "nuvem";

    public string Name { get; } = name;

    private readonly string directory = workingDirectory ?? Environment.CurrentDirectory;

    public bool IsInsideWorkTree() => Run("rev-parse", "--is-inside-work-tree") is { ExitCode: 0, Output: "true" };

    public string? GetUrl() => Run("remote", "get-url", Name) is { ExitCode: 0 } result && result.Output.Length > 0 ? result.Output : null;

    /// <summary>The app the remote points at, or null when there is no such remote.</summary>
    public string? GetApp() => GetUrl() is { } url ? AppFromUrl(url) : null;

    /// <summary>Adds the remote, or repoints it when it already exists. Returns true when it was added.</summary>
    public bool AddOrUpdate(string url)
    {
        var added = GetUrl() is null;
        var result = added ? Run("remote", "add", Name, url) : Run("remote", "set-url", Name, url);
        if (result is not { ExitCode: 0 })
            throw new CliException($"Could not set git remote {Name}: {result?.Error ?? "git is not installed"}");
        return added;
    }

    public void Remove()
    {
        var result = Run("remote", "remove", Name);
        if (result is not { ExitCode: 0 })
            throw new CliException($"Could not remove git remote {Name}: {result?.Error ?? "git is not installed"}");
    }

    /// <summary><c>https://host:5443/myapp.git</c> → <c>myapp</c>; also accepts scp-style <c>git@host:myapp.git</c>.</summary>
    public static string? AppFromUrl(string url)
    {
        var path = Uri.TryCreate(url, UriKind.Absolute, out var uri) && uri.Scheme != "file" && !string.IsNullOrEmpty(uri.Host)
            ? uri.AbsolutePath
            : url[(url.LastIndexOf(':') + 1)..];
        var segment = path.TrimEnd('/').Split('/').LastOrDefault() ?? "";
        if (segment.EndsWith(".git", StringComparison.Ordinal)) segment = segment[..^4];
        segment = Uri.UnescapeDataString(segment);
        return segment.Length == 0 ? null : segment;
    }

    private GitProcess.Result? Run(params string[] arguments) => GitProcess.Run(directory, arguments);
}
