using Nuvem.Tests.Infrastructure;

namespace Nuvem.Tests.AddOns;

/// <summary>Add-ons survive a kill -9 of nuvemd, and a provisioning it interrupted is resumed at the next start (test provider).</summary>
public sealed class AddOnRestartTests
{
    [Fact]
    public async Task Provisioning_cut_by_kill_9_is_resumed_and_attached_after_the_restart()
    {
        await using var server = await NuvemServer.StartNewAsync(new Dictionary<string, string> { ["NUVEM_ADDON_TEST_PROVIDERS"] = TestAddOnProvider.Switch });
        using var api = server.Api();
        var app = $"rs-{Guid.NewGuid().ToString("N")[..8]}";
        await api.Post("/apps", new { name = app });
        var kept = (await api.Post($"/apps/{app}/addons", new { plan = "nuvem-test", attachment = new { name = "KEPT" } })).Json["name"]!.GetValue<string>();
        var slow = (await api.Post($"/apps/{app}/addons", new { plan = "nuvem-test:slow", attachment = new { name = "SLOW" } })).Json;
        Assert.Equal("provisioning", slow["state"]!.GetValue<string>());

        server.Kill();
        await server.StartAsync();
        using var after = server.Api();
        Assert.Equal("provisioned", (await after.Get($"/apps/{app}/addons/{kept}")).Json["state"]!.GetValue<string>());
        var state = "";
        for (var i = 0; i < 60 && state != "provisioned"; i++)
        {
            await Task.Delay(500);
            state = (await after.Get($"/apps/{app}/addons/{slow["name"]!.GetValue<string>()}")).Json["state"]!.GetValue<string>();
        }
        Assert.Equal("provisioned", state);
        var vars = (await after.Get($"/apps/{app}/config-vars")).Json.AsObject();
        Assert.True(vars.ContainsKey("KEPT_URL") && vars.ContainsKey("SLOW_URL"));
        Assert.Contains("resuming the provisioning of add-on", server.Output);
        // Secrets stay out of the platform's own output.
        Assert.DoesNotContain("https://test.invalid/", server.Output);
    }
}
