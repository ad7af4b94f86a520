using System.Text;

namespace Nuvem.Platform.AddOns.Redis;

/// <summary>
/// The configuration of one add-on's server. Tenants log in as the ACL user <c>default</c> with the add-on's password
/// (no password, no access: <c>nopass</c> is never set); that user may run every command except the <c>@admin</c>
/// category (CONFIG, DEBUG, SHUTDOWN, MONITOR, SAVE/BGSAVE, REPLICAOF, ACL SETUSER, MODULE, CLIENT KILL…), so the
/// limits the platform sets stay set. Data is persisted as an append-only file (fsync every second).
/// </summary>
public static class RedisConfigFile
{
    public static string Text(RedisInstance instance, IReadOnlyList<string> listen, string dataDirectory)
    {
        var limits = RedisPlans.For(instance.Plan);
        var text = new StringBuilder();
        text.AppendLine("# Written by nuvemd at each start: changes here are lost.");
        text.AppendLine($"bind {string.Join(' ', listen)}");
        text.AppendLine($"port {instance.Port}");
        text.AppendLine("protected-mode yes");
        text.AppendLine("daemonize yes");
        text.AppendLine("supervised no");
        text.AppendLine($"pidfile {dataDirectory}/redis.pid");
        text.AppendLine($"logfile {dataDirectory}/redis.log");
        text.AppendLine($"dir {dataDirectory}");
        text.AppendLine("appendonly yes");
        text.AppendLine("appendfsync everysec");
        text.AppendLine("save \"\"");
        text.AppendLine($"maxmemory {limits.MaxMemoryBytes}");
        text.AppendLine($"maxmemory-policy {RedisPlans.EvictionPolicy}");
        text.AppendLine($"maxclients {limits.MaxClients}");
        text.AppendLine("databases 16");
        text.AppendLine("enable-debug-command no");
        text.AppendLine("enable-module-command no");
        text.AppendLine("enable-protected-configs no");
        text.AppendLine($"user default reset on >{instance.Password} ~* &* +@all -@admin");
        return text.ToString();
    }
}
