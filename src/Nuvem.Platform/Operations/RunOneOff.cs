using Nuvem.Platform.Apps;
using Nuvem.Platform.ConfigVars;
using Nuvem.Platform.Dynos;
using Nuvem.Platform.Dynos.Runtime;

namespace Nuvem.Platform.Operations;

/// <summary>Running a one-off dyno (<c>heroku run</c>, <c>POST /apps/{app}/dynos</c>) of the current release.</summary>
public sealed class RunOneOff(IScheduler scheduler)
{
    /// <param name="type">The dyno type asked for; one-off dynos are always <c>run</c>.</param>
    /// <returns>The dyno, and its streams when the request attaches.</returns>
    public Task<(Dyno Dyno, IAttachedDyno? Attached)> RunAsync(App app, OneOffRequest request, string type = "run")
    {
        if (string.IsNullOrWhiteSpace(request.Command)) throw PlatformException.Invalid("command must not be empty.");
        if (type != "run") throw PlatformException.Invalid($"One-off dynos are of type run, not {type}.");
        foreach (var name in request.Environment.Keys) ConfigVarService.ValidateKey(name);
        return scheduler.RunOneOffAsync(app, request);
    }
}
