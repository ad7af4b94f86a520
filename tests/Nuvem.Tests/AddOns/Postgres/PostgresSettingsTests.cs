using Nuvem.Server.Configuration;

namespace Nuvem.Tests.AddOns.Postgres;

/// <summary>NUVEM_POSTGRES_* as nuvemd reads them.</summary>
public sealed class PostgresSettingsTests
{
    private static ServerOptions Load(params (string Key, string Value)[] settings)
    {
        var env = new Dictionary<string, string?> { ["NUVEM_DATA_DIR"] = "/tmp/x" };
        foreach (var (key, value) in settings) env[key] = value;
        return ServerOptions.Load([], env);
    }

    [Fact]
    public void The_cluster_port_and_the_final_backups_days_have_defaults_and_are_checked()
    {
        Assert.Equal((5433, 7), (Load().PostgresPort, Load().PostgresFinalBackupDays));
        var set = Load(("NUVEM_POSTGRES_PORT", "6543"), ("NUVEM_POSTGRES_FINAL_BACKUP_DAYS", "30"));
        Assert.Equal((6543, 30), (set.PostgresPort, set.PostgresFinalBackupDays));
        Assert.Throws<ArgumentException>(() => Load(("NUVEM_POSTGRES_PORT", "70000")));
        Assert.Throws<ArgumentException>(() => Load(("NUVEM_POSTGRES_FINAL_BACKUP_DAYS", "0")));
        Assert.Throws<ArgumentException>(() => Load(("NUVEM_POSTGRES_PORT", "5443"))); // the API's
    }
}
