using System.Threading.Channels;

namespace Nuvem.Platform.Dynos.Scheduling;

/// <summary>
/// The scheduler's mailbox: API calls, process exits and launch outcomes are messages handled one at a time on its
/// loop (an actor), so the scheduler's bookkeeping needs no locks.
/// </summary>
internal sealed class SchedulerInbox
{
    private readonly Channel<Func<Task>> _messages = Channel.CreateUnbounded<Func<Task>>();

    /// <summary>Asks for a comparison of desired and running dynos now (an empty message wakes the loop for a pass).</summary>
    public void Kick() => _messages.Writer.TryWrite(() => Task.CompletedTask);

    /// <summary>Work for the loop, from anywhere (a process exit, a launch's outcome).</summary>
    public void Post(Action work) => _messages.Writer.TryWrite(() => { work(); return Task.CompletedTask; });

    public async Task<T> AskAsync<T>(Func<Task<T>> work)
    {
        var answer = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
        await _messages.Writer.WriteAsync(async () =>
        {
            try { answer.SetResult(await work()); }
            catch (Exception e) { answer.SetException(e); }
        });
        return await answer.Task;
    }

    public Task<T> Ask<T>(Func<T> work) => AskAsync(() => Task.FromResult(work()));

    /// <summary>Waits until a message arrives or <paramref name="wait"/> is cancelled (the next periodic pass is due).</summary>
    public async Task WaitAsync(CancellationToken wait)
    {
        try { await _messages.Reader.WaitToReadAsync(wait); }
        catch (OperationCanceledException) { }
    }

    /// <summary>Handles every message waiting, in order.</summary>
    public async Task HandleWaitingAsync()
    {
        while (_messages.Reader.TryRead(out var message)) await message();
    }
}
