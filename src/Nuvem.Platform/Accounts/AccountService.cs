using System.Net.Mail;
using Dapper;
using Microsoft.AspNetCore.Identity;
using Nuvem.Platform.State;

namespace Nuvem.Platform.Accounts;

/// <summary>Accounts, passwords and API tokens.</summary>
public sealed class AccountService(Database database, TimeProvider clock)
{
    public const int MinimumPasswordLength = 8;
    public const int MinimumTokenLength = 16;

    // Identity's hasher: PBKDF2 with a per-password salt and a versioned format, so parameters can be raised later.
    private static readonly PasswordHasher<Account> Hasher = new();

    private const string AccountColumns = "id, email, is_admin, created_at, updated_at";
    private const string AuthorizationColumns = "id, user_id, description, scope, expires_at, created_at, updated_at";

    public bool Any() => database.Read(c => c.ExecuteScalar<long>("SELECT COUNT(*) FROM users") > 0);

    public Account Create(string email, string password, bool isAdmin = false)
    {
        email = ValidateEmail(email);
        if (password is null || password.Length < MinimumPasswordLength)
            throw PlatformException.Invalid($"Password must be at least {MinimumPasswordLength} characters long.");

        var now = Timestamp.Now();
        var account = new Account { Id = Guid.NewGuid().ToString(), Email = email, IsAdmin = isAdmin, CreatedAt = Timestamp.Parse(now), UpdatedAt = Timestamp.Parse(now) };
        var hash = Hasher.HashPassword(account, password);
        database.Write((c, t) =>
        {
            if (c.ExecuteScalar<long>("SELECT COUNT(*) FROM users WHERE email = @email", new { email }, t) > 0)
                throw new PlatformException(ErrorKind.Conflict, "conflict", $"An account with email {email} already exists.");
            c.Execute("INSERT INTO users (id, email, password_hash, is_admin, created_at, updated_at) VALUES (@Id, @Email, @hash, @IsAdmin, @now, @now)",
                new { account.Id, account.Email, hash, account.IsAdmin, now }, t);
        });
        return account;
    }

    public IReadOnlyList<Account> List() =>
        database.Read(c => c.Query<Account>($"SELECT {AccountColumns} FROM users ORDER BY created_at, email").AsList());

    public Account Get(string id) =>
        database.Read(c => c.QuerySingleOrDefault<Account>($"SELECT {AccountColumns} FROM users WHERE id = @id", new { id }))
        ?? throw PlatformException.NotFound("account");

    /// <summary>The account whose email and password match, or null. Always hashes, so timing does not reveal emails.</summary>
    public Account? VerifyPassword(string email, string password)
    {
        var row = database.Read(c => c.QuerySingleOrDefault<StoredPassword>(
            "SELECT id, password_hash FROM users WHERE email = @email", new { email = (email ?? "").Trim() }));
        var probe = new Account { Id = row?.Id ?? "", Email = email ?? "" };
        var result = Hasher.VerifyHashedPassword(probe, row?.PasswordHash ?? DummyHash, password ?? "");
        if (row is null || result == PasswordVerificationResult.Failed) return null;
        if (result == PasswordVerificationResult.SuccessRehashNeeded)
        {
            var hash = Hasher.HashPassword(probe, password!);
            database.Write((c, t) => c.Execute("UPDATE users SET password_hash = @hash WHERE id = @id", new { hash, id = row.Id }, t));
        }
        return Get(row.Id);
    }

    private sealed record StoredPassword
    {
        public string Id { get; init; } = "";
        public string PasswordHash { get; init; } = "";
    }

    private static readonly string DummyHash = Hasher.HashPassword(new Account { Id = "", Email = "" }, "not-a-password");

    /// <summary>Changes a password after checking the current one; existing tokens stay valid.</summary>
    public void ChangePassword(Account account, string currentPassword, string newPassword)
    {
        if (VerifyPassword(account.Email, currentPassword) is null) throw PlatformException.Invalid("The current password is not correct.");
        if (newPassword is null || newPassword.Length < MinimumPasswordLength)
            throw PlatformException.Invalid($"Password must be at least {MinimumPasswordLength} characters long.");
        var hash = Hasher.HashPassword(account, newPassword);
        database.Write((c, t) => c.Execute("UPDATE users SET password_hash = @hash, updated_at = @now WHERE id = @Id",
            new { hash, now = Timestamp.Now(), account.Id }, t));
    }

