using Nuvem.Platform.AddOns;

namespace Nuvem.Platform.Operations;

/// <summary>
/// Add-on work a stopped platform left half-done, taken up again at the next start (see <see cref="InterruptedWork"/>):
/// provisioning is resumed (providers are idempotent by add-on id, so nothing is made twice) and ends attached or
/// <c>deprovisioned</c> as it would have; a destroy that had detached everything has its resource removed and its
/// record deleted. Both run in the background, so a slow provider does not hold up the start.
/// </summary>
public sealed class InterruptedAddOns(AddOnStore store, CreateAddOn create, DestroyAddOn destroy)
{
    public void Resume()
    {
        foreach (var addOn in store.InState(AddOnStates.Provisioning))
        {
            Console.Error.WriteLine($"nuvemd: resuming the provisioning of add-on {addOn.Name}, interrupted by the restart.");
            _ = Task.Run(() => create.ProvisionAsync(addOn.Id));
        }
        foreach (var addOn in store.InState(AddOnStates.Deprovisioning))
        {
            Console.Error.WriteLine($"nuvemd: finishing the destruction of add-on {addOn.Name}, interrupted by the restart.");
            _ = Task.Run(async () =>
            {
                try { await destroy.RunAsync(addOn, userId: null, force: true); }
                catch (Exception e) { Console.Error.WriteLine($"nuvemd: add-on {addOn.Name} is still deprovisioning: {e.Message}"); }
            });
        }
    }
}
