using Nuvem.Platform;
using Nuvem.Platform.ConfigVars;

namespace Nuvem.UnitTests.Rules;

/// <summary>Config var keys as Heroku accepts them, and release descriptions in Heroku's words.</summary>
public sealed class ConfigVarRulesTests
{
    [Theory]
    [InlineData("DATABASE_URL")]
    [InlineData("_private")]
    [InlineData("a1")]
    public void Keys_are_letters_digits_and_underscores(string key) => ConfigVarService.ValidateKey(key);

    [Theory]
    [InlineData("", "empty")]
    [InlineData("1ST", "not starting with a digit")]
    [InlineData("MY-KEY", "letters, digits and underscores")]
    [InlineData("A B", "letters, digits and underscores")]
    public void Other_keys_are_refused_saying_why(string key, string why)
    {
        var error = Assert.Throws<PlatformException>(() => ConfigVarService.ValidateKey(key));
        Assert.Contains(why, error.Message);
    }

    [Fact]
    public void Keys_longer_than_the_limit_are_refused()
    {
        ConfigVarService.ValidateKey(new string('K', ConfigVarService.MaxKeyLength));
        Assert.Throws<PlatformException>(() => ConfigVarService.ValidateKey(new string('K', ConfigVarService.MaxKeyLength + 1)));
    }

    [Theory]
    [InlineData(new[] { "FOO", "BAR" }, new string[0], "Set FOO, BAR config vars")]
    [InlineData(new string[0], new[] { "FOO" }, "Remove FOO config vars")]
    [InlineData(new[] { "A" }, new[] { "B" }, "Set A and remove B config vars")]
    public void Releases_are_described_as_heroku_does(string[] set, string[] removed, string expected) =>
        Assert.Equal(expected, ConfigVarService.Describe(set, removed));

    [Fact]
    public void Config_vars_round_trip_through_json_with_any_value()
    {
        var vars = new Dictionary<string, string> { ["QUOTE"] = "say \"hi\"\n", ["UNICODE"] = "çà 🚀", ["EMPTY"] = "" };
        Assert.Equal(vars, ConfigVarsJson.Deserialize(ConfigVarsJson.Serialize(vars)));
    }
}
