using System.Data;
using System.Text.Json;
using Dapper;
using Nuvem.Platform.State;

namespace Nuvem.Platform.Slugs;

/// <summary>The <c>slugs</c> table's owner: slug records (their tarballs are files, see <see cref="SlugBlobStore"/>).</summary>
public sealed class SlugStore(Database database)
{
    private const string Columns = "id, app_id, process_types, commit_sha, commit_description, buildpack_provided_description, stack, checksum, size, created_at, updated_at";

    /// <summary>Registers a slug whose tarball is to be uploaded (only the upload token's hash is kept).</summary>
    public void InsertAwaitingUpload(string id, string appId, SlugSpec spec, string stack, string? checksum, string tokenHash) =>
        database.Write((c, t) => c.Execute("""
            INSERT INTO slugs (id, app_id, process_types, commit_sha, commit_description, buildpack_provided_description, stack, checksum, size,
                               blob_state, blob_token_hash, created_at, updated_at)
            VALUES (@id, @appId, @types, @Commit, @CommitDescription, @BuildpackProvidedDescription, @stack, @checksum, NULL,
                    @awaiting, @tokenHash, @now, @now)
            """, new
        {
            id, appId, types = JsonSerializer.Serialize(spec.ProcessTypes), spec.Commit, spec.CommitDescription,
            spec.BuildpackProvidedDescription, stack, checksum, awaiting = SlugReadiness.Awaiting, tokenHash, now = Timestamp.Now(),
        }, t));

    /// <summary>Records a slug a build packed into the store (its tarball is there already).</summary>
    /// <returns>The slug's id.</returns>
    public string InsertBuilt(string appId, IReadOnlyDictionary<string, string> processTypes, string? commit, string? description,
        string stack, StoredSlug stored)
    {
        var id = Guid.NewGuid().ToString();
        database.Write((c, t) => c.Execute("""
            INSERT INTO slugs (id, app_id, process_types, commit_sha, buildpack_provided_description, stack, checksum, size, created_at, updated_at)
            VALUES (@id, @appId, @types, @commit, @description, @stack, @Checksum, @Size, @now, @now)
            """, new { id, appId, types = JsonSerializer.Serialize(processTypes), commit, description, stack, stored.Checksum, stored.Size, now = Timestamp.Now() }, t));
        return id;
    }

    public Slug? Get(string appId, string id) =>
        database.Read(c => c.QuerySingleOrDefault<SlugRow>($"SELECT {Columns} FROM slugs WHERE app_id = @appId AND id = @id", new { appId, id }))?.ToSlug();

    public Slug? Get(IDbConnection c, IDbTransaction t, string appId, string id) =>
        c.QuerySingleOrDefault<SlugRow>($"SELECT {Columns} FROM slugs WHERE app_id = @appId AND id = @id", new { appId, id }, t)?.ToSlug();

    /// <summary>The slug's process types, or null when there is no such slug.</summary>
    public IReadOnlyDictionary<string, string>? ProcessTypes(IDbConnection c, IDbTransaction t, string slugId) =>
        c.ExecuteScalar<string?>("SELECT process_types FROM slugs WHERE id = @slugId", new { slugId }, t) is { } json ? SlugService.ParseProcessTypes(json) : null;

    /// <summary>Where the slug's tarball stands (see <see cref="SlugReadiness"/>).</summary>
    public (string BlobState, string? Checksum) Blob(IDbConnection c, IDbTransaction t, string slugId) =>
        c.QuerySingle<(string BlobState, string? Checksum)>("SELECT blob_state, checksum FROM slugs WHERE id = @slugId", new { slugId }, t);

    /// <summary>The slug's checksum (null without a tarball) and process types, or null when there is no such slug.</summary>
    public (string? Checksum, IReadOnlyDictionary<string, string> Types)? Contents(string slugId)
    {
        var row = database.Read(c => c.QuerySingleOrDefault<(string? Checksum, string? Types)>(
            "SELECT checksum, process_types FROM slugs WHERE id = @slugId", new { slugId }));
        return row.Types is null ? null : (row.Checksum, SlugService.ParseProcessTypes(row.Types));
    }

    /// <summary>What an upload needs to know about a slug, found by id alone (the upload URL is the credential).</summary>
    public (string? Checksum, string BlobState, string? BlobTokenHash)? Upload(string slugId)
    {
        var row = database.Read(c => c.QuerySingleOrDefault<UploadRow>(
            "SELECT checksum, blob_state, blob_token_hash FROM slugs WHERE id = @slugId", new { slugId }));
        return row is null ? null : (row.Checksum, row.BlobState, row.BlobTokenHash);
    }

    /// <summary>Marks an awaited tarball stored.</summary>
    /// <returns>False when the slug was not awaiting one (another upload came first).</returns>
    public bool MarkStored(string slugId, StoredSlug stored) =>
        database.Write((c, t) => c.Execute("""
            UPDATE slugs SET checksum = @Checksum, size = @Size, blob_state = @stored, updated_at = @now
            WHERE id = @slugId AND blob_state = @awaiting
            """, new { stored.Checksum, stored.Size, stored = SlugReadiness.Stored, awaiting = SlugReadiness.Awaiting, slugId, now = Timestamp.Now() }, t)) > 0;

    /// <summary>The checksums of the tarballs the app's slugs hold.</summary>
    public IReadOnlyList<string> ChecksumsOf(string appId) =>
        database.Read(c => c.Query<string>("SELECT DISTINCT checksum FROM slugs WHERE app_id = @appId AND checksum IS NOT NULL", new { appId }).AsList());

    /// <summary>Runs <paramref name="action"/> (deleting the tarball) when no slug holds the checksum, in the write lock: a
    /// slug record another app makes with this checksum meanwhile comes before or after, not during.</summary>
    public void IfUnreferenced(string checksum, Action action) =>
        database.Write((c, t) =>
        {
            if (c.ExecuteScalar<long>("SELECT COUNT(*) FROM slugs WHERE checksum = @checksum", new { checksum }, t) == 0) action();
        });

    private sealed record UploadRow
    {
        public string? Checksum { get; init; }
        public string BlobState { get; init; } = "";
        public string? BlobTokenHash { get; init; }
    }

    private sealed record SlugRow
    {
        public string Id { get; init; } = "";
        public string AppId { get; init; } = "";
        public string ProcessTypes { get; init; } = "{}";
        public string? CommitSha { get; init; }
        public string? CommitDescription { get; init; }
        public string? BuildpackProvidedDescription { get; init; }
        public string Stack { get; init; } = "";
        public string? Checksum { get; init; }
        public long? Size { get; init; }
        public DateTimeOffset CreatedAt { get; init; }
        public DateTimeOffset UpdatedAt { get; init; }

        public Slug ToSlug() => new()
        {
            Id = Id, AppId = AppId, ProcessTypes = SlugService.ParseProcessTypes(ProcessTypes), Commit = CommitSha, CommitDescription = CommitDescription,
            BuildpackProvidedDescription = BuildpackProvidedDescription, Stack = Stack, Checksum = Checksum, Size = Size,
            CreatedAt = CreatedAt, UpdatedAt = UpdatedAt,
        };
    }
}
