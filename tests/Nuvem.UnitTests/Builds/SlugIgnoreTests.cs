using Nuvem.Platform.Builds;

namespace Nuvem.UnitTests.Builds;

public sealed class SlugIgnoreTests
{
    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("# only a comment\n\n")]
    public void No_slugignore_keeps_everything(string? text)
    {
        var ignore = SlugIgnore.Parse(text);
        Assert.False(ignore.Ignores("test/unit.js"));
        Assert.False(ignore.Ignores("README.md"));
    }

    [Fact]
    public void A_name_without_a_slash_matches_anywhere_with_what_is_below_it()
    {
        var ignore = SlugIgnore.Parse("test\n*.psd\n");
        Assert.True(ignore.Ignores("test"));
        Assert.True(ignore.Ignores("test/unit.js"));
        Assert.True(ignore.Ignores("lib/vendor/test/deep/file.txt"));
        Assert.True(ignore.Ignores("assets/logo.psd"));
        Assert.False(ignore.Ignores("testing/file.txt"));
        Assert.False(ignore.Ignores("logo.png"));
    }

    [Fact]
    public void A_pattern_with_a_slash_or_a_leading_slash_is_anchored_at_the_top()
    {
        var ignore = SlugIgnore.Parse("/docs\nspec/fixtures\n");
        Assert.True(ignore.Ignores("docs/index.md"));
        Assert.False(ignore.Ignores("lib/docs/index.md"));
        Assert.True(ignore.Ignores("spec/fixtures/a.json"));
        Assert.False(ignore.Ignores("other/spec/fixtures/a.json"));
        Assert.False(ignore.Ignores("spec/helper.rb"));
    }
}
