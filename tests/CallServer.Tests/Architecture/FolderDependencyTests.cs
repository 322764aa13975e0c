using System.Reflection;

namespace CallServer.Tests.Architecture;

/// <summary>
/// The host's folders use one another without a cycle, so each can be read, changed and tested from the
/// bottom up (docs/architecture.md: the layers). The graph comes from the compiled server, method bodies
/// included.
/// </summary>
public sealed class FolderDependencyTests
{
    private static readonly Assembly Server = typeof(CallServer.Application.CallService).Assembly;

    private static readonly Lazy<FolderGraph> Graph = new(() => FolderGraph.Of("CallServer", Server.GetTypes()));

    [Fact]
    public void No_folder_of_the_server_takes_part_in_a_cycle()
    {
        var cycles = Graph.Value.Cycles();

        Assert.True(cycles.Count == 0, "folders that use one another in a cycle:" + Environment.NewLine + string.Join(Environment.NewLine, cycles.Select(Graph.Value.Describe)));
    }

    [Fact]
    public void No_folder_of_the_domain_takes_part_in_a_cycle()
    {
        var domain = FolderGraph.Of("CallServer.Domain", typeof(CallServer.Domain.Decisions.CallDecider).Assembly.GetTypes());
        var cycles = domain.Cycles();

        Assert.Contains("Decisions", domain.Folders);
        Assert.True(cycles.Count == 0, "domain folders that use one another in a cycle:" + Environment.NewLine + string.Join(Environment.NewLine, cycles.Select(domain.Describe)));
    }

    [Theory]
    [InlineData("Ports")]
    [InlineData("Outbox")]
    [InlineData("Cluster")]
    public void A_bottom_folder_uses_no_other_folder_of_the_server(string folder)
    {
        var used = Graph.Value.UsedBy(folder).Where(other => other is not "Ports").ToList();

        Assert.True(used.Count == 0, $"{folder} uses {string.Join(", ", used.Select(other => $"{other} ({string.Join("; ", Graph.Value.Reasons(folder, other))})"))}");
    }

    [Fact]
    public void The_graph_sees_uses_inside_method_bodies()
    {
        // CallService names the outbox only inside its methods (CallOutbox.MessagesOf, CallChange): a graph of
        // signatures alone would miss it.
        Assert.Contains("Outbox", Graph.Value.UsedBy("Application"));
        Assert.Contains("Ports", Graph.Value.UsedBy("Adapters"));
    }

    [Fact]
    public void A_planted_cycle_is_found_and_named_with_its_types()
    {
        var graph = FolderGraph.Of("CallServer", Server.GetTypes());
        graph.Add("Ports", "Adapters", "IPlanted uses RedisCallStore");

        var cycle = Assert.Single(graph.Cycles(), group => group.Contains("Ports"));

        Assert.Contains("Adapters", cycle);
        Assert.Contains("Ports -> Adapters: ", graph.Describe(cycle), StringComparison.Ordinal);
    }

    [Fact]
    public void Folders_without_a_cycle_between_them_have_none()
    {
        var graph = new FolderGraph();
        graph.Add("Api", "Application", "a");
        graph.Add("Application", "Ports", "b");
        graph.Add("Api", "Ports", "c");

        Assert.Empty(graph.Cycles());

        graph.Add("Ports", "Api", "d");
        Assert.Equal(["Api", "Application", "Ports"], Assert.Single(graph.Cycles()));
    }
}
