using System.Diagnostics;
using System.Text.Json.Nodes;
using Nuvem.Platform.Builds;
using Nuvem.Platform.Builds.Buildpacks;
using Nuvem.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Nuvem.Tests.Builds;

/// <summary>
/// The built-in Node.js, Python and .NET buildpacks, through real pushes of the sample apps in Fixtures/apps:
/// the build output, the slug's contents, the default web process, and the app run from its unpacked slug.
/// </summary>
[Collection(ServerCollection.Name)]
public sealed class LanguageBuildpackTests(ServerFixture fixture, ITestOutputHelper log)
{
    private NuvemServer Server => fixture.Server;

    private static string Fixture(string name) => Path.Combine(Repo.Root, "tests", "Nuvem.Tests", "Fixtures", "apps", name);

    private static readonly TimeSpan AppStartTimeout = TimeSpan.FromSeconds(30);

    private sealed record Pushed(string Output, TimeSpan Elapsed, JsonNode Slug, List<string> Entries)
    {
        public string Web => Slug["process_types"]!["web"]!.GetValue<string>();
        public string Checksum => Slug["checksum"]!.GetValue<string>();
    }

    /// <summary>Pushes the workspace, which must succeed, and returns the output and the current release's slug.</summary>
    private async Task<Pushed> PushAsync(ApiClient api, string app, GitWorkspace source)
    {
        var clock = Stopwatch.StartNew();
        var push = (await source.PushAsync(app)).Succeeded();
        clock.Stop();
        var releases = (await api.Get($"/apps/{app}/releases")).Array;
        var slugId = releases[^1]!["slug"]!["id"]!.GetValue<string>();
        var slug = (await api.Get($"/apps/{app}/slugs/{slugId}")).Json;
        log.WriteLine($"push of {app}: {clock.Elapsed.TotalSeconds:0.0} s\n{push.Output}");
        return new Pushed(push.Output, clock.Elapsed, slug, SlugFiles.Entries(Server, slug["checksum"]!.GetValue<string>()));
    }

    [Fact]
    public async Task A_node_app_is_installed_with_npm_ci_built_pruned_and_a_second_push_of_the_same_lockfile_uses_the_cache()
    {
        using var api = Server.Api();
        var app = await fixture.NewAppAsync(api, "node");
        using var source = new GitWorkspace(Server, copyFrom: Fixture("node-express"));
        source.Commit("express");

        var first = await PushAsync(api, app, source);
        Assert.Contains("remote: -----> Node.js app detected", first.Output);
        Assert.Contains("remote: -----> Installing dependencies", first.Output);
        Assert.Contains("remote:        npm ci (package-lock.json)", first.Output);
        Assert.Contains("remote: -----> Building (npm run build)", first.Output);
        Assert.Contains("wrote build-info.json", first.Output);
        Assert.Contains("remote: -----> Pruning devDependencies", first.Output);
        Assert.Contains("Default types for buildpack -> web", first.Output);
        Assert.Equal("npm start", first.Web);
        Assert.Equal("Node.js", first.Slug["buildpack_provided_description"]!.GetValue<string>());
        Assert.Contains("./app/node_modules/express/package.json", first.Entries);
        Assert.Contains("./app/build-info.json", first.Entries);
        Assert.Contains("./app/.profile.d/nodejs.sh", first.Entries);
        Assert.DoesNotContain(first.Entries, e => e.StartsWith("./app/node_modules/is-number/")); // a devDependency, pruned

        using (var unpacked = SlugFiles.Unpack(Server, first.Checksum))
            Assert.StartsWith("Hello from Express on Node.js", await unpacked.GetRootAsync(first.Web, AppStartTimeout));

        // Same lockfile, new commit: node_modules comes from the cache and npm ci is skipped.
        source.Write("server.js", File.ReadAllText(Path.Combine(source.Directory, "server.js")) + "// v2\n");
        source.Commit("second");
        var second = await PushAsync(api, app, source);
        Assert.Contains("remote:        Restored node_modules from the cache (package-lock.json unchanged)", second.Output);
        Assert.DoesNotContain("npm ci", second.Output);
        Assert.Contains("./app/node_modules/express/package.json", second.Entries);
        Assert.DoesNotContain(second.Entries, e => e.StartsWith("./app/node_modules/is-number/"));
        log.WriteLine($"node: first push {first.Elapsed.TotalSeconds:0.0} s, cached push {second.Elapsed.TotalSeconds:0.0} s");
        Assert.True(second.Elapsed < first.Elapsed, $"the cached push ({second.Elapsed}) was not faster than the first ({first.Elapsed})");
    }

