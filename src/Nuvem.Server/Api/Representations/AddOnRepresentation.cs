using Nuvem.Platform.AddOns;

namespace Nuvem.Server.Api.Representations;

/// <summary>
/// Add-on services, plans, add-ons and attachments in the fields of Heroku's schema. A plan always carries its price
/// (the CLI prints it after every create and upgrade); <c>Accept-Expansion: plan</c> / <c>addon_service</c> expand
/// those to the full objects. Attachments always include what <c>Accept-Inclusion: addon:plan,config_vars</c> asks
/// for (the CLI's pg commands read <c>addon.plan.name</c> and <c>config_vars</c>).
/// </summary>
public sealed class AddOnRepresentation(AddOnCatalog catalog, AddOnService addOns)
{
    /// <summary>The catalog has no history: one fixed time for its objects' timestamps.</summary>
    private const string CatalogTime = "2026-01-01T00:00:00Z";

    /// <summary>Which objects the request asked to expand (<c>Accept-Expansion: addon_service,plan</c>).</summary>
    public sealed record Expansion(bool Plan, bool Service)
    {
        public static Expansion Of(HttpContext http)
        {
            var asked = http.Request.Headers["Accept-Expansion"].ToString().Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
            return new Expansion(asked.Contains("plan"), asked.Contains("addon_service"));
        }
    }

    public object Service(CatalogService service) => new
    {
        CliPluginName = (string?)null,
        CreatedAt = CatalogTime,
        service.Spec.HumanName,
        service.Id,
        service.Name,
        State = "ga",
        SupportsMultipleInstallations = true,
        SupportsSharing = true,
        SupportedGenerations = new[] { new { Id = Representation.StableId("generation:cedar"), Name = "cedar" } },
        UpdatedAt = CatalogTime,
    };

    public object Plan(CatalogPlan plan) => new
    {
        AddonService = new { plan.Service.Id, plan.Service.Name },
        Compliance = (string[]?)null,
        CreatedAt = CatalogTime,
        Default = plan.Spec.IsDefault,
        plan.Spec.Description,
        plan.Spec.HumanName,
        plan.Id,
        InstallableInsidePrivateNetwork = false,
        InstallableOutsidePrivateNetwork = true,
        plan.Name,
        Price = Price(plan.Spec.PriceCentsPerMonth),
        SpaceDefault = false,
        State = "public",
        UpdatedAt = CatalogTime,
        Visible = true,
    };

    public object AddOn(AddOn addOn, Expansion? expand = null)
    {
        var service = catalog.ServiceOf(addOn);
        var plan = service?.Plans.FirstOrDefault(p => p.Spec.Name == addOn.Plan);
        var cents = plan?.Spec.PriceCentsPerMonth ?? 0;
        return new
        {
            Actions = Array.Empty<object>(),
            AddonService = expand?.Service == true && service is not null ? Service(service) : new { Id = AddOnCatalog.ServiceId(addOn.Service), Name = addOn.Service },
            App = new { Id = addOn.AppId, Name = addOn.AppName },
            BilledPrice = Price(cents),
            BillingEntity = new { Id = addOn.AppId, Name = addOn.AppName, Type = "app" },
            ConfigVars = addOns.AttachmentsOf(addOn).Where(a => a.AppId == addOn.AppId).SelectMany(a => addOn.ConfigVarNames(a.Name)).ToArray(),
            CreatedAt = Representation.Time(addOn.CreatedAt),
            addOn.Id,
            addOn.Name,
            Plan = expand?.Plan == true && plan is not null ? Plan(plan) : new { Id = AddOnCatalog.PlanId(addOn.Service, addOn.Plan), Name = addOn.PlanName, Price = Price(cents) },
            addOn.ProviderId,
            addOn.ProvisionMessage,
            addOn.State,
            UpdatedAt = Representation.Time(addOn.UpdatedAt),
            WebUrl = (string?)null,
        };
    }

    public object Attachment(AddOnAttachment attachment)
    {
        var addOn = addOns.Get(attachment.AddOnId);
        return new
        {
            Addon = addOn is null ? null : new
            {
                addOn.Id,
                addOn.Name,
                App = new { Id = addOn.AppId, Name = addOn.AppName },
                Plan = new { Id = AddOnCatalog.PlanId(addOn.Service, addOn.Plan), Name = addOn.PlanName },
            },
            App = new { Id = attachment.AppId, Name = attachment.AppName },
            ConfigVars = addOn?.ConfigVarNames(attachment.Name) ?? [],
            CreatedAt = Representation.Time(attachment.CreatedAt),
            attachment.Id,
            LogInputUrl = (string?)null,
            attachment.Name,
            attachment.Namespace,
            UpdatedAt = Representation.Time(attachment.UpdatedAt),
            WebUrl = (string?)null,
        };
    }

    /// <summary>Heroku's price: per month, never charged here.</summary>
    private static object Price(int cents) => new { Cents = cents, Contract = false, Metered = false, Unit = "month" };
}
