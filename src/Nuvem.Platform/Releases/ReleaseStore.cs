namespace Nuvem.Platform.Releases;

/// <summary>The <c>releases</c> table's owner: every statement about releases is written here, and nowhere else.</summary>
public sealed class ReleaseStore
{
    /// <summary>
    /// The rule, written once: an app's current release is its newest release whose release phase succeeded (or that had
    /// none). A pending or failed release never runs. <paramref name="appId"/> is the SQL expression naming the app
    /// (<c>@appId</c>, or a column such as <c>a.id</c> in a join).
    /// </summary>
    public static string CurrentVersionOf(string appId) =>
        $"(SELECT MAX(version) FROM releases WHERE app_id = {appId} AND status = 'succeeded')";
}
