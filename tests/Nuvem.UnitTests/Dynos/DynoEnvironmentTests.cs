using Nuvem.Platform.Dynos;
using Nuvem.Platform.Dynos.Runtime;
using Nuvem.Platform.Slugs;

namespace Nuvem.UnitTests.Dynos;

/// <summary>The environment every runtime gives a dyno, computed in one place.</summary>
public sealed class DynoEnvironmentTests
{
    private static DynoSpec Spec(string type, Dictionary<string, string>? config = null) => new("id", "a", "app-a", 10_000, $"{type}.1", type,
        "bundle exec puma", "r1", 1, new SlugReference("s1", "SHA256:" + new string('b', 64)), FakeDesiredState.Basic,
        config ?? new Dictionary<string, string> { ["DATABASE_URL"] = "postgres://db" });

    [Fact]
    public void A_web_dyno_in_a_container_gets_Herokus_variables_and_its_config()
    {
        var environment = DynoEnvironment.For(Spec("web"), "/app", 5000);

        Assert.Equal(new Dictionary<string, string>
        {
            ["DATABASE_URL"] = "postgres://db",
            ["HOME"] = "/app",
            ["PATH"] = "/app/bin:/usr/local/bin:/usr/bin:/bin",
            ["LANG"] = "C.UTF-8",
            ["DYNO"] = "web.1",
            ["PS"] = "web.1",
            ["PORT"] = "5000",
            [DynoCommand.Variable] = "bundle exec puma",
        }, environment);
    }

    [Fact]
    public void A_plain_process_dyno_has_its_own_home_and_tmp()
    {
        var environment = DynoEnvironment.For(Spec("worker"), "/data/dynos/id/app", port: null, tmp: "/data/dynos/id/tmp");

        Assert.Equal("/data/dynos/id/app", environment["HOME"]);
        Assert.Equal("/data/dynos/id/app/bin:/usr/local/bin:/usr/bin:/bin", environment["PATH"]);
        Assert.Equal("/data/dynos/id/tmp", environment["TMPDIR"]);
        Assert.False(environment.ContainsKey("PORT"));
    }

    [Fact]
    public void The_apps_LANG_wins_and_a_PORT_config_var_goes_where_the_dyno_gets_none()
    {
        var environment = DynoEnvironment.For(Spec("worker", new() { ["LANG"] = "pt_BR.UTF-8", ["PORT"] = "1" }), "/app", port: null);

        Assert.Equal("pt_BR.UTF-8", environment["LANG"]);
        Assert.False(environment.ContainsKey("PORT"));
        Assert.False(environment.ContainsKey("TMPDIR"));
    }

    [Fact]
    public void The_platform_sets_PORT_DYNO_and_PS_whatever_the_config_says()
    {
        var environment = DynoEnvironment.For(Spec("web", new() { ["PORT"] = "1", ["DYNO"] = "x", ["PS"] = "y" }), "/app", 5000);

        Assert.Equal(("5000", "web.1", "web.1"), (environment["PORT"], environment["DYNO"], environment["PS"]));
    }

    [Theory]
    [InlineData("web", true)]
    [InlineData("run", true)]
    [InlineData("worker", false)]
    [InlineData("release", false)]
    public void Web_and_one_off_dynos_listen_on_a_port(string type, bool listens) =>
        Assert.Equal(listens, DynoEnvironment.ListensOnPort(type));
}
