namespace Nuvem.Platform.Builds.Buildpacks;

/// <summary>
/// A buildpack with Heroku's classic API: a directory with <c>bin/detect</c>, <c>bin/compile</c> and
/// (optionally) <c>bin/release</c>. <see cref="Url"/> is how users name it (a built-in name, a path, a git URL).
/// </summary>
public sealed record Buildpack(string Url, string Name, string Directory)
{
    public string Detect => Path.Combine(Directory, "bin", "detect");
    public string Compile => Path.Combine(Directory, "bin", "compile");
    public string Release => Path.Combine(Directory, "bin", "release");
}
