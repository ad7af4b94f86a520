using System.Security.Cryptography;
using Nuvem.Platform;
using Nuvem.Platform.AddOns.Postgres;

namespace Nuvem.UnitTests.AddOns.Postgres;

/// <summary>The Postgres provider's rules: plans and their limits, URLs, quoting, names and passwords.</summary>
public sealed class PostgresRulesTests
{
    [Fact]
    public void The_service_is_heroku_postgres_with_essential_0_by_default_and_limits_that_grow_with_the_plan()
    {
        var spec = PostgresPlans.Spec;
        Assert.Equal(("heroku-postgresql", "Heroku Postgres", "postgresql", "HEROKU_POSTGRESQL", "DATABASE", true),
            (spec.Service, spec.HumanName, spec.NamePrefix, spec.ConfigVarPrefix, spec.PrimaryAttachment, spec.ColourAliases));
        Assert.Equal(["essential-0", "essential-1", "essential-2", "standard-0"], spec.Plans.Select(p => p.Name));
        Assert.Equal("essential-0", Assert.Single(spec.Plans, p => p.IsDefault).Name);
        Assert.Equal((20, 1L << 30), (PostgresPlans.For("essential-0").Connections, PostgresPlans.For("essential-0").MaxBytes));
        Assert.Equal((120, 64L << 30), (PostgresPlans.For("standard-0").Connections, PostgresPlans.For("standard-0").MaxBytes));
        Assert.Equal("20 connections, 1 GB of data", spec.Plans[0].Description);
        var limits = PostgresPlans.Limits;
        Assert.True(limits.Zip(limits.Skip(1)).All(p => p.First.Connections < p.Second.Connections && p.First.MaxBytes < p.Second.MaxBytes));
        var unknown = Assert.Throws<PlatformException>(() => PostgresPlans.For("hobby-dev"));
        Assert.Equal("invalid_params", unknown.Id);
        Assert.Contains("essential-0", unknown.Message);
    }

    [Fact]
    public void The_url_is_herokus_form_with_its_parts_escaped()
    {
        Assert.Equal("postgres://dabc:s3cret@10.213.0.1:5433/dabc", PostgresUrl.Build("dabc", "s3cret", "10.213.0.1", 5433, "dabc"));
        var odd = PostgresUrl.Build("r", "p@ss:w/rd", "127.0.0.1", 5433, "d b");
        Assert.Equal("postgres://r:p%40ss%3Aw%2Frd@127.0.0.1:5433/d%20b", odd);
        var uri = new Uri(odd);
        Assert.Equal("p@ss:w/rd", Uri.UnescapeDataString(uri.UserInfo.Split(':')[1]));
    }

    [Theory]
    [InlineData("plain", "\"plain\"")]
    [InlineData("Mixed Case", "\"Mixed Case\"")]
    [InlineData("evil\"; DROP ROLE postgres; --", "\"evil\"\"; DROP ROLE postgres; --\"")]
    public void Identifiers_are_double_quoted_with_inner_quotes_doubled(string name, string quoted) =>
        Assert.Equal(quoted, PostgresAdminStore.Identifier(name));

    [Fact]
    public void Literals_double_their_quotes_and_nul_is_refused()
    {
        Assert.Equal("'it''s'", PostgresAdminStore.Literal("it's"));
        Assert.Equal(@"'a\b'", PostgresAdminStore.Literal(@"a\b")); // standard_conforming_strings: a backslash is itself
        Assert.Throws<ArgumentException>(() => PostgresAdminStore.Literal("a\0b"));
        Assert.Throws<ArgumentException>(() => PostgresAdminStore.Identifier("a\0b"));
    }

    [Fact]
    public void Names_and_passwords_are_random_and_need_no_quoting()
    {
        var names = Enumerable.Range(0, 50).Select(_ => PostgresPassword.NewName()).ToList();
        Assert.All(names, n => Assert.Matches("^d[a-z0-9]{15}$", n));
        Assert.Equal(50, names.Distinct().Count());
        var password = PostgresPassword.NewPassword();
        Assert.Matches("^[A-Za-z0-9]{48}$", password);
        Assert.NotEqual(password, PostgresPassword.NewPassword());
    }

    [Fact]
    public void The_scram_verifier_matches_rfc_7677s_example()
    {
        // RFC 7677 §3: user "user", password "pencil", salt W22ZaJ0SNY7soEsUEjb6gQ==, 4096 iterations.
        var verifier = PostgresPassword.Verifier("pencil", Convert.FromBase64String("W22ZaJ0SNY7soEsUEjb6gQ=="));
        var parts = verifier.Split('$', ':');
        Assert.Equal(["SCRAM-SHA-256", "4096", "W22ZaJ0SNY7soEsUEjb6gQ=="], parts[..3]);
        // The server key signs the exchange: ServerSignature = HMAC(ServerKey, AuthMessage), given in the RFC.
        const string authMessage = "n=user,r=rOprNGfwEbeRWgbNEkqO,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096,c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0";
        var signature = HMACSHA256.HashData(Convert.FromBase64String(parts[4]), System.Text.Encoding.UTF8.GetBytes(authMessage));
        Assert.Equal("6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=", Convert.ToBase64String(signature));
        Assert.NotEqual(verifier, PostgresPassword.Verifier("pencil")); // a fresh salt each time
    }
}
