using Nuvem.Platform.AddOns.Redis;

namespace Nuvem.Server.AddOns;

/// <summary>
/// Keeps the add-ons' Redis servers up for the life of nuvemd: adopts those running when it starts, starts those that
/// are not, and checks every few seconds, restarting any that died. When nuvemd stops, the servers keep running on
/// purpose (as dynos do); <c>nuvemd --stop-dynos</c> stops them.
/// </summary>
public sealed class RedisSupervisor(RedisProvider provider, ILogger<RedisSupervisor> log) : BackgroundService
{
    private static readonly TimeSpan CheckEvery = TimeSpan.FromSeconds(5);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try { await provider.SuperviseAsync(stoppingToken); }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested) { break; }
            catch (Exception e) { log.LogError(e, "redis: supervision round failed"); }
            try { await Task.Delay(CheckEvery, stoppingToken); }
            catch (OperationCanceledException) { break; }
        }
    }
}
