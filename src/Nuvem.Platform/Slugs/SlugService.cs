using System.Text.Json;
using System.Text.RegularExpressions;
using Nuvem.Platform.Apps;
using Nuvem.Platform.State;

namespace Nuvem.Platform.Slugs;

/// <summary>
/// Slug records. The builder creates them with their tarball; the API registers one first and takes its tarball
/// afterwards, through a one-time upload URL (see <see cref="SlugUploads"/>), as Heroku's <c>POST /apps/{app}/slugs</c> does.
/// </summary>
public sealed partial class SlugService(Database database, PlatformSettings settings)
{
    private readonly SlugStore _store = new(database);

    [GeneratedRegex("^[A-Za-z0-9_-]+$")]
    private static partial Regex ProcessTypeName();

    public const int MaxProcessTypeNameLength = 64;

    /// <summary>Registers a slug whose tarball is to be uploaded.</summary>
    /// <returns>The slug and the token of its upload URL: handed out once, only its hash is kept.</returns>
    public (Slug Slug, string UploadToken) Create(App app, SlugSpec spec)
    {
        if (spec.ProcessTypes.Count == 0) throw PlatformException.Invalid("process_types must name at least one process type.");
        foreach (var (type, command) in spec.ProcessTypes) ValidateProcessType(type, command);
        if (spec.Stack is not null && spec.Stack != settings.Stack)
            throw PlatformException.Invalid($"Unknown stack '{spec.Stack}'. Available: {settings.Stack}.");
        // Refused here rather than at upload: no tarball could ever match it, and the client should learn that now.
        if (spec.Checksum is not null && !SlugBlobStore.IsChecksum(spec.Checksum))
            throw PlatformException.Invalid($"checksum must be SHA256: followed by the 64 hex digits of the tarball's SHA-256, not '{spec.Checksum}'.");

        var id = Guid.NewGuid().ToString();
        var token = SlugUploads.NewToken();
        _store.InsertAwaitingUpload(id, app.Id, spec, settings.Stack, spec.Checksum is null ? null : SlugBlobStore.Normalise(spec.Checksum), SlugUploads.HashToken(token));
        return (Get(app, id), token);
    }

    public Slug Get(App app, string id) => _store.Get(app.Id, id) ?? throw PlatformException.NotFound("slug");

    public static void ValidateProcessType(string type, string command)
    {
        if (type.Length > MaxProcessTypeNameLength || !ProcessTypeName().IsMatch(type))
            throw PlatformException.Invalid($"Invalid process type '{type}': use letters, digits, '_' and '-' only (at most {MaxProcessTypeNameLength}).");
        if (string.IsNullOrWhiteSpace(command)) throw PlatformException.Invalid($"Process type {type} has an empty command.");
    }

    internal static IReadOnlyDictionary<string, string> ParseProcessTypes(string json) =>
        JsonSerializer.Deserialize<SortedDictionary<string, string>>(json) ?? new SortedDictionary<string, string>();
}
