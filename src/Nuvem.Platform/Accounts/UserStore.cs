using Dapper;
using Nuvem.Platform.State;

namespace Nuvem.Platform.Accounts;

/// <summary>The <c>users</c> table's owner: accounts and their password hashes.</summary>
public sealed class UserStore(Database database)
{
    private const string Columns = "id, email, is_admin, created_at, updated_at";

    public bool Any() => database.Read(c => c.ExecuteScalar<long>("SELECT COUNT(*) FROM users") > 0);

    /// <summary>Adds the account unless its email is taken (checked in the same write lock).</summary>
    /// <returns>False when an account with this email exists.</returns>
    public bool TryInsert(Account account, string passwordHash) =>
        database.Write((c, t) =>
        {
            if (c.ExecuteScalar<long>("SELECT COUNT(*) FROM users WHERE email = @Email", new { account.Email }, t) > 0) return false;
            c.Execute("INSERT INTO users (id, email, password_hash, is_admin, created_at, updated_at) VALUES (@Id, @Email, @passwordHash, @IsAdmin, @CreatedAt, @UpdatedAt)",
                new { account.Id, account.Email, passwordHash, account.IsAdmin, account.CreatedAt, account.UpdatedAt }, t);
            return true;
        });

    public IReadOnlyList<Account> List() =>
        database.Read(c => c.Query<Account>($"SELECT {Columns} FROM users ORDER BY created_at, email").AsList());

    public Account? Get(string id) =>
        database.Read(c => c.QuerySingleOrDefault<Account>($"SELECT {Columns} FROM users WHERE id = @id", new { id }));

    /// <summary>The email of a user, or null (deleted since): for lines that say who did something.</summary>
    public string? EmailOf(string userId) =>
        database.Read(c => c.ExecuteScalar<string?>("SELECT email FROM users WHERE id = @userId", new { userId }));

    /// <returns>The id and password hash of the account with this email, or null.</returns>
    public (string Id, string PasswordHash)? PasswordOf(string email)
    {
        var row = database.Read(c => c.QuerySingleOrDefault<StoredPassword>(
            "SELECT id, password_hash FROM users WHERE email = @email", new { email }));
        return row is null ? null : (row.Id, row.PasswordHash);
    }

    /// <param name="touch">Also moves updated_at (a change the user made; a rehash on login is not one).</param>
    public void SetPasswordHash(string id, string hash, bool touch) =>
        database.Write((c, t) => c.Execute(touch
                ? "UPDATE users SET password_hash = @hash, updated_at = @now WHERE id = @id"
                : "UPDATE users SET password_hash = @hash WHERE id = @id",
            new { hash, now = Timestamp.Now(), id }, t));

    private sealed record StoredPassword
    {
        public string Id { get; init; } = "";
        public string PasswordHash { get; init; } = "";
    }
}
