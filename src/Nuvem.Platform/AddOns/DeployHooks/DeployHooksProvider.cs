namespace Nuvem.Platform.AddOns.DeployHooks;

/// <summary>
/// Heroku's Deploy Hooks add-on, plan <c>http</c> (<c>heroku addons:create deployhooks:http --url=https://…</c>): one
/// add-on per hook; the URL is the add-on's option, kept by the add-on framework, so provisioning only checks it. It
/// exports no config vars. The POSTs themselves are Webhooks/DeployHookSender's.
/// </summary>
public sealed class DeployHooksProvider : IAddOnProvider
{
    public const string Service = "deployhooks";

    public AddOnServiceSpec Spec { get; } = new(Service, "Deploy Hooks", "deployhooks", "DEPLOYHOOKS", PrimaryAttachment: null, ColourAliases: false,
    [
        new("http", "HTTP Post Hook", "POSTs each deploy's details to a URL", IsDefault: true, PriceCentsPerMonth: 0),
    ]);

    public Task<ProvisionResult> ProvisionAsync(ProvisionRequest request, CancellationToken cancellation)
    {
        if (request.Plan != "http") throw PlatformException.Invalid($"deployhooks:{request.Plan} is not offered here; use deployhooks:http.");
        if (request.Options.Keys.FirstOrDefault(k => k != "url") is { } unknown)
            throw PlatformException.Invalid($"deployhooks:http takes --url only, not --{unknown}.");
        var url = ValidUrl(request.Options.GetValueOrDefault("url"));
        return Task.FromResult(new ProvisionResult("deployhooks-" + request.AddOnId, new Dictionary<string, string>(),
            $"Deploys of {request.AppName} will be POSTed to {Redacted(url)}."));
    }

    public Task<IReadOnlyDictionary<string, string>?> ChangePlanAsync(string providerId, string plan, CancellationToken cancellation) =>
        plan == "http" ? Task.FromResult<IReadOnlyDictionary<string, string>?>(null)
            : throw PlatformException.Invalid($"deployhooks:{plan} is not offered here; use deployhooks:http.");

    public Task DeprovisionAsync(string providerId, CancellationToken cancellation) => Task.CompletedTask;

    /// <summary>http or https, with a host; loopback and private addresses are allowed (receivers on the platform's own
    /// network are common on a self-hosted platform; only the status code is ever reported back).</summary>
    public static Uri ValidUrl(string? url)
    {
        if (string.IsNullOrWhiteSpace(url)) throw PlatformException.Invalid("deployhooks:http needs --url=https://… (where to POST each deploy).");
        if (!Uri.TryCreate(url.Trim(), UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps)
            || string.IsNullOrEmpty(uri.Host) || url.Length > 2048)
            throw PlatformException.Invalid("--url must be an http:// or https:// URL.");
        return uri;
    }

    /// <summary>The URL without credentials or query, as it may be shown in messages and logs.</summary>
    public static string Redacted(Uri url) => $"{url.Scheme}://{url.Host}{(url.IsDefaultPort ? "" : ":" + url.Port)}{url.AbsolutePath}";
}
