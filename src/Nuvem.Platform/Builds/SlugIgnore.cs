using Microsoft.Extensions.FileSystemGlobbing;

namespace Nuvem.Platform.Builds;

/// <summary>
/// <c>.slugignore</c>: paths left out of the slug (tests, docs, sources of assets), one glob per line, '#' for
/// comments. A pattern without a '/' matches that name anywhere in the tree, like Heroku's.
/// </summary>
public sealed class SlugIgnore
{
    private readonly Matcher? _matcher;

    private SlugIgnore(Matcher? matcher) => _matcher = matcher;

    /// <param name="text">The file's content, as the build dyno read it; null when the app has none.</param>
    public static SlugIgnore Parse(string? text)
    {
        if (string.IsNullOrWhiteSpace(text)) return new SlugIgnore(null);
        var matcher = new Matcher(StringComparison.Ordinal);
        foreach (var raw in text.Split('\n'))
        {
            var line = raw.Trim();
            if (line.Length == 0 || line.StartsWith('#')) continue;
            var anchored = line.StartsWith('/');
            var pattern = line.Trim('/');
            if (pattern.Length == 0) continue;
            if (anchored || pattern.Contains('/'))
            {
                matcher.AddInclude(pattern);
                matcher.AddInclude(pattern + "/**");
            }
            else
            {
                matcher.AddInclude("**/" + pattern);
                matcher.AddInclude("**/" + pattern + "/**");
            }
        }
        return new SlugIgnore(matcher);
    }

    /// <param name="relativePath">Path below the build dir with '/' separators.</param>
    public bool Ignores(string relativePath) => _matcher is not null && _matcher.Match(relativePath).HasMatches;
}
