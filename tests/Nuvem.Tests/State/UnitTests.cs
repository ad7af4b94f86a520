using Nuvem.Platform;
using Nuvem.Platform.Apps;
using Nuvem.Platform.ConfigVars;
using Nuvem.Platform.Formation;
using Nuvem.Server.Api.Conventions;

namespace Nuvem.Tests.State;

public sealed class RangeHeaderTests
{
    [Theory]
    [InlineData("version ..; max=15, order=desc", "version", null, null, 15, true)]
    [InlineData("version ..; order=desc,max=1", "version", null, null, 1, true)]
    [InlineData("id ..; max=1000;", "id", null, null, 1000, false)]
    [InlineData("name ab..cd", "name", "ab", "cd", RangeHeader.DefaultMax, false)]
    [InlineData("version ]5..; max=10, order=desc", "version", "5", null, 10, true)]
    [InlineData("version ..; max=5000", "version", null, null, RangeHeader.MaxMax, false)]
    public void Parses_the_spellings_the_heroku_cli_uses(string header, string field, string? start, string? end, int max, bool desc)
    {
        var range = RangeHeader.Parse(header)!;
        Assert.Equal((field, start, end, max, desc), (range.Field, range.Start, range.End, range.Max, range.Descending));
    }

    [Fact]
    public void Exclusive_start_and_empty_header()
    {
        Assert.True(RangeHeader.Parse("version ]5..")!.StartExclusive);
        Assert.Null(RangeHeader.Parse(""));
        Assert.Null(RangeHeader.Parse("   "));
    }

    [Theory]
    [InlineData("Version ..")]
    [InlineData("version ..; max=-1")]
    [InlineData("version ..; order=up")]
    [InlineData("version ..; page=2")]
    public void Rejects_nonsense(string header) =>
        Assert.Equal("requested_range_not_satisfiable", Assert.Throws<PlatformException>(() => RangeHeader.Parse(header)).Id);
}

public sealed class DomainRulesTests
{
    [Theory]
    [InlineData("abc", true)]
    [InlineData("my-app-2", true)]
    [InlineData("a23456789012345678901234567890", true)]
    [InlineData("a234567890123456789012345678901", false)]
    [InlineData("ab", false)]
    [InlineData("-abc", false)]
    [InlineData("abc-", false)]
    [InlineData("a--b", false)]
    [InlineData("ABC", false)]
    [InlineData("9abc", false)]
    public void App_names_follow_herokus_rules(string name, bool valid) => Assert.Equal(valid, AppName.Problem(name) is null);

    [Fact]
    public void Generated_names_are_valid() =>
        Assert.All(Enumerable.Range(0, 200).Select(_ => AppName.Generate()), n => Assert.Null(AppName.Problem(n)));

    [Theory]
    [InlineData("3", 0, 3)]
    [InlineData("+1", 2, 3)]
    [InlineData("-1", 2, 1)]
    [InlineData(" 4 ", 9, 4)]
    public void Quantities_set_or_adjust(string text, int current, int expected) => Assert.Equal(expected, Quantity.Parse(text).ApplyTo(current));

    [Theory]
    [InlineData("")]
    [InlineData("two")]
    [InlineData("1.5")]
    [InlineData("+-1")]
    public void Bad_quantities_are_refused(string text) => Assert.Throws<PlatformException>(() => Quantity.Parse(text));

    [Fact]
    public void Release_descriptions_read_like_herokus()
    {
        Assert.Equal("Set FOO, BAR config vars", ConfigVarService.Describe(["FOO", "BAR"], []));
        Assert.Equal("Remove FOO config vars", ConfigVarService.Describe([], ["FOO"]));
        Assert.Equal("Set A and remove B config vars", ConfigVarService.Describe(["A"], ["B"]));
    }

    [Fact]
    public void Dyno_sizes_match_case_insensitively_and_load_from_json()
    {
        Assert.Equal("Standard-2X", DynoSizeTable.Default.Find("standard-2x")!.Name);
        Assert.Null(DynoSizeTable.Default.Find("huge"));
        var file = Path.GetTempFileName();
        File.WriteAllText(file, """[{"name":"Small","memory_mb":256,"cpu":0.5},{"name":"Big","memory_mb":4096}]""");
        var table = DynoSizeTable.Load(file);
        Assert.Equal("Small", table.DefaultSize.Name);
        Assert.Equal(256, table.Find("small")!.MemoryMb);
        File.WriteAllText(file, "[]");
        Assert.Throws<InvalidDataException>(() => DynoSizeTable.Load(file));
        File.Delete(file);
    }
}
