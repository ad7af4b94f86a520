namespace Nuvem.Platform.AddOns.Redis;

/// <summary>
/// Heroku Data for Redis: one redis-server per add-on (see <see cref="RedisServers"/>), on a port of its own from the
/// configured range, with a random password, the plan's <c>maxmemory</c> (<c>noeviction</c>) and connection limit.
/// </summary>
public sealed class RedisProvider(RedisServers servers, Action<string>? log = null) : IAddOnProvider
{
    private readonly SemaphoreSlim _changes = new(1, 1);
    private readonly Action<string> _log = log ?? (line => Console.Error.WriteLine(line));

    public AddOnServiceSpec Spec => RedisPlans.Spec;

    public async Task<ProvisionResult> ProvisionAsync(ProvisionRequest request, CancellationToken cancellation)
    {
        var limits = RedisPlans.For(request.Plan);
        if (request.Options.Count > 0)
            throw PlatformException.Invalid($"{RedisPlans.Service} takes no options here (got --{string.Join(", --", request.Options.Keys)}).");
        await _changes.WaitAsync(cancellation);
        try
        {
            var all = servers.All();
            var instance = all.FirstOrDefault(i => i.AddOnId == request.AddOnId);
            var made = instance is null;
            if (instance is null)
            {
                var port = RedisInstance.FreePort(servers.Settings.Ports, all.Select(i => i.Port), RedisServers.Listens)
                    ?? throw PlatformException.Invalid($"No Redis port is free (all of {servers.Settings.FirstPort}-{servers.Settings.LastPort} are taken): remove an add-on, or widen NUVEM_REDIS_PORTS.");
                instance = new RedisInstance(RedisInstance.NewName(), request.AddOnId, port, limits.Plan, RedisInstance.NewPassword());
                servers.Save(instance);
            }
            try { await servers.EnsureRunningAsync(instance, cancellation); }
            catch when (made)
            {
                // A failed provision is not retried by anyone: what it made goes, or the supervisor would keep starting it.
                await servers.RemoveAsync(instance.Name, CancellationToken.None);
                throw;
            }
            _log($"redis: provisioned {instance.Name} for add-on {request.AddOnName} ({limits.Plan}, port {instance.Port})");
            return new ProvisionResult(instance.Name, new Dictionary<string, string> { ["URL"] = instance.Url(servers.Settings.DynoHost) }, null);
        }
        finally
        {
            _changes.Release();
        }
    }

    /// <summary>Writes the new plan's limits and restarts the server with them (the append-only file keeps the data).</summary>
    public async Task<IReadOnlyDictionary<string, string>?> ChangePlanAsync(string providerId, string plan, CancellationToken cancellation)
    {
        var limits = RedisPlans.For(plan);
        await _changes.WaitAsync(cancellation);
        try
        {
            var instance = servers.Find(providerId) ?? throw PlatformException.NotFound("add-on", $"No Redis server {providerId}.");
            instance = instance with { Plan = limits.Plan };
            await servers.StopAsync(providerId, cancellation);
            servers.Save(instance);
            await servers.EnsureRunningAsync(instance, cancellation);
            return null;
        }
        finally
        {
            _changes.Release();
        }
    }

    public async Task DeprovisionAsync(string providerId, CancellationToken cancellation)
    {
        if (providerId.Length == 0 || providerId.Any(c => !char.IsAsciiLetterLower(c) && !char.IsAsciiDigit(c))) return; // never ours
        await _changes.WaitAsync(cancellation);
        try
        {
            await servers.RemoveAsync(providerId, cancellation);
            _log($"redis: removed {providerId}");
        }
        finally
        {
            _changes.Release();
        }
    }

    /// <summary>One supervision round: starts every recorded server that is not running (adopting those that are).</summary>
    public async Task SuperviseAsync(CancellationToken cancellation)
    {
        await _changes.WaitAsync(cancellation);
        try
        {
            foreach (var instance in servers.All())
            {
                if (servers.Pid(instance.Name) is not null) continue;
                _log($"redis: {instance.Name} is not running; starting it");
                try { await servers.EnsureRunningAsync(instance, cancellation); }
                catch (Exception e) when (e is not OperationCanceledException) { _log($"redis: could not start {instance.Name}: {e.Message}"); }
            }
        }
        finally
        {
            _changes.Release();
        }
    }
}