    [Fact]
    public async Task A_node_app_with_a_procfile_and_no_lockfile_is_a_node_app_run_as_its_procfile_says()
    {
        using var api = Server.Api();
        var app = await fixture.NewAppAsync(api, "nodeproc");
        using var source = new GitWorkspace(Server)
            .Write("package.json", """{ "name": "plain", "version": "1.0.0", "private": true }""")
            .Write("index.js", "console.log('hi');\n")
            .Write("Procfile", "web: node index.js\n");
        source.Commit();

        var pushed = await PushAsync(api, app, source);
        Assert.Contains("remote: -----> Node.js app detected", pushed.Output); // not "Procfile app"
        Assert.Contains("npm install (no package-lock.json", pushed.Output);
        Assert.DoesNotContain("Default types for buildpack", pushed.Output); // no start script, no default web
        Assert.Equal("node index.js", pushed.Web);
    }

    [Fact]
    public async Task A_python_app_gets_a_virtualenv_in_the_slug_that_runs_wherever_the_slug_is_unpacked()
    {
        using var api = Server.Api();
        var app = await fixture.NewAppAsync(api, "py");
        using var source = new GitWorkspace(Server, copyFrom: Fixture("python-nodeps"));
        source.Commit("stdlib only");

        var pushed = await PushAsync(api, app, source);
        Assert.Contains("remote: -----> Python app detected", pushed.Output);
        Assert.Contains("remote: -----> Using Python 3.", pushed.Output);
        Assert.Contains("remote: -----> Creating a virtualenv in .venv", pushed.Output);
        Assert.Contains("remote: -----> Installing dependencies", pushed.Output);
        Assert.Contains("requirements.txt lists no packages", pushed.Output);
        Assert.Equal("python app.py", pushed.Web);
        Assert.Equal("Python", pushed.Slug["buildpack_provided_description"]!.GetValue<string>());
        Assert.Contains("./app/.venv/bin/python", pushed.Entries);
        Assert.Contains("./app/.venv/pyvenv.cfg", pushed.Entries);
        Assert.Contains("./app/.profile.d/python.sh", pushed.Entries);

        using var unpacked = SlugFiles.Unpack(Server, pushed.Checksum);
        var body = await unpacked.GetRootAsync(pushed.Web, AppStartTimeout);
        Assert.StartsWith("Hello from Python 3.", body);
        Assert.Contains(Path.Combine(unpacked.AppDir, ".venv"), body); // the venv's python, where the slug now is
        // A console script of the venv (pip's) runs too: its #! line no longer names the build directory.
        var (exitCode, output) = await unpacked.RunAsync("pip --version", TimeSpan.FromSeconds(30));
        Assert.True(exitCode == 0, output);
        Assert.Contains(unpacked.AppDir, output);

        // And as a dyno, through the router: the venv's links to the stack's python resolve inside the container.
        var answer = await Nuvem.Tests.Dynos.DynoApps.Eventually(() => Nuvem.Tests.Router.RouterClient.GetAsync(Server.RouterPort, app),
            r => r.Status == System.Net.HttpStatusCode.OK, AppStartTimeout, "the Python dyno answering");
        Assert.StartsWith("Hello from Python 3.", answer.Body);
        Assert.Contains("/app/.venv", answer.Body);
    }

    /// <summary>The router's answer for the app once it says <paramref name="text"/> (a redeploy replaces the dyno).</summary>
    private async Task<string> ServedAsync(string app, string text) =>
        (await Nuvem.Tests.Dynos.DynoApps.Eventually(() => Nuvem.Tests.Router.RouterClient.GetAsync(Server.RouterPort, app),
            r => r.Status == System.Net.HttpStatusCode.OK && r.Body.Contains(text), AppStartTimeout, $"{app} serving '{text}'")).Body;

