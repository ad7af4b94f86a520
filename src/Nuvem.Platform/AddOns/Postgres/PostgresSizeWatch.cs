namespace Nuvem.Platform.AddOns.Postgres;

/// <summary>
/// Compares each add-on database's size with its plan's limit: over it, writes are refused (<see cref="PostgresQuotaStore"/>)
/// until the database is back under it (rows deleted, a bigger plan), when they are restored. nuvemd runs it every minute.
/// </summary>
/// <param name="limitOf">The byte limit of a plan (the plans' own by default; tests use small ones).</param>
public sealed class PostgresSizeWatch(PostgresCluster cluster, Action<string>? log = null, Func<string, long>? limitOf = null)
{
    private readonly Action<string> _log = log ?? (line => Console.Error.WriteLine(line));
    private readonly Func<string, long> _limitOf = limitOf ?? (plan => PostgresPlans.For(plan).MaxBytes);

    /// <returns>The databases whose state changed, with their new state (true: read-only).</returns>
    public async Task<IReadOnlyList<(string Name, bool ReadOnly)>> CheckAsync(CancellationToken cancellation)
    {
        var changed = new List<(string, bool)>();
        if (!cluster.Layout.Initialized || !await cluster.AnswersAsync(cancellation)) return changed;
        foreach (var database in await cluster.Admin.ListAsync(cancellation))
        {
            if (!await cluster.Admin.DatabaseExistsAsync(database.Name, cancellation)) continue;
            var size = await cluster.Admin.DatabaseSizeAsync(database.Name, cancellation);
            var limit = _limitOf(database.Plan);
            var over = size > limit;
            if (over == database.ReadOnly) continue;
            if (over)
            {
                await cluster.Quota.RevokeWritesAsync(database.Name, cancellation);
                _log($"postgres: {database.Name} holds {size} bytes, over its plan's {limit} ({database.Plan}): writes are refused until it is back under");
            }
            else
            {
                await cluster.Quota.RestoreWritesAsync(database.Name, cancellation);
                _log($"postgres: {database.Name} holds {size} bytes, within its plan's {limit} ({database.Plan}): writes are allowed again");
            }
            await cluster.Admin.SetReadOnlyAsync(database.Name, over, cancellation);
            changed.Add((database.Name, over));
        }
        return changed;
    }
}
