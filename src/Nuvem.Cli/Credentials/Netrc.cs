using System.Text;
using Nuvem.Cli.Configuration;

namespace Nuvem.Cli.Credentials;

/// <summary>
/// ~/.netrc, read and edited in place. Heroku keeps its API token there (<c>machine host:port login EMAIL
/// password TOKEN</c>), and so do we: git and curl users already know the file, and it keeps the token out of
/// the config file. Edits only touch the text of the one machine entry being replaced; every other byte
/// (other machines, comments, macdefs, odd spacing) is written back unchanged.
/// </summary>
public sealed class Netrc
{
    private string text;

    private Netrc(string path, string text)
    {
        Path = path;
        this.text = text;
    }

    public string Path { get; }

    public static string DefaultPath() => System.IO.Path.Combine(HomeDirectory.Path, ".netrc");

    public static Netrc Load() => Load(DefaultPath());

    public static Netrc Load(string path) => new(path, File.Exists(path) ? File.ReadAllText(path) : "");

    public NetrcEntry? Find(string machine)
    {
        var entry = Parse(text).FirstOrDefault(e => e.Machine == machine);
        return entry is null ? null : new NetrcEntry(entry.Machine!, entry.Login, entry.Password);
    }

    /// <summary>Replaces the machine's entry (or appends one), leaving all other entries as they were.</summary>
    public void Set(string machine, string login, string password)
    {
        foreach (var value in new[] { machine, login, password })
        {
            if (value.Length == 0 || value.Any(char.IsWhiteSpace) || value.Contains('"'))
                throw new CliException($"Cannot store '{value}' in {Path}: netrc values may not contain spaces or quotes.");
        }

        var replacement = $"machine {machine}\n  login {login}\n  password {password}\n";
        var entries = Parse(text);
        var existing = entries.Where(e => e.Machine == machine).ToList();
        if (existing.Count > 0)
        {
            // Duplicates would shadow each other unpredictably across tools; keep exactly one.
            text = Splice(existing, replacement);
            return;
        }

        // The "default" entry must stay last, or other netrc readers stop before our machine.
        var defaultEntry = entries.FirstOrDefault(e => e.Machine is null);
        if (defaultEntry is not null)
        {
            text = text[..defaultEntry.Start] + replacement + text[defaultEntry.Start..];
            return;
        }

        var separator = text.Length == 0 || text.EndsWith('\n') ? "" : "\n";
        text = text + separator + replacement;
    }

    /// <summary>Removes every entry for the machine; returns whether there was one.</summary>
    public bool Remove(string machine)
    {
        var existing = Parse(text).Where(e => e.Machine == machine).ToList();
        if (existing.Count == 0) return false;
        text = Splice(existing, "");
        return true;
    }

