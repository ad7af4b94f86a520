using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Nuvem.Cli.Configuration;

namespace Nuvem.Cli.Api;

/// <summary>
/// TLS trust for the Nuvem server. A self-hosted server signs its certificate with its own local CA, so besides
/// the system store we also trust one CA file, looked up the same way on every machine the server may have made
/// it: <c>NUVEM_CA_FILE</c>, the <c>ca_file</c> saved by <c>nuvem login --ca-file</c>,
/// <c>$NUVEM_DATA_DIR/tls/ca.pem</c>, <c>/var/lib/nuvem/tls/ca.pem</c>, <c>~/.local/share/nuvem/tls/ca.pem</c>.
/// The extra CA is trusted only as a root for chain building; the host name must still match.
/// </summary>
public sealed class TrustedCertificates
{
    private readonly X509Certificate2Collection? authorities;

    private TrustedCertificates(string? caFile, X509Certificate2Collection? authorities)
    {
        CaFile = caFile;
        this.authorities = authorities;
    }

    /// <summary>The CA file in use, or null when only the system store is trusted.</summary>
    public string? CaFile { get; }

    /// <summary>Why the last server certificate was rejected; used to turn a bare handshake failure into advice.</summary>
    public CertificateRejection? LastRejection { get; private set; }

    /// <param name="explicitCaFile">A file the user named on the command line; it must exist.</param>
    public static TrustedCertificates Resolve(string? explicitCaFile, CliConfig config)
    {
        if (!string.IsNullOrEmpty(explicitCaFile))
        {
            if (!File.Exists(explicitCaFile)) throw new CliException($"CA file {explicitCaFile} does not exist.");
            return FromFile(explicitCaFile);
        }
        var found = Candidates(config).FirstOrDefault(File.Exists);
        return found is null ? new TrustedCertificates(null, null) : FromFile(found);
    }

    public static IEnumerable<string> Candidates(CliConfig config)
    {
        var fromEnv = Environment.GetEnvironmentVariable("NUVEM_CA_FILE");
        if (!string.IsNullOrEmpty(fromEnv)) yield return fromEnv;
        if (!string.IsNullOrEmpty(config.CaFile)) yield return config.CaFile;
        var dataDir = Environment.GetEnvironmentVariable("NUVEM_DATA_DIR");
        if (!string.IsNullOrEmpty(dataDir)) yield return Path.Combine(dataDir, "tls", "ca.pem");
        yield return "/var/lib/nuvem/tls/ca.pem";
        yield return Path.Combine(HomeDirectory.Path, ".local", "share", "nuvem", "tls", "ca.pem");
    }

    private static TrustedCertificates FromFile(string path)
    {
        try
        {
            var collection = new X509Certificate2Collection();
            var contents = File.ReadAllText(path);
            if (contents.Contains("-----BEGIN CERTIFICATE-----", StringComparison.Ordinal)) collection.ImportFromPem(contents);
            else collection.Add(X509CertificateLoader.LoadCertificateFromFile(path)); // DER
            if (collection.Count == 0) throw new CryptographicException("no certificate found");
            return new TrustedCertificates(path, collection);
        }
        catch (Exception e) when (e is CryptographicException or IOException or UnauthorizedAccessException)
        {
            throw new CliException($"Could not read CA file {path}: {e.Message}");
        }
    }

    /// <summary>For <see cref="HttpClientHandler.ServerCertificateCustomValidationCallback"/>.</summary>
    public bool Validate(HttpRequestMessage request, X509Certificate2? certificate, X509Chain? chain, SslPolicyErrors errors)
    {
        if (errors == SslPolicyErrors.None)
        {
            LastRejection = null;
            return true;
        }
        if (certificate is null || errors.HasFlag(SslPolicyErrors.RemoteCertificateNotAvailable))
        {
            LastRejection = CertificateRejection.Untrusted;
            return false;
        }
        // A CA of ours does not make a certificate for another name acceptable.
        if (errors.HasFlag(SslPolicyErrors.RemoteCertificateNameMismatch))
        {
            LastRejection = CertificateRejection.NameMismatch;
            return false;
        }
        if (authorities is null || !ChainsToOurAuthority(certificate, chain))
        {
            LastRejection = CertificateRejection.Untrusted;
            return false;
        }
        LastRejection = null;
        return true;
    }

    private bool ChainsToOurAuthority(X509Certificate2 certificate, X509Chain? presented)
    {
        using var custom = new X509Chain();
        custom.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        custom.ChainPolicy.CustomTrustStore.AddRange(authorities!);
        // A private CA publishes no CRL or OCSP responder; checking would always fail.
        custom.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        // Intermediates the server sent along.
        if (presented is not null)
        {
            foreach (var element in presented.ChainElements) custom.ChainPolicy.ExtraStore.Add(element.Certificate);
        }
        return custom.Build(certificate);
    }
}

public enum CertificateRejection
{
    Untrusted,
    NameMismatch,
}
