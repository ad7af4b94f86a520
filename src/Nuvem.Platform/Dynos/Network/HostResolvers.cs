using System.Net;

namespace Nuvem.Platform.Dynos.Network;

/// <summary>
/// The DNS resolvers a dyno in its own network namespace can use: the host's, except those on the host's loopback
/// (unreachable from a dyno); behind systemd-resolved's 127.0.0.53, the upstream servers it names.
/// </summary>
public static class HostResolvers
{
    /// <summary>A resolv.conf for a dyno with a network of its own.</summary>
    public static string ResolvConf()
    {
        var (nameservers, other) = Read();
        return string.Join('\n', other.Concat(nameservers.Select(n => $"nameserver {n}"))) + "\n";
    }

    /// <summary>The IPv4 resolvers dynos will use, which the dyno firewall lets them reach on port 53.</summary>
    public static IReadOnlyList<string> Ipv4() =>
        Read().Nameservers.Where(n => IPAddress.TryParse(n, out var a) && a.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork).ToList();

    private static (List<string> Nameservers, List<string> Other) Read()
    {
        var (nameservers, other) = Parse("/etc/resolv.conf");
        if (nameservers.Count == 0 && File.Exists("/run/systemd/resolve/resolv.conf"))
            (nameservers, _) = Parse("/run/systemd/resolve/resolv.conf");
        return (nameservers, other);
    }

    private static (List<string> Nameservers, List<string> Other) Parse(string path)
    {
        var nameservers = new List<string>();
        var other = new List<string>();
        if (!File.Exists(path)) return (nameservers, other);
        foreach (var raw in File.ReadLines(path))
        {
            var line = raw.Trim();
            if (line.Length == 0 || line.StartsWith('#') || line.StartsWith(';')) continue;
            var fields = line.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
            if (fields[0] == "nameserver" && fields.Length > 1)
            {
                if (IPAddress.TryParse(fields[1], out var address) && !IPAddress.IsLoopback(address)) nameservers.Add(fields[1]);
            }
            else if (fields[0] is "search" or "domain" or "options")
            {
                other.Add(line);
            }
        }
        return (nameservers, other);
    }
}
