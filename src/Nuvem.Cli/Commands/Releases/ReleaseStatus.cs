namespace Nuvem.Cli.Commands.Releases;

/// <summary>Colour for a release status: only the ones that need attention stand out.</summary>
public static class ReleaseStatus
{
    public static string? Style(string status) => status switch
    {
        "failed" => "red",
        "pending" => "yellow",
        "expired" => "dim",
        _ => null,
    };
}
