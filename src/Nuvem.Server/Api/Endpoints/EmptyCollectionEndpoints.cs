using Nuvem.Platform;
using Nuvem.Platform.Apps;
using Nuvem.Server.Api.Auth;

namespace Nuvem.Server.Api.Endpoints;

/// <summary>
/// Heroku resources Nuvem does not have — collaborators, pipelines — answered as "none": an empty list, or for a
/// pipeline coupling the 404 Heroku gives an app outside any pipeline. The heroku CLI asks for them in commands that
/// matter (<c>apps:info</c>), so an honest "none" is better than a 404. They still check the app exists and is the caller's.
/// </summary>
public static class EmptyCollectionEndpoints
{
    public static void MapEmptyCollections(this IEndpointRouteBuilder api)
    {
        api.MapGet("/apps/{app}/collaborators", (HttpContext http, string app, AppService apps) =>
        {
            apps.Find(http.Caller().Account, app);
            return Results.Json(Array.Empty<object>());
        }).RequireAuthorization();

        // An app's pipeline coupling is one object on Heroku (the CLI reads `.pipeline.name` off whatever comes back),
        // and an app outside any pipeline answers 404: here, every app.
        api.MapGet("/apps/{app}/pipeline-couplings", (HttpContext http, string app, AppService apps) =>
        {
            var target = apps.Find(http.Caller().Account, app);
            throw PlatformException.NotFound("pipeline_coupling", $"{target.Name} is not in a pipeline (Nuvem has no pipelines).");
        }).RequireAuthorization();
    }
}
