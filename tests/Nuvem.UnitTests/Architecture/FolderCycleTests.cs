using System.Text.RegularExpressions;

namespace Nuvem.UnitTests.Architecture;

/// <summary>
/// Each assembly's top-level folders (one per platform concept: Apps, Releases, Dynos…) depend on each other without
/// cycles, so the concepts stack in layers (see the README's diagram) and each can be read, tested and replaced from
/// the bottom up. A folder's sub-folders count as the folder (Dynos/Runtime is part of Dynos).
/// </summary>
public sealed class FolderCycleTests
{
    [Theory]
    [InlineData("src/Nuvem.Platform", "Nuvem.Platform")]
    [InlineData("src/Nuvem.Server", "Nuvem.Server")]
    public void Top_level_folders_depend_on_each_other_without_cycles(string folder, string rootNamespace)
    {
        var graph = Dependencies(folder, rootNamespace);
        var cycles = StronglyConnected(graph).Where(c => c.Count > 1).ToList();
        var report = cycles.Select(c => string.Join(" ↔ ", c.Order()) + "\n" + string.Join("\n",
            c.SelectMany(a => graph[a].Edges.Where(e => c.Contains(e.Key)).Select(e => $"    {a} → {e.Key}: {string.Join(", ", e.Value.Take(3))}"))));
        Assert.True(cycles.Count == 0, "Folder cycles:\n" + string.Join("\n", report));
    }

    private sealed record Node(Dictionary<string, HashSet<string>> Edges);

    /// <summary>Concept → the concepts its files name (by <c>using</c> or a qualified name), with the files that do.</summary>
    private static Dictionary<string, Node> Dependencies(string folder, string rootNamespace)
    {
        var prefix = Regex.Escape(rootNamespace) + @"\.(\w+)";
        var graph = new Dictionary<string, Node>();
        foreach (var file in SourceTree.CSharpFiles(folder))
        {
            var text = File.ReadAllText(file);
            var ns = SourceTree.NamespaceOf(text);
            if (ns is null || !ns.StartsWith(rootNamespace + ".", StringComparison.Ordinal)) continue;
            var concept = ns[(rootNamespace.Length + 1)..].Split('.')[0];
            if (!graph.TryGetValue(concept, out var node)) graph[concept] = node = new Node(new());
            foreach (Match m in Regex.Matches(text, prefix))
            {
                var target = m.Groups[1].Value;
                if (target == concept) continue;
                if (!node.Edges.TryGetValue(target, out var files)) node.Edges[target] = files = [];
                files.Add(SourceTree.Relative(file));
            }
        }
        foreach (var target in graph.Values.SelectMany(n => n.Edges.Keys).ToList())
            graph.TryAdd(target, new Node(new()));
        return graph;
    }

    /// <summary>Tarjan's algorithm: the groups of concepts that reach each other.</summary>
    private static List<HashSet<string>> StronglyConnected(Dictionary<string, Node> graph)
    {
        var index = new Dictionary<string, int>();
        var low = new Dictionary<string, int>();
        var stack = new Stack<string>();
        var onStack = new HashSet<string>();
        var result = new List<HashSet<string>>();
        void Visit(string v)
        {
            index[v] = low[v] = index.Count;
            stack.Push(v);
            onStack.Add(v);
            foreach (var w in graph[v].Edges.Keys)
            {
                if (!index.ContainsKey(w)) { Visit(w); low[v] = Math.Min(low[v], low[w]); }
                else if (onStack.Contains(w)) low[v] = Math.Min(low[v], index[w]);
            }
            if (low[v] != index[v]) return;
            var group = new HashSet<string>();
            string x;
            do { x = stack.Pop(); onStack.Remove(x); group.Add(x); } while (x != v);
            result.Add(group);
        }
        foreach (var v in graph.Keys.ToList()) if (!index.ContainsKey(v)) Visit(v);
        return result;
    }
}
