using Nuvem.Server.Configuration;

namespace Nuvem.Tests.AddOns.Redis;

/// <summary>NUVEM_REDIS_PORTS as nuvemd reads it.</summary>
public sealed class RedisSettingsTests
{
    private static ServerOptions Load(params (string Key, string Value)[] settings)
    {
        var env = new Dictionary<string, string?> { ["NUVEM_DATA_DIR"] = "/tmp/x" };
        foreach (var (key, value) in settings) env[key] = value;
        return ServerOptions.Load([], env);
    }

    [Fact]
    public void The_port_range_has_a_default_and_may_not_hold_the_platforms_other_ports()
    {
        Assert.Equal((6380, 6479), Load().RedisPorts);
        Assert.Equal((7000, 7009), Load(("NUVEM_REDIS_PORTS", "7000-7009")).RedisPorts);
        Assert.Throws<ArgumentException>(() => Load(("NUVEM_REDIS_PORTS", "7009-7000")));
        Assert.Throws<ArgumentException>(() => Load(("NUVEM_REDIS_PORTS", "5400-5500"))); // holds the API's 5443
        Assert.Throws<ArgumentException>(() => Load(("NUVEM_REDIS_PORTS", "6380-6479"), ("NUVEM_POSTGRES_PORT", "6400")));
    }
}
