namespace Nuvem.Tests.Infrastructure;

/// <summary>One platform server shared by the API test classes of the "server" collection.</summary>
public sealed class ServerFixture : IAsyncLifetime
{
    public NuvemServer Server { get; private set; } = null!;

    public async Task InitializeAsync() => Server = await NuvemServer.StartNewAsync();

    public async Task DisposeAsync() => await Server.DisposeAsync();

    /// <summary>A fresh, uniquely named app for one test, so tests sharing the server never see each other's state.</summary>
    public async Task<string> NewAppAsync(ApiClient api, string prefix = "t")
    {
        var name = $"{prefix}-{Guid.NewGuid().ToString("N")[..10]}";
        var reply = await api.Post("/apps", new { name });
        if (reply.Status != System.Net.HttpStatusCode.Created) throw new InvalidOperationException(reply.Text);
        return name;
    }
}

[CollectionDefinition(Name)]
public sealed class ServerCollection : ICollectionFixture<ServerFixture>
{
    public const string Name = "server";
}
