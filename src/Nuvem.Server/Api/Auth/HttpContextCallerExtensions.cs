using Nuvem.Platform.Accounts;

namespace Nuvem.Server.Api.Auth;

public static class HttpContextCallerExtensions
{
    public static Caller Caller(this HttpContext context) => TokenAuthenticationHandler.CallerOf(context);
}
