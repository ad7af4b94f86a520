using System.Net;

namespace Nuvem.Platform.Domains;

/// <summary>
/// Host names as DNS (RFC 1123) allows them: lower case, at most 253 characters, dot-separated labels of 1–63
/// letters, digits and hyphens that neither start nor end with a hyphen. A wildcard is allowed only as the whole
/// first label (<c>*.example.com</c>).
/// </summary>
public static class Hostname
{
    public const int MaxLength = 253;

    /// <summary>The form every lookup uses: trimmed, lower case, without a trailing dot or a port.</summary>
    public static string Canonical(string host)
    {
        var value = host.Trim().ToLowerInvariant();
        if (value.StartsWith('[')) return value; // an IPv6 literal never names an app
        var colon = value.LastIndexOf(':');
        if (colon >= 0) value = value[..colon];
        return value.TrimEnd('.');
    }

    /// <summary>Normalises and checks a custom domain; throws a <see cref="PlatformException"/> saying what is wrong.</summary>
    public static string Validate(string? input)
    {
        if (string.IsNullOrWhiteSpace(input)) throw PlatformException.Invalid("hostname is required, e.g. www.example.com.");
        var host = input.Trim().ToLowerInvariant();
        if (host.EndsWith('.')) host = host[..^1];
        if (host.Length == 0) throw PlatformException.Invalid("hostname is required, e.g. www.example.com.");
        if (host.Length > MaxLength) throw PlatformException.Invalid($"{input.Trim()} is too long: a host name has at most {MaxLength} characters.");
        if (IPAddress.TryParse(host.Trim('[', ']'), out _))
            throw PlatformException.Invalid($"{host} is an IP address; a domain must be a host name such as www.example.com.");

        var labels = host.Split('.');
        if (labels.Length < 2) throw PlatformException.Invalid($"{host} is not a fully qualified host name: it needs at least two labels, e.g. www.example.com.");
        for (var i = 0; i < labels.Length; i++)
        {
            var label = labels[i];
            if (label == "*")
            {
                if (i != 0) throw PlatformException.Invalid($"{host} is not a valid host name: a wildcard is only allowed as the first label (*.example.com).");
                if (labels.Length < 3) throw PlatformException.Invalid($"{host} is too broad: a wildcard needs a domain of at least two labels after it (*.example.com).");
                continue;
            }
            if (label.Length == 0) throw PlatformException.Invalid($"{host} is not a valid host name: it has an empty label.");
            if (label.Length > 63) throw PlatformException.Invalid($"{host} is not a valid host name: the label '{label}' is longer than 63 characters.");
            if (label.Contains('*')) throw PlatformException.Invalid($"{host} is not a valid host name: a wildcard is only allowed as the whole first label (*.example.com).");
            foreach (var c in label)
            {
                if (c is not ((>= 'a' and <= 'z') or (>= '0' and <= '9') or '-'))
                    throw PlatformException.Invalid($"{host} is not a valid host name: '{c}' is not allowed (letters, digits, hyphens and dots only).");
            }
            if (label[0] == '-' || label[^1] == '-')
                throw PlatformException.Invalid($"{host} is not a valid host name: the label '{label}' starts or ends with a hyphen.");
        }
        if (labels[^1].All(char.IsAsciiDigit)) throw PlatformException.Invalid($"{host} is not a valid host name: the top-level label is all digits.");
        return host;
    }
}
