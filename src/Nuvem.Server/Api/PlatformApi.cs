using Nuvem.Server.Api.Data;
using Nuvem.Server.Api.Endpoints;

namespace Nuvem.Server.Api;

/// <summary>The Platform API: Heroku's v3 resources, one endpoint file per platform concept.</summary>
public static class PlatformApi
{
    public static void MapPlatformApi(this IEndpointRouteBuilder api)
    {
        api.MapAccounts();
        api.MapApps();
        api.MapConfigVars();
        api.MapReleases();
        api.MapFormation();
        api.MapSlugs();
        api.MapDynos();
        api.MapBuilds();
        api.MapSources();
        api.MapBuildpackInstallations();
        api.MapBuildpackRegistry();
        api.MapLogSessions();
        api.MapDomains();
        api.MapLogDrains();
        api.MapAddOns();
        api.MapAddOnAttachments();
        api.MapScheduledJobs();
        api.MapDataDatabases();
        api.MapRedisData();
        api.MapEmptyCollections();
        api.MapDataBackups();
        api.MapWebhooks();
    }
}