    [Fact]
    public async Task A_node_app_without_a_lockfile_restores_node_modules_on_a_second_push_and_installs_again_when_package_json_changes()
    {
        using var api = Server.Api();
        var app = await fixture.NewAppAsync(api, "nodenolock");
        using var source = new GitWorkspace(Server, copyFrom: Fixture("node-express"));
        File.Delete(Path.Combine(source.Directory, "package-lock.json"));
        string Server_js(string marker) => File.ReadAllText(Path.Combine(Fixture("node-express"), "server.js"))
            .Replace("Hello from Express", $"Hello ({marker}) from Express");
        source.Write("server.js", Server_js("one"));
        source.Commit("express, no lockfile");

        var first = await PushAsync(api, app, source);
        Assert.Contains("remote:        npm install (no package-lock.json", first.Output);
        Assert.Contains("./app/node_modules/express/package.json", first.Entries);
        await ServedAsync(app, "Hello (one) from Express");

        // One changed line, the same package.json: node_modules comes from the cache, npm install is skipped.
        source.Write("server.js", Server_js("two"));
        source.Commit("one line");
        var second = await PushAsync(api, app, source);
        Assert.Contains("remote:        Restored node_modules from the cache (package.json unchanged)", second.Output);
        Assert.DoesNotContain("npm install", second.Output);
        Assert.Contains("wrote build-info.json", second.Output); // the build script still runs, with its devDependencies
        Assert.Contains("./app/node_modules/express/package.json", second.Entries);
        Assert.DoesNotContain(second.Entries, e => e.StartsWith("./app/node_modules/is-number/")); // still pruned
        await ServedAsync(app, "Hello (two) from Express");

        // package.json changed (is-number moves from devDependencies to dependencies): what the cache holds is
        // restored, and npm install brings it in line.
        var package = JsonNode.Parse(File.ReadAllText(Path.Combine(source.Directory, "package.json")))!.AsObject();
        package["dependencies"]!["is-number"] = "^7.0.0";
        package.Remove("devDependencies");
        source.Write("package.json", package.ToJsonString());
        source.Write("server.js", Server_js("three"));
        source.Commit("is-number at run time too");
        var third = await PushAsync(api, app, source);
        Assert.Contains("remote:        Restored node_modules from the cache; npm install (package.json changed)", third.Output);
        Assert.Contains("./app/node_modules/is-number/package.json", third.Entries); // now a dependency: not pruned
        await ServedAsync(app, "Hello (three) from Express");
    }

    [Fact]
    public async Task A_python_app_with_unchanged_requirements_reuses_its_virtualenv_and_a_changed_requirement_rebuilds_it()
    {
        using var api = Server.Api();
        var app = await fixture.NewAppAsync(api, "pyvenv");
        using var source = new GitWorkspace(Server, copyFrom: Fixture("python-vendored"));
        string App_py(string marker) => File.ReadAllText(Path.Combine(Fixture("python-vendored"), "app.py"))
            .Replace("MARKER = \"fixture\"", $"MARKER = \"{marker}\"");
        source.Write("app.py", App_py("one"));
        source.Commit("vendored greeting");

        var first = await PushAsync(api, app, source);
        Assert.Contains("remote: -----> Creating a virtualenv in .venv", first.Output);
        Assert.Contains("remote:        pip install -r requirements.txt", first.Output);
        Assert.Contains("./app/.venv/bin/greet", first.Entries);
        await ServedAsync(app, "Hello from greeting (one)");

        // One changed line, the same requirements: the virtualenv is the cached one, and its console scripts still
        // run wherever the slug is unpacked.
        source.Write("app.py", App_py("two"));
        source.Commit("one line");
        var second = await PushAsync(api, app, source);
        Assert.Contains("remote: -----> Reusing the virtualenv in .venv from the cache (requirements.txt and Python unchanged)", second.Output);
        Assert.DoesNotContain("Creating a virtualenv", second.Output);
        Assert.DoesNotContain("pip install", second.Output);
        Assert.Contains("./app/.venv/bin/greet", second.Entries);
        using (var unpacked = SlugFiles.Unpack(Server, second.Checksum))
        {
            foreach (var script in new[] { "greet", "pip --version" })
            {
                var (exitCode, output) = await unpacked.RunAsync(script, TimeSpan.FromSeconds(30));
                Assert.True(exitCode == 0, $"{script}: {output}");
                if (script == "greet") Assert.Contains("Hello from greeting", output);
                else Assert.Contains(unpacked.AppDir, output);
            }
        }
        var body = await ServedAsync(app, "Hello from greeting (two)");
        Assert.Contains("/app/.venv", body);

        // The vendored package changed, requirements.txt did not: what requirements.txt names is part of the key.
        source.Write("vendor/greeting/greeting/__init__.py", File.ReadAllText(Path.Combine(source.Directory, "vendor/greeting/greeting/__init__.py"))
            .Replace("\"Hello from greeting\"", "\"Hi from greeting\""));
        source.Write("app.py", App_py("three"));
        source.Commit("a new greeting");
        var third = await PushAsync(api, app, source);
        Assert.Contains("remote: -----> Creating a virtualenv in .venv", third.Output);
        await ServedAsync(app, "Hi from greeting (three)");

        // requirements.txt changed: a new virtualenv.
        source.Write("requirements.txt", "# the vendored package\n./vendor/greeting\n");
        source.Write("app.py", App_py("four"));
        source.Commit("requirements.txt changed");
        var fourth = await PushAsync(api, app, source);
        Assert.Contains("remote: -----> Creating a virtualenv in .venv", fourth.Output);
        Assert.Contains("remote:        pip install -r requirements.txt", fourth.Output);
        await ServedAsync(app, "Hi from greeting (four)");
    }

