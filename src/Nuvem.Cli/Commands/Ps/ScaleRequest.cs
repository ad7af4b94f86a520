using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Nuvem.Cli.Commands.Ps;

/// <summary>
/// One <c>ps:scale</c> argument, parsed like Heroku's: <c>web=2</c>, <c>web+1</c>, <c>worker-1</c>,
/// <c>web=2:standard-2x</c>, <c>web:standard-2x</c>. The quantity is kept as the text typed ("2", "+1", "-1")
/// because the API takes it as a string and applies relative changes itself.
/// </summary>
public sealed partial class ScaleRequest
{
    private ScaleRequest(string type, string? quantity, string? size)
    {
        Type = type;
        Quantity = quantity;
        Size = size;
    }

    public string Type { get; }
    public string? Quantity { get; }
    public string? Size { get; }

    // The lazy type lets "my-worker-1" parse as type "my-worker", change "-1".
    [GeneratedRegex(@"^(?<type>[A-Za-z0-9_-]+?)(?:(?<op>[=+-])(?<qty>\d+))?(?::(?<size>[A-Za-z0-9_.-]+))?$")]
    private static partial Regex Pattern();

    public static ScaleRequest Parse(string argument)
    {
        var match = Pattern().Match(argument.Trim());
        if (!match.Success || (!match.Groups["qty"].Success && !match.Groups["size"].Success))
        {
            throw new CliException(
                $"Invalid argument '{argument}'.\n" +
                "Usage: nuvem ps:scale TYPE=QTY[:SIZE] | TYPE+N | TYPE-N | TYPE:SIZE ...\n" +
                "TYPE must be alphanumeric with optional underscores or hyphens, QTY a non-negative number.");
        }
        var op = match.Groups["op"].Value;
        string? quantity = match.Groups["qty"].Success ? (op == "=" ? "" : op) + match.Groups["qty"].Value : null;
        string? size = match.Groups["size"].Success ? match.Groups["size"].Value : null;
        return new ScaleRequest(match.Groups["type"].Value, quantity, size);
    }

    /// <summary>An item of <c>{"updates":[…]}</c>; absent fields are left out so they stay unchanged.</summary>
    public JsonObject ToUpdate()
    {
        var update = new JsonObject { ["type"] = Type };
        if (Quantity is not null) update["quantity"] = Quantity;
        if (Size is not null) update["size"] = Size;
        return update;
    }
}
