using System.Text.Json;
using Nuvem.Platform;

namespace Nuvem.Server.Api.Conventions;

/// <summary>
/// Request bodies are read by hand rather than bound by the framework, so that malformed JSON, wrong types
/// and unknown shapes get Heroku-style errors that name the field, instead of framework problem pages.
/// </summary>
public sealed class JsonBody
{
    public const int MaxBytes = 1024 * 1024;

    private JsonBody(JsonElement root) => Root = root;

    public JsonElement Root { get; }

    /// <summary>Reads a JSON object; an empty body counts as <c>{}</c>.</summary>
    public static async Task<JsonBody> ReadAsync(HttpRequest request)
    {
        if (request.ContentLength > MaxBytes) throw TooLarge();
        using var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, request.HttpContext.RequestAborted)) > 0)
        {
            if (buffer.Length + read > MaxBytes) throw TooLarge();
            buffer.Write(chunk, 0, read);
        }
        if (buffer.Length == 0 || buffer.ToArray().All(b => b is (byte)' ' or (byte)'\n' or (byte)'\r' or (byte)'\t'))
            return new JsonBody(JsonDocument.Parse("{}").RootElement);
        try
        {
            using var document = JsonDocument.Parse(buffer.ToArray(), new JsonDocumentOptions { MaxDepth = 32 });
            if (document.RootElement.ValueKind != JsonValueKind.Object)
                throw PlatformException.BadRequest($"Request body must be a JSON object, not {Describe(document.RootElement.ValueKind)}.");
            return new JsonBody(document.RootElement.Clone());
        }
        catch (JsonException e)
        {
            throw PlatformException.BadRequest($"Request body is not valid JSON: {e.Message}");
        }
    }

    private static PlatformException TooLarge() =>
        new(ErrorKind.BadRequest, "request_too_large", $"Request body is larger than {MaxBytes / 1024} kB.");

    public bool Has(string name) => Root.TryGetProperty(name, out _);

    public string? OptionalString(string name)
    {
        if (!Root.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null) return null;
        return value.ValueKind == JsonValueKind.String ? value.GetString() : throw WrongType(name, "a string", value);
    }

    public string RequiredString(string name) =>
        OptionalString(name) ?? throw PlatformException.Invalid($"{name} is required.");

    public bool? OptionalBool(string name)
    {
        if (!Root.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null) return null;
        return value.ValueKind switch
        {
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            _ => throw WrongType(name, "true or false", value),
        };
    }

    public long? OptionalInteger(string name)
    {
        if (!Root.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null) return null;
        return value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out var n) ? n : throw WrongType(name, "a whole number", value);
    }

    /// <summary>An id given either as a string or as <c>{"id": "..."}</c> (Heroku accepts both for references).</summary>
    public string? OptionalReference(string name)
    {
        if (!Root.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null) return null;
        if (value.ValueKind == JsonValueKind.String) return value.GetString();
        if (value.ValueKind == JsonValueKind.Object)
        {
            foreach (var key in new[] { "id", "name", "version" })
            {
                if (value.TryGetProperty(key, out var inner) && inner.ValueKind is JsonValueKind.String or JsonValueKind.Number)
                    return inner.ToString();
            }
        }
        throw WrongType(name, "an id string or an object with an id", value);
    }

    public static PlatformException WrongType(string name, string expected, JsonElement actual) =>
        PlatformException.Invalid($"{name} must be {expected}, not {Describe(actual.ValueKind)}.");

    public static string Describe(JsonValueKind kind) => kind switch
    {
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "an array",
        JsonValueKind.String => "a string",
        JsonValueKind.Number => "a number",
        JsonValueKind.True or JsonValueKind.False => "a boolean",
        JsonValueKind.Null => "null",
        _ => "nothing",
    };
}
