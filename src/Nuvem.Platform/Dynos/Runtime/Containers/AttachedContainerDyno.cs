using System.Diagnostics;
using Nuvem.Platform.Dynos.Network;

namespace Nuvem.Platform.Dynos.Runtime.Containers;

/// <summary>A one-off dyno whose streams belong to the person running it: the OCI runtime in the foreground.</summary>
internal sealed class AttachedContainerDyno : IAttachedDyno
{
    private readonly ContainerDynoRuntime _runtime;
    private readonly DynoSpec _spec;
    private readonly DynoEndpoint _endpoint;
    private readonly Process _process;

    public AttachedContainerDyno(ContainerDynoRuntime runtime, DynoSpec spec, DynoEndpoint endpoint, Process process)
    {
        _runtime = runtime;
        _spec = spec;
        _endpoint = endpoint;
        _process = process;
        Address = endpoint.Address;
        // What the OCI runtime itself says (a failed create) goes to the operator's log.
        var errors = Task.Run(async () =>
        {
            while (await process.StandardError.ReadLineAsync() is { } line) Console.Error.WriteLine($"dyno {spec.AppName}/{spec.Name}: {line}");
        });
        Exited = Task.Run(async () =>
        {
            await process.WaitForExitAsync();
            await Task.WhenAny(errors, Task.Delay(TimeSpan.FromSeconds(1)));
            var code = process.ExitCode;
            await runtime.CleanUpAsync(spec.Id, spec, endpoint);
            return code;
        });
    }

    public Uri? Address { get; }
    public Task<int> Exited { get; }
    public Stream Input => _process.StandardInput.BaseStream;
    public Stream Output => _process.StandardOutput.BaseStream;

    public Task<bool> StopAsync(TimeSpan grace) => _runtime.StopContainerAsync(_spec.Id, Exited, grace);

    public Task<bool> AcceptsConnectionsAsync(CancellationToken cancellation) => TcpProbe.AcceptsAsync(_endpoint.Host, _endpoint.Port, cancellation);
}
