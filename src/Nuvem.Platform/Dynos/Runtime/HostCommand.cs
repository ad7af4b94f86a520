using System.Diagnostics;

namespace Nuvem.Platform.Dynos.Runtime;

/// <summary>Runs a host tool (crun, ip, nft, a CNI plugin…) to completion and returns what it said.</summary>
public static class HostCommand
{
    public sealed record Result(int ExitCode, string Output, string Error)
    {
        public bool Succeeded => ExitCode == 0;

        /// <summary>The tool's own words, for an error message.</summary>
        public string Message => (string.IsNullOrWhiteSpace(Error) ? Output : Error).Trim();
    }

    public static async Task<Result> RunAsync(string file, IEnumerable<string> args, string? input = null,
        IReadOnlyDictionary<string, string>? environment = null, CancellationToken cancellation = default)
    {
        var start = new ProcessStartInfo(file)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (var arg in args) start.ArgumentList.Add(arg);
        if (environment is not null)
            foreach (var (key, value) in environment) start.Environment[key] = value;
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {file}.");
        var output = process.StandardOutput.ReadToEndAsync(cancellation);
        var error = process.StandardError.ReadToEndAsync(cancellation);
        if (input is not null) await process.StandardInput.WriteAsync(input);
        process.StandardInput.Close();
        await process.WaitForExitAsync(cancellation);
        return new Result(process.ExitCode, await output, await error);
    }

    /// <summary>Like <see cref="RunAsync"/>, but a failure is an exception naming the command and its message.</summary>
    public static async Task<Result> RequireAsync(string file, IEnumerable<string> args, string? input = null,
        IReadOnlyDictionary<string, string>? environment = null, CancellationToken cancellation = default)
    {
        var list = args.ToList();
        var result = await RunAsync(file, list, input, environment, cancellation);
        if (!result.Succeeded)
            throw new InvalidOperationException($"{Path.GetFileName(file)} {string.Join(' ', list)} failed ({result.ExitCode}): {result.Message}");
        return result;
    }

    /// <summary>The first of <paramref name="names"/> found in the usual system directories, or null.</summary>
    public static string? Find(params string[] names)
    {
        string[] directories = ["/usr/local/sbin", "/usr/local/bin", "/usr/sbin", "/usr/bin", "/sbin", "/bin"];
        foreach (var name in names)
        {
            if (name.StartsWith('/')) { if (File.Exists(name)) return name; continue; }
            foreach (var directory in directories)
            {
                var path = Path.Combine(directory, name);
                if (File.Exists(path)) return path;
            }
        }
        return null;
    }
}
