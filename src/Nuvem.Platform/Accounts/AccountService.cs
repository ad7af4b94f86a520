using System.Net.Mail;
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

    private readonly UserStore _users = new(database);
    private readonly AuthorizationStore _authorizations = new(database);

    public bool Any() => _users.Any();

    public Account Create(string email, string password, bool isAdmin = false)
    {
        email = ValidateEmail(email);
        if (password is null || password.Length < MinimumPasswordLength)
            throw PlatformException.Invalid($"Password must be at least {MinimumPasswordLength} characters long.");

        var now = Timestamp.Parse(Timestamp.Now());
        var account = new Account { Id = Guid.NewGuid().ToString(), Email = email, IsAdmin = isAdmin, CreatedAt = now, UpdatedAt = now };
        if (!_users.TryInsert(account, Hasher.HashPassword(account, password)))
            throw new PlatformException(ErrorKind.Conflict, "conflict", $"An account with email {email} already exists.");
        return account;
    }

    public IReadOnlyList<Account> List() => _users.List();

    public Account Get(string id) => _users.Get(id) ?? throw PlatformException.NotFound("account");

    /// <summary>The account whose email and password match, or null. Always hashes, so timing does not reveal emails.</summary>
    public Account? VerifyPassword(string email, string password)
    {
        var row = _users.PasswordOf((email ?? "").Trim());
        var probe = new Account { Id = row?.Id ?? "", Email = email ?? "" };
        var result = Hasher.VerifyHashedPassword(probe, row?.PasswordHash ?? DummyHash, password ?? "");
        if (row is null || result == PasswordVerificationResult.Failed) return null;
        if (result == PasswordVerificationResult.SuccessRehashNeeded) _users.SetPasswordHash(row.Value.Id, Hasher.HashPassword(probe, password!), touch: false);
        return Get(row.Value.Id);
    }

    private static readonly string DummyHash = Hasher.HashPassword(new Account { Id = "", Email = "" }, "not-a-password");

    /// <summary>Changes a password after checking the current one; existing tokens stay valid.</summary>
    public void ChangePassword(Account account, string currentPassword, string newPassword)
    {
        if (VerifyPassword(account.Email, currentPassword) is null) throw PlatformException.Invalid("The current password is not correct.");
        if (newPassword is null || newPassword.Length < MinimumPasswordLength)
            throw PlatformException.Invalid($"Password must be at least {MinimumPasswordLength} characters long.");
        _users.SetPasswordHash(account.Id, Hasher.HashPassword(account, newPassword), touch: true);
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
        _authorizations.Insert(authorization, TokenHasher.Hash(token));
        return new IssuedToken(authorization, token);
    }

    /// <summary>The caller a bearer token belongs to, or null for unknown and expired tokens.</summary>
    public Caller? Authenticate(string token)
    {
        if (string.IsNullOrEmpty(token)) return null;
        var caller = _authorizations.FindByTokenHash(TokenHasher.Hash(token), out var expiresAt);
        return caller is null || expiresAt <= clock.GetUtcNow() ? null : caller;
    }

    public IReadOnlyList<Authorization> ListAuthorizations(Account account) => _authorizations.List(account.Id);

    public Authorization GetAuthorization(Account account, string id) =>
        _authorizations.Get(account.Id, id) ?? throw PlatformException.NotFound("authorization");

    public Authorization RevokeAuthorization(Account account, string id)
    {
        var authorization = GetAuthorization(account, id);
        _authorizations.Delete(id);
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
