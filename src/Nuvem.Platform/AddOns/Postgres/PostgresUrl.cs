namespace Nuvem.Platform.AddOns.Postgres;

/// <summary>The add-on's <c>URL</c> config var, in Heroku's form: <c>postgres://ROLE:PASSWORD@HOST:PORT/DATABASE</c>.</summary>
public static class PostgresUrl
{
    /// <param name="host">What dynos reach the cluster at (an IPv4 address or a name).</param>
    public static string Build(string role, string password, string host, int port, string database) =>
        $"postgres://{Uri.EscapeDataString(role)}:{Uri.EscapeDataString(password)}@{host}:{port}/{Uri.EscapeDataString(database)}";
}
