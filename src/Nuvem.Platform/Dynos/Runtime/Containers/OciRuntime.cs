using System.Text.Json;

namespace Nuvem.Platform.Dynos.Runtime.Containers;

/// <summary>
/// A standard OCI runtime's command line (crun or runc: they take the same bundles and verbs), with its state kept
/// under the platform's own root so that this installation's containers are the only ones it sees.
/// </summary>
public sealed class OciRuntime(string path, string stateRoot)
{
    public string Path => path;
    public string Name => System.IO.Path.GetFileName(path);
    public string StateRoot => stateRoot;

    public Task<HostCommand.Result> RunAsync(params string[] args) => HostCommand.RunAsync(path, ["--root", stateRoot, .. args]);

    public Task StartAsync(string id) => HostCommand.RequireAsync(path, ["--root", stateRoot, "start", id]);

    /// <summary>Signals every process of the container (orphaned daemons too, not only its PID 1).</summary>
    public Task KillAsync(string id, string signal) => RunAsync("kill", "--all", id, signal);

    /// <summary>Removes the container and its cgroups, stopping it first if need be.</summary>
    public Task DeleteAsync(string id) => RunAsync("delete", "--force", id);

    /// <summary>"created", "running", "stopped"… or null when the runtime knows no such container.</summary>
    public async Task<string?> StatusAsync(string id)
    {
        var result = await RunAsync("state", id);
        if (!result.Succeeded) return null;
        try
        {
            using var state = JsonDocument.Parse(result.Output);
            return state.RootElement.TryGetProperty("status", out var status) ? status.GetString() : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
