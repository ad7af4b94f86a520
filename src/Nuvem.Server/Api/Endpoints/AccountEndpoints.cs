using Nuvem.Platform;
using Nuvem.Platform.Accounts;
using Nuvem.Server.Api.Auth;
using Nuvem.Server.Api.Conventions;
using Nuvem.Server.Api.Representations;

namespace Nuvem.Server.Api.Endpoints;

/// <summary>The caller's account, tokens (OAuth authorizations) and, for admins, other accounts.</summary>
public static class AccountEndpoints
{
    public static void MapAccounts(this IEndpointRouteBuilder api)
    {
        api.MapGet("/account", (HttpContext http, Representation json) => Results.Json(json.Account(http.Caller().Account)))
            .RequireAuthorization();
        // Password change: {"password": "<current>", "new_password": "<new>"}.
        api.MapPatch("/account", async (HttpContext http, AccountService accounts, Representation json) =>
        {
            var account = http.Caller().Account;
            var body = await JsonBody.ReadAsync(http.Request);
            if (body.Has("new_password")) accounts.ChangePassword(account, body.RequiredString("password"), body.RequiredString("new_password"));
            return Results.Json(json.Account(accounts.Get(account.Id)));
        }).RequireAuthorization();

        // Logging in: HTTP Basic with email and password (what `heroku login -i` sends), or an existing token.
        api.MapPost("/oauth/authorizations", async (HttpContext http, AccountService accounts, Representation json) =>
        {
            var account = AccountFromPasswordOrToken(http, accounts);
            var body = await JsonBody.ReadAsync(http.Request);
            var description = body.OptionalString("description") ?? "";
            var expiresIn = body.OptionalInteger("expires_in");
            if (expiresIn is <= 0) throw PlatformException.Invalid("expires_in must be a positive number of seconds.");
            var issued = accounts.IssueToken(account, description, expiresIn is null ? null : TimeSpan.FromSeconds(expiresIn.Value));
            return Results.Json(json.Authorization(issued.Authorization, account, issued.Token), statusCode: StatusCodes.Status201Created);
        }).AllowAnonymous();

        var oauth = api.MapGroup("/oauth").RequireAuthorization();
        oauth.MapGet("/authorizations", (HttpContext http, AccountService accounts, Representation json) =>
        {
            var account = http.Caller().Account;
            return Pagination.Page(http, accounts.ListAuthorizations(account),
                new RangeFields<Authorization>("id", a => a.Id), a => json.Authorization(a, account));
        });
        oauth.MapGet("/authorizations/{id}", (HttpContext http, string id, AccountService accounts, Representation json) =>
        {
            var caller = http.Caller();
            return Results.Json(json.Authorization(accounts.GetAuthorization(caller.Account, id == "~" ? caller.Authorization.Id : id), caller.Account));
        });
        oauth.MapDelete("/authorizations/{id}", (HttpContext http, string id, AccountService accounts, Representation json) =>
        {
            var caller = http.Caller();
            return Results.Json(json.Authorization(accounts.RevokeAuthorization(caller.Account, id == "~" ? caller.Authorization.Id : id), caller.Account));
        });
        // `heroku logout` / `nuvem logout`: end the session, i.e. revoke the token this request used.
        oauth.MapDelete("/sessions/~", (HttpContext http, AccountService accounts) =>
        {
            var caller = http.Caller();
            accounts.RevokeAuthorization(caller.Account, caller.Authorization.Id);
            return Results.Json(new { });
        });

        var users = api.MapGroup("/users").RequireAuthorization(TokenAuthenticationHandler.AdminPolicy);
        users.MapGet("", (HttpContext http, AccountService accounts, Representation json) =>
            Pagination.Page(http, accounts.List(), new RangeFields<Account>("email", a => a.Email).And("id", a => a.Id), json.Account));
        users.MapPost("", async (HttpContext http, AccountService accounts, Representation json) =>
        {
            var body = await JsonBody.ReadAsync(http.Request);
            var account = accounts.Create(body.RequiredString("email"), body.RequiredString("password"), body.OptionalBool("admin") ?? false);
            return Results.Json(json.Account(account), statusCode: StatusCodes.Status201Created);
        });
    }

    private static Account AccountFromPasswordOrToken(HttpContext http, AccountService accounts)
    {
        var header = http.Request.Headers.Authorization.ToString();
        if (TokenAuthenticationHandler.BasicCredentials(header) is { } basic)
        {
            // Basic may carry email:password (login) or anything:token (curl -n, git).
            var byPassword = basic.User.Contains('@') ? accounts.VerifyPassword(basic.User, basic.Password) : null;
            return byPassword ?? accounts.Authenticate(basic.Password)?.Account ?? throw PlatformException.Unauthorized();
        }
        var token = TokenAuthenticationHandler.TokenFrom(header);
        if (token is not null) return accounts.Authenticate(token)?.Account ?? throw PlatformException.Unauthorized();
        throw PlatformException.Unauthorized("Log in with HTTP Basic authentication (email and password) or an API token.");
    }
}