    public void Save()
    {
        // 0600 on create, and again afterwards in case the file already existed with looser bits:
        // the file holds bearer tokens.
        const UnixFileMode privateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        var options = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows()) options.UnixCreateMode = privateMode;
        using (var stream = new FileStream(Path, options))
        using (var writer = new StreamWriter(stream, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false)))
        {
            writer.Write(text);
        }
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(Path, privateMode);
    }

    /// <summary>Replaces the first span with <paramref name="replacement"/> and deletes the others.</summary>
    private string Splice(List<ParsedEntry> spans, string replacement)
    {
        var builder = new StringBuilder();
        var position = 0;
        for (var i = 0; i < spans.Count; i++)
        {
            builder.Append(text, position, spans[i].Start - position);
            if (i == 0) builder.Append(replacement);
            position = spans[i].End;
        }
        builder.Append(text, position, text.Length - position);
        return builder.ToString();
    }

    private sealed class ParsedEntry
    {
        public required int Start { get; set; }
        public required int End { get; set; }
        /// <summary>null for the "default" entry.</summary>
        public string? Machine { get; init; }
        public string? Login { get; set; }
        public string? Password { get; set; }
    }

    private readonly record struct Token(string Value, int Start, int End);

    private static List<ParsedEntry> Parse(string source)
    {
        var entries = new List<ParsedEntry>();
        ParsedEntry? current = null;
        var tokens = Tokenize(source);
        for (var i = 0; i < tokens.Count; i++)
        {
            var token = tokens[i];
            switch (token.Value)
            {
                case "machine":
                case "default":
                    if (current is not null) entries.Add(current);
                    var isDefault = token.Value == "default";
                    string? name = null;
                    var end = token.End;
                    if (!isDefault && i + 1 < tokens.Count)
                    {
                        name = tokens[++i].Value;
                        end = tokens[i].End;
                    }
                    current = new ParsedEntry { Start = LineStartIfBlank(source, token.Start), End = end, Machine = isDefault ? null : name ?? "" };
                    break;
                case "macdef":
                    // Macros are global, not part of the machine they follow: replacing or removing that
                    // machine must leave them alone, so a macdef closes the current entry.
                    if (current is not null) entries.Add(current);
                    current = null;
                    i++; // the macro's name; Tokenize already skipped its body
                    break;
                case "login" or "password" or "account" when current is not null && i + 1 < tokens.Count:
                    var value = tokens[++i];
                    if (token.Value == "login") current.Login ??= value.Value;
                    if (token.Value == "password") current.Password ??= value.Value;
                    current.End = value.End;
                    break;
                default:
                    if (current is not null) current.End = token.End;
                    break;
            }
        }
        if (current is not null) entries.Add(current);

        // An entry owns the rest of the line its last token is on (a trailing comment and the newline included),
        // so removing it leaves no blank line behind; comments on following lines stay with whatever comes next.
        foreach (var entry in entries) entry.End = LineEndIfBlank(source, entry.End);
        return entries;
    }

    private static List<Token> Tokenize(string source)
    {
        var tokens = new List<Token>();
        var i = 0;
        while (i < source.Length)
        {
            var c = source[i];
            if (char.IsWhiteSpace(c)) { i++; continue; }
            if (c == '#')
            {
                while (i < source.Length && source[i] != '\n') i++;
                continue;
            }
            var start = i;
            if (c == '"')
            {
                var value = new StringBuilder();
                i++;
                while (i < source.Length && source[i] != '"')
                {
                    if (source[i] == '\\' && i + 1 < source.Length) i++;
                    value.Append(source[i++]);
                }
                i = Math.Min(i + 1, source.Length);
                tokens.Add(new Token(value.ToString(), start, i));
                continue;
            }
            while (i < source.Length && !char.IsWhiteSpace(source[i])) i++;
            var word = source[start..i];
            tokens.Add(new Token(word, start, i));
            if (word == "macdef")
            {
                // macdef NAME is followed by the macro body up to an empty line; none of it is tokens.
                while (i < source.Length && char.IsWhiteSpace(source[i]) && source[i] != '\n') i++;
                var nameStart = i;
                while (i < source.Length && !char.IsWhiteSpace(source[i])) i++;
                tokens.Add(new Token(source[nameStart..i], nameStart, i));
                i = MacroEnd(source, i);
            }
        }
        return tokens;
    }

    private static int MacroEnd(string source, int from)
    {
        var blank = source.IndexOf("\n\n", from, StringComparison.Ordinal);
        return blank < 0 ? source.Length : blank + 1;
    }

    private static int LineStartIfBlank(string source, int position)
    {
        var i = position;
        while (i > 0 && source[i - 1] is ' ' or '\t') i--;
        return i == 0 || source[i - 1] == '\n' ? i : position;
    }

    private static int LineEndIfBlank(string source, int position)
    {
        var i = position;
        while (i < source.Length && source[i] is ' ' or '\t' or '\r') i++;
        // A comment after the entry's last token annotates that entry and goes with it.
        if (i < source.Length && source[i] == '#')
        {
            while (i < source.Length && source[i] != '\n') i++;
        }
        if (i < source.Length && source[i] == '\n') return i + 1;
        return i == source.Length ? i : position;
    }
}

public sealed record NetrcEntry(string Machine, string? Login, string? Password);
