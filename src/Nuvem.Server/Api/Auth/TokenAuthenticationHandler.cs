using System.Security.Claims;
using System.Text;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;
using Nuvem.Platform.Accounts;
using Nuvem.Server.Api.Conventions;

namespace Nuvem.Server.Api.Auth;

/// <summary>
/// API tokens: <c>Authorization: Bearer TOKEN</c>, or HTTP Basic with the token as password (any user name),
/// which is what curl's netrc and git's credential helpers send. Passwords are only accepted where a token
/// is created (<c>POST /oauth/authorizations</c>).
/// </summary>
public sealed class TokenAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory logger,
    UrlEncoder encoder,
    AccountService accounts)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "NuvemToken";
    public const string AdminPolicy = "admin";
    private const string CallerKey = "nuvem.caller";

    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var token = TokenFrom(Request.Headers.Authorization.ToString());
        if (token is null) return Task.FromResult(AuthenticateResult.NoResult());
        var caller = accounts.Authenticate(token);
        if (caller is null) return Task.FromResult(AuthenticateResult.Fail("Invalid or expired token."));

        Context.Items[CallerKey] = caller;
        var claims = new List<Claim> { new(ClaimTypes.NameIdentifier, caller.Account.Id), new(ClaimTypes.Email, caller.Account.Email) };
        if (caller.Account.IsAdmin) claims.Add(new Claim(ClaimTypes.Role, AdminPolicy));
        var principal = new ClaimsPrincipal(new ClaimsIdentity(claims, SchemeName));
        return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(principal, SchemeName)));
    }

    protected override Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        // git only sends credentials (from its credential helper or the user) after a Basic challenge.
        Response.Headers.WWWAuthenticate = "Basic realm=\"Nuvem\"";
        return ApiError.WriteAsync(Context, StatusCodes.Status401Unauthorized, "unauthorized",
            Request.Headers.Authorization.Count == 0 ? "Missing API token. Send Authorization: Bearer <token> (see `nuvem login`)." : "Invalid credentials provided.");
    }

    protected override Task HandleForbiddenAsync(AuthenticationProperties properties) =>
        ApiError.WriteAsync(Context, StatusCodes.Status403Forbidden, "forbidden", "This action needs an admin account.");

    internal static string? TokenFrom(string header)
    {
        if (header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase)) return header[7..].Trim();
        if (BasicCredentials(header) is { } basic) return basic.Password;
        return null;
    }

    internal static (string User, string Password)? BasicCredentials(string header)
    {
        if (!header.StartsWith("Basic ", StringComparison.OrdinalIgnoreCase)) return null;
        try
        {
            var decoded = Encoding.UTF8.GetString(Convert.FromBase64String(header[6..].Trim()));
            var colon = decoded.IndexOf(':');
            return colon < 0 ? null : (decoded[..colon], decoded[(colon + 1)..]);
        }
        catch (FormatException)
        {
            return null;
        }
    }

    /// <summary>The authenticated caller of this request (only valid behind RequireAuthorization).</summary>
    public static Caller CallerOf(HttpContext context) =>
        context.Items[CallerKey] as Caller ?? throw new InvalidOperationException("Endpoint is missing RequireAuthorization().");
}
