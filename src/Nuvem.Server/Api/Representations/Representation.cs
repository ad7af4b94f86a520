using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Nuvem.Platform;
using Nuvem.Platform.Accounts;
using Nuvem.Platform.Apps;
using Nuvem.Platform.Builds;
using Nuvem.Platform.Domains;
using Nuvem.Platform.Dynos;
using Nuvem.Platform.Formation;
using Nuvem.Platform.LogDrains;
using Nuvem.Platform.Releases;
using Nuvem.Platform.Slugs;

namespace Nuvem.Server.Api.Representations;

/// <summary>
/// How domain objects look on the wire: the field names and shapes of Heroku's Platform API v3 (serialised
/// snake_case), including the fields clients dereference even when we have nothing to put there (null, false, []).
/// </summary>
public sealed class Representation(PlatformSettings settings, Streams.SignedUrls urls)
{
    public static string Time(DateTimeOffset value) => value.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    public static string? Time(DateTimeOffset? value) => value is null ? null : Time(value.Value);

    /// <summary>A stable UUID for things that have a name but no row (the region, the stack).</summary>
    public static string StableId(string name)
    {
        var hash = MD5.HashData(Encoding.UTF8.GetBytes("nuvem:" + name));
        hash[6] = (byte)((hash[6] & 0x0f) | 0x30);
        hash[8] = (byte)((hash[8] & 0x3f) | 0x80);
        return new Guid(hash, bigEndian: true).ToString();
    }

    public object Account(Account account) => new
    {
        account.Id,
        account.Email,
        Name = (string?)null,
        AllowTracking = false,
        Beta = false,
        Verified = true,
        TwoFactorAuthentication = false,
        Admin = account.IsAdmin,
        CreatedAt = Time(account.CreatedAt),
        UpdatedAt = Time(account.UpdatedAt),
        LastLogin = (string?)null,
        DefaultOrganization = (object?)null,
        DefaultTeam = (object?)null,
        IdentityProvider = (object?)null,
        SmsNumber = (string?)null,
        SuspendedAt = (string?)null,
        DelinquentAt = (string?)null,
    };

    public object Authorization(Authorization authorization, Account account, string? token = null) => new
    {
        authorization.Id,
        authorization.Description,
        Scope = new[] { authorization.Scope },
        // The token itself exists only in the response that created it; afterwards only its hash is kept.
        AccessToken = new
        {
            Id = authorization.Id,
            Token = token,
            ExpiresIn = authorization.ExpiresAt is { } at ? (long?)Math.Max(0, (long)(at - DateTimeOffset.UtcNow).TotalSeconds) : null,
        },
        Client = (object?)null,
        Grant = (object?)null,
        RefreshToken = (object?)null,
        Session = (object?)null,
        User = new { account.Id, account.Email, FullName = (string?)null },
        CreatedAt = Time(authorization.CreatedAt),
        UpdatedAt = Time(authorization.UpdatedAt),
    };

    public object App(App app) => new
    {
        Acm = false,
        ArchivedAt = (string?)null,
        BuildpackProvidedDescription = (string?)null,
        BuildStack = new { Id = StableId("stack:" + app.Stack), Name = app.Stack },
        CreateStatus = "complete",
        CreatedAt = Time(app.CreatedAt),
        DatabaseSize = (long?)null,
        Generation = new { Id = StableId("generation:cedar"), Name = "cedar" },
        GitUrl = settings.GitUrl(app.Name),
        app.Id,
        InternalRouting = (bool?)null,
        Locked = false,
        app.Maintenance,
        app.Name,
        Organization = (object?)null,
        Team = (object?)null,
        Space = (object?)null,
        Owner = new { Id = app.OwnerId, Email = app.OwnerEmail },
        Region = new { Id = StableId("region:" + app.Region), Name = app.Region },
        ReleasedAt = Time(app.ReleasedAt),
        RepoSize = app.RepoSize,
        SlugSize = app.SlugSize,
        Stack = new { Id = StableId("stack:" + app.Stack), Name = app.Stack },
        UpdatedAt = Time(app.UpdatedAt),
        WebUrl = settings.WebUrl(app.Name),
    };

