using Nuvem.Platform;
using Nuvem.Platform.AddOns;

namespace Nuvem.UnitTests.AddOns;

/// <summary>Add-on names, attachment names and colours, the catalog's plans and ids.</summary>
public sealed class AddOnNamingTests
{
    private static readonly AddOnServiceSpec Postgres = new FakeAddOnProvider().Spec;
    private static readonly AddOnServiceSpec Plain = new("nuvem-test", "Test", "test", "NUVEM_TEST", null, false, [new("basic", "Basic", "", true, 0)]);

    [Fact]
    public void Generated_names_look_like_herokus()
    {
        var random = new Random(1);
        var names = Enumerable.Range(0, 50).Select(_ => AddOnNames.Generate("postgresql", random)).ToList();
        Assert.All(names, n => Assert.Matches("^postgresql-[a-z]+-[0-9]{5}$", n));
        AddOnNames.Validate("my-db_2");
        Assert.Throws<PlatformException>(() => AddOnNames.Validate("2db"));
        Assert.Throws<PlatformException>(() => AddOnNames.Validate("my db"));
    }

    [Fact]
    public void The_first_database_is_DATABASE_plus_a_colour_later_ones_a_colour_alone()
    {
        var random = new Random(2);
        var first = AttachmentNames.ForCreate(Postgres, null, new HashSet<string>(), random);
        Assert.Equal("DATABASE", first[0]);
        Assert.Matches("^HEROKU_POSTGRESQL_[A-Z]+$", first[1]);
        var second = AttachmentNames.ForCreate(Postgres, null, first.ToHashSet(), random);
        Assert.Single(second);
        Assert.NotEqual(first[1], second[0]);
        Assert.Equal(["REPORTS", second[0]], AttachmentNames.ForCreate(Postgres, "reports", first.ToHashSet(), new Random(3)).Take(1).Append(second[0]));
    }

    [Fact]
    public void Colours_stay_unique_in_an_app_even_when_all_are_used()
    {
        var taken = new HashSet<string>(StringComparer.Ordinal);
        var random = new Random(4);
        for (var i = 0; i < AttachmentNames.Colours.Count + 5; i++) Assert.True(taken.Add(AttachmentNames.FreeColour(Postgres, taken, random)));
    }

    [Fact]
    public void A_service_without_colours_attaches_under_its_prefix_and_vars_are_prefixed()
    {
        Assert.Equal(["NUVEM_TEST"], AttachmentNames.ForCreate(Plain, null, new HashSet<string>(), new Random(5), "test-curved-12345"));
        Assert.Equal(["TEST_CURVED_12345"], AttachmentNames.ForCreate(Plain, null, new HashSet<string> { "NUVEM_TEST" }, new Random(5), "test-curved-12345"));
        Assert.Equal("DATABASE", AttachmentNames.ForAttach(Postgres, new HashSet<string>(), new Random(6)));
        Assert.StartsWith("HEROKU_POSTGRESQL_", AttachmentNames.ForAttach(Postgres, new HashSet<string> { "DATABASE" }, new Random(6)));
        Assert.Equal("DATABASE_URL", AttachmentNames.ConfigVar("DATABASE", "URL"));
        Assert.Throws<PlatformException>(() => AttachmentNames.Normalise("1ABC"));
        Assert.Throws<PlatformException>(() => AttachmentNames.Normalise("A-B"));
    }

    [Fact]
    public void The_catalog_resolves_plans_by_name_and_stable_id()
    {
        var catalog = new AddOnCatalog([new FakeAddOnProvider()]);
        Assert.Equal("essential-0", catalog.Resolve("heroku-postgresql").Spec.Name);
        Assert.Equal("essential-1", catalog.Resolve("heroku-postgresql:essential-1").Spec.Name);
        var id = AddOnCatalog.PlanId("heroku-postgresql", "essential-1");
        Assert.Equal(id, new AddOnCatalog([new FakeAddOnProvider()]).Resolve(id).Id); // the same on every start
        Assert.Equal(5, Guid.Parse(id).Version);
        Assert.Throws<PlatformException>(() => catalog.Resolve("heroku-redis"));
        Assert.Throws<PlatformException>(() => catalog.Resolve("heroku-postgresql:huge"));
    }
}
