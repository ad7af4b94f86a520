using Nuvem.Tests.Infrastructure;

namespace Nuvem.Tests.Builds;

/// <summary>
/// The platform runs git as root on repositories anyone with a token pushes to: configuration planted where git
/// (or curl, in the push hook) usually looks must not reach it.
/// </summary>
public sealed class PlatformGitTests
{
    private static readonly string[] Hooks = ["pre-receive", "update", "post-receive", "post-update", "reference-transaction", "push-to-checkout"];

    [Fact]
    public async Task Git_config_planted_in_tmp_home_or_xdg_is_ignored_and_pushes_still_deploy()
    {
        var planted = Directory.CreateTempSubdirectory("nuvem-planted-").FullName;
        var marker = Path.Combine(planted, "hooks-ran");
        var curlTrace = Path.Combine(planted, "curl-trace");
        var hooks = Path.Combine(planted, "hooks");
        Directory.CreateDirectory(hooks);
        // Each planted hook says it ran, then hands over to the repository's own hook, so that another platform on
        // this machine whose git reads /tmp/.gitconfig meanwhile keeps working; lines name the repository they ran in.
        foreach (var hook in Hooks)
        {
            var path = Path.Combine(hooks, hook);
            await File.WriteAllTextAsync(path, $$"""
                #!/bin/sh
                echo "$(pwd) $(basename "$0")" >> {{marker}}
                [ -x "hooks/$(basename "$0")" ] && exec "hooks/$(basename "$0")" "$@"
                exit 0

                """);
            File.SetUnixFileMode(path, (UnixFileMode)Convert.ToInt32("755", 8));
        }
        var packObjectsHook = Path.Combine(planted, "pack-objects-hook");
        await File.WriteAllTextAsync(packObjectsHook, $"#!/bin/sh\necho \"$(pwd) pack-objects-hook\" >> {marker}\nexec \"$@\"\n");
        File.SetUnixFileMode(packObjectsHook, (UnixFileMode)Convert.ToInt32("755", 8));
        var gitConfig = $"[core]\n\thooksPath = {hooks}\n[uploadpack]\n\tpackObjectsHook = {packObjectsHook}\n";

        var home = Path.Combine(planted, "home");
        var xdg = Path.Combine(planted, "xdg");
        Directory.CreateDirectory(Path.Combine(xdg, "git"));
        Directory.CreateDirectory(home);
        await File.WriteAllTextAsync(Path.Combine(home, ".gitconfig"), gitConfig);
        await File.WriteAllTextAsync(Path.Combine(xdg, "git", "config"), gitConfig);
        await File.WriteAllTextAsync(Path.Combine(home, ".curlrc"), $"trace-ascii = \"{curlTrace}\"\n");

        using var tmpGitConfig = PlantedFile.Plant("/tmp/.gitconfig", gitConfig);
        using var tmpCurlrc = PlantedFile.Plant("/tmp/.curlrc", $"trace-ascii = \"{curlTrace}\"\n");
        try
        {
            await using var server = new NuvemServer();
            server.Environment["HOME"] = home;
            server.Environment["XDG_CONFIG_HOME"] = xdg;
            await server.StartAsync();
            using var api = server.Api();
            var app = (await api.Post("/apps", new { name = "planted" })).Json;
            var appId = app["id"]!.GetValue<string>();

            using var source = new GitWorkspace(server).Write("Procfile", "web: ./web.sh\n").Write("web.sh", "#!/bin/sh\necho hi\n", executable: true);
            var commit = source.Commit();
            var push = (await source.PushAsync("planted")).Succeeded();
            Assert.Contains("Released v2", push.Output);
            Assert.Equal(2, (await api.Get("/apps/planted/releases")).Array.Count);

            using var clone = new GitWorkspace(server);
            (await clone.RunAsync(["fetch", "-q", clone.RemoteUrl("planted", server.AdminToken), "main"])).Succeeded();
            Assert.Equal(commit, clone.Git("rev-parse", "FETCH_HEAD").Trim());

            var ran = File.Exists(marker) ? await File.ReadAllTextAsync(marker) : "";
            Assert.DoesNotContain(appId, ran);
            var traced = File.Exists(curlTrace) ? await File.ReadAllTextAsync(curlTrace) : "";
            Assert.DoesNotContain(commit, traced);
            var gitHome = Path.Combine(server.DataDir, "repos", ".home");
            Assert.Equal((UnixFileMode)Convert.ToInt32("700", 8), File.GetUnixFileMode(gitHome));
        }
        finally
        {
            try { Directory.Delete(planted, recursive: true); } catch (IOException) { }
        }
    }

    /// <summary>A file planted for the length of a test; whatever was there before comes back on dispose.</summary>
    private sealed class PlantedFile : IDisposable
    {
        private readonly string _path;
        private readonly byte[]? _original;
        private readonly UnixFileMode _originalMode;

        private PlantedFile(string path, string content)
        {
            _path = path;
            if (File.Exists(path))
            {
                _original = File.ReadAllBytes(path);
                _originalMode = File.GetUnixFileMode(path);
            }
            File.WriteAllText(path, content);
        }

        public static PlantedFile Plant(string path, string content) => new(path, content);

        public void Dispose()
        {
            if (_original is null)
            {
                File.Delete(_path);
                return;
            }
            File.WriteAllBytes(_path, _original);
            File.SetUnixFileMode(_path, _originalMode);
        }
    }
}
