namespace Nuvem.Platform.Dynos.Runtime.Containers;

/// <summary>
/// A set-up done the first time something needs it (a runtime's directories, network and stack root), once even when
/// asked for by several starts at the same time. One that fails is tried again by the next caller, not remembered.
/// </summary>
public sealed class SetUpOnce<T>(Func<Task<T>> setUp) where T : class
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private T? _value;

    /// <summary>The set-up's result, when it has been done.</summary>
    public T? Value => _value;

    public async ValueTask<T> GetAsync()
    {
        if (_value is { } done) return done;
        await _gate.WaitAsync();
        try
        {
            return _value ??= await setUp();
        }
        finally
        {
            _gate.Release();
        }
    }
}
