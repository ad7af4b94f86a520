using Nuvem.Platform;
using Nuvem.Platform.AddOns;

namespace Nuvem.Tests.AddOns;

/// <summary>
/// A trivial provider the e2e tests load into a real nuvemd (through <c>NUVEM_ADDON_TEST_PROVIDERS</c>) to exercise the
/// add-on framework — API, releases, restarts, the CLIs — without a real backing service. Service <c>nuvem-test</c>:
/// plan <c>basic</c> answers at once with a URL, <c>slow</c> takes 8 s (past the API's wait: provisioned in the
/// background), <c>fail</c> refuses. It keeps nothing, so it is idempotent by construction.
/// </summary>
public sealed class TestAddOnProvider : IAddOnProvider
{
    public AddOnServiceSpec Spec { get; } = new("nuvem-test", "Nuvem Test", "nuvemtest", "NUVEM_TEST", PrimaryAttachment: null, ColourAliases: false,
    [
        new("basic", "Basic", "Answers at once", IsDefault: true, PriceCentsPerMonth: 0),
        new("slow", "Slow", "Takes 8 seconds", IsDefault: false, PriceCentsPerMonth: 700),
        new("fail", "Fail", "Always refuses", IsDefault: false, PriceCentsPerMonth: 0),
    ]);

    /// <summary>Where <c>NUVEM_ADDON_TEST_PROVIDERS</c> finds this class.</summary>
    public static string Switch => $"{typeof(TestAddOnProvider).Assembly.Location}#{typeof(TestAddOnProvider).FullName}";

    public async Task<ProvisionResult> ProvisionAsync(ProvisionRequest request, CancellationToken cancellation)
    {
        if (request.Plan == "fail") throw PlatformException.Invalid("the test provider refuses the fail plan");
        if (request.Plan == "slow") await Task.Delay(TimeSpan.FromSeconds(8), cancellation);
        var extra = request.Options.TryGetValue("colour", out var colour) ? $"?colour={colour}" : "";
        return new ProvisionResult("test-" + request.AddOnId, new Dictionary<string, string> { ["URL"] = $"https://test.invalid/{request.AddOnName}{extra}" },
            $"{request.AddOnName} is ready");
    }

    public Task<IReadOnlyDictionary<string, string>?> ChangePlanAsync(string providerId, string plan, CancellationToken cancellation) =>
        Task.FromResult<IReadOnlyDictionary<string, string>?>(new Dictionary<string, string> { ["URL"] = $"https://test.invalid/{providerId}/{plan}" });

    public Task DeprovisionAsync(string providerId, CancellationToken cancellation) => Task.CompletedTask;
}

/// <summary>One nuvemd offering <see cref="TestAddOnProvider"/>, shared by the add-on API and CLI tests.</summary>
public sealed class AddOnServerFixture : IAsyncLifetime
{
    public Nuvem.Tests.Infrastructure.NuvemServer Server { get; private set; } = null!;

    public async Task InitializeAsync() => Server = await Nuvem.Tests.Infrastructure.NuvemServer.StartNewAsync(
        new Dictionary<string, string> { ["NUVEM_ADDON_TEST_PROVIDERS"] = TestAddOnProvider.Switch });

    public async Task DisposeAsync() => await Server.DisposeAsync();

    public async Task<string> NewAppAsync(Nuvem.Tests.Infrastructure.ApiClient api, string prefix = "a")
    {
        var name = $"{prefix}-{Guid.NewGuid().ToString("N")[..10]}";
        var reply = await api.Post("/apps", new { name });
        if (reply.Status != System.Net.HttpStatusCode.Created) throw new InvalidOperationException(reply.Text);
        return name;
    }
}

[CollectionDefinition(Name)]
public sealed class AddOnServerCollection : ICollectionFixture<AddOnServerFixture>
{
    public const string Name = "addon-server";
}
