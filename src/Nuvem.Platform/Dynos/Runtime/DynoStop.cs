namespace Nuvem.Platform.Dynos.Runtime;

/// <summary>Heroku's stop, whatever the runtime: SIGTERM, then SIGKILL if the dyno is still there after the grace.</summary>
public static class DynoStop
{
    /// <returns>true when the dyno had to be killed (R12).</returns>
    public static async Task<bool> GracefullyAsync(Task exited, TimeSpan grace, Func<Task> terminate, Func<Task> kill)
    {
        if (exited.IsCompleted) return false;
        await terminate();
        if (await Task.WhenAny(exited, Task.Delay(grace)) == exited) return false;
        await kill();
        await exited;
        return true;
    }

    public static Task<bool> GracefullyAsync(Task exited, TimeSpan grace, Action terminate, Action kill) =>
        GracefullyAsync(exited, grace, () => { terminate(); return Task.CompletedTask; }, () => { kill(); return Task.CompletedTask; });
}
