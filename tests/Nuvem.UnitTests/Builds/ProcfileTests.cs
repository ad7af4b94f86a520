using Nuvem.Platform.Builds;

namespace Nuvem.UnitTests.Builds;

public sealed class ProcfileTests
{
    [Fact]
    public void Reads_name_command_lines_skipping_blank_lines_and_comments()
    {
        var types = Procfile.Parse("# the app\r\nweb: node server.js --port $PORT\n\n  worker :  bin/work  \nrelease-1:rake db:migrate\n");

        Assert.Equal(new Dictionary<string, string>
        {
            ["web"] = "node server.js --port $PORT",
            ["worker"] = "bin/work",
            ["release-1"] = "rake db:migrate",
        }, types);
    }

    [Fact]
    public void An_empty_Procfile_declares_nothing() => Assert.Empty(Procfile.Parse("\n# nothing yet\n"));

    [Theory]
    [InlineData("web: ok\nnot a process line", 2, "expected \"name: command\"")]
    [InlineData("web:", 1, "process type web has no command")]
    [InlineData("web: a\n\nweb: b", 3, "process type web is declared twice (first on line 1)")]
    [InlineData("we b: x", 1, "expected \"name: command\"")]
    public void Refuses_a_malformed_line_with_its_number(string text, int line, string reason)
    {
        var e = Assert.Throws<ProcfileException>(() => Procfile.Parse(text));
        Assert.Equal(line, e.LineNumber);
        Assert.StartsWith($"Procfile line {line}: ", e.Message);
        Assert.Contains(reason, e.Message);
    }

    [Fact]
    public void A_long_bad_line_is_shortened_in_the_message()
    {
        var e = Assert.Throws<ProcfileException>(() => Procfile.Parse(new string('x', 100)));
        Assert.Contains(new string('x', 57) + "...", e.Message);
        Assert.DoesNotContain(new string('x', 58), e.Message);
    }
}
