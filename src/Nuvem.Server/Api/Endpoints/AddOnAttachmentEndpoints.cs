using Nuvem.Platform;
using Nuvem.Platform.AddOns;
using Nuvem.Platform.Apps;
using Nuvem.Platform.Operations;
using Nuvem.Server.Api.Auth;
using Nuvem.Server.Api.Conventions;
using Nuvem.Server.Api.Representations;

namespace Nuvem.Server.Api.Endpoints;

/// <summary>
/// Add-on attachments: <c>/addon-attachments</c>, <c>/apps/{app}/addon-attachments</c>,
/// <c>/addons/{addon}/addon-attachments</c> and <c>/actions/addon-attachments/resolve</c> (which the heroku CLI's
/// <c>pg:*</c> commands resolve a database with). Attaching takes owning both the add-on and the app.
/// </summary>
public static class AddOnAttachmentEndpoints
{
    public static void MapAddOnAttachments(this IEndpointRouteBuilder api)
    {
        var fields = new RangeFields<AddOnAttachment>("id", a => a.Id).And("name", a => a.Name);
        var group = api.MapGroup("/addon-attachments").RequireAuthorization();

        group.MapGet("", (HttpContext http, AddOnService addOns, AddOnRepresentation json) =>
            Pagination.Page(http, addOns.Attachments(http.Caller().Account), fields, json.Attachment));

        group.MapPost("", async (HttpContext http, AppService apps, AddOnService addOns, AttachAddOn attach, AddOnRepresentation json) =>
        {
            var caller = http.Caller().Account;
            var body = await JsonBody.ReadAsync(http.Request);
            var addOn = addOns.FindOwned(caller, body.OptionalReference("addon") ?? throw PlatformException.Invalid("addon is required."));
            var app = apps.Find(caller, body.OptionalReference("app") ?? throw PlatformException.Invalid("app is required."));
            var attachment = attach.Run(addOn, app, caller.Id, body.OptionalString("name"), body.OptionalString("namespace"), body.OptionalString("confirm"));
            return Results.Json(json.Attachment(attachment), statusCode: StatusCodes.Status201Created);
        });

        group.MapGet("/{attachment}", (HttpContext http, string attachment, AddOnService addOns, AddOnRepresentation json) =>
            Results.Json(json.Attachment(addOns.FindAttachment(http.Caller().Account, attachment))));

        group.MapDelete("/{attachment}", (HttpContext http, string attachment, AppService apps, AddOnService addOns, DetachAddOn detach,
            AddOnRepresentation json) =>
        {
            var caller = http.Caller().Account;
            var found = addOns.FindAttachment(caller, attachment);
            apps.Find(caller, found.AppId); // detaching changes the app's config: it must be the caller's
            detach.Run(found, caller.Id);
            return Results.Json(json.Attachment(found));
        });

        api.MapGet("/apps/{app}/addon-attachments", (HttpContext http, string app, AppService apps, AddOnService addOns, AddOnRepresentation json) =>
            Pagination.Page(http, addOns.AttachmentsIn(apps.Find(http.Caller().Account, app)), fields, json.Attachment)).RequireAuthorization();

        api.MapGet("/apps/{app}/addon-attachments/{attachment}", (HttpContext http, string app, string attachment, AppService apps,
            AddOnService addOns, AddOnRepresentation json) =>
            Results.Json(json.Attachment(addOns.FindAttachmentIn(apps.Find(http.Caller().Account, app), attachment)))).RequireAuthorization();

        api.MapGet("/addons/{addon}/addon-attachments", (HttpContext http, string addon, AddOnService addOns, AddOnRepresentation json) =>
        {
            var caller = http.Caller().Account;
            var attachments = addOns.AttachmentsOf(addOns.Find(caller, addon))
                .Where(a => a.AppOwnerId == caller.Id || addOns.Get(a.AddOnId)?.OwnerId == caller.Id);
            return Pagination.Page(http, attachments, fields, json.Attachment);
        }).RequireAuthorization();

        api.MapPost("/actions/addon-attachments/resolve", async (HttpContext http, AppService apps, AddOnService addOns, AddOnRepresentation json) =>
        {
            var caller = http.Caller().Account;
            var body = await JsonBody.ReadAsync(http.Request);
            var found = addOns.ResolveAttachments(caller, body.RequiredString("addon_attachment"),
                name => AddOnEndpoints.AppNamed(apps, caller, name), body.OptionalString("app"), body.OptionalString("addon_service"));
            return Results.Json(found.Select(json.Attachment));
        }).RequireAuthorization();
    }
}