    [Fact]
    public async Task A_dotnet_app_is_published_and_its_web_process_runs_the_published_assembly_on_port()
    {
        using var api = Server.Api();
        var app = await fixture.NewAppAsync(api, "dotnet");
        using var source = new GitWorkspace(Server, copyFrom: Fixture("dotnet-minimal"));
        source.Commit("aspnet");

        var pushed = await PushAsync(api, app, source);
        log.WriteLine($".NET push {pushed.Elapsed.TotalSeconds:0.0} s");
        Assert.Contains("remote: -----> .NET app detected", pushed.Output);
        Assert.Contains("remote: -----> Publishing DotnetMinimal.csproj", pushed.Output);
        Assert.Equal("cd .nuvem/dotnet && ASPNETCORE_URLS=http://0.0.0.0:$PORT exec dotnet HelloNuvem.dll", pushed.Web);
        Assert.Equal(".NET", pushed.Slug["buildpack_provided_description"]!.GetValue<string>());
        Assert.Contains("./app/.nuvem/dotnet/HelloNuvem.dll", pushed.Entries);
        Assert.Contains("./app/.nuvem/dotnet/HelloNuvem.runtimeconfig.json", pushed.Entries);
        Assert.DoesNotContain(pushed.Entries, e => e.StartsWith("./app/obj/") || e.StartsWith("./app/bin/"));

        using var unpacked = SlugFiles.Unpack(Server, pushed.Checksum);
        Assert.StartsWith("Hello from ASP.NET Core on .NET 10.", await unpacked.GetRootAsync(pushed.Web, AppStartTimeout));
    }

    [Fact]
    public void The_nothing_detected_error_says_what_each_built_in_buildpack_looks_for()
    {
        var message = BuildpackSelection.NothingDetected(BuildpackCatalog.DetectionOrder);
        Assert.Contains("nodejs (package.json)", message);
        Assert.Contains("requirements.txt", message);
        Assert.Contains("pyproject.toml", message);
        Assert.Contains("*.csproj", message);
        Assert.Contains("procfile (a Procfile)", message);
        Assert.Equal(["nodejs", "python", "dotnet", "procfile"], BuildpackCatalog.DetectionOrder);
    }

    [Fact]
    public async Task The_node_buildpack_says_clearly_when_the_host_has_no_node()
    {
        // Run bin/compile by itself with a PATH holding bash and sed but no node or npm.
        var bin = Directory.CreateTempSubdirectory("nuvem-nonode-").FullName;
        var build = Directory.CreateTempSubdirectory("nuvem-nonode-build-").FullName;
        try
        {
            foreach (var tool in new[] { "bash", "sed" }) File.CreateSymbolicLink(Path.Combine(bin, tool), $"/usr/bin/{tool}");
            File.WriteAllText(Path.Combine(build, "package.json"), "{}");
            var compile = Path.Combine(Repo.Root, "src", "Nuvem.Platform", "Builds", "Buildpacks", "BuiltIn", "nodejs", "bin", "compile");
            var start = new ProcessStartInfo(compile, [build, bin, bin]) { RedirectStandardOutput = true, RedirectStandardError = true };
            start.Environment.Clear();
            start.Environment["PATH"] = bin;
            using var process = Process.Start(start)!;
            var output = await process.StandardOutput.ReadToEndAsync() + await process.StandardError.ReadToEndAsync();
            await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
            Assert.NotEqual(0, process.ExitCode);
            Assert.Contains("Node.js is not installed on the platform host", output);
        }
        finally
        {
            Directory.Delete(bin, recursive: true);
            Directory.Delete(build, recursive: true);
        }
    }
}
