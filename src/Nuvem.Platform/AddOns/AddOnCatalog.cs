using System.Security.Cryptography;
using System.Text;

namespace Nuvem.Platform.AddOns;

/// <summary>A service of the catalog with its provider and its stable id.</summary>
public sealed record CatalogService(string Id, AddOnServiceSpec Spec, IAddOnProvider Provider)
{
    public string Name => Spec.Service;
    public IEnumerable<CatalogPlan> Plans => Spec.Plans.Select(p => new CatalogPlan(AddOnCatalog.PlanId(Spec.Service, p.Name), this, p));
    public CatalogPlan DefaultPlan => Plans.FirstOrDefault(p => p.Spec.IsDefault) ?? Plans.First();
}

/// <summary>A plan of the catalog: <c>heroku-postgresql:essential-0</c>.</summary>
public sealed record CatalogPlan(string Id, CatalogService Service, AddOnPlanSpec Spec)
{
    public string Name => $"{Service.Name}:{Spec.Name}";
}

/// <summary>
/// The add-on services this platform offers: one per registered provider, in Heroku's shape. Ids are name-based
/// UUIDs (version 5), so they are the same on every start and every machine, and clients may keep them.
/// </summary>
public sealed class AddOnCatalog
{
    private static readonly Guid Namespace = new("6f1d8a3e-54c2-4b0e-9a57-1c7a2f0e9b41");
    private readonly IReadOnlyList<CatalogService> _services;

    public AddOnCatalog(IEnumerable<IAddOnProvider> providers)
    {
        _services = providers.Select(p => new CatalogService(ServiceId(p.Spec.Service), p.Spec, p))
            .OrderBy(s => s.Name, StringComparer.Ordinal).ToList();
        var duplicate = _services.GroupBy(s => s.Name).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null) throw new InvalidOperationException($"Two add-on providers offer the service {duplicate.Key}.");
    }

    public IReadOnlyList<CatalogService> Services => _services;

    public static string ServiceId(string service) => NameBased("addon-service:" + service);

    public static string PlanId(string service, string plan) => NameBased($"plan:{service}:{plan}");

    /// <summary>By name or id.</summary>
    public CatalogService FindService(string nameOrId) =>
        _services.FirstOrDefault(s => s.Name == nameOrId || s.Id == nameOrId)
        ?? throw PlatformException.NotFound("add_on_service", $"Couldn't find either the add-on service or the add-on plan '{nameOrId}'.");

    /// <summary>A plan of a service by plan slug, <c>service:plan</c> or id.</summary>
    public CatalogPlan FindPlan(CatalogService service, string nameOrId) =>
        service.Plans.FirstOrDefault(p => p.Spec.Name == nameOrId || p.Name == nameOrId || p.Id == nameOrId)
        ?? throw PlatformException.NotFound("plan", $"Couldn't find either the add-on service or the add-on plan '{service.Name}:{nameOrId}'.");

    /// <summary>What a user typed: <c>service</c> (its default plan), <c>service:plan</c>, or a plan's id.</summary>
    public CatalogPlan Resolve(string planName)
    {
        var text = planName.Trim();
        if (FindPlanById(text) is { } byId) return byId;
        var colon = text.IndexOf(':');
        var service = FindService(colon < 0 ? text : text[..colon]);
        return colon < 0 ? service.DefaultPlan : FindPlan(service, text[(colon + 1)..]);
    }

    public CatalogPlan? FindPlanById(string id) => _services.SelectMany(s => s.Plans).FirstOrDefault(p => p.Id == id);

    /// <summary>The service of a stored add-on; its provider may be gone from this platform (then null).</summary>
    public CatalogService? ServiceOf(AddOn addOn) => _services.FirstOrDefault(s => s.Name == addOn.Service);

    /// <summary>A version 5 (SHA-1, name-based) UUID in Nuvem's namespace.</summary>
    private static string NameBased(string name)
    {
        var bytes = Namespace.ToByteArray(bigEndian: true).Concat(Encoding.UTF8.GetBytes(name)).ToArray();
        var hash = SHA1.HashData(bytes)[..16];
        hash[6] = (byte)((hash[6] & 0x0f) | 0x50);
        hash[8] = (byte)((hash[8] & 0x3f) | 0x80);
        return new Guid(hash, bigEndian: true).ToString();
    }
}
