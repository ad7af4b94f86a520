using Nuvem.Platform;
using Nuvem.Platform.Formation;

namespace Nuvem.UnitTests.Rules;

/// <summary>Quantities as users type them (<c>ps:scale web=2</c>, <c>web+1</c>) and the table of dyno sizes.</summary>
public sealed class FormationRulesTests
{
    [Theory]
    [InlineData("2", 5, 2)]
    [InlineData(" 3 ", 5, 3)]
    [InlineData("+1", 5, 6)]
    [InlineData("-2", 5, 3)]
    [InlineData("0", 5, 0)]
    public void Quantities_set_or_adjust(string text, int current, int expected) =>
        Assert.Equal(expected, Quantity.Parse(text).ApplyTo(current));

    [Theory]
    [InlineData("two")]
    [InlineData("1.5")]
    [InlineData("")]
    [InlineData("+-1")]
    [InlineData("1e3")]
    public void Other_quantities_are_refused_with_an_example(string text)
    {
        var error = Assert.Throws<PlatformException>(() => Quantity.Parse(text));
        Assert.Contains("+1 / -1", error.Message);
    }

    [Fact]
    public void Sizes_are_found_case_insensitively_and_the_first_is_the_default()
    {
        var sizes = DynoSizeTable.Default;
        Assert.Equal("Basic", sizes.DefaultSize.Name);
        Assert.Equal("Standard-2X", sizes.Find("standard-2x ")!.Name);
        Assert.Null(sizes.Find("Gigantic"));
    }

    [Fact]
    public void A_size_table_needs_sizes_with_distinct_names()
    {
        Assert.Throws<ArgumentException>(() => new DynoSizeTable([]));
        Assert.Throws<ArgumentException>(() => new DynoSizeTable([new DynoSize { Name = "A" }, new DynoSize { Name = "a" }]));
    }

    [Fact]
    public void Sizes_load_from_json_with_defaults_for_what_is_left_out()
    {
        var path = Path.GetTempFileName();
        try
        {
            File.WriteAllText(path, """[{"name": "Tiny", "memory_mb": 128, "cpu": 0.25} /* comments are fine */]""");
            var size = Assert.Single(DynoSizeTable.Load(path).All);
            Assert.Equal(("Tiny", 128, 0.25, 256), (size.Name, size.MemoryMb, size.Cpu, size.Pids));

            File.WriteAllText(path, """{"name": "not a list"}""");
            var error = Assert.Throws<InvalidDataException>(() => DynoSizeTable.Load(path));
            Assert.Contains(path, error.Message);
        }
        finally { File.Delete(path); }
    }
}
