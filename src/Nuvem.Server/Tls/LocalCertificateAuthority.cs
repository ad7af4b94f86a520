using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Nuvem.Server.Tls;

/// <summary>
/// HTTPS without an outside CA: on first start the platform makes its own certificate authority and signs
/// a server certificate for localhost, 127.0.0.1, ::1, the API host and <c>*.NUVEM_DOMAIN</c>. Clients trust
/// the CA file once (git's http.sslCAInfo, NODE_EXTRA_CA_CERTS, the nuvem CLI) and every later server
/// certificate — renewed before expiry or when the domain changes — stays trusted.
/// </summary>
public sealed class LocalCertificateAuthority(string directory)
{
    private static readonly TimeSpan CaLifetime = TimeSpan.FromDays(3650);
    private static readonly TimeSpan ServerLifetime = TimeSpan.FromDays(397);
    private static readonly TimeSpan RenewBefore = TimeSpan.FromDays(30);

    public string CaCertificateFile => Path.Combine(directory, "ca.pem");
    private string CaKeyFile => Path.Combine(directory, "ca.key");
    public string ServerCertificateFile => Path.Combine(directory, "server.pem");
    private string ServerKeyFile => Path.Combine(directory, "server.key");

    /// <summary>Loads the server certificate, creating the CA and/or a fresh server certificate when needed.</summary>
    public X509Certificate2 EnsureServerCertificate(IReadOnlyCollection<string> dnsNames) =>
        EnsureCertificate(ServerCertificateFile, ServerKeyFile, dnsNames);

    /// <summary>
    /// A certificate of another server the platform runs (the Postgres cluster: <paramref name="name"/> "postgres"), signed
    /// by the same CA, kept as NAME.pem / NAME.key beside the API's and renewed the same way.
    /// </summary>
    /// <returns>The certificate with its chain, and its key, as PEM.</returns>
    public (string CertificatePem, string KeyPem) EnsureCertificatePem(string name, IReadOnlyCollection<string> dnsNames)
    {
        var (certificate, key) = (Path.Combine(directory, name + ".pem"), Path.Combine(directory, name + ".key"));
        EnsureCertificate(certificate, key, dnsNames).Dispose();
        return (File.ReadAllText(certificate), File.ReadAllText(key));
    }

    private X509Certificate2 EnsureCertificate(string certificateFile, string keyFile, IReadOnlyCollection<string> dnsNames)
    {
        Directory.CreateDirectory(directory);
        var (caCert, caKey) = LoadOrCreateCa();
        using (caCert)
        using (caKey)
        {
            if (File.Exists(certificateFile) && File.Exists(keyFile))
            {
                var existing = X509Certificate2.CreateFromPemFile(certificateFile, keyFile);
                if (existing.NotAfter.ToUniversalTime() - DateTime.UtcNow > RenewBefore && Covers(existing, dnsNames) && IssuedBy(existing, caCert))
                    return existing;
                existing.Dispose();
            }
            IssueServerCertificate(caCert, caKey, dnsNames, certificateFile, keyFile);
        }
        return X509Certificate2.CreateFromPemFile(certificateFile, keyFile);
    }

    private (X509Certificate2 Cert, ECDsa Key) LoadOrCreateCa()
    {
        if (File.Exists(CaCertificateFile) && File.Exists(CaKeyFile))
        {
            var key = ECDsa.Create();
            key.ImportFromPem(File.ReadAllText(CaKeyFile));
            return (X509Certificate2.CreateFromPem(File.ReadAllText(CaCertificateFile)), key);
        }

        var caKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN=Nuvem local CA ({Environment.MachineName}), O=Nuvem", caKey, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, true, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        var now = DateTimeOffset.UtcNow.AddMinutes(-5);
        using var selfSigned = request.CreateSelfSigned(now, now + CaLifetime);
        WritePrivate(CaKeyFile, caKey.ExportPkcs8PrivateKeyPem());
        File.WriteAllText(CaCertificateFile, selfSigned.ExportCertificatePem() + "\n");
        // A new CA invalidates any server certificate signed by an older one.
        File.Delete(ServerCertificateFile);
        // Same shape as a loaded CA: the certificate without its key (the key travels separately).
        return (X509Certificate2.CreateFromPem(selfSigned.ExportCertificatePem()), caKey);
    }

    private static void IssueServerCertificate(X509Certificate2 caCert, ECDsa caKey, IReadOnlyCollection<string> dnsNames,
        string certificateFile, string keyFile)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={dnsNames.First()}, O=Nuvem", key, HashAlgorithmName.SHA256);
        var san = new SubjectAlternativeNameBuilder();
        foreach (var name in dnsNames)
        {
            if (IPAddress.TryParse(name, out var ip)) san.AddIpAddress(ip);
            else san.AddDnsName(name);
        }
        request.CertificateExtensions.Add(san.Build());
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        // Strict verifiers (OpenSSL's X509_STRICT, used by newer Pythons) want the authority key identifier.
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(caCert, true, false));

        var now = DateTimeOffset.UtcNow.AddMinutes(-5);
        var notAfter = now + ServerLifetime < caCert.NotAfter ? now + ServerLifetime : new DateTimeOffset(caCert.NotAfter);
        var serial = RandomNumberGenerator.GetBytes(16);
        serial[0] &= 0x7f;
        using var generator = caCert.CopyWithPrivateKey(caKey);
        using var signed = request.Create(generator, now, notAfter, serial);
        WritePrivate(keyFile, key.ExportPkcs8PrivateKeyPem());
        File.WriteAllText(certificateFile, signed.ExportCertificatePem() + "\n" + caCert.ExportCertificatePem() + "\n");
    }

    private static bool Covers(X509Certificate2 certificate, IReadOnlyCollection<string> dnsNames)
    {
        var ext = certificate.Extensions.OfType<X509SubjectAlternativeNameExtension>().FirstOrDefault();
        if (ext is null) return false;
        var present = ext.EnumerateDnsNames().Concat(ext.EnumerateIPAddresses().Select(ip => ip.ToString())).ToHashSet(StringComparer.OrdinalIgnoreCase);
        return dnsNames.All(n => present.Contains(IPAddress.TryParse(n, out var ip) ? ip.ToString() : n));
    }

    private static bool IssuedBy(X509Certificate2 certificate, X509Certificate2 ca)
    {
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(ca);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        return chain.Build(certificate);
    }

    private static void WritePrivate(string path, string pem)
    {
        // Create with owner-only permissions before any key byte is written.
        using (var stream = new FileStream(path, new FileStreamOptions
               {
                   Mode = FileMode.Create, Access = FileAccess.Write,
                   UnixCreateMode = OperatingSystem.IsWindows() ? null : UnixFileMode.UserRead | UnixFileMode.UserWrite,
               }))
        using (var writer = new StreamWriter(stream))
        {
            writer.Write(pem);
            writer.Write('\n');
        }
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
    }
}
