using Nuvem.Platform.Apps;
using Nuvem.Platform.State;

namespace Nuvem.Platform.Git;

/// <summary>
/// One bare git repository per app, named by the app's id so a rename keeps its history. Each carries a
/// pre-receive hook that hands a push of main/master to the platform's builder and relays the build output
/// (git shows it to the pusher as "remote:" lines); a failed build makes the hook, and so the push, fail.
/// Every git the platform runs on them starts through <see cref="Git"/>, so only the platform configures it.
/// </summary>
public sealed class AppRepositories(Database database, string directory)
{
    private readonly AppStore apps = new(database);

    /// <summary>How the platform starts git on these repositories; its HOME is kept beside them, private to the platform.</summary>
    public PlatformGit Git { get; } = new(Path.Combine(directory, ".home"));

    /// <summary>The hook talks to the platform over a unix socket with a one-time token for this push.</summary>
    public const string HookSocketVariable = "NUVEM_HOOK_SOCKET";
    public const string PushTokenVariable = "NUVEM_PUSH_TOKEN";
    public const string ResultMarker = "nuvem-push-result:";

    private const string PreReceiveHook = $$"""
        #!/bin/sh
        # Nuvem pre-receive hook (rewritten by the platform; do not edit). Builds a push of main or master on the
        # platform and relays the build output; a failed build rejects the push.
        zero_only() { case "$1" in *[!0]*) return 1 ;; *) return 0 ;; esac; }
        build_rev=""
        while read -r old new ref; do
          case "$ref" in
            refs/heads/main|refs/heads/master)
              if zero_only "$new"; then echo " !     Deleting ${ref#refs/heads/} is not allowed: the app is built from it."; exit 1; fi
              if [ -n "$build_rev" ]; then echo " !     Push main or master, not both at once."; exit 1; fi
              build_rev=$new ;;
            *)
              echo " !     Push rejected: only main or master are built (you pushed ${ref#refs/heads/})."
              echo " !     Deploy another branch with: git push nuvem ${ref#refs/heads/}:main"
              exit 1 ;;
          esac
        done
        [ -n "$build_rev" ] || exit 0
        git archive --format=tar "$build_rev" |
          curl --silent --show-error --no-buffer --header "Expect:" --unix-socket "${{{HookSocketVariable}}}" --upload-file - \
               "http://nuvem/internal/push/${{{PushTokenVariable}}}?commit=$build_rev" |
          { while IFS= read -r line || [ -n "$line" ]; do
              case "$line" in
                "{{ResultMarker}} succeeded") exit 0 ;;
                "{{ResultMarker}} failed") exit 1 ;;
                *) printf '%s\n' "$line" ;;
              esac
            done
            echo " !     The build was interrupted; the current release is unchanged."
            exit 1; }

        """;

    public string PathFor(App app) => Path.Combine(directory, app.Id + ".git");

    /// <summary>Creates the bare repository on first use and (re)writes its hook, so hooks follow platform upgrades.</summary>
    public string Ensure(App app)
    {
        var path = PathFor(app);
        if (!Directory.Exists(Path.Combine(path, "objects")))
        {
            Directory.CreateDirectory(path);
            Run(path, "init", "--bare", "--quiet", "--initial-branch=main");
        }
        var hook = Path.Combine(path, "hooks", "pre-receive");
        Directory.CreateDirectory(Path.GetDirectoryName(hook)!);
        File.WriteAllText(hook, PreReceiveHook.Replace("\r\n", "\n"));
        File.SetUnixFileMode(hook, (UnixFileMode)Convert.ToInt32("755", 8));
        return path;
    }

    public void Delete(App app)
    {
        var path = PathFor(app);
        if (Directory.Exists(path)) Directory.Delete(path, recursive: true);
    }

    /// <summary>Stores the repository's size on the app (Heroku's <c>repo_size</c>).</summary>
    public void RecordSize(App app)
    {
        var path = PathFor(app);
        if (!Directory.Exists(path)) return;
        var size = new DirectoryInfo(path).EnumerateFiles("*", SearchOption.AllDirectories).Sum(f => f.Length);
        apps.SetRepoSize(app.Id, size);
    }

    private void Run(string repository, params string[] args)
    {
        using var process = System.Diagnostics.Process.Start(Git.Start(repository, args))!;
        process.StandardInput.Close();
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEnd();
        output.Wait();
        process.WaitForExit();
        if (process.ExitCode != 0) throw new InvalidOperationException($"git {string.Join(' ', args)} failed: {error}");
    }
}
