using System.Text.Json;
using System.Text.Json.Serialization;

namespace Nuvem.Platform.Formation;

/// <summary>
/// A dyno size: a name users scale to (Heroku's "Standard-2X") and the limits the dyno runtime enforces.
/// </summary>
public sealed record DynoSize
{
    public required string Name { get; init; }
    public int MemoryMb { get; init; } = 512;
    /// <summary>CPU quota in cores (0.5 = half a core).</summary>
    public double Cpu { get; init; } = 1.0;
    public int Pids { get; init; } = 256;
    public int AppDiskMb { get; init; } = 1024;
    public int TmpDiskMb { get; init; } = 256;
}

/// <summary>
/// The sizes this installation offers. Names match case-insensitively ("standard-2x" finds "Standard-2X");
/// the first size is the default for new process types.
/// </summary>
public sealed class DynoSizeTable
{
    private readonly IReadOnlyList<DynoSize> _sizes;

    public DynoSizeTable(IReadOnlyList<DynoSize> sizes)
    {
        if (sizes.Count == 0) throw new ArgumentException("At least one dyno size is needed.", nameof(sizes));
        var duplicate = sizes.GroupBy(s => s.Name, StringComparer.OrdinalIgnoreCase).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null) throw new ArgumentException($"Dyno size '{duplicate.Key}' is listed twice.", nameof(sizes));
        _sizes = sizes;
    }

    public static DynoSizeTable Default { get; } = new([
        new DynoSize { Name = "Basic", MemoryMb = 512, Cpu = 1, Pids = 256 },
        new DynoSize { Name = "Standard-1X", MemoryMb = 512, Cpu = 1, Pids = 256 },
        new DynoSize { Name = "Standard-2X", MemoryMb = 1024, Cpu = 2, Pids = 512, AppDiskMb = 2048, TmpDiskMb = 512 },
        new DynoSize { Name = "Performance-M", MemoryMb = 2560, Cpu = 2, Pids = 4096, AppDiskMb = 4096, TmpDiskMb = 1024 },
        new DynoSize { Name = "Performance-L", MemoryMb = 14336, Cpu = 8, Pids = 16384, AppDiskMb = 8192, TmpDiskMb = 2048 },
    ]);

    public IReadOnlyList<DynoSize> All => _sizes;

    public DynoSize DefaultSize => _sizes[0];

    public DynoSize? Find(string name) =>
        _sizes.FirstOrDefault(s => string.Equals(s.Name, name.Trim(), StringComparison.OrdinalIgnoreCase));

    /// <summary>Reads a JSON array of sizes, e.g. <c>[{"name":"Basic","memory_mb":512,"cpu":1}]</c>.</summary>
    public static DynoSizeTable Load(string path)
    {
        var options = new JsonSerializerOptions { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower, ReadCommentHandling = JsonCommentHandling.Skip };
        try
        {
            var sizes = JsonSerializer.Deserialize<List<DynoSize>>(File.ReadAllText(path), options)
                        ?? throw new InvalidDataException("the file holds null");
            return new DynoSizeTable(sizes);
        }
        catch (Exception e) when (e is JsonException or InvalidDataException or ArgumentException)
        {
            throw new InvalidDataException($"Dyno sizes file {path} is not valid: {e.Message}", e);
        }
    }
}
