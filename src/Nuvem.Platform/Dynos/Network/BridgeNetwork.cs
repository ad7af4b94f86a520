using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.Json.Nodes;
using Nuvem.Platform.Dynos.Runtime;

namespace Nuvem.Platform.Dynos.Network;

/// <summary>
/// Every dyno in a network namespace of its own, on one bridge, wired by the standard CNI plugins called directly
/// (<c>loopback</c>, then <c>bridge</c> with <c>host-local</c> addresses): all dynos listen on the same port, each at
/// its own address, and the router connects to that address. Isolation:
/// <list type="bullet">
/// <item>dyno ↔ dyno: each dyno's bridge port is an <i>isolated</i> port, so the bridge forwards nothing between
/// dynos; and, should that ever be switched off, an nftables bridge table drops frames between any two dyno ports
/// (a set of their names: this kernel's nftables cannot match on the bridge itself);</item>
/// <item>dyno → host: an nftables table rejects every new connection from the bridge to the host itself (the
/// platform API, the host's own services…) except TCP to the bridge's gateway on <paramref name="hostPorts"/> (the
/// platform's add-on servers, e.g. its Postgres cluster); replies to the router's connections pass;</item>
/// <item>dyno → the host's neighbourhood: new connections to <paramref name="deniedNetworks"/> (by default private,
/// shared and link-local addresses: other bridges and VMs on the host, the LAN, a cloud's metadata service at
/// 169.254.169.254) are rejected.</item>
/// </list>
/// Outbound traffic to the rest of the world is masqueraded by the bridge plugin, as dynos on Heroku may call out.
/// </summary>
public sealed class BridgeNetwork(string bridge, string subnet, int port, string leaseDirectory, string pluginDirectory,
    IReadOnlyList<string> deniedNetworks, int spareCount = BridgeNetwork.SpareCount, IReadOnlyList<int>? hostPorts = null) : IDynoNetwork
{
    /// <summary>Where dynos may not connect to unless an operator says otherwise (NUVEM_DYNO_EGRESS_DENY).</summary>
    public static readonly IReadOnlyList<string> PrivateNetworks =
        ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10", "169.254.0.0/16"];

    private const string NamespacePrefix = "nuvem-";

    /// <summary>How many spare networks are kept ready for the next dynos (<see cref="AttachAsync"/>).</summary>
    public const int SpareCount = 2;

    private readonly ConcurrentQueue<DynoEndpoint> _spares = new();
    // Network ids made by this process and not yet released (spares, and those of dynos it started).
    private readonly ConcurrentDictionary<string, byte> _live = new();
    // Long enough for the dyno that took a spare to have started (its app too) before the host tools run again.
    private static readonly TimeSpan ReplenishDelay = TimeSpan.FromMilliseconds(500);
    private Task _replenish = Task.CompletedTask;
    private int _replenishing;
    private volatile bool _closed;

    /// <summary>Spares are named after their bridge: another platform's (another bridge on this host) are never ours.</summary>
    private string SparePrefix => $"spare-{bridge}-";
    private string Table => "nuvem_" + new string(bridge.Select(c => char.IsAsciiLetterOrDigit(c) ? c : '_').ToArray());

    private string Config => new JsonObject
    {
        ["cniVersion"] = "1.0.0",
        ["name"] = bridge,
        ["type"] = "bridge",
        ["bridge"] = bridge,
        ["isGateway"] = true,
        ["ipMasq"] = true,
        ["hairpinMode"] = false,
        ["ipam"] = new JsonObject
        {
            ["type"] = "host-local",
            ["ranges"] = new JsonArray(new JsonArray(new JsonObject { ["subnet"] = subnet })),
            ["routes"] = new JsonArray(new JsonObject { ["dst"] = "0.0.0.0/0" }),
            ["dataDir"] = leaseDirectory,
        },
    }.ToJsonString();

    public async Task SetUpAsync()
    {
        Directory.CreateDirectory(leaseDirectory);
        // The resolvers dynos are given stay reachable on port 53, even where they sit on a denied network (a cloud's
        // resolver usually does).
        var resolvers = HostResolvers.Ipv4();
        var dns = resolvers.Count == 0 ? ""
            : $"    iifname \"{bridge}\" ip daddr {{ {string.Join(", ", resolvers)} }} meta l4proto {{ tcp, udp }} th dport 53 accept\n";
        // The one door into the host: the platform's own servers for dynos, at the gateway, TCP, the configured ports.
        var open = hostPorts is { Count: > 0 }
            ? $"iifname \"{bridge}\" ip daddr {GatewayOf(subnet)} tcp dport {{ {string.Join(", ", hostPorts.Distinct())} }} ct state new accept"
            : "";
        var deny = deniedNetworks.Count == 0 ? ""
            : dns + $"    iifname \"{bridge}\" ip daddr {{ {string.Join(", ", deniedNetworks)} }} ct state new reject with icmp type admin-prohibited";
        // Replaced as a whole, atomically: `add` makes sure there is a table to delete.
        var rules = $$"""
            add table inet {{Table}}
            delete table inet {{Table}}
            table inet {{Table}} {
              chain input {
                type filter hook input priority 0; policy accept;
                iifname "{{bridge}}" ct state established,related accept
                {{open}}
                iifname "{{bridge}}" meta l4proto tcp reject with tcp reset
                iifname "{{bridge}}" reject
              }
              chain forward {
                type filter hook forward priority 0; policy accept;
                iifname "{{bridge}}" oifname "{{bridge}}" drop
            {{deny}}
              }
            }
            """;
        // The bridge table keeps its set of dyno ports across restarts (adopted dynos stay in it): added, not replaced.
        rules += $$"""

            add table bridge {{Table}}
            add set bridge {{Table}} ports { type ifname; }
            add chain bridge {{Table}} forward { type filter hook forward priority 0; policy accept; }
            flush chain bridge {{Table}} forward
            add rule bridge {{Table}} forward iifname @ports oifname @ports drop
            """;
        await HostCommand.RequireAsync("nft", ["-f", "-"], rules + "\n");
    }

    /// <summary>The address dynos reach the host at: the subnet's first address, which the bridge plugin (host-local's
    /// default gateway) gives the bridge.</summary>
    public static string GatewayOf(string subnet)
    {
        var network = System.Net.IPNetwork.Parse(subnet);
        var bytes = network.BaseAddress.GetAddressBytes();
        bytes[^1]++;
        return new System.Net.IPAddress(bytes).ToString();
    }

    /// <summary>
    /// Makes the bridge with its gateway address before any dyno does (exactly as the bridge plugin would: the plugin
    /// then finds and keeps it), so that a server on the host can listen at the gateway before the first dyno starts.
    /// </summary>
    public static async Task EnsureBridgeAsync(string bridge, string subnet)
    {
        var gateway = $"{GatewayOf(subnet)}/{System.Net.IPNetwork.Parse(subnet).PrefixLength}";
        if (!(await HostCommand.RunAsync("ip", ["link", "show", "dev", bridge])).Succeeded)
            await HostCommand.RunAsync("ip", ["link", "add", "name", bridge, "type", "bridge"]); // may race with the plugin: checked below
        var addresses = await HostCommand.RequireAsync("ip", ["-4", "-o", "addr", "show", "dev", bridge]);
        if (!addresses.Output.Contains($" {gateway} ", StringComparison.Ordinal))
            await HostCommand.RunAsync("ip", ["addr", "add", gateway, "dev", bridge]);
        await HostCommand.RequireAsync("ip", ["link", "set", "dev", bridge, "up"]);
    }

    /// <summary>
    /// A dyno's network comes from a few spare ones made ahead of time (its namespace, loopback, bridge port with its
    /// address lease and masquerade rule, the port isolated and in the firewall's set: exactly what a dyno wired on
    /// demand gets), so that a start does not wait for half a dozen host tools; with no spare left, it is made on
    /// demand as before. Each taken spare is replaced in the background, half a second after the start that took it.
    /// </summary>
    public async Task<DynoEndpoint> AttachAsync(string id, CancellationToken cancellation)
    {
        if (!_closed && _spares.TryDequeue(out var spare))
        {
            StartTimings.Current?.Add("spare", 0);
            Replenish(ReplenishDelay);
            return spare;
        }
        var endpoint = await CreateAsync(id, cancellation);
        Replenish(ReplenishDelay);
        return endpoint;
    }

    /// <summary>One dyno's network, under <paramref name="networkId"/> (the CNI container id: the owner of its lease and
    /// masquerade rule, and its namespace's name after <c>nuvem-</c>).</summary>
    private async Task<DynoEndpoint> CreateAsync(string networkId, CancellationToken cancellation)
    {
        var name = NamespacePrefix + networkId;
        var timings = StartTimings.Current;
        _live[networkId] = 0;
        try
        {
            using (timings?.Step("netns")) await HostCommand.RequireAsync("ip", ["netns", "add", name], cancellation: cancellation);
            var netns = "/var/run/netns/" + name;
            // Without the loopback plugin the dyno's `lo` stays down: localhost would not work inside it.
            using (timings?.Step("cni-lo"))
                await Cni("loopback", "ADD", networkId, netns, "lo", """{"cniVersion":"1.0.0","name":"lo","type":"loopback"}""", cancellation);
            string result;
            using (timings?.Step("cni-bridge")) result = await Cni("bridge", "ADD", networkId, netns, "eth0", Config, cancellation);
            using var json = JsonDocument.Parse(result);
            var address = json.RootElement.GetProperty("ips")[0].GetProperty("address").GetString()!.Split('/')[0];
            var hostSide = json.RootElement.GetProperty("interfaces").EnumerateArray()
                .Select(i => (Name: i.GetProperty("name").GetString(), Sandbox: i.TryGetProperty("sandbox", out _)))
                .First(i => !i.Sandbox && i.Name != bridge).Name!;
            using (timings?.Step("isolate"))
                await HostCommand.RequireAsync("bridge", ["link", "set", "dev", hostSide, "isolated", "on"], cancellation: cancellation);
            using (timings?.Step("nft"))
                await HostCommand.RequireAsync("nft", ["add", "element", "bridge", Table, "ports", $"{{ {hostSide} }}"], cancellation: cancellation);
            // An address used moments ago by another dyno may still sit in the neighbour table with the old MAC.
            using (timings?.Step("neigh")) await HostCommand.RunAsync("ip", ["neigh", "del", address, "dev", bridge], cancellation: cancellation);
            return new DynoEndpoint(netns, address, port, hostSide, networkId);
        }
        catch
        {
            await DetachAsync(networkId, null);
            throw;
        }
    }

    /// <summary>Tops the spares up to <see cref="SpareCount"/> after <paramref name="delay"/> (so as not to compete with
    /// the start that took one), unless that is already under way.</summary>
    private void Replenish(TimeSpan delay)
    {
        if (spareCount <= 0 || _closed || Interlocked.CompareExchange(ref _replenishing, 1, 0) != 0) return;
        // Not timed as part of the start that asked for it (timings flow with the execution context).
        using var detached = ExecutionContext.SuppressFlow();
        _replenish = Task.Run(async () =>
        {
            try
            {
                await Task.Delay(delay);
                while (!_closed && _spares.Count < spareCount)
                {
                    var spare = await CreateAsync(SparePrefix + Guid.NewGuid().ToString("N")[..12], CancellationToken.None);
                    if (_closed) { await DetachAsync(spare.NetworkId!, spare); break; }
                    _spares.Enqueue(spare);
                }
            }
            catch (Exception e)
            {
                // Dynos then get their network on demand; the next start tries again.
                Console.Error.WriteLine($"dyno network {bridge}: no spare network made: {e.Message}");
            }
            finally
            {
                Volatile.Write(ref _replenishing, 0);
            }
        });
    }

    public async Task ReleaseSparesAsync()
    {
        _closed = true;
        await _replenish;
        while (_spares.TryDequeue(out var spare)) await DetachAsync(spare.NetworkId!, spare);
    }

    /// <summary>Releases a dyno's network: by its endpoint where it is known, else by the names made from <paramref name="id"/>.</summary>
    public async Task DetachAsync(string id, DynoEndpoint? endpoint)
    {
        var networkId = endpoint?.NetworkId ?? id;
        var name = NamespacePrefix + networkId;
        var netns = "/var/run/netns/" + name;
        if (endpoint?.HostInterface is { } link) await HostCommand.RunAsync("nft", ["delete", "element", "bridge", Table, "ports", $"{{ {link} }}"]);
        await HostCommand.RunAsync(Path.Combine(pluginDirectory, "bridge"), [], Config, Environment("DEL", networkId, netns, "eth0"));
        if (File.Exists(netns)) await HostCommand.RunAsync("ip", ["netns", "del", name]);
        _live.TryRemove(networkId, out _);
    }

    /// <param name="keep">The network ids (<see cref="DynoEndpoint.NetworkId"/>, else dyno ids) of adopted dynos.</param>
    public async Task ReleaseLeftoversAsync(IReadOnlySet<string> keep)
    {
        // What this process made itself (spares, dynos it has started) is never a leftover.
        var kept = new HashSet<string>(keep);
        kept.UnionWith(_live.Keys);
        await RemoveMasqueradeRulesAsync(id => kept.Contains(id) || _live.ContainsKey(id));
        // Spares a previous platform process left behind (killed, or stopped while dynos kept running).
        if (Directory.Exists("/var/run/netns"))
            foreach (var netns in Directory.EnumerateFiles("/var/run/netns", NamespacePrefix + SparePrefix + "*"))
            {
                var networkId = Path.GetFileName(netns)[NamespacePrefix.Length..];
                if (!kept.Contains(networkId) && !_live.ContainsKey(networkId)) await DetachAsync(networkId, null);
            }
        var leases = Path.Combine(leaseDirectory, bridge);
        if (!Directory.Exists(leases)) return;
        foreach (var lease in Directory.EnumerateFiles(leases))
        {
            if (!System.Net.IPAddress.TryParse(Path.GetFileName(lease), out _)) continue; // lock, last_reserved_ip
            var owner = File.ReadLines(lease).FirstOrDefault()?.Trim();
            if (owner is not null && !kept.Contains(owner) && !_live.ContainsKey(owner)) File.Delete(lease);
        }
    }

    /// <summary>
    /// Removes the bridge plugin's per-dyno masquerade rules (iptables nat chains commented with this network's name)
    /// of dynos <paramref name="keep"/> does not keep: the plugin's DEL removes them, but not for a dyno whose platform
    /// was killed halfway through setting it up.
    /// </summary>
    private async Task RemoveMasqueradeRulesAsync(Func<string, bool> keep)
    {
        var listed = await HostCommand.RunAsync("iptables", ["-t", "nat", "-S"]);
        if (!listed.Succeeded) return;
        var ours = $"name: \\\"{bridge}\\\" id: \\\"";
        var stale = new HashSet<string>();
        foreach (var rule in listed.Output.Split('\n'))
        {
            var at = rule.IndexOf(ours, StringComparison.Ordinal);
            if (at < 0) continue;
            var id = rule[(at + ours.Length)..].Split('\\')[0];
            if (keep(id)) continue;
            var fields = rule.Split(' ');
            if (rule.StartsWith("-A POSTROUTING ", StringComparison.Ordinal))
                // iptables -S quotes like a shell does: the rule can be handed back to it through sh.
                await HostCommand.RunAsync("/bin/sh", ["-c", "iptables -t nat -D " + rule[3..]]);
            else if (fields.Length > 1 && fields[1].StartsWith("CNI-", StringComparison.Ordinal))
                stale.Add(fields[1]);
        }
        foreach (var chain in stale)
        {
            await HostCommand.RunAsync("iptables", ["-t", "nat", "-F", chain]);
            await HostCommand.RunAsync("iptables", ["-t", "nat", "-X", chain]);
        }
    }

    public async Task TearDownAsync()
    {
        await ReleaseSparesAsync();
        await RemoveMasqueradeRulesAsync(_ => false);
        await HostCommand.RunAsync("nft", ["delete", "table", "inet", Table]);
        await HostCommand.RunAsync("nft", ["delete", "table", "bridge", Table]);
        await HostCommand.RunAsync("ip", ["link", "del", bridge]);
    }

    private async Task<string> Cni(string plugin, string command, string id, string netns, string ifname, string config, CancellationToken cancellation)
    {
        var result = await HostCommand.RunAsync(Path.Combine(pluginDirectory, plugin), [], config, Environment(command, id, netns, ifname), cancellation);
        if (!result.Succeeded) throw new InvalidOperationException($"CNI {plugin} {command} for dyno {id} failed: {result.Message}");
        return result.Output;
    }

    private Dictionary<string, string> Environment(string command, string id, string netns, string ifname) => new()
    {
        ["CNI_COMMAND"] = command,
        ["CNI_CONTAINERID"] = id,
        ["CNI_NETNS"] = netns,
        ["CNI_IFNAME"] = ifname,
        ["CNI_PATH"] = pluginDirectory,
    };
}
