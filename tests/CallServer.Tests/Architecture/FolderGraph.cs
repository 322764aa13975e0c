namespace CallServer.Tests.Architecture;

/// <summary>
/// Which folder of a project uses which (a folder is the namespace segment after the project's: the folder
/// <c>Outbox</c> is <c>CallServer.Outbox</c> and everything under it), with the type pairs behind each edge,
/// and the cycles among them.
/// </summary>
public sealed class FolderGraph
{
    private readonly Dictionary<string, Dictionary<string, List<string>>> edges = new(StringComparer.Ordinal);

    public IReadOnlyCollection<string> Folders => edges.Keys;

    /// <summary>The folder graph of the types of <paramref name="root"/> (<c>CallServer</c>) in <paramref name="types"/>.</summary>
    public static FolderGraph Of(string root, IEnumerable<Type> types)
    {
        var graph = new FolderGraph();
        foreach (var type in types)
        {
            if (FolderOf(root, type) is not { } from)
            {
                continue;
            }

            graph.edges.TryAdd(from, new Dictionary<string, List<string>>(StringComparer.Ordinal));
            foreach (var used in TypeReferences.Of(type))
            {
                if (FolderOf(root, used) is { } to && to != from)
                {
                    graph.Add(from, to, $"{Name(type)} uses {Name(used)}");
                }
            }
        }

        return graph;
    }

    /// <summary>Adds an edge (the tests of the graph itself plant theirs).</summary>
    public void Add(string from, string to, string because)
    {
        edges.TryAdd(from, new Dictionary<string, List<string>>(StringComparer.Ordinal));
        edges.TryAdd(to, new Dictionary<string, List<string>>(StringComparer.Ordinal));
        if (!edges[from].TryGetValue(to, out var reasons))
        {
            edges[from][to] = reasons = [];
        }

        if (reasons.Count < 3)
        {
            reasons.Add(because);
        }
    }

    public IReadOnlyCollection<string> UsedBy(string folder) => edges.TryGetValue(folder, out var used) ? used.Keys : [];

    /// <summary>Why <paramref name="from"/> uses <paramref name="to"/>: up to three type pairs.</summary>
    public IReadOnlyList<string> Reasons(string from, string to) => edges[from][to];

    /// <summary>The strongly connected groups of more than one folder (Tarjan): each holds a cycle.</summary>
    public IReadOnlyList<IReadOnlyList<string>> Cycles()
    {
        var index = new Dictionary<string, int>(StringComparer.Ordinal);
        var low = new Dictionary<string, int>(StringComparer.Ordinal);
        var stack = new Stack<string>();
        var onStack = new HashSet<string>(StringComparer.Ordinal);
        var groups = new List<IReadOnlyList<string>>();
        var next = 0;

        void Visit(string folder)
        {
            index[folder] = low[folder] = next++;
            stack.Push(folder);
            onStack.Add(folder);
            foreach (var used in UsedBy(folder))
            {
                if (!index.ContainsKey(used))
                {
                    Visit(used);
                    low[folder] = Math.Min(low[folder], low[used]);
                }
                else if (onStack.Contains(used))
                {
                    low[folder] = Math.Min(low[folder], index[used]);
                }
            }

            if (low[folder] == index[folder])
            {
                var group = new List<string>();
                string member;
                do
                {
                    member = stack.Pop();
                    onStack.Remove(member);
                    group.Add(member);
                }
                while (member != folder);
                if (group.Count > 1)
                {
                    group.Sort(StringComparer.Ordinal);
                    groups.Add(group);
                }
            }
        }

        foreach (var folder in edges.Keys.Order(StringComparer.Ordinal))
        {
            if (!index.ContainsKey(folder))
            {
                Visit(folder);
            }
        }

        return groups;
    }

    /// <summary>Each edge inside <paramref name="group"/> with its reasons, for a failure message.</summary>
    public string Describe(IReadOnlyList<string> group) => string.Join(
        Environment.NewLine,
        group.SelectMany(from => UsedBy(from).Where(group.Contains).Order(StringComparer.Ordinal)
            .Select(to => $"  {from} -> {to}: {string.Join("; ", Reasons(from, to))}")));

    private static string? FolderOf(string root, Type type)
    {
        var ns = type.Namespace;
        if (ns is null || !ns.StartsWith(root + ".", StringComparison.Ordinal) || type.Assembly.GetName().Name != root)
        {
            return null;
        }

        var rest = ns[(root.Length + 1)..];
        var dot = rest.IndexOf('.', StringComparison.Ordinal);
        return dot < 0 ? rest : rest[..dot];
    }

    private static string Name(Type type) => type.IsNested ? $"{Name(type.DeclaringType!)}.{type.Name}" : type.Name;
}
