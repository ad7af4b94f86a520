using Nuvem.Platform.Slugs;

namespace Nuvem.Platform.Dynos.Runtime.Containers;

/// <summary>
/// Releases' slugs unpacked once each, as the read-only lower layer of their dynos' <c>/app</c> overlay: scaling to
/// ten dynos unpacks nothing more. Owned by the app's uid and private to it. A layer goes when no dyno uses it and
/// its app has moved on to a newer release.
/// </summary>
public sealed class SlugLayers(string directory)
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, int> _users = new();
    private readonly Dictionary<string, string> _latest = new(); // app id → release id of its newest layer
    private readonly Dictionary<string, SemaphoreSlim> _unpacking = new();

    /// <summary>The unpacked <c>app</c> directory of the spec's release; call <see cref="Release"/> when its dyno is gone.</summary>
    public async Task<string> AcquireAsync(DynoSpec spec, CancellationToken cancellation)
    {
        var layer = Path.Combine(directory, spec.ReleaseId);
        SemaphoreSlim gate;
        lock (_lock)
        {
            _users[spec.ReleaseId] = _users.GetValueOrDefault(spec.ReleaseId) + 1;
            _latest[spec.AppId] = spec.ReleaseId;
            if (!_unpacking.TryGetValue(spec.ReleaseId, out gate!)) _unpacking[spec.ReleaseId] = gate = new SemaphoreSlim(1, 1);
        }
        try
        {
            await gate.WaitAsync(cancellation);
            try
            {
                if (!Directory.Exists(layer)) await UnpackAsync(spec, layer, cancellation);
            }
            finally
            {
                gate.Release();
            }
        }
        catch
        {
            Release(spec);
            throw;
        }
        return Path.Combine(layer, "app");
    }

    /// <summary>Counts a dyno a previous platform process started on this layer.</summary>
    public void Adopt(DynoSpec spec)
    {
        lock (_lock)
        {
            _users[spec.ReleaseId] = _users.GetValueOrDefault(spec.ReleaseId) + 1;
            _latest[spec.AppId] = spec.ReleaseId;
        }
    }

    public void Release(DynoSpec spec)
    {
        lock (_lock)
        {
            var users = _users.GetValueOrDefault(spec.ReleaseId) - 1;
            if (users > 0) { _users[spec.ReleaseId] = users; return; }
            _users.Remove(spec.ReleaseId);
            // The app's current layer stays for its next dyno (a restart, a scale up); older ones go.
            if (_latest.GetValueOrDefault(spec.AppId) == spec.ReleaseId) return;
        }
        Remove(Path.Combine(directory, spec.ReleaseId));
    }

    /// <summary>Removes every layer no dyno uses (at start, after adoption).</summary>
    public void RemoveUnused()
    {
        if (!Directory.Exists(directory)) return;
        foreach (var layer in Directory.EnumerateDirectories(directory))
        {
            lock (_lock)
                if (_users.ContainsKey(Path.GetFileName(layer))) continue;
            Remove(layer);
        }
    }

    private static async Task UnpackAsync(DynoSpec spec, string layer, CancellationToken cancellation)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(layer)!, (UnixFileMode)Convert.ToInt32("711", 8));
        var unpacking = layer + ".unpacking-" + Guid.NewGuid().ToString("N")[..8];
        Directory.CreateDirectory(unpacking, (UnixFileMode)Convert.ToInt32("700", 8));
        try
        {
            Libc.Chown(unpacking, spec.Uid, spec.Uid);
            await SlugUnpacker.ExtractAsync(spec.SlugPath, unpacking, spec.Uid, cancellation);
            var app = Path.Combine(unpacking, "app");
            if (!Directory.Exists(app))
            {
                Directory.CreateDirectory(app);
                Libc.Chown(app, spec.Uid, spec.Uid);
            }
            Directory.Move(unpacking, layer);
        }
        catch
        {
            Remove(unpacking);
            throw;
        }
    }

    private static void Remove(string path)
    {
        try { Directory.Delete(path, recursive: true); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
    }
}
