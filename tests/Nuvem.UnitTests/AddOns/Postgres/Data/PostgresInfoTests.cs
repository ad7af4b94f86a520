using Nuvem.Platform;
using Nuvem.Platform.AddOns.Postgres;

namespace Nuvem.UnitTests.AddOns.Postgres.Data;

/// <summary>The data API's view of a database: <c>pg:info</c>'s lines, sizes, versions and URLs taken apart.</summary>
public sealed class PostgresInfoTests
{
    private static readonly PostgresStats Stats = new(Bytes: 8_000_000, Tables: 3, Connections: 2, ConnectionLimit: 20,
        ServerVersion: "15.10 (Debian 15.10-0+deb12u1)", CreatedAt: new DateTimeOffset(2026, 12, 2, 17, 5, 59, TimeSpan.FromHours(1)), ReadOnly: false);

    [Fact]
    public void Info_lines_are_Herokus_for_an_essential_database_in_its_order()
    {
        var items = PostgresInfo.Items("essential-0", Stats);
        Assert.Equal(["Plan", "Status", "Connections", "PG Version", "Created", "Data Size", "Tables", "Fork/Follow", "Rollback", "Continuous Protection"],
            items.Select(i => i.Name));
        string Value(string name) => Assert.Single(items.Single(i => i.Name == name).Values);
        Assert.Equal("Essential 0", Value("Plan"));
        Assert.Equal("Available", Value("Status"));
        Assert.Equal("2/20", Value("Connections"));
        Assert.Equal("15.10", Value("PG Version"));
        Assert.Equal("2026-12-02 16:05", Value("Created")); // UTC
        Assert.Equal("7.6 MB / 1 GB (0.75%) (In compliance)", Value("Data Size"));
        Assert.Equal("3", Value("Tables"));
        Assert.Equal("Unsupported", Value("Fork/Follow"));
        Assert.Equal("Off", Value("Continuous Protection")); // pg:backups:capture reads it with /On/
        Assert.All(items, i => Assert.False(i.ResolveDbName));
    }

    [Fact]
    public void A_database_over_its_size_says_writes_are_refused_and_the_plan_limit_applies_without_a_role_limit()
    {
        var items = PostgresInfo.Items("essential-1", Stats with { Bytes = 11L * 1024 * 1024 * 1024, ReadOnly = true, ConnectionLimit = -1 });
        Assert.Equal("11 GB / 10 GB (110.00%) (Over the limit: writes are refused)", items.Single(i => i.Name == "Data Size").Values[0]);
        Assert.Equal("2/40", items.Single(i => i.Name == "Connections").Values[0]);
        Assert.Equal("Essential 1", items[0].Values[0]);
    }

    [Fact]
    public void An_unknown_plan_is_refused()
    {
        Assert.Throws<PlatformException>(() => PostgresInfo.Items("hobby-dev", Stats));
    }

    [Theory]
    [InlineData(0, "0 bytes")]
    [InlineData(512, "512 bytes")]
    [InlineData(1024, "1 kB")]
    [InlineData(1536, "1.5 kB")]
    [InlineData(7_969_177, "7.6 MB")]
    [InlineData(1024L * 1024 * 1024, "1 GB")]
    [InlineData(64L * 1024 * 1024 * 1024, "64 GB")]
    public void Sizes_are_in_powers_of_1024_with_one_decimal(long bytes, string expected) =>
        Assert.Equal(expected, PostgresInfo.Size(bytes));

    [Theory]
    [InlineData("15.10 (Debian 15.10-0+deb12u1)", "15.10")]
    [InlineData("16.4", "16.4")]
    [InlineData(" 17devel", "17devel")]
    [InlineData("14.2(custom)", "14.2")]
    public void The_version_is_its_number_alone(string server, string expected) => Assert.Equal(expected, PostgresInfo.Version(server));

    [Fact]
    public void A_database_url_comes_apart_and_round_trips_through_PostgresUrl()
    {
        var url = PostgresUrl.Build("u7x", "p@ss:w/rd", "10.213.0.1", 5433, "u7x");
        var parts = PostgresInfo.Parse(url);
        Assert.Equal(new PostgresUrlParts("u7x", "p@ss:w/rd", "10.213.0.1", 5433, "u7x"), parts);
        Assert.Equal("postgres://10.213.0.1:5433/u7x", PostgresInfo.ResourceUrl(url));
        Assert.DoesNotContain("p@ss", PostgresInfo.ResourceUrl(url));
    }

    [Fact]
    public void A_url_without_a_port_means_5432()
    {
        Assert.Equal(5432, PostgresInfo.Parse("postgresql://a:b@db.example/a").Port);
    }

    [Theory]
    [InlineData("https://a:b@host:1/db")]
    [InlineData("postgres://host:5432/db")]
    [InlineData("postgres://a:b@host:5432/")]
    [InlineData("not a url")]
    public void Other_urls_are_refused(string url) => Assert.Throws<FormatException>(() => PostgresInfo.Parse(url));
}
