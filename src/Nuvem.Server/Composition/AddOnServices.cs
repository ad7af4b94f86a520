using System.Reflection;
using Nuvem.Platform.AddOns;
using Nuvem.Platform.Operations;
using Nuvem.Server.Api.Representations;

namespace Nuvem.Server.Composition;

/// <summary>
/// The add-on framework: its store, the catalog built from every registered <see cref="IAddOnProvider"/> (each
/// provider registers itself as one, e.g. Postgres), the operations and their representation.
/// </summary>
internal static class AddOnServices
{
    /// <summary>Test hook only: <c>DLL#Type[,DLL#Type…]</c>, providers the e2e tests bring from their own assembly to
    /// exercise the framework without a real backing service. Never set in production.</summary>
    public const string TestProvidersVariable = "NUVEM_ADDON_TEST_PROVIDERS";

    public static IServiceCollection AddNuvemAddOns(this IServiceCollection services)
    {
        services.AddSingleton<AddOnStore>();
        services.AddSingleton(provider => new AddOnCatalog(provider.GetServices<IAddOnProvider>()));
        services.AddSingleton<AddOnService>();
        services.AddSingleton<AddOnReleases>();
        services.AddSingleton<CreateAddOn>();
        services.AddSingleton<DestroyAddOn>();
        services.AddSingleton<AttachAddOn>();
        services.AddSingleton<DetachAddOn>();
        services.AddSingleton<ChangeAddOnPlan>();
        services.AddSingleton<InterruptedAddOns>();
        services.AddSingleton<AddOnRepresentation>();
        foreach (var type in TestProviders()) services.AddSingleton(typeof(IAddOnProvider), type);
        return services;
    }

    private static IEnumerable<Type> TestProviders()
    {
        if (Environment.GetEnvironmentVariable(TestProvidersVariable) is not { Length: > 0 } value) yield break;
        foreach (var entry in value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var (path, name) = (entry[..entry.IndexOf('#')], entry[(entry.IndexOf('#') + 1)..]);
            var type = Assembly.LoadFrom(path).GetType(name, throwOnError: true)!;
            if (!typeof(IAddOnProvider).IsAssignableFrom(type)) throw new InvalidOperationException($"{name} is not an add-on provider.");
            Console.Error.WriteLine($"nuvemd: {TestProvidersVariable}: offering the test add-on provider {name}.");
            yield return type;
        }
    }
}
