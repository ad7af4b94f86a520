using System.Net;
using Nuvem.Platform;
using Nuvem.Platform.Builds;
using Nuvem.Platform.Dynos;
using Nuvem.Platform.Dynos.Network;
using Nuvem.Platform.Dynos.Runtime.Containers;
using Nuvem.Platform.Formation;
using Nuvem.Platform.Logplex;

namespace Nuvem.Server.Configuration;

/// <summary>
/// Everything an operator can set, read from NUVEM_* environment variables; command-line flags of the same
/// name (<c>--api-port 5443</c> for NUVEM_API_PORT) take precedence.
/// </summary>
public sealed record ServerOptions
{
    public required string DataDir { get; init; }
    /// <summary>Where to listen: "*" (all interfaces, IPv4 and IPv6), "localhost" (both loopbacks) or one IP address.</summary>
    public string Bind { get; init; } = "*";
    public int ApiPort { get; init; } = 5443;
    public int RouterPort { get; init; } = 5080;
    /// <summary>TLS port of the rendezvous listener that attaches <c>run</c> sessions to one-off dynos.</summary>
    public int RendezvousPort { get; init; } = 5001;
    public string Domain { get; init; } = "localhost";
    /// <summary>Host name clients use to reach the API and git; part of git URLs and the certificate.</summary>
    public string ApiHost { get; init; } = "localhost";
    public string AdminEmail { get; init; } = "admin@localhost";
    public string? AdminPassword { get; init; }
    public string? AdminToken { get; init; }
    /// <summary>Operator-provided certificate and key (PEM); when absent the platform runs its own local CA.</summary>
    public string? TlsCertFile { get; init; }
    public string? TlsKeyFile { get; init; }
    public string? DynoSizesFile { get; init; }
    public BuildSettings Builds { get; init; } = new();
    public DynoSettings Dynos { get; init; } = new();
    public LogplexSettings Logs { get; init; } = new();
    /// <summary>"container" (isolated, the default) or "process" (plain processes, for hosts that cannot isolate).</summary>
    public string DynoRuntime { get; init; } = "container";
    public ContainerSettings Containers { get; init; } = new() { Directory = "" };
    /// <summary>NUVEM_ROUTER_TIMEOUT: how long a dyno may take to start its response before the router answers H12.</summary>
    public TimeSpan RouterTimeout { get; init; } = TimeSpan.FromSeconds(30);
    /// <summary>NUVEM_POSTGRES_PORT: the platform's Postgres cluster (5433: a system postgres keeps 5432).</summary>
    public int PostgresPort { get; init; } = 5433;
    /// <summary>NUVEM_POSTGRES_FINAL_BACKUP_DAYS: how long the last dump of a removed Postgres add-on is kept.</summary>
    public int PostgresFinalBackupDays { get; init; } = 7;
    /// <summary>NUVEM_REDIS_PORTS: the ports heroku-redis add-ons get, one each (6380-6479).</summary>
    public (int First, int Last) RedisPorts { get; init; } = (6380, 6479);

    public string DatabasePath => Path.Combine(DataDir, "nuvem.db");
    public string TlsDir => Path.Combine(DataDir, "tls");

    public PlatformSettings ToPlatformSettings() => new()
    {
        Domain = Domain,
        ApiHost = ApiHost,
        ApiPort = ApiPort,
        RouterPort = RouterPort,
        DynoSizes = DynoSizesFile is null ? DynoSizeTable.Default : DynoSizeTable.Load(DynoSizesFile),
    };

    public Router.RouterOptions ToRouterOptions() => new()
    {
        Port = RouterPort,
        Bind = Bind,
        FirstByteTimeout = RouterTimeout,
    };

