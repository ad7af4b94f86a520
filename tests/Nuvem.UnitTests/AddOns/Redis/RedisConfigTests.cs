using Nuvem.Platform;
using Nuvem.Platform.AddOns.Redis;

namespace Nuvem.UnitTests.AddOns.Redis;

public sealed class RedisConfigTests
{
    private static readonly RedisInstance Instance = new("rabc", "id", 6381, "premium-0", "p4ssw0rdp4ssw0rdp4ssw0rdp4ssw0rd");

    [Fact]
    public void The_configuration_sets_the_plans_limits_persistence_and_a_password_protected_non_admin_user()
    {
        var text = RedisConfigFile.Text(Instance, ["127.0.0.1", "10.213.0.1"], "/data/addons/redis/rabc/data");
        var lines = text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.Contains("bind 127.0.0.1 10.213.0.1", lines);
        Assert.Contains("port 6381", lines);
        Assert.Contains("protected-mode yes", lines);
        Assert.Contains("daemonize yes", lines);
        Assert.Contains("appendonly yes", lines);
        Assert.Contains("dir /data/addons/redis/rabc/data", lines);
        Assert.Contains($"maxmemory {50 * 1024 * 1024}", lines);
        Assert.Contains("maxmemory-policy noeviction", lines);
        Assert.Contains("maxclients 40", lines);
        Assert.Contains("user default reset on >p4ssw0rdp4ssw0rdp4ssw0rdp4ssw0rd ~* &* +@all -@admin", lines);
        Assert.DoesNotContain(lines, l => l.Contains("nopass"));
        Assert.DoesNotContain(lines, l => l.StartsWith("requirepass"));
    }

    [Fact]
    public void Plans_are_mini_by_default_then_premium_0_and_1_with_growing_memory()
    {
        var spec = RedisPlans.Spec;
        Assert.Equal("heroku-redis", spec.Service);
        Assert.Equal("REDIS", spec.ConfigVarPrefix);
        Assert.Equal("REDIS", spec.PrimaryAttachment);
        Assert.False(spec.ColourAliases);
        Assert.Equal(["mini", "premium-0", "premium-1"], spec.Plans.Select(p => p.Name));
        Assert.Equal("mini", Assert.Single(spec.Plans, p => p.IsDefault).Name);
        Assert.Equal(25L * 1024 * 1024, RedisPlans.For("mini").MaxMemoryBytes);
        Assert.Equal(100L * 1024 * 1024, RedisPlans.For("premium-1").MaxMemoryBytes);
        Assert.Throws<PlatformException>(() => RedisPlans.For("premium-9"));
    }

    [Fact]
    public void A_port_is_the_lowest_of_the_range_no_instance_has_and_nothing_else_holds()
    {
        Assert.Equal(6380, RedisInstance.FreePort([6380, 6381, 6382], []));
        Assert.Equal(6382, RedisInstance.FreePort([6380, 6381, 6382], [6380, 6381]));
        Assert.Equal(6381, RedisInstance.FreePort([6380, 6381, 6382], [6380], busy: p => p == 6382));
        Assert.Equal(6382, RedisInstance.FreePort([6380, 6381, 6382], [6380], busy: p => p == 6381));
        Assert.Null(RedisInstance.FreePort([6380, 6381], [6380, 6381]));
    }

    [Fact]
    public void The_port_range_setting_reads_first_dash_last()
    {
        Assert.Equal((6380, 6479), RedisSettings.ParsePorts("6380-6479"));
        Assert.Equal((7000, 7000), RedisSettings.ParsePorts("7000-7000"));
        Assert.Throws<ArgumentException>(() => RedisSettings.ParsePorts("6479-6380"));
        Assert.Throws<ArgumentException>(() => RedisSettings.ParsePorts("6380"));
        Assert.Throws<ArgumentException>(() => RedisSettings.ParsePorts("0-10"));
        Assert.Equal(6, new RedisSettings("/d", 6380, 6385, ["127.0.0.1"], "127.0.0.1").Ports.Count());
    }

    [Fact]
    public void Passwords_are_long_and_url_safe_and_the_url_has_heroku_s_shape()
    {
        var password = RedisInstance.NewPassword();
        Assert.True(password.Length >= 32);
        Assert.Matches("^[A-Za-z0-9]+$", password);
        Assert.Matches("^r[a-z0-9]{15}$", RedisInstance.NewName());
        Assert.Equal("redis://:p4ssw0rdp4ssw0rdp4ssw0rdp4ssw0rd@10.213.0.1:6381", Instance.Url("10.213.0.1"));
    }
}
