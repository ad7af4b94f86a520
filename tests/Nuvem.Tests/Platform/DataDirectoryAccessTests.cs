using Nuvem.Tests.Infrastructure;

namespace Nuvem.Tests.Platform;

/// <summary>Builds and dynos run as app uids: a data directory they cannot reach stops the platform at start, not every build.</summary>
public sealed class DataDirectoryAccessTests
{
    [Fact]
    public async Task A_data_directory_under_a_0700_parent_is_refused_with_exit_3_naming_the_directory_and_the_fix()
    {
        var parent = Directory.CreateTempSubdirectory("nuvem-closed-").FullName;
        try
        {
            File.SetUnixFileMode(parent, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            await using var server = new NuvemServer(Path.Combine(parent, "data"));

            Assert.Equal(3, await server.RunUntilExitAsync(TimeSpan.FromSeconds(60)));
            Assert.Contains($"{parent} is not searchable by other users (mode 0700)", server.Output);
            Assert.Contains($"chmod o+x {parent}", server.Output);
            Assert.DoesNotContain("Nuvem is running", server.Output);

            // The fix it names is enough.
            File.SetUnixFileMode(parent, File.GetUnixFileMode(parent) | UnixFileMode.OtherExecute);
            await server.StartAsync();
            using var api = server.Api();
            Assert.Equal(NuvemServer.AdminEmail, (await api.Get("/account")).Json["email"]!.GetValue<string>());
        }
        finally
        {
            try { Directory.Delete(parent, recursive: true); } catch (IOException) { }
        }
    }
}
