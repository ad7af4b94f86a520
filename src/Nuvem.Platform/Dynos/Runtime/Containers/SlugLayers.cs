using Nuvem.Platform.Slugs;

namespace Nuvem.Platform.Dynos.Runtime.Containers;

/// <summary>
/// Releases' slugs unpacked once each, as the read-only lower layer of their dynos' <c>/app</c> overlay: scaling to
/// ten dynos unpacks nothing more. Owned by the app's uid and private to it. A layer goes when no dyno uses it and
/// its app has moved on to a newer release.
/// </summary>
public sealed class SlugLayers(string directory, ISlugBlobs slugs)
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
        string? previous;
        lock (_lock)
        {
            _users[spec.ReleaseId] = _users.GetValueOrDefault(spec.ReleaseId) + 1;
            // The app's layer before this one (its running release's, on a deploy): held until this one is unpacked,
            // whose unchanged files are links to it.
            previous = _latest.GetValueOrDefault(spec.AppId);
            if (previous == spec.ReleaseId) previous = null;
            if (previous is not null) _users[previous] = _users.GetValueOrDefault(previous) + 1;
            _latest[spec.AppId] = spec.ReleaseId;
            if (!_unpacking.TryGetValue(spec.ReleaseId, out gate!)) _unpacking[spec.ReleaseId] = gate = new SemaphoreSlim(1, 1);
        }
        try
        {
            await gate.WaitAsync(cancellation);
            try
            {
                if (!Directory.Exists(layer)) await UnpackAsync(spec, layer, previous, cancellation);
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
        finally
        {
            if (previous is not null) Release(spec.AppId, previous);
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

    public void Release(DynoSpec spec) => Release(spec.AppId, spec.ReleaseId);

    private void Release(string appId, string releaseId)
    {
        lock (_lock)
        {
            var users = _users.GetValueOrDefault(releaseId) - 1;
            if (users > 0) { _users[releaseId] = users; return; }
            _users.Remove(releaseId);
            // The app's current layer stays for its next dyno (a restart, a scale up); older ones go.
            if (_latest.GetValueOrDefault(appId) == releaseId) return;
        }
        Remove(Path.Combine(directory, releaseId));
    }

    /// <summary>A destroyed app's current layer is not kept for a next dyno: it goes now, or with its last dyno.</summary>
    public void Forget(string appId)
    {
        string? releaseId;
        lock (_lock)
        {
            if (!_latest.Remove(appId, out releaseId) || _users.ContainsKey(releaseId)) return;
        }
        Remove(Path.Combine(directory, releaseId));
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
        foreach (var manifest in Directory.EnumerateFiles(directory, "*" + ManifestSuffix))
            if (!Directory.Exists(manifest[..^ManifestSuffix.Length])) File.Delete(manifest);
    }

    /// <summary>Beside each layer, the platform's record of its files (see <see cref="SlugReuse"/>).</summary>
    private const string ManifestSuffix = ".manifest";

    /// <summary>
    /// Unpacks the release's slug, its files that the app's previous layer holds unchanged (a redeploy's dependencies)
    /// hard-linked from it: creating a file costs far more than linking one. When that cannot be done, plainly.
    /// </summary>
    private async Task UnpackAsync(DynoSpec spec, string layer, string? previous, CancellationToken cancellation)
    {
        var parent = Path.GetDirectoryName(layer)!;
        // Fetched first: a tarball that is not to be had is not a reason to try again without links.
        var tarball = await slugs.LocalFileAsync(spec.Slug, cancellation);
        try
        {
            if (previous is not null && !(Directory.Exists(Path.Combine(parent, previous)) && File.Exists(Path.Combine(parent, previous + ManifestSuffix))))
                previous = null;
            await UnpackAsync(spec, tarball, layer, new SlugReuse(parent, previous, previous is null ? null : Path.Combine(parent, previous + ManifestSuffix),
                layer + ManifestSuffix), cancellation);
        }
        catch (Exception e) when (e is IOException or InvalidDataException && !cancellation.IsCancellationRequested)
        {
            Console.Error.WriteLine($"{spec.AppName}: unpacking release v{spec.ReleaseVersion} with links to the previous one failed ({e.Message}); unpacking it whole");
            File.Delete(layer + ManifestSuffix);
            await UnpackAsync(spec, tarball, layer, reuse: null, cancellation);
        }
    }

    private static async Task UnpackAsync(DynoSpec spec, string tarball, string layer, SlugReuse? reuse, CancellationToken cancellation)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(layer)!, (UnixFileMode)Convert.ToInt32("711", 8));
        var unpacking = layer + ".unpacking-" + Guid.NewGuid().ToString("N")[..8];
        Directory.CreateDirectory(unpacking, (UnixFileMode)Convert.ToInt32("700", 8));
        try
        {
            Libc.Chown(unpacking, spec.Uid, spec.Uid);
            await SlugUnpacker.ExtractAsync(tarball, unpacking, spec.Uid, reuse, cancellation);
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
        try
        {
            File.Delete(path + ManifestSuffix);
            Directory.Delete(path, recursive: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
    }
}
