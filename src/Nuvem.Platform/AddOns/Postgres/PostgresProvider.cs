namespace Nuvem.Platform.AddOns.Postgres;

/// <summary>
/// Heroku Postgres on the platform's cluster: one role and one database per add-on, sharing one random name (the
/// cluster's pg_hba lets a role open only the database of its own name), a random password, the plan's connection limit.
/// The cluster is made and started on first use.
/// </summary>
public sealed class PostgresProvider(PostgresCluster cluster, PostgresFinalBackups backups, Action<string>? log = null) : IAddOnProvider
{
    private readonly SemaphoreSlim _changes = new(1, 1);
    private readonly Action<string> _log = log ?? (line => Console.Error.WriteLine(line));

    public AddOnServiceSpec Spec => PostgresPlans.Spec;

    public async Task<ProvisionResult> ProvisionAsync(ProvisionRequest request, CancellationToken cancellation)
    {
        var limits = PostgresPlans.For(request.Plan);
        if (request.Options.Count > 0)
            throw PlatformException.Invalid($"{PostgresPlans.Service} takes no options here (got --{string.Join(", --", request.Options.Keys)}).");
        await cluster.EnsureRunningAsync(cancellation);
        await _changes.WaitAsync(cancellation);
        try
        {
            var admin = cluster.Admin;
            var record = await admin.FindByAddOnAsync(request.AddOnId, cancellation);
            var name = record?.Name ?? PostgresPassword.NewName();
            if (record is null) await admin.InsertAsync(request.AddOnId, name, limits.Plan, cancellation);
            // A retried provision gets the same role and database and a new password (the old one was never stored).
            var password = PostgresPassword.NewPassword();
            await admin.EnsureRoleAsync(name, PostgresPassword.Verifier(password), limits.Connections, cancellation);
            await admin.EnsureDatabaseAsync(name, cancellation);
            _log($"postgres: provisioned {name} for add-on {request.AddOnName} ({limits.Plan}: {limits.Connections} connections)");
            var url = PostgresUrl.Build(name, password, cluster.Settings.DynoHost, cluster.Settings.Port, name);
            return new ProvisionResult(name, new Dictionary<string, string> { ["URL"] = url }, null);
        }
        finally
        {
            _changes.Release();
        }
    }

    public async Task<IReadOnlyDictionary<string, string>?> ChangePlanAsync(string providerId, string plan, CancellationToken cancellation)
    {
        var limits = PostgresPlans.For(plan);
        await cluster.EnsureRunningAsync(cancellation);
        var admin = cluster.Admin;
        if (await admin.FindByNameAsync(providerId, cancellation) is null) throw PlatformException.NotFound("add-on", $"No database {providerId} in the cluster.");
        await admin.SetConnectionLimitAsync(providerId, limits.Connections, cancellation);
        await admin.SetPlanAsync(providerId, limits.Plan, cancellation);
        return null; // the size limit follows at the next size check; the credentials stay
    }

    public async Task DeprovisionAsync(string providerId, CancellationToken cancellation)
    {
        if (!cluster.Layout.Initialized) return; // no cluster, so no database: gone already
        await cluster.EnsureRunningAsync(cancellation);
        var admin = cluster.Admin;
        await _changes.WaitAsync(cancellation);
        try
        {
            if (await admin.DatabaseExistsAsync(providerId, cancellation))
            {
                var dump = await backups.TakeAsync(providerId, cancellation);
                _log($"postgres: final backup of {providerId} in {dump}");
                await admin.DropDatabaseAsync(providerId, cancellation);
            }
            await admin.DropRoleAsync(providerId, cancellation);
            await cluster.Quota.DropOwnerAsync(providerId, cancellation); // there when it was over its size
            await admin.DeleteAsync(providerId, cancellation);
        }
        finally
        {
            _changes.Release();
        }
    }
}
