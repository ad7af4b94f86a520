using Nuvem.Platform.Builds;

namespace Nuvem.UnitTests.Builds;

public sealed class ProcessTypesTests
{
    [Fact]
    public void Reads_default_process_types_from_bin_release_yaml()
    {
        const string yaml = """
            ---
            addons: []
            config_vars:
              NODE_ENV: production
            default_process_types:
              web: npm start
              worker: node worker.js
            """;
        Assert.Equal(new Dictionary<string, string> { ["web"] = "npm start", ["worker"] = "node worker.js" },
            ProcessTypes.DefaultsFromRelease(yaml, "nodejs"));
    }

    [Theory]
    [InlineData("")]
    [InlineData("   \n")]
    [InlineData("--- {}\n")]
    [InlineData("just a line of text")]
    [InlineData("default_process_types: web")]
    public void Yaml_without_a_default_process_types_mapping_gives_none(string yaml) =>
        Assert.Empty(ProcessTypes.DefaultsFromRelease(yaml, "custom"));

    [Fact]
    public void Invalid_yaml_fails_the_build_naming_the_buildpack()
    {
        var e = Assert.Throws<BuildFailedException>(() => ProcessTypes.DefaultsFromRelease("default_process_types: {web: [", "mine"));
        Assert.StartsWith("bin/release of mine printed invalid YAML: ", e.Message);
    }

    [Fact]
    public void The_Procfile_wins_over_the_buildpack_defaults_type_by_type()
    {
        var (types, declared) = ProcessTypes.Merge(new Dictionary<string, string> { ["web"] = "npm start", ["worker"] = "node w.js" },
            "web: node server.js\nclock: node clock.js\n");

        Assert.Equal(new Dictionary<string, string> { ["web"] = "node server.js", ["worker"] = "node w.js", ["clock"] = "node clock.js" }, types);
        Assert.Equal(["web", "clock"], declared!.Keys);
    }

    [Fact]
    public void Without_a_Procfile_the_defaults_stand_and_nothing_is_declared()
    {
        var (types, declared) = ProcessTypes.Merge(new Dictionary<string, string> { ["web"] = "npm start" }, null);
        Assert.Equal("npm start", types["web"]);
        Assert.Null(declared);
    }

    [Fact]
    public void A_malformed_Procfile_fails_the_build_with_its_line()
    {
        var e = Assert.Throws<BuildFailedException>(() => ProcessTypes.Merge(new Dictionary<string, string>(), "web: ok\n???"));
        Assert.StartsWith("Procfile line 2: ", e.Message);
    }
}
