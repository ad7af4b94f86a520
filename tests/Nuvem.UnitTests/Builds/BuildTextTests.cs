using Nuvem.Platform.Builds;
using Nuvem.Platform.Builds.Buildpacks;

namespace Nuvem.UnitTests.Builds;

/// <summary>What build output says: sizes, durations, URLs without secrets, why nothing was detected.</summary>
public sealed class BuildTextTests
{
    [Theory]
    [InlineData(0, "0B")]
    [InlineData(1023, "1023B")]
    [InlineData(1536, "1.5K")]
    [InlineData(5 * 1024 * 1024, "5.0M")]
    [InlineData(3L << 30, "3.0G")]
    public void Slug_sizes_read_like_heroku(long bytes, string said) =>
        Assert.Equal(said, SlugPacking.HumanSize(bytes).Replace(',', '.'));

    [Theory]
    [InlineData(15 * 60, "15 minutes")]
    [InlineData(90, "90 seconds")]
    [InlineData(5, "5 seconds")]
    public void Build_timeouts_are_said_in_minutes_when_whole(int seconds, string said) =>
        Assert.Equal(said, LocalBuildExecutor.Describe(TimeSpan.FromSeconds(seconds)));

    [Theory]
    [InlineData("https://user:secret@example.com:8443/src.tgz?signature=abc", "https://example.com:8443/src.tgz")]
    [InlineData("http://example.com/a/b.tar.gz#frag", "http://example.com/a/b.tar.gz")]
    [InlineData("not a url", "(the given URL)")]
    public void A_source_url_is_shown_without_credentials_or_query(string url, string shown) =>
        Assert.Equal(shown, BuildSourceCheck.SafeUrl(url));

    [Fact]
    public void Nothing_detected_says_what_each_built_in_looks_for()
    {
        var message = BuildpackSelection.NothingDetected(BuildpackCatalog.DetectionOrder);
        Assert.StartsWith("No default language could be detected for this app. Looked for: nodejs (package.json), python (", message);
        Assert.Contains("procfile (a Procfile)", message);
        Assert.EndsWith("Set a buildpack with `nuvem buildpacks:set URL`.", message);
    }
}