    /// <param name="token">A caller-chosen token (the operator's NUVEM_ADMIN_TOKEN); null makes a random one.</param>
    public IssuedToken IssueToken(Account account, string description, TimeSpan? expiresIn = null, string? token = null)
    {
        if (expiresIn is { } e && e <= TimeSpan.Zero) throw PlatformException.Invalid("expires_in must be a positive number of seconds.");
        if (token is not null && token.Length < MinimumTokenLength)
            throw PlatformException.Invalid($"A token must be at least {MinimumTokenLength} characters long.");
        token ??= TokenHasher.NewToken();
        var now = clock.GetUtcNow();
        var authorization = new Authorization
        {
            Id = Guid.NewGuid().ToString(),
            UserId = account.Id,
            Description = description,
            ExpiresAt = expiresIn is null ? null : now + expiresIn.Value,
            CreatedAt = now,
            UpdatedAt = now,
        };
        database.Write((c, t) => c.Execute(
            "INSERT INTO authorizations (id, user_id, token_hash, description, scope, expires_at, created_at, updated_at) " +
            "VALUES (@Id, @UserId, @hash, @Description, @Scope, @ExpiresAt, @CreatedAt, @UpdatedAt)",
            new { authorization.Id, authorization.UserId, hash = TokenHasher.Hash(token), authorization.Description, authorization.Scope, authorization.ExpiresAt, authorization.CreatedAt, authorization.UpdatedAt }, t));
        return new IssuedToken(authorization, token);
    }

    /// <summary>The caller a bearer token belongs to, or null for unknown and expired tokens. Runs on every request,
    /// so it is one indexed lookup.</summary>
    public Caller? Authenticate(string token)
    {
        if (string.IsNullOrEmpty(token)) return null;
        var hash = TokenHasher.Hash(token);
        var row = database.Read(c => c.QuerySingleOrDefault<CallerRow>("""
            SELECT a.id, a.user_id, a.description, a.scope, a.expires_at, a.created_at, a.updated_at,
                   u.email, u.is_admin, u.created_at AS user_created_at, u.updated_at AS user_updated_at
            FROM authorizations a JOIN users u ON u.id = a.user_id
            WHERE a.token_hash = @hash
            """, new { hash }));
        if (row is null || row.ExpiresAt <= clock.GetUtcNow()) return null;
        var account = new Account { Id = row.UserId, Email = row.Email, IsAdmin = row.IsAdmin, CreatedAt = row.UserCreatedAt, UpdatedAt = row.UserUpdatedAt };
        var authorization = new Authorization
        {
            Id = row.Id, UserId = row.UserId, Description = row.Description, Scope = row.Scope, ExpiresAt = row.ExpiresAt,
            CreatedAt = row.CreatedAt, UpdatedAt = row.UpdatedAt,
        };
        return new Caller(account, authorization);
    }

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

    public IReadOnlyList<Authorization> ListAuthorizations(Account account) =>
        database.Read(c => c.Query<Authorization>(
            $"SELECT {AuthorizationColumns} FROM authorizations WHERE user_id = @Id ORDER BY created_at", new { account.Id }).AsList());

    public Authorization GetAuthorization(Account account, string id) =>
        database.Read(c => c.QuerySingleOrDefault<Authorization>(
            $"SELECT {AuthorizationColumns} FROM authorizations WHERE user_id = @userId AND id = @id", new { userId = account.Id, id }))
        ?? throw PlatformException.NotFound("authorization");

    public Authorization RevokeAuthorization(Account account, string id)
    {
        var authorization = GetAuthorization(account, id);
        database.Write((c, t) => c.Execute("DELETE FROM authorizations WHERE id = @id", new { id }, t));
        return authorization;
    }

    private static string ValidateEmail(string email)
    {
        email = (email ?? "").Trim();
        if (email.Length is 0 or > 254 || !MailAddress.TryCreate(email, out var parsed) || parsed.Address != email)
            throw PlatformException.Invalid($"'{email}' is not a valid email address.");
        return email;
    }
}
