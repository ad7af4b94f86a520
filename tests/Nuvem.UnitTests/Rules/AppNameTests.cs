using Nuvem.Platform;
using Nuvem.Platform.Apps;

namespace Nuvem.UnitTests.Rules;

/// <summary>Heroku's app name rules: what users can create, and what the platform generates when they give no name.</summary>
public sealed class AppNameTests
{
    [Theory]
    [InlineData("abc")]
    [InlineData("my-app-2")]
    [InlineData("a23456789012345678901234567890")]
    public void Accepts_heroku_style_names(string name) => Assert.Null(AppName.Problem(name));

    [Theory]
    [InlineData(null, "empty")]
    [InlineData("", "empty")]
    [InlineData("ab", "between 3 and 30")]
    [InlineData("a234567890123456789012345678901", "between 3 and 30")]
    [InlineData("My-App", "lowercase")]
    [InlineData("1app", "start with a letter")]
    [InlineData("app-", "end with a letter or digit")]
    [InlineData("my_app", "dashes")]
    [InlineData("my--app", "two dashes")]
    public void Refuses_other_names_saying_why(string? name, string why) =>
        Assert.Contains(why, AppName.Problem(name));

    [Fact]
    public void Validate_throws_an_invalid_params_error()
    {
        var error = Assert.Throws<PlatformException>(() => AppName.Validate("UPPER"));
        Assert.Contains("lowercase", error.Message);
    }

    [Fact]
    public void Generated_names_are_valid_and_look_like_herokus()
    {
        for (var i = 0; i < 200; i++)
        {
            var name = AppName.Generate();
            Assert.Null(AppName.Problem(name));
            Assert.Matches("^[a-z]+-[a-z]+-[0-9]{5}$", name);
        }
    }
}
