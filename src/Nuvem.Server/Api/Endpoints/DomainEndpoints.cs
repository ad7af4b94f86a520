using Nuvem.Platform.Apps;
using Nuvem.Platform.Domains;
using Nuvem.Server.Api.Auth;
using Nuvem.Server.Api.Conventions;
using Nuvem.Server.Api.Representations;

namespace Nuvem.Server.Api.Endpoints;

/// <summary>
/// <c>/apps/{app}/domains</c>: the app's default host and custom domains, which the router answers for at once.
/// <c>/apps/{app}/sni-endpoints</c> is always empty (TLS for apps is not managed here); the heroku CLI asks for it
/// before adding a domain.
/// </summary>
public static class DomainEndpoints
{
    public static void MapDomains(this IEndpointRouteBuilder api)
    {
        var group = api.MapGroup("/apps/{app}/domains").RequireAuthorization();
        var fields = new RangeFields<Domain>("id", d => d.Id).And("hostname", d => d.Hostname);

        group.MapGet("", (HttpContext http, string app, AppService apps, DomainService domains, Representation json) =>
            Pagination.Page(http, domains.List(apps.Find(http.Caller().Account, app)), fields, json.Domain));

        group.MapPost("", async (HttpContext http, string app, AppService apps, DomainService domains, Representation json) =>
        {
            var target = apps.Find(http.Caller().Account, app);
            var body = await JsonBody.ReadAsync(http.Request);
            var domain = domains.Add(target, body.OptionalString("hostname"));
            return Results.Json(json.Domain(domain), statusCode: StatusCodes.Status201Created);
        });

        group.MapGet("/{domain}", (HttpContext http, string app, string domain, AppService apps, DomainService domains, Representation json) =>
            Results.Json(json.Domain(domains.Find(apps.Find(http.Caller().Account, app), domain))));

        group.MapDelete("/{domain}", (HttpContext http, string app, string domain, AppService apps, DomainService domains, Representation json) =>
            Results.Json(json.Domain(domains.Remove(apps.Find(http.Caller().Account, app), domain))));

        api.MapGet("/apps/{app}/sni-endpoints", (HttpContext http, string app, AppService apps) =>
        {
            apps.Find(http.Caller().Account, app);
            return Results.Json(Array.Empty<object>());
        }).RequireAuthorization();
    }
}
