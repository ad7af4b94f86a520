namespace Nuvem.Platform.Webhooks;

/// <summary>
/// When a delivery is tried again: <c>notify</c> webhooks get one attempt (as Heroku); <c>sync</c> ones up to
/// <see cref="MaxAttempts"/>, each wait four times the one before (base, 4×base, 16×base…). A 2xx response succeeds.
/// </summary>
public sealed record RetrySchedule(TimeSpan BaseDelay, int MaxAttempts = 3)
{
    public static readonly RetrySchedule Default = new(TimeSpan.FromSeconds(1));

    public int AttemptsFor(string level) => level == "sync" ? MaxAttempts : 1;

    /// <returns>The wait before the next attempt after <paramref name="attemptsMade"/> failed ones, or null when done.</returns>
    public TimeSpan? NextDelay(string level, int attemptsMade) =>
        attemptsMade >= AttemptsFor(level) ? null : BaseDelay * Math.Pow(4, attemptsMade - 1);
}
