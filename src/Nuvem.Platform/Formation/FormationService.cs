using Nuvem.Platform.Apps;
using Nuvem.Platform.Logplex;
using Nuvem.Platform.State;

namespace Nuvem.Platform.Formation;

/// <summary>Scaling: how many dynos of each process type run, and how big they are. Every change is announced in the
/// app's log as Heroku does: <c>app[api]: Scaled to web@2:Basic worker@1:Standard-2X by user …</c>.</summary>
public sealed class FormationService(Database database, PlatformSettings settings, ILogplex logplex)
{
    private readonly FormationStore _store = new(database);

    public IReadOnlyList<ProcessFormation> List(App app) => _store.List(app.Id);

    public ProcessFormation Get(App app, string typeOrId) =>
        _store.Get(app.Id, typeOrId) ?? throw PlatformException.NotFound("formation", $"Couldn't find that process type ({typeOrId}).");

    /// <summary>Applies all updates in one transaction, or none: every type, size and resulting quantity is checked first.</summary>
    /// <param name="userEmail">Who scaled, for the log line.</param>
    /// <returns>The formation entries that were named in the updates, after the change.</returns>
    public IReadOnlyList<ProcessFormation> Update(App app, IReadOnlyList<FormationUpdate> updates, string? userEmail = null)
    {
        if (updates.Count == 0) throw PlatformException.Invalid("No formation updates given.");
        var duplicate = updates.GroupBy(u => u.Type).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null) throw PlatformException.Invalid($"Process type {duplicate.Key} is listed more than once.");

        database.Write((c, t) =>
        {
            var current = _store.List(c, t, app.Id).ToDictionary(f => f.Type);
            var planned = new List<(string Type, int Quantity, string Size)>();
            foreach (var update in updates)
            {
                if (!current.TryGetValue(update.Type, out var formation))
                {
                    var known = current.Count == 0 ? "none yet (deploy a Procfile first)" : string.Join(", ", current.Keys.Order());
                    throw PlatformException.Invalid($"No such process type {update.Type} defined in Procfile. Process types: {known}.");
                }
                var size = formation.Size;
                if (update.Size is not null)
                {
                    size = settings.DynoSizes.Find(update.Size)?.Name
                           ?? throw PlatformException.Invalid(
                               $"No such dyno size '{update.Size}'. Available sizes: {string.Join(", ", settings.DynoSizes.All.Select(s => s.Name))}.");
                }
                var quantity = update.Quantity?.ApplyTo(formation.Quantity) ?? formation.Quantity;
                if (quantity < 0) throw PlatformException.Invalid($"Cannot scale {update.Type} below 0 (it runs {formation.Quantity}).");
                if (quantity > settings.MaxQuantityPerType)
                    throw PlatformException.Invalid($"Cannot scale {update.Type} to {quantity}: at most {settings.MaxQuantityPerType} dynos per process type.");
                planned.Add((update.Type, quantity, size));
            }
            foreach (var (type, quantity, size) in planned) _store.Scale(c, t, app.Id, type, quantity, size);
        });
        var updated = List(app).Where(f => updates.Any(u => u.Type == f.Type)).ToList();
        var scaled = updates.Select(u => updated.First(f => f.Type == u.Type)).Select(f => $"{f.Type}@{f.Quantity}:{f.Size}");
        logplex.Api(app.Id, $"Scaled to {string.Join(" ", scaled)}{PlatformEvents.By(userEmail)}");
        return updated;
    }
}
