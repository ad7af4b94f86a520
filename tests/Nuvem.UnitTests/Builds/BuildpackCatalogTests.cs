using Nuvem.Platform.Builds;
using Nuvem.Platform.Builds.Buildpacks;

namespace Nuvem.UnitTests.Builds;

/// <summary>How the names users give buildpacks are understood, on the platform side, before any build dyno starts.</summary>
public sealed class BuildpackCatalogTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("nuvem-catalog-").FullName;
    private readonly string _allowed;
    private readonly BuildpackCatalog _catalog;

    public BuildpackCatalogTests()
    {
        var shipped = Path.Combine(_root, "shipped");
        foreach (var name in BuildpackCatalog.DetectionOrder) WriteBuildpack(Path.Combine(shipped, name));
        _allowed = Path.Combine(_root, "allowed");
        WriteBuildpack(Path.Combine(_allowed, "mine"));
        Directory.CreateDirectory(Path.Combine(_allowed, "empty"));
        _catalog = new BuildpackCatalog(shipped, Path.Combine(_root, "data"), [_allowed]);
    }

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private static void WriteBuildpack(string directory)
    {
        Directory.CreateDirectory(Path.Combine(directory, "bin"));
        File.WriteAllText(Path.Combine(directory, "bin", "compile"), "#!/bin/sh\n");
    }

    [Theory]
    [InlineData("nodejs", "nodejs")]
    [InlineData("heroku/python", "python")]
    [InlineData("nuvem/dotnet", "dotnet")]
    [InlineData(" procfile ", "procfile")]
    public void Built_in_names_and_their_heroku_and_nuvem_shorthands_choose_the_installed_built_in(string url, string name)
    {
        var choice = _catalog.Choose(url);
        Assert.True(choice.BuiltIn);
        Assert.Equal(name, choice.Name);
        Assert.Equal(Path.Combine(_catalog.BuiltInDirectory, name), choice.HostDirectory);
        Assert.True(File.Exists(Path.Combine(choice.HostDirectory!, "bin", "compile")));
    }

    [Fact]
    public void Built_ins_are_offered_in_detection_order_with_the_Procfile_last()
    {
        Assert.Equal(["nodejs", "python", "dotnet", "procfile"], _catalog.BuiltIns.Select(b => b.Name));
        Assert.All(_catalog.BuiltIns, b => Assert.StartsWith("nuvem/", b.Url));
    }

    [Fact]
    public void A_directory_on_the_admins_allow_list_is_a_buildpack_as_a_path_or_a_file_url()
    {
        var mine = Path.Combine(_allowed, "mine");
        foreach (var url in new[] { mine, "file://" + mine, mine + "/" })
        {
            var choice = _catalog.Choose(url);
            Assert.False(choice.BuiltIn);
            Assert.Equal("mine", choice.Name);
            Assert.Equal(mine, choice.HostDirectory);
        }
    }

    [Fact]
    public void Directories_outside_the_allow_list_missing_or_without_bin_compile_are_refused()
    {
        Assert.Contains("is not allowed on this platform", Assert.Throws<BuildFailedException>(() => _catalog.Choose("/etc")).Message);
        Assert.Contains("is not allowed", Assert.Throws<BuildFailedException>(() => _catalog.Choose(_allowed + "/../elsewhere")).Message);
        Assert.Contains("does not exist", Assert.Throws<BuildFailedException>(() => _catalog.Choose(Path.Combine(_allowed, "gone"))).Message);
        Assert.Contains("has no bin/compile", Assert.Throws<BuildFailedException>(() => _catalog.Choose(Path.Combine(_allowed, "empty"))).Message);
    }

    [Fact]
    public void A_git_url_is_fetched_later_in_the_build_dyno_with_its_ref()
    {
        var choice = _catalog.Choose("https://github.com/heroku/heroku-buildpack-ruby.git#v250");
        Assert.Null(choice.HostDirectory);
        Assert.Equal("https://github.com/heroku/heroku-buildpack-ruby.git", choice.GitUrl);
        Assert.Equal("v250", choice.GitRef);
        Assert.Equal("heroku-buildpack-ruby", choice.Name);
        Assert.Null(_catalog.Choose("git://example.com/bp").GitRef);
    }

    [Theory]
    [InlineData("ftp://example.com/bp.git", "not ftp")]
    [InlineData("https://example.com/bp.git#--upload-pack=evil", "is not a branch or tag name")]
    [InlineData("rubyy", "Unknown buildpack 'rubyy'")]
    public void Other_schemes_option_like_refs_and_unknown_names_are_refused(string url, string reason) =>
        Assert.Contains(reason, Assert.Throws<BuildFailedException>(() => _catalog.Choose(url)).Message);
}