    public static ServerOptions Load(IReadOnlyList<string> args, IDictionary<string, string?>? environment = null)
    {
        var env = environment ?? Environment.GetEnvironmentVariables().Cast<System.Collections.DictionaryEntry>()
            .ToDictionary(e => (string)e.Key, e => (string?)e.Value);
        var flags = ParseFlags(args);

        string? Get(string name)
        {
            var flag = name["NUVEM_".Length..].ToLowerInvariant().Replace('_', '-');
            if (flags.TryGetValue(flag, out var f)) return f;
            return env.TryGetValue(name, out var v) && !string.IsNullOrEmpty(v) ? v : null;
        }

        int Port(string name, int fallback)
        {
            var text = Get(name);
            if (text is null) return fallback;
            if (!int.TryParse(text, out var port) || port is < 1 or > 65535)
                throw new ArgumentException($"{name} must be a TCP port number (1-65535), not '{text}'.");
            return port;
        }

        int Positive(string name, int fallback)
        {
            var text = Get(name);
            if (text is null) return fallback;
            return int.TryParse(text, out var value) && value > 0 ? value : throw new ArgumentException($"{name} must be a positive whole number, not '{text}'.");
        }

        var bind = Get("NUVEM_BIND_ADDRESS");
        var dataDir = Path.GetFullPath(Get("NUVEM_DATA_DIR") ?? DefaultDataDir());
        var runtime = (Get("NUVEM_DYNO_RUNTIME") ?? "container").ToLowerInvariant();
        if (runtime is not ("container" or "process"))
            throw new ArgumentException($"NUVEM_DYNO_RUNTIME must be container or process, not '{runtime}'.");
        var network = (Get("NUVEM_DYNO_NETWORK") ?? "bridge").ToLowerInvariant() switch
        {
            "bridge" => DynoNetworkMode.Bridge,
            "host" => DynoNetworkMode.Host,
            var other => throw new ArgumentException($"NUVEM_DYNO_NETWORK must be bridge or host, not '{other}'."),
        };
        var bridge = Get("NUVEM_DYNO_BRIDGE") ?? "nuvem0";
        if (bridge.Length is 0 or > 15 || !bridge.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_'))
            throw new ArgumentException($"NUVEM_DYNO_BRIDGE must be an interface name of 1-15 letters, digits, - or _, not '{bridge}'.");
        var egress = Get("NUVEM_DYNO_EGRESS_DENY") is { } denyList
            ? denyList.Trim() is "none" ? [] : denyList.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            : BridgeNetwork.PrivateNetworks;
        foreach (var denied in egress)
            if (!IPNetwork.TryParse(denied, out var parsed) || parsed.BaseAddress.AddressFamily != System.Net.Sockets.AddressFamily.InterNetwork)
                throw new ArgumentException($"NUVEM_DYNO_EGRESS_DENY must be IPv4 networks separated by commas (or none), not '{denied}'.");
        var subnet = Get("NUVEM_DYNO_SUBNET") ?? "10.213.0.0/16";
        if (!IPNetwork.TryParse(subnet, out var parsedSubnet) || parsedSubnet.BaseAddress.AddressFamily != System.Net.Sockets.AddressFamily.InterNetwork
            || parsedSubnet.PrefixLength is < 8 or > 28)
            throw new ArgumentException($"NUVEM_DYNO_SUBNET must be an IPv4 network from /8 to /28 such as 10.213.0.0/16, not '{subnet}'.");
        var options = new ServerOptions
        {
            DataDir = dataDir,
            Bind = bind is null or "*" or "localhost" || IPAddress.TryParse(bind, out _)
                ? bind ?? "*"
                : throw new ArgumentException($"NUVEM_BIND_ADDRESS must be *, localhost or an IP address, not '{bind}'."),
            ApiPort = Port("NUVEM_API_PORT", 5443),
            RouterPort = Port("NUVEM_ROUTER_PORT", 5080),
            RendezvousPort = Port("NUVEM_RENDEZVOUS_PORT", 5001),
            Domain = (Get("NUVEM_DOMAIN") ?? "localhost").Trim().TrimEnd('.').ToLowerInvariant(),
            ApiHost = Get("NUVEM_API_HOST") ?? "localhost",
            AdminEmail = Get("NUVEM_ADMIN_EMAIL") ?? "admin@localhost",
            AdminPassword = Get("NUVEM_ADMIN_PASSWORD"),
            AdminToken = Get("NUVEM_ADMIN_TOKEN"),
            TlsCertFile = Get("NUVEM_TLS_CERT"),
            TlsKeyFile = Get("NUVEM_TLS_KEY"),
            DynoSizesFile = Get("NUVEM_DYNO_SIZES"),
            RouterTimeout = TimeSpan.FromSeconds(Positive("NUVEM_ROUTER_TIMEOUT", 30)),
            PostgresPort = Port("NUVEM_POSTGRES_PORT", 5433),
            PostgresFinalBackupDays = Positive("NUVEM_POSTGRES_FINAL_BACKUP_DAYS", 7),
            RedisPorts = Get("NUVEM_REDIS_PORTS") is { } redisPorts ? Nuvem.Platform.AddOns.Redis.RedisSettings.ParsePorts(redisPorts) : (6380, 6479),
            Builds = new BuildSettings
            {
                Timeout = TimeSpan.FromSeconds(Positive("NUVEM_BUILD_TIMEOUT", 15 * 60)),
                MaxSlugBytes = Positive("NUVEM_SLUG_MAX_MB", 500) * 1024L * 1024,
                Resources = new BuildResources(
                    MemoryMb: Positive("NUVEM_BUILD_MEMORY_MB", 3072),
                    Cpus: Positive("NUVEM_BUILD_CPUS", Math.Max(1, Environment.ProcessorCount)),
                    Pids: Positive("NUVEM_BUILD_PIDS", 4096),
                    DiskMb: Positive("NUVEM_BUILD_DISK_MB", 2048),
                    CacheMb: Positive("NUVEM_BUILD_CACHE_MB", 2048),
                    TmpMb: Positive("NUVEM_BUILD_TMP_MB", 1024)),
                Concurrency = Positive("NUVEM_BUILD_CONCURRENCY", Math.Max(1, Environment.ProcessorCount)),
                BuildpackDirectories = (Get("NUVEM_BUILDPACK_DIRS") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                    .Select(d => d.StartsWith('/') ? Path.TrimEndingDirectorySeparator(Path.GetFullPath(d))
                        : throw new ArgumentException($"NUVEM_BUILDPACK_DIRS must be absolute directories separated by ':', not '{d}'."))
                    .ToList(),
            },
            Dynos = new DynoSettings
            {
                BootTimeout = TimeSpan.FromSeconds(Positive("NUVEM_BOOT_TIMEOUT", 60)),
                StopGrace = TimeSpan.FromSeconds(Positive("NUVEM_STOP_GRACE", 30)),
            },
            DynoRuntime = runtime,
            Containers = new ContainerSettings
            {
                Directory = Path.Combine(dataDir, "dynos"),
                OciRuntime = Get("NUVEM_DYNO_OCI_RUNTIME"),
                Network = network,
                Bridge = bridge,
                Subnet = subnet,
                EgressDeny = egress,
                Port = Port("NUVEM_DYNO_PORT", 5000),
            },
            Logs = new LogplexSettings
            {
                MaxLinesPerApp = Positive("NUVEM_LOG_LINES", 1500),
                KeepAlive = TimeSpan.FromSeconds(Positive("NUVEM_LOG_KEEPALIVE", 15)),
            },
        };
        if ((options.TlsCertFile is null) != (options.TlsKeyFile is null))
            throw new ArgumentException("Set both NUVEM_TLS_CERT and NUVEM_TLS_KEY, or neither.");
        if (options.ApiPort == options.RouterPort)
            throw new ArgumentException($"NUVEM_API_PORT and NUVEM_ROUTER_PORT must differ (both are {options.ApiPort}).");
        if (options.PostgresPort == options.ApiPort || options.PostgresPort == options.RouterPort || options.PostgresPort == options.RendezvousPort)
            throw new ArgumentException($"NUVEM_POSTGRES_PORT ({options.PostgresPort}) must differ from the API, router and rendezvous ports.");
        if (new[] { options.ApiPort, options.RouterPort, options.RendezvousPort, options.PostgresPort }.Any(p => p >= options.RedisPorts.First && p <= options.RedisPorts.Last))
            throw new ArgumentException($"NUVEM_REDIS_PORTS ({options.RedisPorts.First}-{options.RedisPorts.Last}) must not hold the API, router, rendezvous or Postgres port.");
        return options;
    }

    /// <summary>/var/lib/nuvem for root (a system service), else the XDG data directory of the user.</summary>
    public static string DefaultDataDir()
    {
        if (!OperatingSystem.IsWindows() && Environment.UserName == "root") return "/var/lib/nuvem";
        var xdg = Environment.GetEnvironmentVariable("XDG_DATA_HOME");
        var baseDir = string.IsNullOrEmpty(xdg)
            ? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".local", "share")
            : xdg;
        return Path.Combine(baseDir, "nuvem");
    }

    private static Dictionary<string, string> ParseFlags(IReadOnlyList<string> args)
    {
        var flags = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            if (!arg.StartsWith("--", StringComparison.Ordinal)) throw new ArgumentException($"Unexpected argument '{arg}'. Flags look like --api-port 5443.");
            var eq = arg.IndexOf('=');
            if (eq > 0) flags[arg[2..eq]] = arg[(eq + 1)..];
            else if (i + 1 < args.Count) flags[arg[2..]] = args[++i];
            else throw new ArgumentException($"Flag {arg} needs a value.");
        }
        return flags;
    }
}
