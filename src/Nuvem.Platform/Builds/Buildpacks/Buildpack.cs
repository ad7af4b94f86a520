namespace Nuvem.Platform.Builds.Buildpacks;

/// <summary>
/// A buildpack with Heroku's classic API, ready in a build dyno: a directory with <c>bin/detect</c>, <c>bin/compile</c>
/// and (optionally) <c>bin/release</c>. <see cref="Url"/> is how users name it (a built-in name, a path, a git URL);
/// <see cref="Directory"/> is where the build dyno's steps find it.
/// </summary>
public sealed record Buildpack(string Url, string Name, string Directory, bool HasDetect = true, bool HasRelease = true)
{
    public string Detect => Directory + "/bin/detect";
    public string Compile => Directory + "/bin/compile";
    public string Release => Directory + "/bin/release";
}
