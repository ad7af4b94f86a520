using Dapper;
using Nuvem.Platform.State;

namespace Nuvem.Platform.Accounts;

/// <summary>The <c>authorizations</c> table's owner: API tokens, kept as hashes.</summary>
public sealed class AuthorizationStore(Database database)
{
    private const string Columns = "id, user_id, description, scope, expires_at, created_at, updated_at";

    public void Insert(Authorization authorization, string tokenHash) =>
        database.Write((c, t) => c.Execute(
            "INSERT INTO authorizations (id, user_id, token_hash, description, scope, expires_at, created_at, updated_at) " +
            "VALUES (@Id, @UserId, @tokenHash, @Description, @Scope, @ExpiresAt, @CreatedAt, @UpdatedAt)",
            new { authorization.Id, authorization.UserId, tokenHash, authorization.Description, authorization.Scope, authorization.ExpiresAt, authorization.CreatedAt, authorization.UpdatedAt }, t));

    /// <summary>The token's authorization and its account, whether expired or not. Runs on every request, so it is one
    /// indexed lookup.</summary>
    public Caller? FindByTokenHash(string hash, out DateTimeOffset? expiresAt)
    {
        var row = database.Read(c => c.QuerySingleOrDefault<CallerRow>("""
            SELECT a.id, a.user_id, a.description, a.scope, a.expires_at, a.created_at, a.updated_at,
                   u.email, u.is_admin, u.created_at AS user_created_at, u.updated_at AS user_updated_at
            FROM authorizations a JOIN users u ON u.id = a.user_id
            WHERE a.token_hash = @hash
            """, new { hash }));
        expiresAt = row?.ExpiresAt;
        if (row is null) return null;
        var account = new Account { Id = row.UserId, Email = row.Email, IsAdmin = row.IsAdmin, CreatedAt = row.UserCreatedAt, UpdatedAt = row.UserUpdatedAt };
        var authorization = new Authorization
        {
            Id = row.Id, UserId = row.UserId, Description = row.Description, Scope = row.Scope, ExpiresAt = row.ExpiresAt,
            CreatedAt = row.CreatedAt, UpdatedAt = row.UpdatedAt,
        };
        return new Caller(account, authorization);
    }

    public IReadOnlyList<Authorization> List(string userId) =>
        database.Read(c => c.Query<Authorization>(
            $"SELECT {Columns} FROM authorizations WHERE user_id = @userId ORDER BY created_at", new { userId }).AsList());

    public Authorization? Get(string userId, string id) =>
        database.Read(c => c.QuerySingleOrDefault<Authorization>(
            $"SELECT {Columns} FROM authorizations WHERE user_id = @userId AND id = @id", new { userId, id }));

    public void Delete(string id) =>
        database.Write((c, t) => c.Execute("DELETE FROM authorizations WHERE id = @id", new { id }, t));

    private sealed record CallerRow
    {
        public string Id { get; init; } = "";
        public string UserId { get; init; } = "";
        public string Description { get; init; } = "";
        public string Scope { get; init; } = "";
        public DateTimeOffset? ExpiresAt { get; init; }
        public DateTimeOffset CreatedAt { get; init; }
        public DateTimeOffset UpdatedAt { get; init; }
        public string Email { get; init; } = "";
        public bool IsAdmin { get; init; }
        public DateTimeOffset UserCreatedAt { get; init; }
        public DateTimeOffset UserUpdatedAt { get; init; }
    }
}