    public object Release(Release release) => new
    {
        release.AddonPlanNames,
        Artifacts = release.SlugId is null ? Array.Empty<object>() : [new { Type = "slug", Id = release.SlugId }],
        App = new { Id = release.AppId, Name = release.AppName },
        CreatedAt = Time(release.CreatedAt),
        release.Description,
        release.Id,
        UpdatedAt = Time(release.UpdatedAt),
        Slug = release.SlugId is null ? null : new { Id = release.SlugId },
        release.Status,
        User = new { Id = release.UserId, Email = release.UserEmail },
        release.Version,
        release.Current,
        OutputStreamUrl = release.OutputPath is null ? null : urls.Url(Streams.OutputStreamEndpoints.ReleasePath(release.Id)),
        release.EligibleForRollback,
    };

    public object Formation(ProcessFormation formation) => new
    {
        App = new { Id = formation.AppId, Name = formation.AppName },
        formation.Command,
        CreatedAt = Time(formation.CreatedAt),
        formation.Id,
        formation.Quantity,
        formation.Size,
        formation.Type,
        UpdatedAt = Time(formation.UpdatedAt),
    };

    /// <param name="uploadToken">Only when the slug was just created: its blob is where to PUT the tarball. The token is
    /// not kept, so later reads have no blob to show.</param>
    public object Slug(Slug slug, string? uploadToken = null) => new
    {
        Blob = uploadToken is null ? null : new { Method = "put", Url = $"https://{settings.ApiHost}:{settings.ApiPort}{SlugUploads.PathFor(slug.Id)}?token={uploadToken}" },
        BuildpackProvidedDescription = slug.BuildpackProvidedDescription,
        slug.Checksum,
        slug.Commit,
        slug.CommitDescription,
        CreatedAt = Time(slug.CreatedAt),
        slug.Id,
        ProcessTypes = slug.ProcessTypes,
        slug.Size,
        Stack = new { Id = StableId("stack:" + slug.Stack), Name = slug.Stack },
        UpdatedAt = Time(slug.UpdatedAt),
    };

    public object Build(Build build, App app) => new
    {
        App = new { app.Id, app.Name },
        Buildpacks = (build.Buildpacks ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries).Select(url => new { Url = url, Name = url }),
        CreatedAt = Time(build.CreatedAt),
        build.Id,
        OutputStreamUrl = urls.Url(Streams.OutputStreamEndpoints.BuildPath(build.Id)),
        Release = build.ReleaseId is null ? null : new { Id = build.ReleaseId },
        Slug = build.SlugId is null ? null : new { Id = build.SlugId },
        SourceBlob = new { Url = build.SourceUrl, Version = build.SourceVersion, Checksum = (string?)null, VersionDescription = (string?)null },
        Stack = app.Stack,
        build.Status,
        UpdatedAt = Time(build.UpdatedAt),
        User = new { Id = build.UserId, Email = build.UserEmail },
    };

    public object Dyno(Dyno dyno, App app, string? attachUrl = null) => new
    {
        // What `ps --extended` shows; ip and port are where the router reaches a web dyno.
        Extended = new { Region = app.Region, Ip = dyno.Address?.Host, Port = dyno.Address?.Port, Instance = Environment.MachineName },
        AttachUrl = attachUrl,
        dyno.Command,
        CreatedAt = Time(dyno.CreatedAt),
        dyno.Id,
        dyno.Name,
        Release = dyno.ReleaseId is null ? null : new { Id = dyno.ReleaseId, Version = dyno.ReleaseVersion },
        App = new { app.Id, app.Name },
        dyno.Size,
        dyno.State,
        dyno.Type,
        UpdatedAt = Time(dyno.UpdatedAt),
    };

    /// <summary>Heroku's domain: the default host is kind "heroku" (no cname); custom ones point their CNAME at it.
    /// There is no certificate management, so status is "none" (done) and the ACM and SNI fields are null.</summary>
    public object Domain(Domain domain) => new
    {
        AcmStatus = (string?)null,
        AcmStatusReason = (string?)null,
        App = new { Id = domain.AppId, Name = domain.AppName },
        domain.Cname,
        CreatedAt = Time(domain.CreatedAt),
        domain.Hostname,
        domain.Id,
        Kind = domain.KindName,
        SniEndpoint = (object?)null,
        Status = "none",
        UpdatedAt = Time(domain.UpdatedAt),
    };

    /// <summary>Heroku's log drain; <c>addon</c> is always null (drains here are added directly, never by an add-on).</summary>
    public object LogDrain(LogDrain drain, App app) => new
    {
        Addon = (object?)null,
        App = new { app.Id, app.Name },
        CreatedAt = Time(drain.CreatedAt),
        drain.Id,
        drain.Token,
        UpdatedAt = Time(drain.UpdatedAt),
        drain.Url,
    };
}
