using Microsoft.Extensions.Time.Testing;
using Nuvem.Platform;
using Nuvem.Platform.Accounts;

namespace Nuvem.UnitTests.Stores;

public sealed class AccountStoreTests : IDisposable
{
    private readonly TempPlatform _p = new();

    [Fact]
    public void Accounts_round_trip_and_emails_are_unique()
    {
        var users = new UserStore(_p.Database);
        Assert.True(users.Any());
        var made = _p.Accounts.Create("second@nuvem.test", "second-password", isAdmin: true);
        Assert.Equal(made, users.Get(made.Id));
        Assert.Equal("second@nuvem.test", users.EmailOf(made.Id));
        Assert.Equal(ErrorKind.Conflict, Assert.Throws<PlatformException>(() => _p.Accounts.Create("second@nuvem.test", "another-password")).Kind);
        Assert.Equal(2, users.List().Count);
        Assert.Equal(made.Id, _p.Accounts.VerifyPassword("second@nuvem.test", "second-password")!.Id);
        Assert.Null(_p.Accounts.VerifyPassword("second@nuvem.test", "wrong-password"));
    }

    [Fact]
    public void Tokens_authenticate_until_they_expire_or_are_revoked()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.Parse("2026-12-01T00:00:00Z"));
        var accounts = new AccountService(_p.Database, clock);
        var lasting = accounts.IssueToken(_p.Owner, "cli");
        var brief = accounts.IssueToken(_p.Owner, "brief", TimeSpan.FromMinutes(5));
        Assert.Equal(_p.Owner.Id, accounts.Authenticate(lasting.Token)!.Account.Id);
        Assert.NotNull(accounts.Authenticate(brief.Token));
        clock.Advance(TimeSpan.FromMinutes(6));
        Assert.Null(accounts.Authenticate(brief.Token));
        Assert.Equal(2, accounts.ListAuthorizations(_p.Owner).Count);
        accounts.RevokeAuthorization(_p.Owner, lasting.Authorization.Id);
        Assert.Null(accounts.Authenticate(lasting.Token));
        Assert.Null(accounts.Authenticate("not-a-token-at-all"));
    }

    public void Dispose() => _p.Dispose();
}
